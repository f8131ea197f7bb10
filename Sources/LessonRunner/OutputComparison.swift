import Foundation

/// How far a printed number may be from the reference: `|actual − expected| ≤ absolute +
/// relative · |expected|`.
///
/// Only numbers written with a decimal point or an exponent get a tolerance; whole numbers such
/// as `1516` or a shape `16x10x10` must match exactly, since a count that is off by one is wrong.
public struct Tolerance: Sendable, Equatable {
  /// The share of the expected value a number may differ by.
  public var relative: Double
  /// The amount any number may differ by (matters near zero).
  public var absolute: Double

  /// Relative 1e-4, absolute 1e-6: `Float` sums over a few thousand terms agree to about 1e-5
  /// across machines and summation orders, and printed values usually carry 4-6 digits.
  public static let standard = Tolerance(relative: 1e-4, absolute: 1e-6)

  public init(relative: Double, absolute: Double) {
    self.relative = relative
    self.absolute = absolute
  }
}

/// Compares a cell's printed output with its reference output.
public enum OutputComparison {
  /// Where and how an output first differs from its reference.
  public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line within the output.
    public var line: Int
    /// The reference line (empty past the end).
    public var expected: String
    /// The printed line (empty past the end).
    public var actual: String
    /// Why they differ, e.g. `0.5 is not within 1e-4 of 0.25`.
    public var reason: String

    public var description: String {
      "line \(line): expected \"\(expected)\", got \"\(actual)\" (\(reason))"
    }
  }

  /// Nil when `actual` matches `expected`: line by line after trimming trailing spaces and the
  /// blank lines at both ends; text exactly, numbers within `tolerance`.
  public static func compare(actual: String, expected: String, tolerance: Tolerance) -> Mismatch? {
    let actualLines = normalizedLines(actual)
    let expectedLines = normalizedLines(expected)
    for index in 0..<max(actualLines.count, expectedLines.count) {
      let actualLine = index < actualLines.count ? actualLines[index] : ""
      let expectedLine = index < expectedLines.count ? expectedLines[index] : ""
      guard index < actualLines.count else {
        return Mismatch(
          line: index + 1, expected: expectedLine, actual: "", reason: "the output ends early")
      }
      guard index < expectedLines.count else {
        return Mismatch(
          line: index + 1, expected: "", actual: actualLine, reason: "extra output")
      }
      if let reason = compareLine(actualLine, expectedLine, tolerance: tolerance) {
        return Mismatch(line: index + 1, expected: expectedLine, actual: actualLine, reason: reason)
      }
    }
    return nil
  }

  /// Lines with trailing spaces removed and leading and trailing blank lines dropped.
  static func normalizedLines(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var line = Substring(line)
      while let last = line.last, last == " " || last == "\t" || last == "\r" {
        line = line.dropLast()
      }
      return String(line)
    }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  /// Why two lines differ, or nil when they match.
  static func compareLine(_ actual: String, _ expected: String, tolerance: Tolerance) -> String? {
    let actualTokens = tokens(actual)
    let expectedTokens = tokens(expected)
    for (actualToken, expectedToken) in zip(actualTokens, expectedTokens) {
      switch (actualToken, expectedToken) {
      case (.text(let a), .text(let e)) where a == e: continue
      case (.number(let a, _), .number(let e, let exactText)):
        guard let actualValue = Double(a), let expectedValue = Double(e) else {
          return "text differs"
        }
        if exactText {
          if actualValue != expectedValue { return "\(a) is not \(e)" }
        } else if !(abs(actualValue - expectedValue)
          <= tolerance.absolute + tolerance.relative * abs(expectedValue))
        {
          return "\(a) is not within the tolerance of \(e)"
        }
      default: return "text differs"
      }
    }
    return actualTokens.count == expectedTokens.count ? nil : "text differs"
  }

  private enum Token {
    case text(String)
    /// A number's text and whether it is whole (no `.` and no exponent), so it compares exactly.
    case number(String, isWhole: Bool)
  }

  /// Splits a line into text and numbers `-?\d+(\.\d+)?([eE][-+]?\d+)?`.
  private static func tokens(_ line: String) -> [Token] {
    let characters = Array(line)
    var tokens: [Token] = []
    var text = ""
    var index = 0
    func isDigit(_ position: Int) -> Bool {
      position < characters.count && characters[position].isASCII && characters[position].isNumber
    }
    while index < characters.count {
      let start = index
      var cursor = index
      if characters[cursor] == "-" && isDigit(cursor + 1) { cursor += 1 }
      guard isDigit(cursor) else {
        text.append(characters[index])
        index += 1
        continue
      }
      var isWhole = true
      while isDigit(cursor) { cursor += 1 }
      if cursor < characters.count && characters[cursor] == "." && isDigit(cursor + 1) {
        isWhole = false
        cursor += 1
        while isDigit(cursor) { cursor += 1 }
      }
      if cursor < characters.count && (characters[cursor] == "e" || characters[cursor] == "E") {
        var exponent = cursor + 1
        if exponent < characters.count
          && (characters[exponent] == "-" || characters[exponent] == "+")
        {
          exponent += 1
        }
        if isDigit(exponent) {
          isWhole = false
          cursor = exponent
          while isDigit(cursor) { cursor += 1 }
        }
      }
      if !text.isEmpty { tokens.append(.text(text)) }
      text = ""
      tokens.append(.number(String(characters[start..<cursor]), isWhole: isWhole))
      index = cursor
    }
    if !text.isEmpty { tokens.append(.text(text)) }
    return tokens
  }
}
