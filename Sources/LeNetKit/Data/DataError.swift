/// Why a data file, checkpoint or image could not be used: what is wrong, in which file, and what
/// to do about it.
///
/// Every reader in LeNetKit (gzip, IDX, MNIST, download, safetensors, PGM/PNG) throws this one
/// type, so a command prints any of them the same way:
/// `error: train-labels-idx1-ubyte.gz: label 12 at index 7 is not a digit 0–9` and `fix: …`.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of defect this is, for code that reacts differently to each.
  public enum Kind: String, Sendable, Equatable {
    /// No such file or directory, or it cannot be read.
    case missing
    /// The gzip or zlib stream is damaged.
    case corruptCompression
    /// The file ends before its header says it should.
    case truncated
    /// The file has bytes after the end its header announces.
    case extraBytes
    /// The file does not start with the expected magic number or signature.
    case wrongMagic
    /// A header field or value is out of range (dimensions, labels, shapes, JSON).
    case invalidContent
    /// Two files disagree (image and label counts).
    case mismatch
    /// The decompressed content does not have the expected SHA-256.
    case checksumMismatch
    /// A format feature this reader does not support (interlaced PNG, 16-bit samples …).
    case unsupported
    /// A network transfer failed.
    case network
  }

  /// The kind of defect.
  public var kind: Kind
  /// The file (or URL) concerned, as the user would recognise it.
  public var file: String
  /// What is wrong, in one sentence.
  public var message: String
  /// What the user can do about it, when there is something.
  public var fix: String?

  /// Creates an error.
  public init(_ kind: Kind, file: String, _ message: String, fix: String? = nil) {
    self.kind = kind
    self.file = file
    self.message = message
    self.fix = fix
  }

  /// `file: message`, the form commands print after `error:`.
  public var description: String { file.isEmpty ? message : "\(file): \(message)" }
}
