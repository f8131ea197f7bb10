import Foundation
import LeNetKit
import LeNetTestSupport
import TerminalKit
import Testing
import TutorCLI

/// Runs `lenet-tutor` in-process with plain (non-terminal) output.
func runTool(_ arguments: [String], environment: [String: String] = [:]) -> (
  status: Int32, output: String, errors: String
) {
  let output = StringSink()
  let errors = StringSink()
  let context = Context(
    output: output, errors: errors, terminal: Terminal(isInteractive: false, usesColor: false),
    environment: environment)
  let status = LeNetTutor.run(arguments, context: context)
  return (status, output.text, errors.text)
}

/// A generated data folder plus a checksum file for it, and the environment pointing at both.
func generatedData(in root: URL, trainCount: Int = 20, testCount: Int = 10) throws -> (
  directory: URL, environment: [String: String]
) {
  let (directory, sumsFile) = try SyntheticMNIST.writeFolder(
    in: root, trainCount: trainCount, testCount: testCount)
  return (directory, ["LENET_TUTOR_CHECKSUMS": sumsFile.path, "XDG_CACHE_HOME": root.path])
}

@Suite struct DataCommandTests {
  static let usage =
    "Usage: lenet-tutor data [--data <dir>] [--dir <dir>] [--mirror <url>] <action>\n"
    + "See 'lenet-tutor data --help'.\n"

