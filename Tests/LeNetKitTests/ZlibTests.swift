import LeNetKit
import LeNetTestSupport
import Testing

@Suite struct ZlibTests {
  /// "hello" as a gzip file built by hand from RFC 1952 and RFC 1951, independent of zlib's
  /// compressor: header (magic 1F 8B, method 8, no flags, no time, OS 3), one stored DEFLATE
  /// block (BFINAL=1, BTYPE=00, LEN 5, NLEN ~5), then CRC-32 0x3610A686 (Python's
  /// `zlib.crc32(b"hello")`) and ISIZE 5, both little-endian.
  static let handBuiltHello: [UInt8] =
    [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
    + [0x01, 0x05, 0x00, 0xFA, 0xFF] + Array("hello".utf8)
    + [0x86, 0xA6, 0x10, 0x36, 5, 0, 0, 0]

  @Test func decompressesAHandBuiltGzipFile() throws {
    let content = try Zlib.decompress(Self.handBuiltHello, format: .gzip, file: "hello.gz")
    #expect(String(decoding: content, as: UTF8.self) == "hello")
  }

  @Test func crc32MatchesTheHandBuiltTrailer() {
    #expect(Zlib.crc32(Array("hello".utf8)) == 0x3610_A686)
  }

  @Test func roundTripsBothFormats() throws {
    var generator = SplitMix64(seed: 7)
    let bytes = (0..<100_000).map { _ in UInt8(generator.nextFloat(in: 0...15)) }
    for format in [Zlib.Format.gzip, .zlib] {
      let compressed = Zlib.compress(bytes, format: format)
      #expect(compressed.count < bytes.count)
      #expect(try Zlib.decompress(compressed, format: format, file: "x") == bytes)
    }
  }

  @Test func detectsGzipByItsMagicBytes() throws {
    let plain = Array("not compressed".utf8)
    #expect(!Zlib.isGzip(plain))
    #expect(Zlib.isGzip(Self.handBuiltHello))
    #expect(try Zlib.gunzipIfNeeded(plain, file: "x") == plain)
    #expect(try Zlib.gunzipIfNeeded(Self.handBuiltHello, file: "x") == Array("hello".utf8))
  }

  @Test func decompressesConcatenatedMembersLikeGunzip() throws {
    let twice = Self.handBuiltHello + Self.handBuiltHello
    #expect(try Zlib.decompress(twice, format: .gzip, file: "x") == Array("hellohello".utf8))
  }

  @Test func truncatedStreamIsAnErrorNamingTheFile() {
    let cut = Array(Self.handBuiltHello.dropLast(6))
    let error = #expect(throws: DataError.self) {
      try Zlib.decompress(cut, format: .gzip, file: "data/train.gz")
    }
    #expect(error?.kind == .truncated)
    #expect(
      error?.description
        == "data/train.gz: the gzip stream is truncated after \(cut.count) bytes (5 decompressed)")
  }

  @Test func wrongChecksumIsReportedAsCorrupt() {
    var damaged = Self.handBuiltHello
    damaged[damaged.count - 8] ^= 0xFF  // the CRC-32 no longer matches "hello"
    let error = #expect(throws: DataError.self) {
      try Zlib.decompress(damaged, format: .gzip, file: "train.gz")
    }
    #expect(error?.kind == .corruptCompression)
    #expect(error?.description == "train.gz: the gzip stream is corrupt (incorrect data check)")
  }

  @Test func invalidBlockTypeIsReportedAsCorrupt() {
    var damaged = Self.handBuiltHello
    damaged[10] = 0x07  // BFINAL=1, BTYPE=11: reserved, invalid in RFC 1951
    let error = #expect(throws: DataError.self) {
      try Zlib.decompress(damaged, format: .gzip, file: "train.gz")
    }
    #expect(error?.kind == .corruptCompression)
    #expect(error?.message.contains("invalid block type") == true)
  }

  @Test func garbageAfterTheStreamIsReported() {
    let error = #expect(throws: DataError.self) {
      try Zlib.decompress(Self.handBuiltHello + [1, 2, 3], format: .gzip, file: "train.gz")
    }
    #expect(error?.kind == .extraBytes)
    #expect(
      error?.description == "train.gz: 3 unexpected bytes after the end of the gzip stream")
  }
}

