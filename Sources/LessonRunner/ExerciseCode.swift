/// What an exercise cell's code may not do: name the runner's own functions (`_lesson…`), or
/// declare `check` or `print`, which would replace the prelude's checks or fake a cell's
/// printed output for the course's cells that come after it.
///
/// A small scanner, not a parser: it skips comments and string literals, reads identifiers
/// (with or without backticks), and looks at the word before each one.
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
    for token in identifiers(in: code) {
      if token.name.hasPrefix("_lesson") {
        violations.append(
          Violation(
            line: token.line, column: token.column,
            message: "exercise code may not use '\(token.name)': names starting with '_lesson'"
              + " belong to the lesson runner"))
      } else if reservedNames.contains(token.name) && declarationKeywords.contains(previousWord) {
        violations.append(
          Violation(
            line: token.line, column: token.column,
            message: "exercise code may not declare '\(token.name)': the course's cells must"
              + " use the runner's own (fix: give yours another name)"))
      }
      previousWord = token.name
    }
    return violations
  }

  /// The names of the types `code` declares (`struct`, `class`, `enum`, `actor`, `typealias`).
  static func declaredTypes(in code: String) -> [String] {
    let words = identifiers(in: code).map(\.name)
    let keywords: Set<String> = ["struct", "class", "enum", "actor", "typealias"]
    return zip(words, words.dropFirst()).filter { keywords.contains($0.0) }.map(\.1)
  }

  /// A word of the code with its position.
  struct Token {
    var name: String
    var line: Int
    var column: Int
  }

  /// The identifiers and keywords of `code` outside comments and string literals; a
  /// backticked name is returned without its backticks.
  static func identifiers(in code: String) -> [Token] {
    let characters = Array(code.unicodeScalars)
    var tokens: [Token] = []
    var index = 0
    var line = 1
    var lineStart = 0
    func advance() {
      if characters[index] == "\n" {
        line += 1
        lineStart = index + 1
      }
      index += 1
    }
    func isStart(_ scalar: Unicode.Scalar) -> Bool {
      scalar == "_" || scalar.properties.isAlphabetic
    }
    func isPart(_ scalar: Unicode.Scalar) -> Bool {
      isStart(scalar) || scalar.properties.numericType != nil
    }
    func matches(_ text: String, at position: Int) -> Bool {
      let scalars = Array(text.unicodeScalars)
      guard position + scalars.count <= characters.count else { return false }
      return Array(characters[position..<position + scalars.count]) == scalars
    }
    /// Skips a string literal at `index`: `"…"`, `"""…"""`, and their raw `#"…"#` forms.
    /// Interpolations are skipped with the string (a name inside one is not a declaration).
    func skipString() {
      var hashes = 0
      while index < characters.count && characters[index] == "#" {
        hashes += 1
        advance()
      }
      guard index < characters.count, characters[index] == "\"" else { return }
      let isMultiline = matches("\"\"\"", at: index)
      let quote = isMultiline ? "\"\"\"" : "\""
      for _ in 0..<quote.count { advance() }
      let closing = quote + String(repeating: "#", count: hashes)
      while index < characters.count {
        if characters[index] == "\\" && hashes == 0 {
          advance()
          if index < characters.count { advance() }
          continue
        }
        if matches(closing, at: index) {
          for _ in 0..<closing.unicodeScalars.count { advance() }
          return
        }
        if !isMultiline && characters[index] == "\n" { return }
        advance()
      }
    }
    while index < characters.count {
      let scalar = characters[index]
      if matches("//", at: index) {
        while index < characters.count && characters[index] != "\n" { advance() }
      } else if matches("/*", at: index) {
        var depth = 0
        repeat {
          if matches("/*", at: index) {
            depth += 1
            advance()
          } else if matches("*/", at: index) {
            depth -= 1
            advance()
          }
          if index < characters.count { advance() }
        } while depth > 0 && index < characters.count
      } else if scalar == "\""
        || (scalar == "#" && index + 1 < characters.count
          && (characters[index + 1] == "\"" || characters[index + 1] == "#"))
      {
        skipString()
      } else if scalar == "`" {
        let start = index
        advance()
        var name = ""
        while index < characters.count && characters[index] != "`" && characters[index] != "\n" {
          name.unicodeScalars.append(characters[index])
          advance()
        }
        if index < characters.count { advance() }
        tokens.append(Token(name: name, line: line, column: start - lineStart + 1))
      } else if isStart(scalar) {
        let start = index
        var name = ""
        while index < characters.count && isPart(characters[index]) {
          name.unicodeScalars.append(characters[index])
          advance()
        }
        tokens.append(Token(name: name, line: line, column: start - lineStart + 1))
      } else {
        advance()
      }
    }
    return tokens
  }
}
