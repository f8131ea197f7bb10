import Foundation
import LeNetKit

/// `lenet-tutor predict`: classify digit images (or MNIST test images) with a checkpoint.
enum PredictCommand: TutorCommand {
  static let testIndex = Option.integer(
    "--test-index", "n", "Classify this MNIST test image instead of files.", in: 0...9_999)

  static let spec = CommandSpec(
    name: "predict",
    abstract: "Classify digit images with a trained checkpoint: the top 3 digits.",
    arguments: [
      ArgumentSpec(
        name: "image", help: "PGM or PNG images of one digit each.", isOptional: true,
        isRepeated: true)
    ],
    options: [
      EvaluateCommand.checkpoint.spec, EvaluateCommand.modelOption.spec, testIndex.spec,
      DataOptions.option.spec,
    ],
    discussion: """
      Images up to 64 megapixels, grayscale or colour, dark ink on light paper or the reverse:
      each is cropped, scaled into a 20×20 box and centred by its centre of mass in 28×28, as
      the MNIST digits were (see Docs/images.md). Text drawings ('#' on '.') are not read: the
      draw-a-digit example classifies those with the same checkpoint ('swift run draw-a-digit
      seven.txt --checkpoint FILE').
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    guard let path = try arguments.value(of: EvaluateCommand.checkpoint) else {
      throw UsageError("missing option '--checkpoint <file>'", command: spec)
    }
    let testIndex = try arguments.value(of: Self.testIndex)
    if testIndex == nil && arguments.positionals.isEmpty {
      throw UsageError("give images to classify, or --test-index <n>", command: spec)
    }
    if testIndex != nil && !arguments.positionals.isEmpty {
      throw UsageError("give either images or --test-index, not both", command: spec)
    }
    let model = try EvaluateCommand.loadCheckpoint(
      path, arguments: arguments, command: spec, context: context)
    var digits: [(name: String, pixels: [UInt8], label: Int?)] = []
    if let testIndex {
      let test = try DataOptions.load(arguments, context: context).test
      guard testIndex < test.count else {
        throw UsageError(
          "'--test-index' must be below \(test.count), the number of test images", command: spec)
      }
      digits.append(
        ("test image \(testIndex)", Array(test.pixels(of: testIndex)), Int(test.labels[testIndex])))
    }
    for file in arguments.positionals {
      do {
        let image = try GrayImage.read(from: URL(fileURLWithPath: file))
        digits.append((file, try image.mnistDigit(file: file), nil))
      } catch {
        throw ToolError(error)
      }
    }
    for (index, digit) in digits.enumerated() {
      let input = model.preprocessing.tensor(pixels: digit.pixels)
      let probabilities = model.probabilities(input).scalars
      let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
      if index > 0 { context.output.line("") }
      context.output.line(
        digit.name + (digit.label.map { " (labelled \($0))" } ?? "") + ":")
      for line in DigitPicture.lines(digit.pixels) { context.output.line("  " + line) }
      for rank in ranked.prefix(3) {
        context.output.line(String(format: "  %d  %6.2f%%", rank, 100 * probabilities[rank]))
      }
    }
    return 0
  }
}
