/// The IDX format of the MNIST files: a big-endian header, then the raw bytes.
///
/// ```
/// offset 0: magic   0x00 0x00 type dims    type 0x08 = unsigned byte; dims = number of dimensions
/// offset 4: size of dimension 1, … dimension dims  (32-bit big-endian each)
/// then:     the product of the sizes, one byte each, row-major
/// ```
/// Images are `0x00000803` (count × rows × columns), labels `0x00000801` (count). Pixels are
/// 0 (background) to 255 (ink). The reader checks every field and the exact length, so a
/// truncated download or a swapped file is reported instead of read as garbage.
public enum IDX {
  /// The magic number of an image file: unsigned bytes, 3 dimensions.
  public static let imagesMagic: UInt32 = 0x0000_0803
  /// The magic number of a label file: unsigned bytes, 1 dimension.
  public static let labelsMagic: UInt32 = 0x0000_0801
  /// The largest content (header and data) a reader accepts: 256 MiB, five times MNIST's
  /// largest file (47 MB), so a lying header or a compressed bomb cannot claim gigabytes.
  public static let maximumSize = 256 << 20

  /// Images read from an IDX file: `count × rows × columns` bytes, row-major.
  public struct Images: Sendable, Equatable {
    /// The number of images.
    public var count: Int
    /// Pixels per column.
    public var rows: Int
    /// Pixels per row.
    public var columns: Int
    /// All pixels, image after image; image `i` starts at `i * rows * columns`.
    public var pixels: [UInt8]