  @Test func helpListsTheActionsAndMirrors() {
    let result = runTool(["data", "--help"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Download, verify or describe the MNIST data.

        USAGE: lenet-tutor data [--data <dir>] [--dir <dir>] [--mirror <url>] <action>

        ARGUMENTS:
          <action>                download, verify or info (see ACTIONS).

        OPTIONS:
          --data <dir>            The MNIST folder. (default: $LENET_TUTOR_DATA, else the download cache)
          --dir <dir>             download: the folder to store the files in. (default: the cache)
          --mirror <url>          download: fetch from this mirror instead of the default list.
          -h, --help              Show help information.

        ACTIONS:
          download  Fetch the four MNIST files from the first mirror that works, check their
                    SHA-256, and store them in the cache folder ($XDG_CACHE_HOME/lenet-tutor/mnist,
                    else ~/.cache/lenet-tutor/mnist) or --dir.
          verify    Check the files' SHA-256 and IDX structure.
          info      Show the counts, the class balance and a few digits.

        Mirrors, in order:
          https://ossci-datasets.s3.amazonaws.com/mnist/
          https://storage.googleapis.com/cvdf-datasets/mnist/
          http://yann.lecun.com/exdb/mnist/

        verify and info read --data DIR, else $LENET_TUTOR_DATA, else the cache folder.

        """)
  }

  @Test func missingActionIsAUsageError() {
    let result = runTool(["data"])
    #expect(result.status == 2)
    #expect(result.errors == "error: missing argument <action>\n" + Self.usage)
  }

  @Test func unknownActionIsAUsageError() {
    let result = runTool(["data", "fetch"])
    #expect(result.status == 2)
    #expect(
      result.errors == "error: unknown action 'fetch' (expected download, verify or info)\n"
        + Self.usage)
  }

  @Test func optionOfAnotherActionIsAUsageError() {
    let result = runTool(["data", "info", "--mirror", "http://x/"])
    #expect(result.status == 2)
    #expect(result.errors == "error: '--mirror' does not apply to 'data info'\n" + Self.usage)
  }

  @Test func mirrorMustBeHTTP() {
    let result = runTool(["data", "download", "--mirror", "ftp://x/"])
    #expect(result.status == 2)
    #expect(
      result.errors == "error: '--mirror' needs an http:// or https:// URL, got 'ftp://x/'\n"
        + Self.usage)
  }

  @Test func noDataAnywhereSaysHowToGetIt() throws {
    try withTemporaryDirectory { root in
      let result = runTool(["data", "verify"], environment: ["XDG_CACHE_HOME": root.path])
      #expect(result.status == 1)
      #expect(
        result.errors == """
          error: MNIST not found: no --data, no LENET_TUTOR_DATA, nothing in \(root.path)/lenet-tutor/mnist
          fix: run 'lenet-tutor data download' to fetch MNIST, or pass --data DIR or set LENET_TUTOR_DATA to a folder with the four files

          """)
    }
  }

  @Test func verifyListsEachFile() throws {
    try withTemporaryDirectory { root in
      let (directory, environment) = try generatedData(in: root)
      let sums = try checksumsOf(environment)
      let result = runTool(["data", "verify", "--data", directory.path], environment: environment)
      #expect(result.status == 0)
      #expect(
        result.output == """
          ✓ train-images-idx3-ubyte.gz  20 images 28×28       sha256 \(sums[.trainImages] ?? "")…
          ✓ train-labels-idx1-ubyte.gz  20 labels             sha256 \(sums[.trainLabels] ?? "")…
          ✓ t10k-images-idx3-ubyte.gz   10 images 28×28       sha256 \(sums[.testImages] ?? "")…
          ✓ t10k-labels-idx1-ubyte.gz   10 labels             sha256 \(sums[.testLabels] ?? "")…
          MNIST in \(directory.path) is complete and verified.

          """)
    }
  }

  @Test func verifyReportsADamagedFileAndFails() throws {
    try withTemporaryDirectory { root in
      let (directory, environment) = try generatedData(in: root)
      let labels = directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
      let bytes = try Data(contentsOf: labels)
      try bytes.prefix(bytes.count - 5).write(to: labels)
      let result = runTool(["data", "verify", "--data", directory.path], environment: environment)
      #expect(result.status == 1)
      #expect(result.output.hasPrefix("✓ train-images-idx3-ubyte.gz"))
      #expect(
        result.output.hasSuffix(
          "✗ \(labels.path): the gzip stream is truncated after \(bytes.count - 5) bytes (18 decompressed)\n"
        ))
      #expect(
        result.errors == """
          error: 1 problem in \(directory.path)
          fix: delete the damaged files and run 'lenet-tutor data download'

          """)
    }
  }

  @Test func infoShowsCountsBalanceAndDigits() throws {
    try withTemporaryDirectory { root in
      let (directory, environment) = try generatedData(in: root)
      let result = runTool(["data", "info", "--data", directory.path], environment: environment)
      #expect(result.status == 0)
      // 20 and 10 labels cycling 0…9: 2 and 1 of each digit, 10.0% each.
      #expect(
        result.output.hasPrefix(
          """
          MNIST in \(directory.path)
          train: 20 images, test: 10 images, 28×28 pixels, labels 0–9

          digit    train  share     test  share
              0        2  10.0%        1  10.0%
              1        2  10.0%        1  10.0%
              2        2  10.0%        1  10.0%
              3        2  10.0%        1  10.0%
              4        2  10.0%        1  10.0%
              5        2  10.0%        1  10.0%
              6        2  10.0%        1  10.0%
              7        2  10.0%        1  10.0%
              8        2  10.0%        1  10.0%
              9        2  10.0%        1  10.0%
          total       20              10

          The first 4 training images:
          """))
      // Two pictures per 80-column row; digit 0's 6×6 block covers columns 2–7, rows 3–8.
      #expect(result.output.contains("#0: label 0                   #1: label 1\n"))
      #expect(result.output.contains("#2: label 2                   #3: label 3\n"))
      #expect(result.output.contains("  ██████"))
    }
  }

  @Test func downloadFromALocalMirror() throws {
    try withTemporaryDirectory { root in
      let files = SyntheticMNIST.files(trainCount: 20, testCount: 10)
      let (_, environment) = try generatedData(in: root)
      let server = try LocalHTTPServer(
        routes: Dictionary(
          uniqueKeysWithValues: files.map {
            ("/m/\($0.key.gzipName)", .ok(Zlib.compress($0.value, format: .gzip)))
          }))
      defer { server.stop() }
      let target = root.appendingPathComponent("downloaded")
      let mirror = server.baseURL.absoluteString + "m"
      let result = runTool(
        ["data", "download", "--mirror", mirror, "--dir", target.path], environment: environment)
      let sizes = MNIST.File.allCases.map { Zlib.compress(files[$0] ?? [], format: .gzip).count }
      #expect(result.status == 0)
      #expect(
        result.output == """
          train-images-idx3-ubyte.gz  \(grouped(sizes[0])) bytes from \(mirror)/, verified
          train-labels-idx1-ubyte.gz  \(grouped(sizes[1])) bytes from \(mirror)/, verified
          t10k-images-idx3-ubyte.gz  \(grouped(sizes[2])) bytes from \(mirror)/, verified
          t10k-labels-idx1-ubyte.gz  \(grouped(sizes[3])) bytes from \(mirror)/, verified
          MNIST is in \(target.path)

          """)
      #expect(fileNames(in: target).count == 4)
    }
  }

  /// The walk-through saw "95%  1572864/1648877  1,536 KiB": bytes and KiB on one line. On a
  /// terminal the bar shows the percentage, then what arrived out of the whole in KiB only.
  @Test func downloadProgressOnATerminalCountsInOneUnit() throws {
    try withTemporaryDirectory { root in
      let files = SyntheticMNIST.files(trainCount: 200, testCount: 10)
      let (_, environment) = try generatedData(in: root, trainCount: 200)
      let images = Zlib.compress(files[.trainImages] ?? [], format: .gzip)
      let server = try LocalHTTPServer(
        routes: Dictionary(
          uniqueKeysWithValues: files.map {
            ("/m/\($0.key.gzipName)", .ok(Zlib.compress($0.value, format: .gzip)))
          }))
      defer { server.stop() }
      let output = StringSink()
      let context = Context(
        output: output, errors: StringSink(),
        terminal: Terminal(isInteractive: true, usesColor: false), environment: environment)
      let target = root.appendingPathComponent("downloaded").path
      let status = LeNetTutor.run(
        ["data", "download", "--mirror", server.baseURL.absoluteString + "m", "--dir", target],
        context: context)
      #expect(status == 0)
      // Rounded to the nearest KiB, by hand: bytes / 1024, + 0.5, down.
      let kibibytes = grouped(Int((Double(images.count) / 1024).rounded()))
      #expect(images.count > 10_000)
      #expect(
        output.text.contains("100%  \(kibibytes)/\(kibibytes) KiB"), "\(output.text.suffix(400))")
      #expect(!output.text.contains("\(images.count)/\(images.count)"))
    }
  }

  @Test func downloadFromADeadMirrorFails() throws {
    try withTemporaryDirectory { root in
      let dead = try LocalHTTPServer.deadURL().absoluteString
      let target = root.appendingPathComponent("downloaded")
      let result = runTool(["data", "download", "--mirror", dead, "--dir", target.path])
      #expect(result.status == 1)
      #expect(result.errors.hasPrefix("train-images-idx3-ubyte.gz  failed from \(dead): "))
      #expect(
        result.errors.contains(
          "error: train-images-idx3-ubyte.gz: could not be fetched from any mirror (\(dead): "))
      #expect(fileNames(in: target) == [])
    }
  }

  func checksumsOf(_ environment: [String: String]) throws -> [MNIST.File: String] {
    let path = try #require(environment["LENET_TUTOR_CHECKSUMS"])
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try MNIST.checksums(fromSHA256SUMS: text, file: path).mapValues { String($0.prefix(16)) }
  }
}

@Suite(.enabled(if: realMNISTDirectory != nil, realMNISTSkipReason))
struct RealDataCommandTests {
  @Test func verifyAcceptsTheRealMNIST() throws {
    let directory = try #require(realMNISTDirectory)
    let result = runTool(["data", "verify", "--data", directory.path])
    #expect(result.status == 0)
    #expect(
      result.output.contains(
        "✓ train-images-idx3-ubyte.gz  60,000 images 28×28   sha256 ba891046e6505d7a…"))
  }
}
