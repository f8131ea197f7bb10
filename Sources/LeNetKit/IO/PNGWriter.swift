extension PNG {
  /// Encodes a gray image as an 8-bit grayscale PNG (color type 0, no interlacing), each row with
  /// filter type 0 (none): the book's pictures are small, so a smaller file is not worth the
  /// filter search. The layout is the one `decode` reads:
  ///
  /// ```
  /// signature · IHDR(width, height, depth 8, color type 0, 0, 0, 0) · IDAT(zlib rows) · IEND
  /// ```
  public static func encode(_ image: GrayImage) -> [UInt8] {
    var header: [UInt8] = []
    header += bigEndianBytes(UInt32(image.width))
    header += bigEndianBytes(UInt32(image.height))
    header += [8, 0, 0, 0, 0]
    var rows: [UInt8] = []
    rows.reserveCapacity(image.height * (image.width + 1))
    for row in 0..<image.height {
      rows.append(0)
      rows += image.pixels[row * image.width..<(row + 1) * image.width]
    }
    return signature + chunk("IHDR", header) + chunk("IDAT", Zlib.compress(rows, format: .zlib))
      + chunk("IEND", [])
  }

  /// One chunk: its data's length, its type, the data, and the CRC-32 of type and data.
  private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndianBytes(UInt32(data.count)) + typeBytes + data
      + bigEndianBytes(Zlib.crc32(typeBytes + data))
  }

  private static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
  }
}
