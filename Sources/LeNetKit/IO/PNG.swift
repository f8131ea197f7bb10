/// A PNG reader for 8-bit, non-interlaced images: gray, gray + alpha, RGB and RGBA
/// (ISO/IEC 15948, "Portable Network Graphics").
///
/// ```
/// 89 50 4E 47 0D 0A 1A 0A                          signature
/// length (4, big-endian) · type (4) · data · CRC-32 of type and data     one chunk, repeated
/// IHDR: width, height, bit depth, color type, compression, filter, interlace
/// IDAT…: the zlib stream of the rows, each prefixed by its filter type 0–4
/// IEND
/// ```
/// Color becomes gray by the luma of ITU-R BT.601, `0.299 R + 0.587 G + 0.114 B`; transparent
/// pixels are laid on white paper, `a · gray + (1 − a) · 255`.
public enum PNG {
  /// The first 8 bytes of every PNG file.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Decodes a PNG file into gray levels.
  public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> GrayImage {
    var position = 8
    var header: [UInt8] = []
    var compressed: [UInt8] = []
    var ended = false
    while !ended {
      guard bytes.count - position >= 12 else {
        throw DataError(
          .truncated, file: file, "the file ends at byte \(bytes.count) inside a chunk header",
          fix: "the file is damaged; export it again")
      }
      let length = Int(bigEndian32(bytes, position))
      let type = String(decoding: bytes[position + 4..<position + 8], as: UTF8.self)
      guard length <= bytes.count - position - 12 else {
        throw DataError(
          .truncated, file: file,
          "chunk \(type) announces \(length) bytes past the end of the file",
          fix: "the file is damaged; export it again")
      }
      let data = Array(bytes[position + 8..<position + 8 + length])
      let crc = bigEndian32(bytes, position + 8 + length)
      guard Zlib.crc32(Array(bytes[position + 4..<position + 8]) + data) == crc else {
        throw DataError(
          .corruptCompression, file: file, "chunk \(type) at byte \(position) fails its CRC-32",
          fix: "the file is damaged; export it again")
      }
      switch type {
      case "IHDR": header = data
      case "IDAT": compressed += data
      case "IEND": ended = true
      default: break  // ancillary chunks (gamma, text …) do not change gray levels here
      }
      position += 12 + length
    }
    guard header.count == 13 else {
      throw DataError(.invalidContent, file: file, "no valid IHDR chunk")
    }
    let width = Int(bigEndian32(header, 0))
    let height = Int(bigEndian32(header, 4))
    let (depth, colorType, interlace) = (header[8], header[9], header[12])
    let channelsByType: [UInt8: Int] = [0: 1, 2: 3, 4: 2, 6: 4]
    guard depth == 8, let channels = channelsByType[colorType] else {
      throw DataError(
        .unsupported, file: file,
        "bit depth \(depth) with color type \(colorType) is not supported (8-bit gray, gray+alpha, RGB or RGBA only)",
        fix: "save the image as an 8-bit grayscale or RGB PNG")
    }
    guard interlace == 0 else {
      throw DataError(
        .unsupported, file: file, "interlaced (Adam7) PNGs are not supported",
        fix: "save the image without interlacing")
    }
    try GrayImage.checkSize(width: width, height: height, file: file)
    // Each row is its filter byte and `stride` samples; the sizes were checked above, so this
    // cannot overflow. Inflating stops there: more data than that is an error, not memory used.
    let stride = width * channels
    let needed = height * (stride + 1)
    var rows = try Zlib.decompress(
      compressed, format: .zlib, file: file,
      limit: Zlib.Limit(
        bytes: needed, reason: "what a \(width)×\(height) image needs with its filter bytes",
        fix: "the file is damaged; export it again"))
    guard rows.count == needed else {
      throw DataError(
        .invalidContent, file: file,
        "the image data has \(rows.count) bytes, \(width)×\(height) needs \(needed)")
    }
    try unfilter(&rows, height: height, stride: stride, channels: channels, file: file)
    var pixels = [UInt8](repeating: 0, count: width * height)
    for index in pixels.indices {
      let (row, column) = index.quotientAndRemainder(dividingBy: width)
      let at = row * (stride + 1) + 1 + column * channels
      let gray: Double
      switch channels {
      case 1, 2: gray = Double(rows[at])
      default:
        gray =
          0.299 * Double(rows[at]) + 0.587 * Double(rows[at + 1]) + 0.114 * Double(rows[at + 2])
      }
      let alpha = channels == 2 || channels == 4 ? Double(rows[at + channels - 1]) / 255 : 1
      pixels[index] = UInt8((alpha * gray + (1 - alpha) * 255).rounded())
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }

  /// Undoes the per-row filters in place (so a large image needs no second copy): each byte was
  /// stored as its difference from a prediction made from the byte to its left (`a`), above
  /// (`b`) and above-left (`c`). Row `r` is at `r × (stride + 1)`: its filter type, then samples.
  private static func unfilter(
    _ rows: inout [UInt8], height: Int, stride: Int, channels: Int, file: String
  ) throws(DataError) {
    for row in 0..<height {
      let start = row * (stride + 1) + 1
      let above = start - (stride + 1)
      let filter = rows[start - 1]
      guard filter <= 4 else {
        throw DataError(.invalidContent, file: file, "row \(row) has unknown filter type \(filter)")
      }
      for column in 0..<stride {
        let a = column >= channels ? Int(rows[start + column - channels]) : 0
        let b = row > 0 ? Int(rows[above + column]) : 0
        let c = row > 0 && column >= channels ? Int(rows[above + column - channels]) : 0
        let prediction: Int
        switch filter {
        case 0: prediction = 0
        case 1: prediction = a
        case 2: prediction = b
        case 3: prediction = (a + b) / 2
        default:
          let p = a + b - c
          let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
          prediction = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
        }
        rows[start + column] = rows[start + column] &+ UInt8(truncatingIfNeeded: prediction)
      }
    }
  }

  private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}
