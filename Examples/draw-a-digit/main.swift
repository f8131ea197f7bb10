// draw-a-digit: classify your own handwriting. Draw a digit as text (`#` for ink, `.` or a
// space for paper, any size) or pass a PGM or PNG image; the program centres it the way MNIST's
// digits were centred, shows it, and prints the network's three best guesses.
//
//   swift run -c release draw-a-digit my-seven.txt --checkpoint lenet-tutor-out/model.safetensors
//
// Without --checkpoint it first trains a small network on MNIST for a few seconds. Exit status:
// 0 done, 1 file or data error, 2 usage error.
import Foundation
import LeNetKit

let usage = "draw-a-digit [--checkpoint <file>] [--data <dir>] <drawing>"
let help = """
  OVERVIEW: Classify a digit you drew: a text file of '#' (ink) and '.' or spaces (paper), or a
  PGM or PNG image. It is centred like an MNIST digit, drawn, and classified.

  USAGE: \(usage)

  ARGUMENTS:
    <drawing>              The text file or image.

  OPTIONS:
    --checkpoint <file>    A model.safetensors from 'lenet-tutor train'. (default: train a
                           small model on MNIST first, in a few seconds)
    --data <dir>           The MNIST folder, when training. (default: $LENET_TUTOR_DATA, else
                           the download cache)
    -h, --help             Show help information.

  A drawing, seven.txt:
    ..#####.
    ......#.
    .....#..
    ....#...
    ...#....
  """

/// Prints a usage error the way lenet-tutor does and exits with status 2.
func usageError(_ message: String) -> Never {
  FileHandle.standardError.write(
    Data("error: \(message)\nUsage: \(usage)\nSee 'draw-a-digit --help'.\n".utf8))
  exit(2)
}

/// Prints an error (and what to do about it) and exits with status 1.
func fail(_ message: String, fix: String? = nil) -> Never {
  FileHandle.standardError.write(
    Data(("error: \(message)\n" + (fix.map { "fix: \($0)\n" } ?? "")).utf8))
  exit(1)
}

/// The options given, by name, and the one drawing path; `--help` prints the help and exits.
func parseArguments(_ arguments: [String]) -> (options: [String: String], drawing: String) {
  var options: [String: String] = [:]
  var drawings: [String] = []
  var rest = arguments[...]
  while let argument = rest.popFirst() {
    if argument == "-h" || argument == "--help" {
      print(help)
      exit(0)
    }
    if argument.hasPrefix("-") {
      guard ["--checkpoint", "--data"].contains(argument) else {
        usageError("unknown option '\(argument)'")
      }
      guard let value = rest.popFirst() else { usageError("missing value for '\(argument)'") }
      options[argument] = value
    } else {
      drawings.append(argument)
    }
  }
  guard drawings.count == 1 else {
    usageError(drawings.isEmpty ? "missing the drawing" : "give one drawing, not \(drawings.count)")
  }
  return (options, drawings[0])
}

/// A text drawing as a gray image: `#` (or any of `@ X x *`) is ink (255), `.` and spaces are
/// paper (0); shorter lines are padded with paper. Each line becomes two pixel rows, because a
/// character cell is about twice as tall as it is wide (as `DigitPicture` draws). `file` names
/// the drawing in errors.
func textDrawing(_ text: String, file: String) throws(DataError) -> GrayImage {
  var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
    $0.hasSuffix("\r") ? $0.dropLast() : $0
  }
  while lines.last?.allSatisfy({ $0 == " " || $0 == "." }) == true { lines.removeLast() }
  let width = lines.map(\.count).max() ?? 0
  guard width > 0 else {
    throw DataError(
      .invalidContent, file: file, "the drawing is empty",
      fix: "draw the digit with '#' on '.' or spaces, one text line per row")
  }
  var pixels: [UInt8] = []
  for (row, line) in lines.enumerated() {
    var rowPixels = [UInt8](repeating: 0, count: width)
    for (column, character) in line.enumerated() {
      switch character {
      case "#", "@", "X", "x", "*": rowPixels[column] = 255
      case ".", " ": break
      default:
        throw DataError(
          .invalidContent, file: "\(file):\(row + 1):\(column + 1)",
          "'\(character)' is neither ink ('#') nor paper ('.' or a space)")
      }
    }
    pixels += rowPixels + rowPixels
  }
  return GrayImage(width: width, height: 2 * lines.count, pixels: pixels)
}

/// A quick network: 2 epochs over 10,000 MNIST digits with momentum, about 96% accurate.
func quickModel(dataOption: String?) throws(DataError) -> Model {
  let environment = ProcessInfo.processInfo.environment
  var checksums = MNIST.standardChecksums
  if let path = environment[MNIST.checksumsVariable], !path.isEmpty {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw DataError(.missing, file: path, "cannot be read")
    }
    checksums = try MNIST.checksums(fromSHA256SUMS: text, file: path)
  }
  let mnist = try MNIST.load(
    from: MNIST.locate(dataOption: dataOption, environment: environment), checksums: checksums)
  let count = min(10_000, mnist.train.count)
  let size = mnist.train.rows * mnist.train.columns
  let sample = MNIST.Split(
    name: "train",
    images: IDX.Images(
      count: count, rows: mnist.train.rows, columns: mnist.train.columns,
      pixels: Array(mnist.train.images[0..<count * size])),
    labels: Array(mnist.train.labels[0..<count]))
  print("No --checkpoint: training a small network on \(count) MNIST digits first (a few seconds;")
  print("'lenet-tutor train' makes a better one, then pass --checkpoint).")
  var model = Model.keras(seed: 1)
  model.fit(
    sample, epochs: 2, batchSize: 32, optimizer: SGD(learningRate: 0.05, momentum: 0.9), seed: 1)
  return model
}

let (options, drawingPath) = parseArguments(Array(CommandLine.arguments.dropFirst()))
do {
  let url = URL(fileURLWithPath: drawingPath)
  guard let data = FileManager.default.contents(atPath: url.path) else {
    throw DataError(.missing, file: drawingPath, "no such file, or it cannot be read")
  }
  let bytes = [UInt8](data)
  let isImage =
    bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) || bytes.starts(with: Array("P5".utf8))
    || bytes.starts(with: Array("P2".utf8))
  let image =
    isImage
    ? try GrayImage.decode(bytes, file: drawingPath)
    : try textDrawing(String(decoding: bytes, as: UTF8.self), file: drawingPath)
  let digit = try image.mnistDigit(file: drawingPath)

  let model =
    try options["--checkpoint"].map { path throws(DataError) in
      try Checkpoint.load(from: URL(fileURLWithPath: path))
    } ?? quickModel(dataOption: options["--data"])

  print("Your drawing (\(image.width)×\(image.height) pixels), centred in 28×28 as MNIST's are:")
  print(DigitPicture.lines(digit).joined(separator: "\n"))
  let probabilities = model.probabilities(Preprocessing(for: model).tensor(pixels: digit))
  let ranked = (0..<10).sorted { probabilities[0, $0] > probabilities[0, $1] }
  print("The \(model.name) network's best guesses:")
  for (place, digit) in ranked.prefix(3).enumerated() {
    print(String(format: "  %d. %d  %5.1f%%", place + 1, digit, 100 * probabilities[0, digit]))
  }
} catch let error as DataError {
  fail(error.description, fix: error.fix)
} catch {
  fail("\(error)")
}
