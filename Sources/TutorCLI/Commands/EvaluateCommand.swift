import Foundation
import LeNetKit

/// `lenet-tutor evaluate`: a checkpoint's loss, accuracy and mistakes on the MNIST test set.
enum EvaluateCommand: TutorCommand {
  /// `--checkpoint`, shared with `predict`.
  static let checkpoint = Option.text(
    "--checkpoint", "file", "A model.safetensors written by 'train' or by PyTorch (required).",
    expecting: "a file name", required: true)
  /// `--model`, shared with `predict`: the model of a checkpoint without lenet-tutor metadata.
  static let modelOption = Option.choice(
    "--model", "name", "The model of a checkpoint saved without lenet-tutor metadata.",
    from: Model.availableNames, defaultText: "inferred from the tensor names")
  static let show = Option.integer(
    "--show", "n", "How many misclassified digits to draw.", in: 0...100, default: 6)

  static let spec = CommandSpec(
    name: "evaluate",
    abstract: "Test a trained checkpoint on the 10,000 MNIST test images.",
    options: [
      checkpoint.spec, modelOption.spec, DataOptions.option.spec, show.spec,
    ],
    discussion: """
      Prints the test loss and accuracy, the accuracy of each digit, the confusion matrix
      (rows: the true digit, columns: the predicted one) and a few misclassified digits.

      A checkpoint saved by PyTorch (safetensors.torch.save_file, the tensor names of
      Docs/checkpoints.md) has no lenet-tutor metadata: its model is inferred from the tensor
      names (s2.weight present: lecun1998, else keras), or taken from --model.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    guard let path = try arguments.value(of: checkpoint) else {
      throw UsageError("missing option '--checkpoint <file>'", command: spec)
    }
    let shown = try arguments.value(of: show)
    let model = try loadCheckpoint(path, arguments: arguments, command: spec, context: context)
    let mnist = try DataOptions.load(arguments, context: context)
    let result = model.evaluate(mnist.test)
    let out = context.output
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
    out.line("     " + (0..<10).map { String($0).leftPadded(to: 6) }.joined())
    for (digit, row) in result.confusion.enumerated() {
      out.line(String(digit).leftPadded(to: 5) + row.map { String($0).leftPadded(to: 6) }.joined())
    }
    let mistakes = Array(result.misclassified.prefix(shown))
    if !mistakes.isEmpty {
      out.line("")
      out.line(
        mistakes.count == 1
          ? "The first misclassified test digit:"
          : "The first \(mistakes.count) misclassified test digits:")
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

  /// Loads a checkpoint for `command` with its `--model`, saying which model a file without
  /// lenet-tutor metadata was read as, and reporting a missing or damaged file as a tool error.
  static func loadCheckpoint(
    _ path: String, arguments: ParsedArguments, command: CommandSpec, context: Context
  ) throws -> Model {
    let requested = try arguments.value(of: modelOption)
    let loaded: Checkpoint.Loaded
    do {
      loaded = try Checkpoint.read(from: URL(fileURLWithPath: path), model: requested)
    } catch {
      throw ToolError(error)
    }
    let name = loaded.model.name
    switch loaded.source {
    case .metadata: break
    case .chosen:
      context.output.line(
        "\(path) has no lenet-tutor metadata: reading it as \(name), as --model says.")
    case .inferred:
      let evidence = name == "lecun1998" ? "it has s2.weight" : "it has no s2.weight"
      context.output.line(
        "\(path) has no lenet-tutor metadata: reading it as \(name), inferred from its tensor "
          + "names (\(evidence)); --model chooses another.")
    }
    for warning in loaded.warnings { context.errors.line("warning: \(warning)") }
    return loaded.model
  }
}
