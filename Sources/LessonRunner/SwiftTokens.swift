/// One piece of Swift source: the terminal's and the book's highlighters colour it by `kind`, and
/// `ExerciseCode` reads the names of the words.
struct SwiftToken: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    /// A word of `SwiftTokens.keywords`.
    case keyword
    /// Any other name that does not start with a capital letter (backticked or not).
    case identifier
    /// A name that starts with a capital letter.
    case typeName
    /// `42`, `1_000`, `0.25`, `1e-3`, `0xFF`.
    case number
    /// A piece of a string literal (`"…"`, `"""…"""`, raw `#"…"#`) outside its interpolations, or
    /// a regular expression literal (`#/…/#`).
    case string
    /// `// …` to the end of its line, or `/* … */` (nested ones too).
    case comment
    /// `@attribute` or `#directive`.
    case attribute
    /// Anything else: spaces, line breaks, punctuation, an interpolation's `\(` and `)`.
    case other
  }

  var kind: Kind
  /// The token's characters as written; the tokens of a text put together give the text back.
  var text: String
  /// Where the token starts, from 1; the column counts Unicode scalars.
  var line: Int
  var column: Int

  /// Whether the token is a word (`ExerciseCode` looks at the word before a name).
  var isWord: Bool {
    [.keyword, .identifier, .typeName, .attribute].contains(kind)
  }

  /// A word's name: without its backticks, without an attribute's `@` or a directive's `#`.
  var name: String {
    if kind == .attribute || text.hasPrefix("`") {
      let inside = text.unicodeScalars.dropFirst().prefix { $0 != "`" }
      return String(String.UnicodeScalarView(inside))
    }
    return text
  }
}

/// A small scanner of Swift source, not a parser: it knows comments, string literals with their
/// interpolations, numbers and words, which is all that colouring and `ExerciseCode`'s checks need.
enum SwiftTokens {
  /// The words coloured as keywords, in the terminal and in the book.
  static let keywords: Set<String> = [
    "let", "var", "func", "return", "if", "else", "guard", "for", "in", "while", "repeat",
    "struct", "class", "enum", "protocol", "extension", "import", "switch", "case", "default",
    "break", "continue", "true", "false", "nil", "self", "Self", "init", "throws", "throw", "try",
    "do", "catch", "static", "public", "private", "internal", "mutating", "inout", "where", "as",
    "is", "some", "any", "defer", "typealias", "fileprivate", "override", "final", "subscript",
    "rethrows", "await", "async", "lazy", "weak",
  ]

  /// `code` cut into tokens, every character in exactly one of them.
  static func scan(_ code: String) -> [SwiftToken] {
    var scanner = Scanner(code)
    scanner.scanAll()
    return scanner.tokens
  }

  /// The scanner's position in the code and the tokens so far.
  private struct Scanner {
    let scalars: [Unicode.Scalar]
    var tokens: [SwiftToken] = []
    var index = 0
    var line = 1
    var lineStart = 0
    /// Where the token being read starts.
    var start = 0
    var startLine = 1
    var startColumn = 1

    init(_ code: String) { scalars = Array(code.unicodeScalars) }

    var atEnd: Bool { index >= scalars.count }

    func scalar(at position: Int) -> Unicode.Scalar? {
      position < scalars.count ? scalars[position] : nil
    }

    func matches(_ text: String, at position: Int) -> Bool {
      var position = position
      for scalar in text.unicodeScalars {
        guard self.scalar(at: position) == scalar else { return false }
        position += 1
      }
      return true
    }

    /// The number of `#` from `position` on.
    func hashes(at position: Int) -> Int {
      var count = 0
      while scalar(at: position + count) == "#" { count += 1 }
      return count
    }

    static func isWordStart(_ scalar: Unicode.Scalar) -> Bool {
      scalar == "_" || scalar.properties.isAlphabetic
    }

    static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
      isWordStart(scalar) || scalar.properties.numericType != nil
    }

    mutating func advance(_ count: Int = 1) {
      for _ in 0..<count where !atEnd {
        if scalars[index] == "\n" {
          line += 1
          lineStart = index + 1
        }
        index += 1
      }
    }

    mutating func begin() {
      start = index
      startLine = line
      startColumn = index - lineStart + 1
    }

    /// Ends the token begun at `start`; an `.other` token joins an `.other` just before it.
    mutating func end(_ kind: SwiftToken.Kind) {
      guard index > start else { return }
      let text = String(String.UnicodeScalarView(scalars[start..<index]))
      if kind == .other, let last = tokens.last, last.kind == .other {
        tokens[tokens.count - 1].text += text
      } else {
        tokens.append(SwiftToken(kind: kind, text: text, line: startLine, column: startColumn))
      }
    }

    /// What the scanner is in: code (an interpolation's, with the depth of its parentheses), or
    /// a literal's body. A stack, not recursion, so that deeply nested interpolations cannot
    /// overflow the call stack.
    enum Context {
      case code(inInterpolation: Bool, depth: Int)
      case literal(Literal)
    }

    /// A string or regular expression literal after its opening delimiter.
    struct Literal {
      var closing: String
      /// `\` (a raw string's `\#`): it and the next character are read together; before `(`, it
      /// opens an interpolation when the literal `interpolates`.
      var escape: String
      /// Whether the literal may span lines (a one-line literal ends at its line's end).
      var multiline: Bool
      var interpolates: Bool
    }

    var contexts: [Context] = [.code(inInterpolation: false, depth: 0)]

    /// Reads the whole code.
    mutating func scanAll() {
      while !atEnd, let context = contexts.last {
        switch context {
        case .code(let inInterpolation, let depth):
          scanCode(inInterpolation: inInterpolation, depth: depth)
        case .literal(let literal):
          scanLiteral(literal)
        }
      }
      // A literal whose opening delimiter ends the code.
      if case .literal = contexts.last { end(.string) }
    }

