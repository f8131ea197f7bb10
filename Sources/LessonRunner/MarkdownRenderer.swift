import Foundation
import TerminalKit

/// Renders a chapter's Markdown for the terminal: headings, emphasis, inline code, links, lists,
/// tables and code blocks (Swift keywords highlighted), wrapped to the terminal's width.
///
/// Styles come from `Terminal.styled`, so a pipe or `NO_COLOR` gets plain text; plain text keeps
/// the backticks of inline code so code still stands out.
public struct MarkdownRenderer {
  public let terminal: Terminal

  public init(terminal: Terminal) { self.terminal = terminal }

  /// Renders a prose block (headings, paragraphs, lists, tables, quotes).
  public func render(_ markdown: String) -> String {
    var output: [String] = []
    var paragraph: [String] = []
    var table: [String] = []
    // A list item whose continuation lines are still being collected.
    var item: (bullet: String, text: String, depth: Int)?
    func flushParagraph() {
      if let (bullet, text, depth) = item {
        let indent = String(repeating: "  ", count: depth)
        output += wrap(
          text, indent: indent + String(repeating: " ", count: bullet.count + 1),
          firstIndent: indent + bullet + " ")
        item = nil
      }
      guard !paragraph.isEmpty else { return }
      output += wrap(paragraph.joined(separator: " "), indent: "", firstIndent: "")
      paragraph = []
    }
    func flushTable() {
      guard !table.isEmpty else { return }
      output += renderTable(table)
      table = []
    }
    var code: [String] = []
    func flushCode() {
      while code.last == "" { code.removeLast() }
      guard !code.isEmpty else { return }
      output.append(renderCode(code.joined(separator: "\n"), language: "swift"))
      code = []
    }
    for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(rawLine)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      // An indented code block: four spaces, not continuing a paragraph or list item.
      if line.hasPrefix("    ") && paragraph.isEmpty && item == nil && table.isEmpty {
        code.append(String(line.dropFirst(4)))
        continue
      }
      if !code.isEmpty && trimmed.isEmpty {
        code.append("")
        continue
      }
      flushCode()
      if trimmed.hasPrefix("|") {
        flushParagraph()
        table.append(trimmed)
        continue
      }
      flushTable()
      if trimmed.isEmpty {
        flushParagraph()
        if output.last != "" { output.append("") }
      } else if let level = headingLevel(trimmed) {
        flushParagraph()
        let text = String(trimmed.dropFirst(level + 1))
        let styled = inline(text, base: level == 1 ? [.bold, .underline] : [.bold])
        output.append(styled)
      } else if let (marker, text, depth) = listItem(line) {
        flushParagraph()
        item = (marker == "-" || marker == "*" || marker == "+" ? "•" : marker, text, depth)
      } else if item != nil {
        item?.text += " " + trimmed
      } else if trimmed.hasPrefix(">") {
        flushParagraph()
        output += wrap(
          String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces),
          indent: terminal.styled("│ ", .dim), firstIndent: terminal.styled("│ ", .dim))
      } else {
        paragraph.append(trimmed)
      }
    }
    flushParagraph()
    flushTable()
    flushCode()
    while output.last == "" { output.removeLast() }
    return output.joined(separator: "\n")
  }

  /// Renders a code block indented, with Swift keywords, strings and comments styled.
  public func renderCode(_ code: String, language: String) -> String {
    code.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      "    "
        + (language == "swift" ? SwiftHighlighter.highlight(String(line), terminal) : String(line))
    }.joined(separator: "\n")
  }

  private func headingLevel(_ line: String) -> Int? {
    let hashes = line.prefix(while: { $0 == "#" }).count
    guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
    return hashes
  }

  /// `- text`, `* text`, `1. text` with its nesting depth (two spaces per level).
  private func listItem(_ line: String) -> (String, String, Int)? {
    let spaces = line.prefix(while: { $0 == " " }).count
    let rest = line.dropFirst(spaces)
    if let first = rest.first, "-*+".contains(first), rest.dropFirst().first == " " {
      return (String(first), String(rest.dropFirst(2)), spaces / 2)
    }
    let digits = rest.prefix(while: \.isNumber)
    if !digits.isEmpty, rest.dropFirst(digits.count).hasPrefix(". ") {
      return (digits + ".", String(rest.dropFirst(digits.count + 2)), spaces / 2)
    }
    return nil
  }

  /// Wraps `text` (inline Markdown) to the terminal width.
  private func wrap(_ text: String, indent: String, firstIndent: String) -> [String] {
    let width = max(terminal.width - 2, 20)
    var lines: [String] = []
    var current = firstIndent
    var visible = visibleWidth(firstIndent)
    let indentWidth = visibleWidth(indent)
    for word in inlineWords(text) {
      let wordWidth = visibleWidth(word)
      if visible > indentWidth && visible + 1 + wordWidth > width && current != firstIndent {
        lines.append(current)
        current = indent + word
        visible = indentWidth + wordWidth
      } else {
        let separator = current == firstIndent || current == indent ? "" : " "
        current += separator + word
        visible += separator.count + wordWidth
      }
    }
    lines.append(current)
    return lines
  }

  /// The words of a line after inline styling; each word is styled on its own so that wrapping
  /// never splits an escape sequence.
  private func inlineWords(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    for span in spans(text) {
      let pieces = span.text.split(separator: " ", omittingEmptySubsequences: false)
      for (index, piece) in pieces.enumerated() {
        if index > 0 && !current.isEmpty {
          words.append(current)
          current = ""
        }
        if !piece.isEmpty { current += terminal.styled(String(piece), span.styles) }
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// A line of inline Markdown, styled, without wrapping.
  private func inline(_ text: String, base: [Style] = []) -> String {
    spans(text).map { terminal.styled($0.text, base + $0.styles) }.joined()
  }

  /// Splits inline Markdown into styled runs: `code`, **bold**, *italic*, _italic_, [text](url).
  private func spans(_ text: String) -> [(text: String, styles: [Style])] {
    var spans: [(text: String, styles: [Style])] = []
    var plain = ""
    let whole = Substring(text)
    var rest = whole
    func flush() {
      if !plain.isEmpty { spans.append((plain, [])) }
      plain = ""
    }
    while let first = rest.first {
      if first == "`", let end = rest.dropFirst().firstIndex(of: "`") {
        flush()
        let code = String(rest[rest.index(after: rest.startIndex)..<end])
        spans.append((terminal.usesColor ? code : "`\(code)`", [.cyan]))
        rest = rest[rest.index(after: end)...]
      } else if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**") {
        flush()
        // Emphasis may hold `code` or links: style what its own spans style, plus bold.
        spans += self.spans(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]))
          .map { ($0.text, $0.styles + [.bold]) }
        rest = rest[end.upperBound...]
      } else if let end = emphasisEnd(rest, after: whole[..<rest.startIndex].last) {
        flush()
        spans += self.spans(String(rest[rest.index(after: rest.startIndex)..<end]))
          .map { ($0.text, $0.styles + [.italic]) }
        rest = rest[rest.index(after: end)...]
      } else if first == "[", let close = rest.firstIndex(of: "]"),
        rest[rest.index(after: close)...].first == "(",
        let paren = rest[close...].firstIndex(of: ")")
      {
        flush()
        let label = String(rest[rest.index(after: rest.startIndex)..<close])
        let url = String(rest[rest.index(close, offsetBy: 2)..<paren])
        spans.append((label, [.underline]))
        spans.append((" (\(url))", [.dim]))
        rest = rest[rest.index(after: paren)...]
      } else {
        plain.append(first)
        rest = rest.dropFirst()
      }
    }
    flush()
    return spans
  }

  /// Where the emphasis that `rest` opens with `*` or `_` closes, or nil when it opens none.
  /// An underscore inside a word (`F_in`, `y_D_p`) is a letter, as in CommonMark: it neither
  /// opens (after a letter or digit) nor closes (before one) emphasis.
  private func emphasisEnd(_ rest: Substring, after previous: Character?) -> Substring.Index? {
    guard let marker = rest.first, marker == "*" || marker == "_", rest.count > 2,
      rest.dropFirst().first != " "
    else { return nil }
    if marker == "*" { return rest.dropFirst().firstIndex(of: "*") }
    if let previous, previous.isLetter || previous.isNumber { return nil }
    var searchFrom = rest.index(after: rest.startIndex)
    while let end = rest[searchFrom...].firstIndex(of: "_") {
      let next = rest.index(after: end)
      guard next < rest.endIndex, rest[next].isLetter || rest[next].isNumber else { return end }
      searchFrom = next
    }
    return nil
  }

  /// A pipe table with aligned columns; the `|---|` rule becomes a line.
  private func renderTable(_ rows: [String]) -> [String] {
    let cells = rows.map { row -> [String] in
      var parts = row.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if parts.first == "" { parts.removeFirst() }
      if parts.last == "" { parts.removeLast() }
      return parts
    }
    let isRule = { (row: [String]) in
      !row.isEmpty && row.allSatisfy { !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } }
    }
    let columns = cells.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in cells where !isRule(row) {
      for (index, cell) in row.enumerated() {
        widths[index] = max(widths[index], visibleWidth(inline(cell)))
      }
    }
    return cells.enumerated().map { rowIndex, row in
      if isRule(row) {
        return "  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")
      }
      return "  "
        + (0..<columns).map { index in
          let cell = index < row.count ? row[index] : ""
          let text = inline(cell, base: rowIndex == 0 ? [.bold] : [])
          return text + String(repeating: " ", count: widths[index] - visibleWidth(text))
        }.joined(separator: " │ ")
    }
  }

  /// The number of characters a string occupies, not counting escape sequences.
  func visibleWidth(_ text: String) -> Int {
    var width = 0
    var inEscape = false
    for character in text {
      if character == "\u{1B}" {
        inEscape = true
      } else if inEscape {
        if character == "m" { inEscape = false }
      } else {
        width += 1
      }
    }
    return width
  }
}

