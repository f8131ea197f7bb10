import Foundation

/// One block of a chapter's Markdown prose: the structure that the terminal (`MarkdownRenderer`)
/// and the book (`HTMLMarkdown`) both render, parsed once by `MarkdownBlock.parse`.
///
/// Text stays inline Markdown, which each renderer parses with `MarkdownInline.parse` and styles
/// its own way.
struct MarkdownBlock: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    /// `## Text`: its level (1-6) and text.
    case heading(level: Int, text: String)
    /// Lines joined by spaces.
    case paragraph(String)
    /// Items, nested lists inside them; `ordered` is the first item's kind.
    case list(ordered: Bool, items: [MarkdownListItem])
    /// The `>` lines' text, itself parsed as blocks.
    case quote([MarkdownBlock])
    /// A pipe table's cells: the header row when a `---` row follows it, then the body rows.
    case table(header: [String]?, rows: [[String]])
    /// An indented code block, without its four spaces.
    case code(String)
  }
  var kind: Kind
  /// Whether a blank line comes before it: the terminal keeps the source's blank lines.
  var followsBlankLine = false
}

/// One item of a list: its marker and its blocks (paragraphs and nested lists).
struct MarkdownListItem: Sendable, Equatable {
  /// `-`, `*`, `+`, or the number with its dot, `12.`.
  var marker: String
  var blocks: [MarkdownBlock]
  /// Whether a blank line comes before it.
  var followsBlankLine = false
  /// Whether it is numbered.
  var ordered: Bool { marker.hasSuffix(".") }
}

