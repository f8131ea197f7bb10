/// Why a chapter cannot be used, with the place in the file and what to do about it.
///
/// Printed the way a compiler prints, so editors can jump to it:
/// `Lessons/03-c3.md:41:1: error: an output block needs a swift cell before it (fix: …)`.
public enum ChapterError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file could not be read at all.
  case unreadable(path: String, reason: String)
  /// The first line is not `---`.
  case missingFrontMatter(SourceLocation)
  /// The opening `---` has no closing `---`.
  case unclosedFrontMatter(SourceLocation)
  /// A header line that is not `key: value`, a `- item` of `goals`, or a known key.
  case unknownFrontMatterField(String, SourceLocation)
  /// A required header field is absent (`number`, `title`, `goals`).
  case missingFrontMatterField(String, SourceLocation)
  /// A header field's value has the wrong form; `expected` says what form.
  case invalidFrontMatterValue(field: String, value: String, expected: String, SourceLocation)
  /// The header's `number` differs from the file name's `NN-` prefix.
  case numberDisagreesWithFileName(number: Int, fileNumber: Int, SourceLocation)
  /// A fence (```` ``` ````) opened here is never closed.
  case unclosedFence(info: String, SourceLocation)
  /// A word after `swift`, `output`, `hint` or `quiz` in a fence's info string is not known.
  case unknownBlockWord(word: String, kind: String, SourceLocation)
  /// An exercise or quiz has no `id=`, or an id that is not lowercase letters, digits and `-`.
  case invalidID(kind: String, id: String?, SourceLocation)
  /// An exercise or quiz id is used twice.
  case duplicateID(String, firstLine: Int, SourceLocation)
  /// An ```output block with no swift cell before it.
  case outputWithoutCell(SourceLocation)
  /// A second ```output block for the same cell.
  case secondOutput(cellLine: Int, SourceLocation)
  /// A ```hint block with no exercise before it.
  case hintWithoutExercise(SourceLocation)
  /// A quiz block that is not a valid question; `problem` says how.
  case invalidQuiz(id: String, problem: String, fix: String, SourceLocation)
  /// `--solutions` needs a solution file that does not exist.
  case missingSolution(id: String, solutionPath: String, SourceLocation)

  /// Where the problem is; for `unreadable`, the file itself.
  public var location: SourceLocation {
    switch self {
    case .unreadable(let path, _): SourceLocation(path: path, line: 1)
    case .missingFrontMatter(let location), .unclosedFrontMatter(let location),
      .unknownFrontMatterField(_, let location), .missingFrontMatterField(_, let location),
      .invalidFrontMatterValue(_, _, _, let location),
      .numberDisagreesWithFileName(_, _, let location), .unclosedFence(_, let location),
      .unknownBlockWord(_, _, let location), .invalidID(_, _, let location),
      .duplicateID(_, _, let location), .outputWithoutCell(let location),
      .secondOutput(_, let location), .hintWithoutExercise(let location),
      .invalidQuiz(_, _, _, let location), .missingSolution(_, _, let location):
      location
    }
  }

  /// What is wrong, in one sentence.
  public var message: String {
    switch self {
    case .unreadable(_, let reason): "cannot read the chapter: \(reason)"
    case .missingFrontMatter: "the chapter does not start with a front matter '---' line"
    case .unclosedFrontMatter: "the front matter opened here has no closing '---' line"
    case .unknownFrontMatterField(let field, _): "unknown front matter line '\(field)'"
    case .missingFrontMatterField(let field, _): "the front matter has no '\(field):'"
    case .invalidFrontMatterValue(let field, let value, let expected, _):
      "'\(field): \(value)' is not \(expected)"
    case .numberDisagreesWithFileName(let number, let fileNumber, _):
      "the front matter says number \(number) but the file name starts with \(fileNumber)"
    case .unclosedFence(let info, _): "the ```\(info) fence opened here is never closed"
    case .unknownBlockWord(let word, let kind, _): "unknown word '\(word)' after ```\(kind)"
    case .invalidID(let kind, let id, _):
      id.map { "the \(kind) id '\($0)' is not lowercase letters, digits and '-'" }
        ?? "the \(kind) has no id"
    case .duplicateID(let id, let firstLine, _):
      "the id '\(id)' is already used at line \(firstLine)"
    case .outputWithoutCell: "an ```output block needs a ```swift cell before it"
    case .secondOutput(let cellLine, _):
      "the cell at line \(cellLine) already has an ```output block"
    case .hintWithoutExercise: "a ```hint block needs a ```swift exercise cell before it"
    case .invalidQuiz(let id, let problem, _, _): "quiz '\(id)': \(problem)"
    case .missingSolution(let id, let solutionPath, _):
      "exercise '\(id)' has no reference solution at \(solutionPath)"
    }
  }

  /// What to do about it.
  public var fix: String {
    switch self {
    case .unreadable: "check the path; chapters are Markdown files such as Lessons/03-c3.md"
    case .missingFrontMatter, .unclosedFrontMatter:
      "start the file with '---', then 'number:', 'title:' and 'goals:' lines, then '---'"
    case .unknownFrontMatterField:
      "use only number, title, goals, minutes, needs-mnist, timeout and optimize"
    case .missingFrontMatterField(let field, _):
      field == "goals"
        ? "add 'goals:' followed by lines '  - what the learner will be able to do'"
        : "add a '\(field):' line between the '---' lines"
    case .invalidFrontMatterValue(let field, _, let expected, _):
      "give '\(field):' \(expected)"
    case .numberDisagreesWithFileName:
      "make the file name's NN- prefix and 'number:' the same"
    case .unclosedFence: "add a line with the same number of backticks after the block"
    case .unknownBlockWord(_, let kind, _):
      switch kind {
      case "swift": "write ```swift for a cell, ```swift exercise id=NAME, or ```swift show"
      case "output": "write ```output or ```output tolerance=1e-3 absolute=1e-6"
      case "quiz": "write ```quiz id=NAME"
      default: "write ```\(kind) with nothing after it"
      }
    case .invalidID(let kind, _, _):
      "write ```\(kind == "quiz" ? "quiz" : "swift exercise") id=NAME with NAME like c3-count"
    case .duplicateID: "give every exercise and quiz of a chapter its own id"
    case .outputWithoutCell: "move the block after the cell whose output it is"
    case .secondOutput: "merge the two blocks into one"
    case .hintWithoutExercise: "move the hint after its ```swift exercise cell"
    case .invalidQuiz(_, _, let fix, _): fix
    case .missingSolution: "write the solution file, with the code that replaces the exercise"
    }
  }

  /// `path:line:column: error: message (fix: fix)`.
  public var description: String { "\(location): error: \(message) (fix: \(fix))" }
}
