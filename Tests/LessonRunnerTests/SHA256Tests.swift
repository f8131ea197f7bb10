import Testing

@testable import LessonRunner

/// The cache key digest, against the test vectors of FIPS 180-2 (appendix B).
@Suite("SHA-256")
struct SHA256Tests {
  func digest(_ text: String) -> String {
    var hasher = SHA256()
    hasher.update(text.utf8)
    return hasher.hexDigest()
  }

  @Test func oneBlockMessage() {
    #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test func twoBlockMessage() {
    #expect(
      digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func emptyMessage() {
    #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }
}
