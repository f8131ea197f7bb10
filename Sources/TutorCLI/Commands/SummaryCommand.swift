import Foundation
import LeNetKit

/// `lenet-tutor summary`: a model's layer table with parameters and connections.
enum SummaryCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "summary",
    abstract: "Print a model's layers with their parameters and connections.",
    options: [
      .option(
        "--model", "name", "The model, \(Model.availableNames.joined(separator: " or "))",
        default: "lecun1998")
    ],
    discussion: """
      For lecun1998 the paper's figures (LeCun et al. 1998, section II.B) stand beside the
      computed ones, with a check mark where they agree.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let name =
      try arguments.choice("--model", from: Model.availableNames, command: spec) ?? "lecun1998"
    guard let model = Model.named(name) else { return 2 }
    var text = model.summary().rendered()
    if context.terminal.usesColor {
      text = text.replacingOccurrences(of: "✓", with: context.terminal.verdict(true))
        .replacingOccurrences(of: "✗", with: context.terminal.verdict(false))
    }
    context.output.line(text)
    return model.summary().matchesPaper ? 0 : 1
  }
}
