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
