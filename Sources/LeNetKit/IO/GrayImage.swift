import Foundation

/// A grayscale picture read from a PGM or PNG file: 0 is black, 255 white, as in the file.
public struct GrayImage: Sendable, Equatable {
  /// Pixels per row.
  public var width: Int
  /// Rows.
  public var height: Int
  /// Row-major gray levels.
  public var pixels: [UInt8]

  /// Creates an image from its pixels.
  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(pixels.count == width * height, "an image needs width × height pixels")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The most pixels a PGM or PNG may have: 64 megapixels (8000 × 8000), beyond any phone
  /// photo of a digit, so a header cannot make the reader allocate gigabytes.
  public static let maximumPixels = 64_000_000

  /// The largest image file read: 256 MiB, room for a P2 file of `maximumPixels` pixels.
  public static let maximumFileSize = 256 << 20

  /// Throws unless `width × height` is a positive number of pixels within `maximumPixels`;
  /// the sizes come from a file header, so the product is computed without overflow.
  static func checkSize(width: Int, height: Int, file: String) throws(DataError) {
    guard width > 0, height > 0 else {
      throw DataError(
        .invalidContent, file: file,
        "the header gives a \(width)×\(height) image, which has no pixels",
        fix: "the file is damaged; export it again")
    }
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    guard !overflow, pixels <= maximumPixels else {
      throw DataError(
        .invalidContent, file: file,
        "the header gives a \(width)×\(height) image, more than the \(maximumPixels / 1_000_000) "
          + "megapixels this reader accepts",
        fix: "scale the image down; a digit needs only a few hundred pixels a side")
    }
  }

  /// Reads a PGM (P2 or P5) or PNG file, chosen by its first bytes, and converts it to gray.
  public static func read(from url: URL) throws(DataError) -> GrayImage {
    try decode(readFile(url, maximumSize: maximumFileSize), file: url.path)
  }

  /// Decodes PGM or PNG bytes; `file` names them in errors.
  public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> GrayImage {
    if bytes.starts(with: PNG.signature) { return try PNG.decode(bytes, file: file) }
    if bytes.starts(with: Array("P5".utf8)) || bytes.starts(with: Array("P2".utf8)) {
      return try PGM.decode(bytes, file: file)
    }
    throw DataError(
      .unsupported, file: file, "not a PGM (P2, P5) or PNG image",
      fix: "convert the image to PNG or PGM, e.g. with 'convert digit.jpg digit.png'")
  }
}

/// The Netpbm gray map: a text header `P5 <width> <height> <maxval>` (or `P2` with the pixels
/// as decimal text), comments from `#` to the end of a line, then the pixels, 1 byte each when
/// maxval < 256 and 2 bytes big-endian otherwise. Levels are rescaled to 0–255.
public enum PGM {
  /// Decodes a P2 or P5 file.
  public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> GrayImage {
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), [50, 53].contains(bytes[1]) else {
      throw DataError(.wrongMagic, file: file, "a PGM file starts with P2 or P5")
    }
    let binary = bytes[1] == UInt8(ascii: "5")
    var position = 2
    func skipSpaceAndComments() {
      while position < bytes.count {
        if bytes[position] == UInt8(ascii: "#") {
          while position < bytes.count && bytes[position] != 10 { position += 1 }
        } else if [9, 10, 13, 32].contains(bytes[position]) {
          position += 1
        } else {
          return
        }
      }
    }
    func number(_ what: String) throws(DataError) -> Int {
      skipSpaceAndComments()
      var value = 0
      var digits = 0
      while position < bytes.count, (48...57).contains(bytes[position]), digits < 9 {
        value = value * 10 + Int(bytes[position] - 48)
        position += 1
        digits += 1
      }
      guard digits > 0 else {
        throw DataError(
          position >= bytes.count ? .truncated : .invalidContent, file: file,
          "expected the \(what) at byte \(position)")
      }
      return value
    }
    let width = try number("width")
    let height = try number("height")
    let maximum = try number("maximum gray value")
    try GrayImage.checkSize(width: width, height: height, file: file)
    guard (1...65535).contains(maximum) else {
      throw DataError(
        .invalidContent, file: file, "the maximum gray value \(maximum) is not within 1–65535")
    }
    // Check that the file can hold the pixels before allocating room for them: a P2 pixel takes
    // at least a separator and a digit, a P5 pixel one byte (two above maximum 255).
    let size = binary ? (maximum < 256 ? 1 : 2) : 2
    let needed = width * height * size
    if binary { position += 1 }  // exactly one whitespace byte separates the header from the pixels
    guard bytes.count - position >= needed else {
      throw DataError(
        .truncated, file: file,
        "\(width)×\(height) pixels need \(binary ? "" : "at least ")\(needed) bytes, the file has "
          + "\(max(0, bytes.count - position))",
        fix: "the file is truncated; export it again")
    }
    var levels = [Int](repeating: 0, count: width * height)
    if binary {
      for index in levels.indices {
        let at = position + index * size
        levels[index] = size == 1 ? Int(bytes[at]) : Int(bytes[at]) << 8 | Int(bytes[at + 1])
      }
    } else {
      for index in levels.indices { levels[index] = try number("value of pixel \(index)") }
    }
    if let index = levels.firstIndex(where: { $0 > maximum }) {
      throw DataError(
        .invalidContent, file: file,
        "pixel \(index) is \(levels[index]), above the maximum \(maximum)")
    }
    return GrayImage(
      width: width, height: height,
      pixels: levels.map { UInt8(($0 * 255 + maximum / 2) / maximum) })
  }

  /// A binary (P5) file of `image`.
  public static func encode(_ image: GrayImage) -> [UInt8] {
    Array("P5\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
  }
}
