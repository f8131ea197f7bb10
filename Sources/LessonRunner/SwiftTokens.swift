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
    scanner.scanCode(inInterpolation: false)
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

    /// Reads code up to the end, or, in an interpolation, up to its closing parenthesis (not
    /// read).
    mutating func scanCode(inInterpolation: Bool) {
      var depth = 0
      while let scalar = scalar(at: index) {
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
          scanString()
        } else if scalar == "#" && self.scalar(at: index + hashes(at: index)) == "/" {
          scanRegex()
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
          if scalar == "(" { depth += 1 }
          if scalar == ")" {
            if depth == 0 && inInterpolation { return }
            depth -= 1
          }
          advance()
          end(.other)
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

    /// Reads an extended regular expression literal, `#/…/#` (a `\\` escapes the next character),
    /// which a one-line literal ends at its line's end; without it, a quote inside one would
    /// open a string that hides the code after the literal.
    mutating func scanRegex() {
      let hashCount = hashes(at: index)
      advance(hashCount + 1)
      scanLiteral(
        closing: "/" + String(repeating: "#", count: hashCount), escape: "\\",
        multiline: scalar(at: index) == "\n", interpolates: false)
    }

    /// Reads a string literal from its opening quote (or the `#` of a raw one): `"…"`, `"""…"""`
    /// and `#"…"#`, escapes (`\"`, or `\#"` in a raw string), and interpolations (`\(…)`, or
    /// `\#(…)`), whose code becomes tokens of its own.
    mutating func scanString() {
      let hashCount = hashes(at: index)
      advance(hashCount)
      let multiline = matches("\"\"\"", at: index)
      let quote = multiline ? "\"\"\"" : "\""
      advance(quote.unicodeScalars.count)
      scanLiteral(
        closing: quote + String(repeating: "#", count: hashCount),
        escape: "\\" + String(repeating: "#", count: hashCount), multiline: multiline,
        interpolates: true)
    }

    /// Reads a literal after its opening delimiter, through `closing`, or to its line's end when
    /// it is on one line, or to the end. `escape` and the next character are read together; with
    /// `interpolates`, `escape` and `(` open an interpolation, whose code becomes tokens of its
    /// own, between `.string` pieces.
    mutating func scanLiteral(closing: String, escape: String, multiline: Bool, interpolates: Bool)
    {
      while let scalar = scalar(at: index) {
        if matches(closing, at: index) {
          advance(closing.unicodeScalars.count)
          break
        }
        if !multiline && scalar == "\n" { break }
        let escapeLength = escape.unicodeScalars.count
        if interpolates && matches(escape + "(", at: index) {
          end(.string)
          begin()
          advance(escapeLength + 1)
          end(.other)
          scanCode(inInterpolation: true)
          begin()
          advance()
          end(.other)
          begin()
          continue
        }
        if matches(escape, at: index) {
          advance(escapeLength)
          // The escaped character, unless it is a one-line literal's line break.
          if multiline || self.scalar(at: index) != "\n" { advance() }
          continue
        }
        advance()
      }
      end(.string)
    }
  }
}
