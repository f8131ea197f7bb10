import Foundation
import LeNetKit
import Testing

/// Small MNIST-shaped data sets generated on the spot, so tests never need the real files.
///
/// Each digit `d` is drawn as a bright 6×6 block at a position that depends only on `d`, plus
/// faint noise (0–30, below `DigitPicture`'s first shade): a network learns it within a few steps, and no two classes look alike.
public enum SyntheticMNIST {
  /// `count` 28×28 images and their labels (cycling 0…9), reproducible from `seed`.
  public static func split(count: Int, seed: UInt64) -> (images: IDX.Images, labels: [UInt8]) {
    var generator = SplitMix64(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 784)
    var labels: [UInt8] = []
    for index in 0..<count {
      let digit = index % 10
      labels.append(UInt8(digit))
      let top = 3 + (digit / 5) * 12
      let left = 2 + (digit % 5) * 5
      for pixel in 0..<784 { pixels[index * 784 + pixel] = UInt8(generator.nextFloat(in: 0...30)) }
      for row in top..<top + 6 {
        for column in left..<left + 6 { pixels[index * 784 + row * 28 + column] = 255 }
      }
    }
    return (IDX.Images(count: count, rows: 28, columns: 28, pixels: pixels), labels)
  }

  /// The four files' decompressed content for a set of `trainCount` and `testCount` images.
  public static func files(trainCount: Int = 100, testCount: Int = 50, seed: UInt64 = 1)
    -> [MNIST.File: [UInt8]]
  {
    let train = split(count: trainCount, seed: seed)
    let test = split(count: testCount, seed: seed &+ 1)
    return [
      .trainImages: IDX.encode(train.images), .trainLabels: IDX.encode(labels: train.labels),
      .testImages: IDX.encode(test.images), .testLabels: IDX.encode(labels: test.labels),
    ]
  }

  /// Writes the files (gzipped unless `gzip` is false) into `directory`, creating it, and
  /// returns the SHA-256 of each file's content, to pass as `MNIST.load`'s `checksums`.
  @discardableResult
  public static func write(
    _ files: [MNIST.File: [UInt8]], to directory: URL, gzip: Bool = true
  ) throws -> [MNIST.File: String] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var checksums: [MNIST.File: String] = [:]
    for (file, content) in files {
      let name = gzip ? file.gzipName : file.rawValue
      let bytes = gzip ? Zlib.compress(content, format: .gzip) : content
      try Data(bytes).write(to: directory.appendingPathComponent(name))
      checksums[file] = SHA256.hexadecimal(of: content)
    }
    return checksums
  }

  /// Writes a generated data set into `root/mnist` and a `sha256sum`-style file of its content
  /// into `root/checksums.sha256`: `LENET_TUTOR_CHECKSUMS` pointed at that file makes the tool
  /// and the examples accept the generated set, which is not MNIST.
  public static func writeFolder(in root: URL, trainCount: Int, testCount: Int) throws -> (
    directory: URL, checksumsFile: URL
  ) {
    let directory = root.appendingPathComponent("mnist")
    let checksums = try write(files(trainCount: trainCount, testCount: testCount), to: directory)
    let sums = MNIST.File.allCases.map { "\(checksums[$0] ?? "")  \($0.rawValue)\n" }.joined()
    let checksumsFile = root.appendingPathComponent("checksums.sha256")
    try Data(sums.utf8).write(to: checksumsFile)
    return (directory, checksumsFile)
  }
}

/// A fresh empty folder under the system's temporary directory, removed by `body`'s caller via
/// `removeTemporaryDirectory`.
public func makeTemporaryDirectory(_ label: String = "lenet-tutor-test") throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "\(label)-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Runs `body` with a fresh temporary folder and removes the folder afterwards.
public func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
  let url = try makeTemporaryDirectory()
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url)
}

/// The names of the files in `directory`, sorted (to check that nothing was left behind).
public func fileNames(in directory: URL) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
}

/// The real MNIST folder for tests that need the full set, found as every command finds it
/// (`MNIST.locate`: `$LENET_TUTOR_DATA`, else the download cache); nil when neither holds the
/// four files, and the tests that need it are skipped with `realMNISTSkipReason`.
public let realMNISTDirectory: URL? = try? MNIST.locate(
  dataOption: nil, environment: ProcessInfo.processInfo.environment)

/// Why the tests that need the real MNIST are skipped, and how to run them.
public let realMNISTSkipReason: Comment =
  "real MNIST not found: run 'lenet-tutor data download', or set LENET_TUTOR_DATA to a folder with its four .gz files"