extension MarkdownBlock {
  /// The blocks of a prose text. Lists nest by indentation and continue across blank lines while
  /// their lines are indented; a line indented four spaces outside a paragraph, list or table is
  /// code; a quote or table ends at a line that does not start with `>` or `|`.
  static func parse(_ markdown: String) -> [MarkdownBlock] {
    var parser = Parser()
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      parser.read(String(line))
    }
    parser.flushAll()
    return parser.blocks
  }

  /// The level and text of a `#`…`######` heading line (already trimmed), or nil.
  static func heading(_ line: String) -> (level: Int, text: String)? {
    let hashes = line.prefix { $0 == "#" }.count
    guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
    return (hashes, String(line.dropFirst(hashes).drop { $0 == " " }))
  }

  /// The marker of a list item's line (already trimmed), `-`, `*`, `+` or `12.`, and its text.
  private static func listItem(_ line: String) -> (marker: String, text: String)? {
    if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
      return (String(first), String(line.dropFirst(2)))
    }
    let digits = line.prefix { $0.isASCII && $0.isNumber }
    if digits.count > 0 && digits.count < 4, line.dropFirst(digits.count).hasPrefix(". ") {
      return (digits + ".", String(line.dropFirst(digits.count + 2)))
    }
    return nil
  }

  /// A pipe table's rows: the header when the second row is the `---` rule, and the other rows
  /// but rules.
  private static func table(_ rows: [String]) -> Kind {
    func cells(_ row: String) -> [String] {
      var text = Substring(row)
      if text.hasPrefix("|") { text = text.dropFirst() }
      if text.hasSuffix("|") { text = text.dropLast() }
      // A `|` inside inline code (`a | b`) is escaped as `\|` in Markdown tables.
      return text.replacingOccurrences(of: "\\|", with: "\u{1}").split(
        separator: "|", omittingEmptySubsequences: false
      ).map {
        $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{1}", with: "|")
      }
    }
    let isRule = { (row: String) in row.allSatisfy { "|-: ".contains($0) } && row.contains("-") }
    if rows.count >= 2 && isRule(rows[1]) {
      return .table(
        header: cells(rows[0]), rows: rows.dropFirst(2).filter { !isRule($0) }.map(cells))
    }
    return .table(header: nil, rows: rows.filter { !isRule($0) }.map(cells))
  }

  /// The line-by-line reader behind `parse`: the blocks so far and the ones still open.
  private struct Parser {
    var blocks: [MarkdownBlock] = []
    var paragraph: [String] = []
    var table: [String] = []
    var quote: [String] = []
    var code: [String] = []
    /// The open lists, outermost first: their items' indentation and items so far; the last item
    /// of the last list is the one a paragraph goes into.
    var lists: [(indent: Int, items: [MarkdownListItem])] = []
    /// Whether a blank line came since the last block started.
    var blankLine = false
    /// Whether a blank line came before the open paragraph, table, quote or code.
    var openFollowsBlankLine = false

    /// Starts a block: whether a blank line came before it.
    mutating func start() -> Bool {
      defer { blankLine = false }
      return blankLine
    }

    /// Adds a finished block to the innermost open list item, or to the text's blocks.
    mutating func add(_ block: MarkdownBlock) {
      if let list = lists.indices.last, let item = lists[list].items.indices.last {
        lists[list].items[item].blocks.append(block)
      } else {
        blocks.append(block)
      }
    }

    mutating func read(_ line: String) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      let indent = line.prefix { $0 == " " }.count
      if line.hasPrefix("    ") && paragraph.isEmpty && lists.isEmpty && table.isEmpty {
        if code.isEmpty { openFollowsBlankLine = start() }
        code.append(String(line.dropFirst(4)))
        return
      }
      if !code.isEmpty && trimmed.isEmpty {
        code.append("")
        return
      }
      flushCode()
      if trimmed.isEmpty {
        flushParagraph()
        flushTable()
        flushQuote()
        blankLine = true
        return
      }
      if trimmed.hasPrefix(">") {
        flushParagraph()
        closeLists()
        if quote.isEmpty { openFollowsBlankLine = start() }
        quote.append(String(trimmed.dropFirst().drop { $0 == " " }))
        return
      }
      flushQuote()
      if trimmed.hasPrefix("|") {
        flushParagraph()
        closeLists()
        if table.isEmpty { openFollowsBlankLine = start() }
        table.append(trimmed)
        return
      }
      flushTable()
      if let (level, text) = MarkdownBlock.heading(trimmed) {
        flushAll()
        blocks.append(
          MarkdownBlock(kind: .heading(level: level, text: text), followsBlankLine: start()))
        return
      }
      if let (marker, text) = MarkdownBlock.listItem(trimmed) {
        flushParagraph()
        if let last = lists.last, indent > last.indent {
          lists.append((indent, []))
        } else {
          closeLists(above: indent)
          if lists.isEmpty { lists.append((indent, [])) }
        }
        lists[lists.count - 1].items.append(
          MarkdownListItem(marker: marker, blocks: [], followsBlankLine: start()))
        paragraph.append(text)
        openFollowsBlankLine = false
        return
      }
      if !lists.isEmpty && indent == 0 && paragraph.isEmpty {
        closeLists()
      }
      if paragraph.isEmpty { openFollowsBlankLine = start() }
      paragraph.append(trimmed)
    }

    mutating func flushParagraph() {
      guard !paragraph.isEmpty else { return }
      add(
        MarkdownBlock(
          kind: .paragraph(paragraph.joined(separator: " ")),
          followsBlankLine: openFollowsBlankLine))
      paragraph = []
    }

    /// Closes the lists whose items are indented more than `indent` (all of them by default),
    /// each into the item it is nested in.
    mutating func closeLists(above indent: Int = -1) {
      while let last = lists.last, last.indent > indent {
        flushParagraph()
        lists.removeLast()
        let ordered = last.items.first?.ordered ?? false
        add(
          MarkdownBlock(
            kind: .list(ordered: ordered, items: last.items),
            followsBlankLine: last.items.first?.followsBlankLine ?? false))
      }
    }

    mutating func flushTable() {
      guard !table.isEmpty else { return }
      add(MarkdownBlock(kind: MarkdownBlock.table(table), followsBlankLine: openFollowsBlankLine))
      table = []
    }

    mutating func flushQuote() {
      guard !quote.isEmpty else { return }
      let inner = MarkdownBlock.parse(quote.joined(separator: "\n"))
      add(MarkdownBlock(kind: .quote(inner), followsBlankLine: openFollowsBlankLine))
      quote = []
    }

    mutating func flushCode() {
      // Blank lines after the code belong to the gap before the next block.
      var trailingBlank = false
      while code.last == "" {
        code.removeLast()
        trailingBlank = true
      }
      guard !code.isEmpty else { return }
      add(
        MarkdownBlock(
          kind: .code(code.joined(separator: "\n")), followsBlankLine: openFollowsBlankLine))
      code = []
      if trailingBlank { blankLine = true }
    }

    mutating func flushAll() {
      flushParagraph()
      closeLists()
      flushTable()
      flushQuote()
      flushCode()
    }
  }
}
