import LeNetKit

/// A PNG writer for tests, following ISO/IEC 15948: each row is filtered forward with `filter`
/// (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) so the reader's inverse filters are exercised.
public func makePNG(
  width: Int, height: Int, colorType: UInt8, samples: [UInt8], filter: UInt8 = 0,
  bitDepth: UInt8 = 8, interlace: UInt8 = 0
) -> [UInt8] {
  let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)] ?? 1
  let stride = width * channels
  var raw: [UInt8] = []
  for row in 0..<height {
    raw.append(filter)
    for column in 0..<stride {
      let value = Int(samples[row * stride + column])
      let a = column >= channels ? Int(samples[row * stride + column - channels]) : 0
      let b = row > 0 ? Int(samples[(row - 1) * stride + column]) : 0
      let c =
        row > 0 && column >= channels ? Int(samples[(row - 1) * stride + column - channels]) : 0
      let p = a + b - c
      let paeth =
        abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c) ? a : abs(p - b) <= abs(p - c) ? b : c
      let prediction = [0, a, b, (a + b) / 2, paeth][Int(filter)]
      raw.append(UInt8((value - prediction + 256) % 256))
    }
  }
  return makePNG(
    width: UInt32(width), height: UInt32(height), colorType: colorType,
    imageData: Zlib.compress(raw, format: .zlib), bitDepth: bitDepth, interlace: interlace)
}

/// A PNG file whose header announces `width × height` (whatever `imageData` really holds) and
/// whose one IDAT chunk is `imageData`: the way to build lying and hostile files.
public func makePNG(
  width: UInt32, height: UInt32, colorType: UInt8, imageData: [UInt8], bitDepth: UInt8 = 8,
  interlace: UInt8 = 0
) -> [UInt8] {
  func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(Zlib.crc32(body))
  }
  let header = bigEndian(width) + bigEndian(height) + [bitDepth, colorType, 0, 0, interlace]
  return PNG.signature + chunk("IHDR", header) + chunk("IDAT", imageData) + chunk("IEND", [])
}

/// The big-endian bytes of `value`, as IDX and PNG store their numbers.
public func bigEndian(_ value: UInt32) -> [UInt8] {
  [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
}

/// A zlib stream (RFC 1950) that inflates to `zerosInflated(groups:)` zero bytes, written
/// directly in DEFLATE's fixed Huffman code (RFC 1951 §3.2.6) so a gigabyte of output costs
/// about 13 bytes per 2 KiB and no gigabyte is ever held: the way to build a decompression bomb.
///
/// The block is a literal 0 followed by matches "length 258, distance 1", each 13 bits
/// (length code 285 = `11000101`, distance code 0 = `00000`); eight matches are exactly 13
/// bytes, so after the aligned 3-byte start the body is one 13-byte group repeated.
public func zlibStreamOfZeros(groups: Int) -> [UInt8] {
  var start = DeflateBits()
  start.write(1, count: 1)  // BFINAL: the only block
  start.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
  start.writeCode(0b0011_0000, length: 8)  // literal 0
  start.writeMatch()  // 3 + 8 + 13 = 24 bits: byte-aligned
  var group = DeflateBits()
  for _ in 0..<8 { group.writeMatch() }
  var end = DeflateBits()
  for _ in 0..<8 { end.writeMatch() }  // one more group, then end-of-block (code 256, 7 zeros)
  end.writeCode(0, length: 7)
  let count = zerosInflated(groups: groups)
  // Adler-32 of `count` zeros (RFC 1950 §8.2): A stays 1, B adds A once per byte.
  let adler = UInt32(count % 65521) << 16 | 1
  var stream: [UInt8] = [0x78, 0x01] + start.bytes
  stream.reserveCapacity(stream.count + 13 * groups + 32)
  for _ in 0..<groups { stream += group.bytes }
  return stream + end.bytes + bigEndian(adler)
}

/// The number of zero bytes `zlibStreamOfZeros(groups:)` inflates to.
public func zerosInflated(groups: Int) -> Int { 1 + 258 + 258 * 8 * (groups + 1) }

/// A DEFLATE bit stream: fields are packed from the least significant bit of each byte,
/// Huffman codes most significant bit first (RFC 1951 §3.1.1).
struct DeflateBits {
  var bytes: [UInt8] = []
  var used = 8  // bits used in the last byte

  mutating func write(_ value: Int, count: Int) {
    for bit in 0..<count { append(value >> bit & 1) }
  }

  mutating func writeCode(_ code: Int, length: Int) {
    for bit in (0..<length).reversed() { append(code >> bit & 1) }
  }

  /// Length 258 (code 285, no extra bits), distance 1 (code 0, no extra bits).
  mutating func writeMatch() {
    writeCode(0b1100_0101, length: 8)
    writeCode(0, length: 5)
  }

  private mutating func append(_ bit: Int) {
    if used == 8 {
      bytes.append(0)
      used = 0
    }
    bytes[bytes.count - 1] |= UInt8(bit) << used
    used += 1
  }
}

/// A gzip member (RFC 1952) holding the DEFLATE data of `zlibStreamOfZeros(groups:)`. Its CRC-32
/// and size fields are zero, as a reader that stops at its limit never reaches them; appended to
/// a real gzip file it makes a small file that inflates to a gigabyte after a valid beginning.
public func gzipMemberOfZeros(groups: Int) -> [UInt8] {
  let zlib = zlibStreamOfZeros(groups: groups)
  let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]  // deflate, no flags, Unix
  return header + zlib[2..<(zlib.count - 4)] + [UInt8](repeating: 0, count: 8)
}
