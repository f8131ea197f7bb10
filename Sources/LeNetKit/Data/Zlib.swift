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

  /// The content of `bytes`: decompressed when they start with the gzip magic, as they are
  /// otherwise, so a reader accepts `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz`.
  public static func gunzipIfNeeded(_ bytes: [UInt8], file: String) throws(DataError) -> [UInt8] {
    isGzip(bytes) ? try decompress(bytes, format: .gzip, file: file) : bytes
  }

  /// Decompresses a whole stream, or throws naming `file` when it is damaged or cut short.
  ///
  /// Concatenated gzip members (which `cat a.gz b.gz` produces and gunzip accepts) are
  /// decompressed one after another.
  public static func decompress(_ bytes: [UInt8], format: Format, file: String) throws(DataError)
    -> [UInt8]
  {
    var stream = z_stream()
    guard
      inflateInit2_(&stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else { preconditionFailure("zlib could not start inflating (out of memory?)") }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: max(64, sizeHint(bytes, format: format)))
    var produced = 0
    var status: Int32 = Z_OK
    bytes.withUnsafeBufferPointer { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = UInt32(input.count)
      while true {
        if produced == output.count {
          output.append(contentsOf: repeatElement(0, count: output.count))
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

  /// A first guess at the decompressed size: gzip stores it (mod 2³²) in its last 4 bytes.
  private static func sizeHint(_ bytes: [UInt8], format: Format) -> Int {
    guard format == .gzip, bytes.count >= 18 else { return bytes.count * 4 }
    let tail = bytes.count - 4
    let size =
      Int(bytes[tail]) | Int(bytes[tail + 1]) << 8 | Int(bytes[tail + 2]) << 16
      | Int(bytes[tail + 3]) << 24
    // A damaged trailer must not make us allocate gigabytes up front.
    return min(size, bytes.count * 1032)
  }
}
