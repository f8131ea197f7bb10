import Foundation
import TerminalKit

/// Renders a chapter's Markdown for the terminal: headings, inline Markdown (`MarkdownInline`),
/// lists, tables and code blocks (Swift keywords highlighted), wrapped to the terminal's width.
///
/// Styles come from `Terminal.styled`, so a pipe or `NO_COLOR` gets plain text; plain text keeps
/// the backticks of inline code so code still stands out.
public struct MarkdownRenderer {
  public let terminal: Terminal

  public init(terminal: Terminal) { self.terminal = terminal }

  /// Renders a prose block (headings, paragraphs, lists, tables, quotes).
  public func render(_ markdown: String) -> String {
    var output: [String] = []
    render(MarkdownBlock.parse(markdown), prefix: "", into: &output)
    while output.last == "" { output.removeLast() }
    return output.joined(separator: "\n")
  }

  /// Appends the lines of `blocks`, each line starting with `prefix` (a quote's bar); a blank
  /// line of the source stays one blank line.
  private func render(_ blocks: [MarkdownBlock], prefix: String, into output: inout [String]) {
    for block in blocks {
      if block.followsBlankLine { blankLine(prefix, &output) }
      switch block.kind {
      case .heading(let level, let text):
        output.append(prefix + inline(text, base: level == 1 ? [.bold, .underline] : [.bold]))
      case .paragraph(let text):
        output += wrap(text, indent: prefix, firstIndent: prefix)
      case .list(_, let items):
        renderList(items, depth: 0, prefix: prefix, into: &output)
      case .quote(let inner):
        render(inner, prefix: prefix + terminal.styled("│ ", .dim), into: &output)
      case .table(let header, let rows):
        output += renderTable(header: header, rows: rows).map { prefix + $0 }
      case .code(let code):
        output += SwiftHighlighter.highlight(code, terminal).map { prefix + "    " + $0 }
      }
    }
  }

  /// A list's items, bulleted (`•`) or numbered as written, nested two spaces a level; an item's
  /// later paragraphs line up with its first.
  private func renderList(
    _ items: [MarkdownListItem], depth: Int, prefix: String, into output: inout [String]
  ) {
    for item in items {
      if item.followsBlankLine { blankLine(prefix, &output) }
      let bullet = item.ordered ? item.marker : "•"
      let indent = prefix + String(repeating: "  ", count: depth)
      let hanging = indent + String(repeating: " ", count: bullet.count + 1)
      var first = true
      for block in item.blocks {
        if block.followsBlankLine { blankLine(prefix, &output) }
        switch block.kind {
        case .paragraph(let text):
          output += wrap(
            text, indent: hanging, firstIndent: first ? indent + bullet + " " : hanging)
        case .list(_, let items):
          renderList(items, depth: depth + 1, prefix: prefix, into: &output)
        default:
          render([block], prefix: hanging, into: &output)
        }
        first = false
      }
    }
  }

  /// One blank line (within a quote, its bar), never two in a row.
  private func blankLine(_ prefix: String, _ output: inout [String]) {
    if output.last != prefix { output.append(prefix) }
  }

  /// Renders a code block indented, with Swift keywords, strings and comments styled.
  public func renderCode(_ code: String, language: String) -> String {
    let lines =
      language == "swift"
      ? SwiftHighlighter.highlight(code, terminal)
      : code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    return lines.map { "    " + $0 }.joined(separator: "\n")
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

  /// Inline Markdown (`MarkdownInline`'s pieces) as styled runs: code cyan (in backticks
  /// without colour), strong bold, emphasis italic, a link's label underlined with its target
  /// after it, dim.
  private func spans(_ text: String) -> [(text: String, styles: [Style])] {
    spans(MarkdownInline.parse(text))
  }

  private func spans(_ pieces: [MarkdownInline]) -> [(text: String, styles: [Style])] {
    pieces.flatMap { piece -> [(text: String, styles: [Style])] in
      switch piece {
      case .text(let text): [(text, [])]
      case .code(let code): [(terminal.usesColor ? code : Self.backticked(code), [.cyan])]
      // Emphasis may hold code or links: style what its own spans style, plus its own.
      case .emphasis(let inner): spans(inner).map { ($0.text, $0.styles + [.italic]) }
      case .strong(let inner): spans(inner).map { ($0.text, $0.styles + [.bold]) }
      case .link(let label, let target):
        spans(label).map { ($0.text, $0.styles + [.underline]) } + [(" (\(target))", [.dim])]
      }
    }
  }

  /// Code as Markdown writes it: in backticks, more of them (and a space inside) when the code
  /// holds backticks itself.
  static func backticked(_ code: String) -> String {
    var longest = 0
    var run = 0
    for character in code {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    return longest == 0 ? fence + code + fence : fence + " " + code + " " + fence
  }

  /// A pipe table with aligned columns, its header bold and underlined by a rule.
  private func renderTable(header: [String]?, rows: [[String]]) -> [String] {
    // Each cell styled once; the widths are measured on the styled text.
    let styledHeader = header.map { $0.map { inline($0, base: [.bold]) } }
    let styledRows = rows.map { $0.map { inline($0) } }
    let cells = (styledHeader.map { [$0] } ?? []) + styledRows
    let columns = cells.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in cells {
      for (index, cell) in row.enumerated() {
        widths[index] = max(widths[index], visibleWidth(cell))
      }
    }
    func line(_ row: [String]) -> String {
      "  "
        + (0..<columns).map { index in
          let text = index < row.count ? row[index] : ""
          return text + String(repeating: " ", count: widths[index] - visibleWidth(text))
        }.joined(separator: " │ ")
    }
    var lines: [String] = []
    if let styledHeader {
      lines.append(line(styledHeader))
      lines.append("  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"))
    }
    return lines + styledRows.map(line)
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

/// Colours Swift code for the terminal by the tokens of `SwiftTokens`; the book's
/// `HTMLSwiftHighlighter` colours the same tokens.
enum SwiftHighlighter {
  /// The lines of `code`, coloured when the terminal has colour; each line's escape codes end on
  /// it, so that a multi-line string or comment can be shown line by line.
  static func highlight(_ code: String, _ terminal: Terminal) -> [String] {
    guard terminal.usesColor else { return lines(code) }
    var output = [""]
    for token in SwiftTokens.scan(code) {
      for (index, piece) in lines(token.text).enumerated() {
        if index > 0 { output.append("") }
        if !piece.isEmpty { output[output.count - 1] += terminal.styled(piece, styles(token.kind)) }
      }
    }
    return output
  }

  private static func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  /// The terminal styles of tokens of `kind`.
  private static func styles(_ kind: SwiftToken.Kind) -> [Style] {
    switch kind {
    case .keyword, .attribute: [.magenta, .bold]
    case .typeName: [.cyan]
    case .number: [.yellow]
    case .string: [.green]
    case .comment: [.dim]
    case .identifier, .other: []
    }
  }
}
