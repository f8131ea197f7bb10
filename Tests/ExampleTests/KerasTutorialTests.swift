import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A generated MNIST-format folder (`SyntheticMNIST`) and the environment that makes the examples
/// accept it: `LENET_TUTOR_CHECKSUMS` names a sha256sum file of its content, since it is not MNIST.
func generatedMNIST(in root: URL, trainCount: Int = 100, testCount: Int = 50) throws -> (
  directory: URL, environment: [String: String]
) {
  let (directory, sumsFile) = try SyntheticMNIST.writeFolder(
    in: root, trainCount: trainCount, testCount: testCount)
  return (
    directory,
    [
      MNIST.checksumsVariable: sumsFile.path, MNIST.environmentVariable: "",
      "XDG_CACHE_HOME": root.path,
    ]
  )
}

/// `Examples/keras-tutorial`: the Keras tutorial's program trains, evaluates and plots.
@Suite struct KerasTutorialTests {
  static let usage =
    "Usage: keras-tutorial [--epochs <n>] [--out <dir>] [--data <dir>] [--limit <n>]\n"
    + "See 'keras-tutorial --help'.\n"

  @Test func oneEpochWritesAPlotThatParsesAsXMLAndAHistoryRow() throws {
    try withTemporaryDirectory { root in
      let data = try generatedMNIST(in: root)
      let out = root.appendingPathComponent("results")
      let run = try runExample(
        "keras-tutorial", ["--epochs", "1", "--out", out.path, "--data", data.directory.path],
        environment: data.environment)
      #expect(run.status == 0, "stderr: \(run.errors)")
      #expect(run.output.contains("x_train: 100 images of 28×28, x_test: 50"))
      #expect(run.output.contains("Total                                        61,706"))
      #expect(run.output.contains("Epoch 1/1 - "))
      #expect(run.output.contains("Test accuracy: "))

      let svg = try Data(contentsOf: out.appendingPathComponent("training.svg"))
      #expect(XMLParser(data: svg).parse(), "training.svg is not well-formed XML")
      let csv = try String(
        contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8)
      let rows = csv.split(separator: "\n")
      #expect(rows.count == 2, "a header and one row per epoch:\n\(csv)")
      #expect(rows.first?.hasPrefix("epoch,learning_rate,loss,accuracy") == true)
      #expect(rows.last?.hasPrefix("1,0.01,") == true)
    }
  }

  @Test func limitTrainsOnTheFirstImagesOnly() throws {
    try withTemporaryDirectory { root in
      let data = try generatedMNIST(in: root)
      let run = try runExample(
        "keras-tutorial",
        ["--epochs", "1", "--limit", "30", "--out", root.path, "--data", data.directory.path],
        environment: data.environment)
      #expect(run.status == 0, "stderr: \(run.errors)")
      #expect(run.output.contains("x_train: 30 images of 28×28, x_test: 50"))
    }
  }

  @Test func unknownOptionIsAUsageError() throws {
    let run = try runExample("keras-tutorial", ["--epoch", "3"])
    #expect(run.status == 2)
    #expect(run.errors == "error: unknown option '--epoch'\n" + Self.usage)
    #expect(run.output.isEmpty)
  }

  @Test func epochsMustBeAPositiveNumber() throws {
    for value in ["0", "ten", "-1"] {
      let run = try runExample("keras-tutorial", ["--epochs", value])
      #expect(run.status == 2)
      #expect(
        run.errors
          == "error: '\(value)' is not a valid value for '--epochs' (expected a positive whole number)\n"
          + Self.usage)
    }
  }

  @Test func optionWithoutValueIsAUsageError() throws {
    let run = try runExample("keras-tutorial", ["--out"])
    #expect(run.status == 2)
    #expect(run.errors == "error: missing value for '--out'\n" + Self.usage)
  }

  @Test func missingDataSaysHowToGetIt() throws {
    try withTemporaryDirectory { root in
      let empty = root.appendingPathComponent("empty")
      try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
      let run = try runExample("keras-tutorial", ["--data", empty.path])
      #expect(run.status == 1)
      #expect(
        run.errors.hasPrefix(
          "error: \(empty.path): the MNIST folder given by --data lacks train-images-idx3-ubyte.gz")
      )
      #expect(run.errors.contains("fix: run 'lenet-tutor data download --dir \(empty.path)'"))
    }
  }

  @Test func helpShowsEveryOption() throws {
    let run = try runExample("keras-tutorial", ["--help"])
    #expect(run.status == 0)
    for option in ["--epochs <n>", "--out <dir>", "--data <dir>", "--limit <n>", "-h, --help"] {
      #expect(run.output.contains(option), "help lacks \(option)")
    }
  }
}
