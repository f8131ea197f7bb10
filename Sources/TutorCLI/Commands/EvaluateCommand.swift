import Foundation
import LeNetKit

/// `lenet-tutor evaluate`: a checkpoint's loss, accuracy and mistakes on the MNIST test set.
enum EvaluateCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "evaluate",
    abstract: "Test a trained checkpoint on the 10,000 MNIST test images.",
    options: [
      .option("--checkpoint", "file", "A model.safetensors written by 'train'."),
      DataOptions.option.spec,
      .option("--show", "n", "How many misclassified digits to draw.", default: "6"),
    ],
    discussion: """
      Prints the test loss and accuracy, the accuracy of each digit, the confusion matrix
      (rows: the true digit, columns: the predicted one) and a few misclassified digits.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    guard let path = arguments.string("--checkpoint") else {
      throw UsageError("missing option '--checkpoint <file>'", command: spec)
    }
    let shown = try arguments.integer("--show", in: 0...100, command: spec) ?? 6
    let model = try loadCheckpoint(path)
    let mnist = try DataOptions.load(arguments, context: context)
    let result = model.evaluate(mnist.test)
    let out = context.output
    func grouped(_ value: Int) -> String { TrainCommand.grouped(value) }
    out.line("\(model.name) from \(path) on \(grouped(result.count)) test images")
    out.line(
      String(format: "Test loss %.4f, accuracy %.2f%% ", result.loss, 100 * result.accuracy)
        + "(\(grouped(result.correct)) right, \(grouped(result.count - result.correct)) wrong: "
        + String(format: "error %.2f%%)", 100 * result.errorRate))
    out.line("")
    out.line("Accuracy per digit:")
    out.line(
      result.classAccuracy.enumerated().map { String(format: "%d %.1f%%", $0, 100 * $1) }
        .joined(separator: "  "))
    out.line("")
    out.line("Confusion matrix (rows: true digit, columns: predicted digit):")
    out.line("     " + (0..<10).map { pad(String($0), 6) }.joined())
    for (digit, row) in result.confusion.enumerated() {
      out.line(pad(String(digit), 5) + row.map { pad(String($0), 6) }.joined())
    }
    let mistakes = Array(result.misclassified.prefix(shown))
    if !mistakes.isEmpty {
      out.line("")
      out.line("The first \(mistakes.count) misclassified test digits:")
      let pictures = mistakes.map { DigitPicture.lines(mnist.test.pixels(of: $0)) }
      let captions = mistakes.map { "#\($0) \(result.labels[$0])→\(result.predictions[$0])" }
      for line in DigitPicture.sideBySide(
        pictures, captions: captions, maximumWidth: context.terminal.width)
      {
        out.line(line)
      }
    }
    return 0
  }

  /// Loads a checkpoint, reporting a missing or damaged file as a tool error.
  static func loadCheckpoint(_ path: String) throws(ToolError) -> Model {
    do {
      return try Checkpoint.load(from: URL(fileURLWithPath: path))
    } catch {
      throw ToolError(error)
    }
  }

  static func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }
}