    /// Creates images from their pixels.
    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
      precondition(pixels.count == count * rows * columns, "pixels must be count × rows × columns")
      self.count = count
      self.rows = rows
      self.columns = columns
      self.pixels = pixels
    }
  }

  /// The content of an IDX file as stored, gzipped (`.gz`) or plain.
  ///
  /// A gzip stream is decompressed no further than its IDX header announces, and never past
  /// `maximumSize`: neither a damaged gzip trailer nor a small file that inflates to gigabytes
  /// makes the reader allocate more than the header justifies.
  public static func content(ofFile bytes: [UInt8], file: String) throws(DataError) -> [UInt8] {
    guard Zlib.isGzip(bytes) else { return bytes }
    let header = try Zlib.decompressPrefix(bytes, count: 16, format: .gzip, file: file)
    var limit = Zlib.Limit.dataFile
    if let (sizes, headerSize) = announcedSizes(header) {
      let size = try checkedDataSize(sizes, headerSize: headerSize, file: file) + headerSize
      let shape = sizes.map(String.init).joined(separator: "×")
      limit = Zlib.Limit(
        bytes: size, reason: "the size its IDX header announces (\(shape) and the header)",
        fix: "the file is damaged; download it again")
    }
    return try Zlib.decompress(bytes, format: .gzip, file: file, limit: limit)
  }

  /// Reads an image file's content (already decompressed); `file` names it in errors.
  public static func images(from bytes: [UInt8], file: String) throws(DataError) -> Images {
    let sizes = try header(bytes, magic: imagesMagic, what: "image", file: file)
    guard sizes[1] > 0, sizes[2] > 0, sizes[1] <= 4096, sizes[2] <= 4096 else {
      throw DataError(
        .invalidContent, file: file, "images of \(sizes[1])×\(sizes[2]) pixels are not plausible")
    }
    let pixels = try payload(bytes, headerSize: 16, sizes: sizes, file: file)
    return Images(count: sizes[0], rows: sizes[1], columns: sizes[2], pixels: pixels)
  }

  /// Reads a label file's content (already decompressed), checking that every label is 0–9.
  public static func labels(from bytes: [UInt8], file: String) throws(DataError) -> [UInt8] {
    let sizes = try header(bytes, magic: labelsMagic, what: "label", file: file)
    let labels = try payload(bytes, headerSize: 8, sizes: sizes, file: file)
    if let index = labels.firstIndex(where: { $0 > 9 }) {
      throw DataError(
        .invalidContent, file: file,
        "label \(labels[index]) at index \(index) is not a digit 0–9",
        fix: "the file is damaged or is not an MNIST label file")
    }
    return labels
  }

  /// The bytes of an image file holding `images`.
  public static func encode(_ images: Images) -> [UInt8] {
    bigEndian(imagesMagic) + bigEndian(UInt32(images.count)) + bigEndian(UInt32(images.rows))
      + bigEndian(UInt32(images.columns)) + images.pixels
  }

  /// The bytes of a label file holding `labels`.
  public static func encode(labels: [UInt8]) -> [UInt8] {
    bigEndian(labelsMagic) + bigEndian(UInt32(labels.count)) + labels
  }

  /// Checks the magic number and returns the dimension sizes.
  private static func header(_ bytes: [UInt8], magic: UInt32, what: String, file: String)
    throws(DataError) -> [Int]
  {
    let dimensions = Int(magic & 0xFF)
    let headerSize = 4 + 4 * dimensions
    guard bytes.count >= 4 else {
      throw DataError(
        .truncated, file: file, "the file has \(bytes.count) bytes, too few for an IDX header",
        fix: "download the file again")
    }
    let found = readBigEndian(bytes, at: 0)
    guard found == magic else {
      let other =
        found == imagesMagic ? " (an image file)" : found == labelsMagic ? " (a label file)" : ""
      throw DataError(
        .wrongMagic, file: file,
        "magic number \(hex(found))\(other), expected \(hex(magic)) for an IDX \(what) file",
        fix: "check that the file is the MNIST \(what) file it is named after")
    }
    guard bytes.count >= headerSize else {
      throw DataError(
        .truncated, file: file,
        "the file has \(bytes.count) bytes, too few for its \(headerSize)-byte IDX header",
        fix: "download the file again")
    }
    return (0..<dimensions).map { Int(readBigEndian(bytes, at: 4 + 4 * $0)) }
  }

  /// The bytes after the header, checking that there are exactly as many as the sizes say.
  private static func payload(_ bytes: [UInt8], headerSize: Int, sizes: [Int], file: String)
    throws(DataError) -> [UInt8]
  {
    let expected = try checkedDataSize(sizes, headerSize: headerSize, file: file)
    let shape = sizes.map(String.init).joined(separator: "×")
    let found = bytes.count - headerSize
    guard found >= expected else {
      throw DataError(
        .truncated, file: file,
        "the header announces \(shape) = \(expected) bytes of data, the file has only \(found)",
        fix: "the file is truncated; download it again")
    }
    guard found == expected else {
      throw DataError(
        .extraBytes, file: file,
        "the header announces \(shape) = \(expected) bytes of data, the file has \(found - expected) more",
        fix: "the file is damaged; download it again")
    }
    return Array(bytes[headerSize...])
  }

  /// The product of the dimension sizes: the bytes of data the header announces, computed
  /// without overflow and refused beyond `maximumSize`.
  private static func checkedDataSize(_ sizes: [Int], headerSize: Int, file: String)
    throws(DataError) -> Int
  {
    var product = 1
    var overflow = false
    for size in sizes where !overflow {
      (product, overflow) = product.multipliedReportingOverflow(by: size)
    }
    guard !overflow, product <= maximumSize - headerSize else {
      throw DataError(
        .invalidContent, file: file,
        "the header announces \(sizes.map(String.init).joined(separator: "×")) bytes of data, "
          + "more than the \(maximumSize >> 20) MiB an IDX file may hold here",
        fix: "the file is damaged or is not an MNIST file; download it again")
    }
    return product
  }

  /// The dimension sizes and header size of `header` when it starts like an IDX image or label
  /// file, nil otherwise (the reader then names what is wrong).
  private static func announcedSizes(_ header: [UInt8]) -> (sizes: [Int], headerSize: Int)? {
    guard header.count >= 4 else { return nil }
    let magic = readBigEndian(header, at: 0)
    let dimensions = magic == imagesMagic ? 3 : magic == labelsMagic ? 1 : 0
    let headerSize = 4 + 4 * dimensions
    guard dimensions > 0, header.count >= headerSize else { return nil }
    return ((0..<dimensions).map { Int(readBigEndian(header, at: 4 + 4 * $0)) }, headerSize)
  }

  private static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }

  private static func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
