internal import CZlib

/// Compression through the system's zlib: gzip files (MNIST's `.gz`) and zlib streams (PNG's
/// image data).
///
/// Both formats wrap the same DEFLATE data (RFC 1951); gzip (RFC 1952) adds a header with magic
/// bytes `1F 8B` and a CRC-32 trailer, zlib (RFC 1950) a 2-byte header and an Adler-32 trailer.
/// zlib checks the trailer, so a flipped bit is reported rather than decoded into wrong pixels.
public enum Zlib {
  /// The wrapper around the DEFLATE data.
  public enum Format: Sendable {
    /// RFC 1952, the `.gz` file format.
    case gzip
    /// RFC 1950, used inside PNG files.
    case zlib

    /// zlib's `windowBits`: 15 (a 32 KiB window) plus 16 to ask for the gzip wrapper.
    var windowBits: Int32 { self == .gzip ? 16 + MAX_WBITS : MAX_WBITS }
  }

  /// Whether `bytes` start with the gzip magic number `1F 8B`.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// The most bytes a decompression may produce, and what that bound is, for the message when a
  /// stream goes past it.
  ///
  /// Decompression is where a small file becomes a large allocation (a megabyte of zlib data
  /// can inflate to a gigabyte), so every caller states how much it can use.
  public struct Limit: Sendable {
    /// The most bytes to produce.
    public var bytes: Int
    /// Where the bound comes from, completing "decompresses to more than N bytes, …".
    public var reason: String
    /// What the user can do when a stream goes past it.
    public var fix: String

    /// Creates a limit.
    public init(bytes: Int, reason: String, fix: String) {
      self.bytes = bytes
      self.reason = reason
      self.fix = fix
    }

    /// 256 MiB (`IDX.maximumSize`): the most any data file of this package holds.
    public static let dataFile = Limit(
      bytes: IDX.maximumSize, reason: "the most a data file may hold here (256 MiB)",
      fix: "the file is damaged or is not an MNIST file; download it again")
  }

  /// The content of `bytes`: decompressed when they start with the gzip magic, as they are
  /// otherwise, so a reader accepts `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz`.
  public static func gunzipIfNeeded(_ bytes: [UInt8], file: String, limit: Limit = .dataFile)
    throws(DataError) -> [UInt8]
  {
    isGzip(bytes) ? try decompress(bytes, format: .gzip, file: file, limit: limit) : bytes
  }

  /// Decompresses a whole stream, or throws naming `file` when it is damaged, cut short, or
  /// decompresses to more than `limit`.
  ///
  /// Concatenated gzip members (which `cat a.gz b.gz` produces and gunzip accepts) are
  /// decompressed one after another. The output grows as data really arrives: the size stored
  /// in a gzip trailer is never trusted for an allocation (a damaged one reads 4 GiB).
  public static func decompress(
    _ bytes: [UInt8], format: Format, file: String, limit: Limit = .dataFile
  ) throws(DataError) -> [UInt8] {
    try inflateStream(bytes, format: format, file: file, limit: limit, prefixOnly: false)
  }

  /// The first `count` decompressed bytes of a stream (fewer when it is shorter or cut short),
  /// without reading further: enough to read a header that says how large the rest may be.
  public static func decompressPrefix(
    _ bytes: [UInt8], count: Int, format: Format, file: String
  ) throws(DataError) -> [UInt8] {
    let limit = Limit(bytes: count, reason: "", fix: "")
    return try inflateStream(bytes, format: format, file: file, limit: limit, prefixOnly: true)
  }

