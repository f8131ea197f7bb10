import LeNetKit
import Testing

/// The example vectors of FIPS 180-4 (NIST's "SHA256.pdf" examples and the FIPS 180-2
/// appendix B test messages).
@Suite struct SHA256Tests {
  @Test(arguments: [
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func matchesNISTExample(message: String, digest: String) {
    #expect(SHA256.hexadecimal(of: Array(message.utf8)) == digest)
  }

  @Test func oneMillionLetterAMatchesNIST() {
    let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    #expect(
      SHA256.hexadecimal(of: message)
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func pieceByPieceEqualsAllAtOnce() {
    // Pieces of 1, 63, 64 and 65 bytes cross block boundaries in every way.
    let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var hash = SHA256()
    var offset = 0
    for size in [1, 63, 64, 65, 0, 200, 607] {
      hash.update(Array(message[offset..<offset + size]))
      offset += size
    }
    #expect(hash.finalize().hexadecimal == SHA256.hexadecimal(of: message))
  }

  @Test(arguments: [55, 56, 63, 64])
  func paddingBoundaryLengthsAgreeByteByByte(length: Int) {
    // With 55 bytes the padding and length fit in one block, with 56 they need a second one.
    let message = [UInt8](repeating: 0x61, count: length)
    var hash = SHA256()
    for byte in message { hash.update([byte]) }
    let oneByOne = hash.finalize().hexadecimal
    #expect(oneByOne == SHA256.hexadecimal(of: message))
    #expect(oneByOne != SHA256.hexadecimal(of: message + [0x61]))
  }
}