/// Colors Swift keywords, string literals, numbers and comments in one line of code.
enum SwiftHighlighter {
  static let keywords: Set<String> = [
    "let", "var", "func", "return", "if", "else", "guard", "for", "in", "while", "repeat",
    "struct", "class", "enum", "protocol", "extension", "import", "switch", "case", "default",
    "break", "continue", "true", "false", "nil", "self", "Self", "init", "throws", "throw", "try",
    "do", "catch", "static", "public", "private", "internal", "mutating", "inout", "where", "as",
    "is", "some", "any", "defer",
  ]

  static func highlight(_ line: String, _ terminal: Terminal) -> String {
    guard terminal.usesColor else { return line }
    var output = ""
    var word = ""
    var characters = Substring(line)
    func flushWord() {
      guard !word.isEmpty else { return }
      if keywords.contains(word) {
        output += terminal.styled(word, .magenta, .bold)
      } else if word.first?.isNumber == true {
        output += terminal.styled(word, .yellow)
      } else if word.first?.isUppercase == true {
        output += terminal.styled(word, .cyan)
      } else {
        output += word
      }
      word = ""
    }
    while let character = characters.first {
      if characters.hasPrefix("//") {
        flushWord()
        output += terminal.styled(String(characters), .dim)
        return output
      }
      if character == "\"" {
        flushWord()
        var literal = "\""
        characters = characters.dropFirst()
        while let next = characters.first {
          literal.append(next)
          characters = characters.dropFirst()
          if next == "\\", let escaped = characters.first {
            literal.append(escaped)
            characters = characters.dropFirst()
          } else if next == "\"" {
            break
          }
        }
        output += terminal.styled(literal, .green)
        continue
      }
      if character.isLetter || character.isNumber || character == "_" {
        word.append(character)
      } else {
        flushWord()
        output.append(character)
      }
      characters = characters.dropFirst()
    }
    flushWord()
    return output
  }
}