  /// Inflates into a buffer that doubles as needed, up to `limit.bytes` plus the one byte that
  /// shows the stream goes past it; with `prefixOnly`, returns what fits in `limit.bytes` instead
  /// of reporting the rest.
  private static func inflateStream(
    _ bytes: [UInt8], format: Format, file: String, limit: Limit, prefixOnly: Bool
  ) throws(DataError) -> [UInt8] {
    var stream = z_stream()
    guard
      inflateInit2_(&stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else { preconditionFailure("zlib could not start inflating (out of memory?)") }
    defer { inflateEnd(&stream) }

    let capacity = prefixOnly ? limit.bytes : min(limit.bytes, Int.max - 1) + 1
    var output = [UInt8](repeating: 0, count: min(capacity, max(64, bytes.count * 4)))
    var produced = 0
    var status: Int32 = Z_OK
    var full = false
    bytes.withUnsafeBufferPointer { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = UInt32(min(input.count, Int(UInt32.max)))
      while true {
        if produced == output.count {
          guard output.count < capacity else {
            full = true
            return
          }
          let grown = min(capacity, max(64, output.count * 2))
          output.append(contentsOf: repeatElement(0, count: grown - output.count))
        }
        output.withUnsafeMutableBufferPointer { buffer in
          stream.next_out = buffer.baseAddress.map { $0 + produced }
          stream.avail_out = UInt32(min(buffer.count - produced, Int(UInt32.max)))
          let before = Int(stream.avail_out)
          status = inflate(&stream, Z_NO_FLUSH)
          produced += before - Int(stream.avail_out)
        }
        if status == Z_STREAM_END {
          // Another gzip member may follow; anything else after the end is an error below.
          guard format == .gzip, stream.avail_in >= 2, let next = stream.next_in,
            next[0] == 0x1F, next[1] == 0x8B
          else { return }
          inflateReset(&stream)
          status = Z_OK
          continue
        }
        if status != Z_OK && !(status == Z_BUF_ERROR && stream.avail_out == 0) { return }
        if stream.avail_in == 0 && stream.avail_out > 0 {
          status = Z_BUF_ERROR  // all input used, more output expected: the stream is cut short
          return
        }
      }
    }
    let name = format == .gzip ? "gzip" : "zlib"
    if prefixOnly && (full || status == Z_BUF_ERROR) {
      output.removeSubrange(produced...)
      return output
    }
    if full {
      throw DataError(
        .invalidContent, file: file,
        "the \(name) stream decompresses to more than \(limit.bytes) bytes, \(limit.reason)",
        fix: limit.fix)
    }
    switch status {
    case Z_STREAM_END:
      guard stream.avail_in == 0 else {
        throw DataError(
          .extraBytes, file: file,
          "\(stream.avail_in) unexpected bytes after the end of the \(name) stream",
          fix: "the file is damaged; download it again")
      }
      output.removeSubrange(produced...)
      return output
    case Z_BUF_ERROR:
      throw DataError(
        .truncated, file: file,
        "the \(name) stream is truncated after \(bytes.count) bytes (\(produced) decompressed)",
        fix: "the download was probably interrupted; download the file again")
    default:
      let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw DataError(
        .corruptCompression, file: file, "the \(name) stream is corrupt (\(reason))",
        fix: "the file is damaged; download it again")
    }
  }

  /// Compresses `bytes` at zlib's default level (6). Used to write test fixtures and PNGs.
  public static func compress(_ bytes: [UInt8], format: Format) -> [UInt8] {
    var stream = z_stream()
    guard
      deflateInit2_(
        &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
        zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { preconditionFailure("zlib could not start deflating (out of memory?)") }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    var status: Int32 = Z_OK
    bytes.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { buffer in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        stream.next_out = buffer.baseAddress
        stream.avail_out = UInt32(buffer.count)
        status = deflate(&stream, Z_FINISH)
      }
    }
    // deflateBound guarantees room for the whole stream in one call.
    precondition(status == Z_STREAM_END, "zlib deflate failed with status \(status)")
    output.removeSubrange(Int(stream.total_out)...)
    return output
  }

  /// The CRC-32 of `bytes` (ISO 3309, as in gzip and PNG chunks).
  public static func crc32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBufferPointer { buffer in
      UInt32(CZlib.crc32(0, buffer.baseAddress, UInt32(buffer.count)))
    }
  }
}