    /// Reads one token of code, or the opening delimiter of a literal.
    mutating func scanCode(inInterpolation: Bool, depth: Int) {
      let scalar = scalars[index]
      let next = self.scalar(at: index + 1)
      begin()
      if scalar == "/" && next == "/" {
        while let scalar = self.scalar(at: index), scalar != "\n" { advance() }
        end(.comment)
      } else if scalar == "/" && next == "*" {
        scanBlockComment()
        end(.comment)
      } else if scalar == "\""
        || (scalar == "#" && self.scalar(at: index + hashes(at: index)) == "\"")
      {
        openString()
      } else if scalar == "#" && self.scalar(at: index + hashes(at: index)) == "/" {
        openRegex()
      } else if scalar == "`" {
        advance()
        while let scalar = self.scalar(at: index), scalar != "`", scalar != "\n" { advance() }
        if self.scalar(at: index) == "`" { advance() }
        let first = scalars[start..<index].dropFirst().first
        end(first?.properties.isUppercase == true ? .typeName : .identifier)
      } else if scalar == "@" || scalar == "#", let next, Self.isWordStart(next) {
        advance()
        while let scalar = self.scalar(at: index), Self.isWordPart(scalar) { advance() }
        end(.attribute)
      } else if Self.isWordStart(scalar) {
        while let scalar = self.scalar(at: index), Self.isWordPart(scalar) { advance() }
        let word = String(String.UnicodeScalarView(scalars[start..<index]))
        end(
          SwiftTokens.keywords.contains(word)
            ? .keyword : scalar.properties.isUppercase ? .typeName : .identifier)
      } else if ("0"..."9").contains(scalar) {
        scanNumber()
        end(.number)
      } else {
        advance()
        end(.other)
        if scalar == ")" && inInterpolation && depth == 0 {
          // Back in the interpolation's string, whose next piece begins.
          contexts.removeLast()
          begin()
        } else if scalar == "(" || scalar == ")" {
          contexts[contexts.count - 1] = .code(
            inInterpolation: inInterpolation, depth: depth + (scalar == "(" ? 1 : -1))
        }
      }
    }

    /// Reads `/* … */`, nested comments included, or to the end when it is not closed.
    mutating func scanBlockComment() {
      var depth = 0
      repeat {
        if matches("/*", at: index) {
          depth += 1
          advance()
        } else if matches("*/", at: index) {
          depth -= 1
          advance()
        }
        advance()
      } while depth > 0 && !atEnd
    }

    /// Reads a number as Swift's lexer does: digits, letters and `_` (`0xFF`, `1_000`, `1e5`),
    /// a `.` before a digit (`0.25`, not the range `0..<5`), a sign after an exponent's `e`.
    mutating func scanNumber() {
      let hexadecimal = matches("0x", at: index)
      while let scalar = scalar(at: index) {
        let next = self.scalar(at: index + 1)
        let isExponent =
          hexadecimal ? (scalar == "p" || scalar == "P") : (scalar == "e" || scalar == "E")
        if isExponent, next == "+" || next == "-",
          let digit = self.scalar(at: index + 2), ("0"..."9").contains(digit)
        {
          advance(2)
        } else if scalar == ".", let next,
          ("0"..."9").contains(next) || (hexadecimal && next.properties.isASCIIHexDigit)
        {
          advance()
        } else if Self.isWordPart(scalar) {
          advance()
        } else {
          return
        }
      }
    }

    /// Reads a string literal's opening: `"`, `"""`, or a raw string's `#"` (any number of `#`).
    mutating func openString() {
      let hashSigns = String(repeating: "#", count: hashes(at: index))
      advance(hashSigns.unicodeScalars.count)
      let multiline = matches("\"\"\"", at: index)
      let quote = multiline ? "\"\"\"" : "\""
      advance(quote.unicodeScalars.count)
      contexts.append(
        .literal(
          Literal(
            closing: quote + hashSigns, escape: "\\" + hashSigns, multiline: multiline,
            interpolates: true)))
    }

    /// Reads an extended regular expression literal's opening, `#/` (any number of `#`); without
    /// it, a quote inside one would open a string that hides the code after the literal.
    mutating func openRegex() {
      let hashSigns = String(repeating: "#", count: hashes(at: index))
      advance(hashSigns.unicodeScalars.count + 1)
      contexts.append(
        .literal(
          Literal(
            closing: "/" + hashSigns, escape: "\\", multiline: scalar(at: index) == "\n",
            interpolates: false)))
    }

    /// Reads a literal's body up to its end, or up to an interpolation, whose `\(` it reads.
    mutating func scanLiteral(_ literal: Literal) {
      let escapeLength = literal.escape.unicodeScalars.count
      while let scalar = scalar(at: index) {
        if matches(literal.closing, at: index) {
          advance(literal.closing.unicodeScalars.count)
          break
        }
        if !literal.multiline && scalar == "\n" { break }
        if literal.interpolates && matches(literal.escape, at: index)
          && self.scalar(at: index + escapeLength) == "("
        {
          end(.string)
          begin()
          advance(escapeLength + 1)
          end(.other)
          contexts.append(.code(inInterpolation: true, depth: 0))
          return
        }
        if matches(literal.escape, at: index) {
          advance(escapeLength)
          // The escaped character, unless it is a one-line literal's line break.
          if literal.multiline || self.scalar(at: index) != "\n" { advance() }
          continue
        }
        advance()
      }
      end(.string)
      contexts.removeLast()
    }
  }
}
