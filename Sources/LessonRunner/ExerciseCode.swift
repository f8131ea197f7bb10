/// What an exercise cell's code may not do: name the runner's own functions (`_lesson…`), or
/// declare `check` or `print`, which would replace the prelude's checks or fake a cell's
/// printed output for the course's cells that come after it.
///
/// It reads the words of the code's `SwiftTokens` (not those in comments or string literals; those
/// in a string's interpolations, which are code, too), backticked ones by their name, and looks at
/// the word before each one.
enum ExerciseCode {
  /// Names an exercise may not declare.
  static let reservedNames: Set<String> = ["check", "print"]
  /// Keywords after which a name is being declared.
  static let declarationKeywords: Set<String> = [
    "func", "var", "let", "typealias", "struct", "class", "enum", "actor", "protocol", "case",
    "macro",
  ]

  /// One refused use of a name.
  struct Violation: Sendable, Equatable {
    /// Line and column in `code`, from 1.
    var line: Int
    var column: Int
    var message: String
  }

  /// The refused names in `code`, in order.
  static func violations(in code: String) -> [Violation] {
    var violations: [Violation] = []
    var previousWord = ""
    for token in SwiftTokens.scan(code) where token.isWord {
      let name = token.name
      // At the name itself, after an attribute's `@` or a directive's `#`.
      let column = token.kind == .attribute ? token.column + 1 : token.column
      if name.hasPrefix("_lesson") {
        violations.append(
          Violation(
            line: token.line, column: column,
            message: "exercise code may not use '\(name)': names starting with '_lesson'"
              + " belong to the lesson runner"))
      } else if reservedNames.contains(name) && declarationKeywords.contains(previousWord) {
        violations.append(
          Violation(
            line: token.line, column: column,
            message: "exercise code may not declare '\(name)': the course's cells must"
              + " use the runner's own (fix: give yours another name)"))
      }
      previousWord = name
    }
    return violations
  }

  /// The names of the types `code` declares (`struct`, `class`, `enum`, `actor`, `typealias`).
  static func declaredTypes(in code: String) -> [String] {
    let words = SwiftTokens.scan(code).filter(\.isWord).map(\.name)
    let keywords: Set<String> = ["struct", "class", "enum", "actor", "typealias"]
    return zip(words, words.dropFirst()).filter { keywords.contains($0.0) }.map(\.1)
  }
}
