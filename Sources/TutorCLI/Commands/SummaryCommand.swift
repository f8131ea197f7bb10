import Foundation
import LeNetKit

/// `lenet-tutor summary`: a model's layer table with parameters and connections.
enum SummaryCommand: TutorCommand {
  static let model = Option.choice(
    "--model", "name", "The model.", from: Model.availableNames, default: "lecun1998")

  static let spec = CommandSpec(
    name: "summary",
    abstract: "Print a model's layers with their parameters and connections.",
    options: [model.spec],
    discussion: """
      For lecun1998 the paper's figures (LeCun et al. 1998, section II.B) stand beside the
      computed ones, with a check mark where they agree.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let name = try arguments.value(of: model)
    guard let model = Model.named(name) else { throw ToolError("no model named '\(name)'") }
    var text = model.summary().rendered()
    if context.terminal.usesColor {
      text = text.replacingOccurrences(of: "✓", with: context.terminal.verdict(true))
        .replacingOccurrences(of: "✗", with: context.terminal.verdict(false))
    }
    context.output.line(text)
    return model.summary().matchesPaper ? 0 : 1
  }
}
