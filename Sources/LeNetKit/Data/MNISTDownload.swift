import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Fetches the four MNIST files from public mirrors, verifies them, and stores them atomically.
///
/// For each file, mirrors are tried in order until one serves a body that decompresses and has
/// the expected SHA-256 (of the decompressed content, so a recompressing mirror is fine). Only a
/// verified file is written, through a temporary file and a rename; a failed file leaves nothing.
/// A file already present and verified is not fetched again.
public struct MNISTDownload: Sendable {
  /// Well-known public copies of the original distribution, tried in this order: PyTorch's and
  /// TensorFlow's copies on cloud storage, then the original site (often slow or offline).
  public static let defaultMirrors: [URL] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
  ].compactMap { URL(string: $0) }

  /// The mirrors to try, in order; each is a folder URL the file names are appended to.
  public var mirrors: [URL]
  /// The expected SHA-256 of each file's decompressed content.
  public var checksums: [MNIST.File: String]
  /// Seconds without progress before a mirror is abandoned.
  public var timeout: TimeInterval

  /// Creates a download from `mirrors`, checked against `checksums` (the real MNIST's by default).
  public init(
    mirrors: [URL] = defaultMirrors,
    checksums: [MNIST.File: String] = MNIST.standardChecksums, timeout: TimeInterval = 30
  ) {
    self.mirrors = mirrors
    self.checksums = checksums
    self.timeout = timeout
  }

  /// What happened, reported as it happens.
  public enum Event: Sendable {
    /// The file is already in the folder and verifies; it is not fetched.
    case alreadyPresent(MNIST.File)
    /// A request to `mirror` for `file` has started.
    case started(MNIST.File, mirror: URL)
    /// `received` bytes have arrived, of `expected` when the server announced a length.
    case progress(MNIST.File, received: Int, expected: Int?)
    /// The mirror failed for this file (the next one is tried).
    case mirrorFailed(MNIST.File, mirror: URL, error: DataError)
    /// The file was verified and stored, `bytes` long, as fetched from `mirror`.
    case stored(MNIST.File, mirror: URL, bytes: Int)
  }

  /// Downloads every missing or damaged file into `directory`, reporting through `report`.
  /// Throws for the first file that no mirror could provide.
  public func run(into directory: URL, report: (Event) -> Void = { _ in }) throws(DataError) {
    for file in MNIST.File.allCases {
      if (try? MNIST.content(of: file, in: directory, checksums: checksums)) != nil {
        report(.alreadyPresent(file))
        continue
      }
      var failures: [String] = []
      var stored = false
      for mirror in mirrors {
        report(.started(file, mirror: mirror))
        do {
          let bytes = try fetchVerified(file, from: mirror, report: report)
          try AtomicFile.write(bytes, to: directory.appendingPathComponent(file.gzipName))
          report(.stored(file, mirror: mirror, bytes: bytes.count))
          stored = true
          break
        } catch {
          report(.mirrorFailed(file, mirror: mirror, error: error))
          failures.append("\(mirror.absoluteString): \(error.message)")
        }
      }
      guard stored else {
        throw DataError(
          .network, file: file.gzipName,
          "could not be fetched from any mirror (" + failures.joined(separator: "; ") + ")",
          fix: "check the internet connection, try --mirror URL, or put the four .gz files into "
            + "\(directory.path) by hand")
      }
    }
  }

  /// The body of `mirror/file.gz`, after checking its length, its compression and its checksum.
  func fetchVerified(_ file: MNIST.File, from mirror: URL, report: (Event) -> Void)
    throws(DataError) -> [UInt8]
  {
    let url = mirror.appendingPathComponent(file.gzipName)
    let bytes = try HTTPFetch.get(url, timeout: timeout) { received, expected in
      report(.progress(file, received: received, expected: expected))
    }
    let content = try Zlib.gunzipIfNeeded(bytes, file: url.absoluteString)
    if let expected = checksums[file] {
      let found = SHA256.hexadecimal(of: content)
      guard found == expected.lowercased() else {
        throw DataError(
          .checksumMismatch, file: url.absoluteString,
          "SHA-256 of the decompressed content is \(found), expected \(expected)")
      }
    }
    return bytes
  }
}

/// A blocking HTTP(S) GET through URLSession that reports progress and checks the length.
enum HTTPFetch {
  static func get(
    _ url: URL, timeout: TimeInterval, progress: (_ received: Int, _ expected: Int?) -> Void
  ) throws(DataError) -> [UInt8] {
    let receiver = Receiver()
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
    defer { session.invalidateAndCancel() }
    session.dataTask(with: url).resume()
    // Progress is reported on this thread, so callers need not be thread-safe.
    var finished = false
    while !finished {
      finished = receiver.done.wait(timeout: .now() + 0.1) == .success
      let (received, expected) = receiver.counts
      progress(received, expected)
    }
    let result = receiver.result
    if let error = result.error {
      throw DataError(.network, file: url.absoluteString, error.localizedDescription)
    }
    guard result.status == 200 else {
      throw DataError(
        .network, file: url.absoluteString, "the server answered HTTP \(result.status)")
    }
    if let expected = result.expected, expected != result.body.count {
      throw DataError(
        .truncated, file: url.absoluteString,
        "received \(result.body.count) of the \(expected) bytes announced")
    }
    return result.body
  }

  /// Collects one response; URLSession calls it on its own queue, readers use the lock.
  private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var body: [UInt8] = []
    private var status = 0
    private var expected: Int?
    private var error: (any Error)?

    var counts: (Int, Int?) { lock.withLock { (body.count, expected) } }

    var result: (body: [UInt8], status: Int, expected: Int?, error: (any Error)?) {
      lock.withLock { (body, status, expected, error) }
    }

    func urlSession(
      _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
      completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
      lock.withLock {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        expected = response.expectedContentLength >= 0 ? Int(response.expectedContentLength) : nil
      }
      completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
      lock.withLock { body.append(contentsOf: data) }
    }

    func urlSession(
      _ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?
    ) {
      lock.withLock { self.error = error }
      done.signal()
    }
  }
}