/// Decompression within stated limits (issue 10 §2).
@Suite struct ZlibLimitTests {
  @Test func theBombGeneratorInflatesToTheZerosItPromises() throws {
    // zlib itself is the independent check of the hand-written DEFLATE stream.
    let bytes = try Zlib.decompress(zlibStreamOfZeros(groups: 3), format: .zlib, file: "x")
    #expect(bytes == [UInt8](repeating: 0, count: zerosInflated(groups: 3)))
    #expect(bytes.count == 1 + 258 + 258 * 8 * 4)
  }

  @Test func streamPastItsLimitIsRefusedWithTheLimit() {
    let limit = Zlib.Limit(bytes: 1000, reason: "what the test allows", fix: "make it smaller")
    let error = #expect(throws: DataError.self) {
      try Zlib.decompress(zlibStreamOfZeros(groups: 1), format: .zlib, file: "z", limit: limit)
    }
    #expect(error?.kind == .invalidContent)
    #expect(
      error?.description
        == "z: the zlib stream decompresses to more than 1000 bytes, what the test allows")
    #expect(error?.fix == "make it smaller")
  }

  @Test func streamOfExactlyItsLimitIsAccepted() throws {
    let count = zerosInflated(groups: 1)
    let limit = Zlib.Limit(bytes: count, reason: "", fix: "")
    let bytes = try Zlib.decompress(
      zlibStreamOfZeros(groups: 1), format: .zlib, file: "z", limit: limit)
    #expect(bytes.count == count)
  }

  @Test func prefixStopsReadingAfterItsCount() throws {
    let hello = Zlib.compress(Array("hello, world".utf8), format: .gzip)
    #expect(
      try Zlib.decompressPrefix(hello, count: 5, format: .gzip, file: "x") == Array("hello".utf8))
    // A stream cut short gives what it has; the full read reports the truncation.
    let cut = Array(hello.prefix(12))
    let prefix = try Zlib.decompressPrefix(cut, count: 5, format: .gzip, file: "x")
    #expect(prefix.count <= 5 && Array("hello".utf8).starts(with: prefix))
    #expect(throws: DataError.self) { try Zlib.decompress(cut, format: .gzip, file: "x") }
  }

  @Test func idxContentStopsAtTheSizeItsHeaderAnnounces() {
    // Three labels (8 + 3 bytes), then a second gzip member that inflates to 17 KB of zeros.
    let gzip =
      Zlib.compress(IDX.encode(labels: [7, 0, 9]), format: .gzip) + gzipMemberOfZeros(groups: 1)
    let error = #expect(throws: DataError.self) {
      try IDX.content(ofFile: gzip, file: "labels.gz")
    }
    #expect(
      error?.description
        == "labels.gz: the gzip stream decompresses to more than 11 bytes, the size its IDX header announces (3 and the header)"
    )
    #expect(error?.fix == "the file is damaged; download it again")
  }

  @Test func idxContentReadsGzippedAndPlainFiles() throws {
    let labels = IDX.encode(labels: [7, 0, 9])
    #expect(try IDX.content(ofFile: Zlib.compress(labels, format: .gzip), file: "x") == labels)
    #expect(try IDX.content(ofFile: labels, file: "x") == labels)
  }

  @Test func idxHeaderBeyondTheLimitIsRefusedBeforeInflating() {
    // 2^32 − 1 labels: more than IDX.maximumSize, whatever follows.
    let header: [UInt8] = [0, 0, 8, 1, 255, 255, 255, 255]
    let gzip = Zlib.compress(header, format: .gzip) + gzipMemberOfZeros(groups: 1)
    let error = #expect(throws: DataError.self) { try IDX.content(ofFile: gzip, file: "l.gz") }
    #expect(
      error?.description
        == "l.gz: the header announces 4294967295 bytes of data, more than the 256 MiB an IDX file may hold here"
    )
  }
}
