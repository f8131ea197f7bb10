/// Renders a chapter's Markdown prose as HTML for the book: headings (with ids), paragraphs,
/// lists (nested by indentation), tables, quotes, indented code, and the inline forms the
/// chapters use (`code`, **strong**, *emphasis*, [links](…)). The paper's formulas are already
/// written in Unicode in the chapters (`Σ`, `·`, `×`), so they read as they are.
///
/// Links to another chapter (`03-c3-partial-connections.md`, with or without a folder) become
/// links to its page; other relative links (to `Docs/`, outside the site) become their text.
struct HTMLMarkdown {
  /// The page name of each chapter file name, `03-c3-partial-connections.md` → `….html`.
  var chapterPages: [String: String] = [:]

  /// Renders a prose block.
  func render(_ markdown: String) -> String {
    var html: [String] = []
    var paragraph: [String] = []
    var table: [String] = []
    var quote: [String] = []
    var code: [String] = []
    // Open list levels: the indentation of their items and whether they are numbered.
    var lists: [(indent: Int, ordered: Bool)] = []
    var itemOpen = false

    func flushParagraph() {
      guard !paragraph.isEmpty else { return }
      let text = inline(paragraph.joined(separator: " "))
      if itemOpen { html.append(text) } else { html.append("<p>\(text)</p>") }
      paragraph = []
    }
    func closeLists(above indent: Int = -1) {
      while let last = lists.last, last.indent > indent {
        flushParagraph()
        html.append(itemOpen ? "</li>" : "")
        html.append(last.ordered ? "</ol>" : "</ul>")
        lists.removeLast()
        itemOpen = !lists.isEmpty
      }
    }
    func flushTable() {
      guard !table.isEmpty else { return }
      html.append(renderTable(table))
      table = []
    }
    func flushQuote() {
      guard !quote.isEmpty else { return }
      html.append("<blockquote>\(render(quote.joined(separator: "\n")))</blockquote>")
      quote = []
    }
    func flushCode() {
      while code.last == "" { code.removeLast() }
      guard !code.isEmpty else { return }
      html.append("<pre class=\"code\"><code>\(escape(code.joined(separator: "\n")))</code></pre>")
      code = []
    }
    func flushAll() {
      flushParagraph()
      closeLists()
      flushTable()
      flushQuote()
      flushCode()
    }

    for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(rawLine)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      let indent = line.prefix { $0 == " " }.count
      if line.hasPrefix("    ") && paragraph.isEmpty && lists.isEmpty && table.isEmpty {
        code.append(String(line.dropFirst(4)))
        continue
      }
      if !code.isEmpty && trimmed.isEmpty {
        code.append("")
        continue
      }
      flushCode()
      if trimmed.isEmpty {
        flushParagraph()
        flushTable()
        flushQuote()
        continue
      }
      if trimmed.hasPrefix(">") {
        flushParagraph()
        closeLists()
        quote.append(String(trimmed.dropFirst().drop { $0 == " " }))
        continue
      }
      flushQuote()
      if trimmed.hasPrefix("|") {
        flushParagraph()
        closeLists()
        table.append(trimmed)
        continue
      }
      flushTable()
      if let level = headingLevel(trimmed) {
        flushAll()
        let text = String(trimmed.dropFirst(level).drop { $0 == " " })
        // The chapter's own title is the page's h1; its headings start one level below.
        let shown = min(6, level + 1)
        html.append("<h\(shown) id=\"\(Self.slug(text))\">\(inline(text))</h\(shown)>")
        continue
      }
      if let (marker, ordered) = listMarker(trimmed) {
        flushParagraph()
        if let last = lists.last, indent > last.indent {
          lists.append((indent, ordered))
          html.append(ordered ? "<ol>" : "<ul>")
        } else {
          closeLists(above: indent)
          if lists.isEmpty {
            lists.append((indent, ordered))
            html.append(ordered ? "<ol>" : "<ul>")
          } else {
            html.append("</li>")
          }
        }
        html.append("<li>")
        itemOpen = true
        paragraph.append(String(trimmed.dropFirst(marker)))
        continue
      }
      if !lists.isEmpty && indent == 0 && paragraph.isEmpty {
        closeLists()
      }
      paragraph.append(trimmed)
    }
    flushAll()
    return html.filter { !$0.isEmpty }.joined(separator: "\n")
  }

  /// The level of a `#`…`######` heading line, or nil.
  private func headingLevel(_ line: String) -> Int? {
    let hashes = line.prefix { $0 == "#" }.count
    guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
    return hashes
  }

  /// The length of a list item's marker with its space (`- `, `* `, `12. `) and whether it is
  /// numbered.
  private func listMarker(_ line: String) -> (Int, Bool)? {
    if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return (2, false) }
    let digits = line.prefix { $0.isASCII && $0.isNumber }.count
    if digits > 0 && digits < 4, line.dropFirst(digits).hasPrefix(". ") {
      return (digits + 2, true)
    }
    return nil
  }

  /// A pipe table: the header row, the `---` row, then body rows.
  private func renderTable(_ rows: [String]) -> String {
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
    let isRule = { (row: String) in
      row.allSatisfy { "|-: ".contains($0) } && row.contains("-")
    }
    var html = "<div class=\"table\"><table>"
    var body = rows
    if rows.count >= 2 && isRule(rows[1]) {
      html += "<thead><tr>" + cells(rows[0]).map { "<th>\(inline($0))</th>" }.joined()
      html += "</tr></thead>"
      body = Array(rows.dropFirst(2))
    }
    html += "<tbody>"
    for row in body where !isRule(row) {
      html += "<tr>" + cells(row).map { "<td>\(inline($0))</td>" }.joined() + "</tr>"
    }
    return html + "</tbody></table></div>"
  }

  /// Inline Markdown: code spans first (their text is literal, held out as placeholders so
  /// that emphasis may span them), then links, strong and emphasis.
  func inline(_ text: String) -> String {
    var spans: [String] = []
    var held = ""
    var rest = Substring(text.replacingOccurrences(of: "\u{2}", with: ""))
    while let tick = rest.firstIndex(of: "`") {
      let ticks = rest[tick...].prefix { $0 == "`" }.count
      let fence = String(repeating: "`", count: ticks)
      let after = rest.index(tick, offsetBy: ticks)
      guard let close = rest[after...].range(of: fence) else { break }
      held += rest[..<tick]
      var code = String(rest[after..<close.lowerBound])
      if ticks > 1 { code = code.trimmingCharacters(in: .whitespaces) }
      held += "\u{2}\(spans.count)\u{2}"
      spans.append("<code>\(escape(code))</code>")
      rest = rest[close.upperBound...]
    }
    let html = formatted(Substring(held + rest))
    var result = ""
    for (index, piece) in html.split(separator: "\u{2}", omittingEmptySubsequences: false)
      .enumerated()
    {
      result += index % 2 == 1 ? Int(piece).map { spans[$0] } ?? "" : String(piece)
    }
    return result
  }

  /// Links, strong and emphasis in text without code spans.
  private func formatted(_ text: Substring) -> String {
    var html = ""
    var rest = text
    while let open = rest.firstIndex(of: "[") {
      guard let close = rest[open...].firstIndex(of: "]"),
        rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
        let end = rest[close...].firstIndex(of: ")")
      else { break }
      html += emphasis(escape(String(rest[..<open])))
      let label = emphasis(escape(String(rest[rest.index(after: open)..<close])))
      let target = String(rest[rest.index(close, offsetBy: 2)..<end])
      html += link(label, to: target)
      rest = rest[rest.index(after: end)...]
    }
    return html + emphasis(escape(String(rest)))
  }

  /// A link: a chapter's file becomes its page, a web address stays, anything else (a file of
  /// the checkout, outside the site) becomes its label with the path as its title.
  private func link(_ label: String, to target: String) -> String {
    let (path, anchor) = target.split(separator: "#", maxSplits: 1).map(String.init).pairs
    let name = path.split(separator: "/").last.map(String.init) ?? path
    if let page = chapterPages[name] {
      return "<a href=\"\(escape(page + (anchor.map { "#" + $0 } ?? "")))\">\(label)</a>"
    }
    if path.isEmpty, let anchor {
      return "<a href=\"#\(escape(anchor))\">\(label)</a>"
    }
    if target.hasPrefix("https://") || target.hasPrefix("http://") {
      return "<a href=\"\(escape(target))\">\(label)</a>"
    }
    return
      "<span class=\"file-link\" title=\"\(escape(target)) in the course's checkout\">\(label)</span>"
  }

  /// `**strong**` and `*emphasis*`, on escaped text.
  private func emphasis(_ text: String) -> String {
    var result = replacePairs(text, marker: "**", tag: "strong")
    result = replacePairs(result, marker: "*", tag: "em")
    return result
  }

  private func replacePairs(_ text: String, marker: String, tag: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let open = rest.range(of: marker),
      let close = rest[open.upperBound...].range(of: marker),
      close.lowerBound > open.upperBound,
      rest[open.upperBound] != " "
    {
      result += rest[..<open.lowerBound]
      result += "<\(tag)>" + rest[open.upperBound..<close.lowerBound] + "</\(tag)>"
      rest = rest[close.upperBound...]
    }
    return result + rest
  }

  /// An id for a heading: lowercase letters and digits, words joined by `-`.
  static func slug(_ text: String) -> String {
    var slug = ""
    for character in text.lowercased() {
      if character.isLetter || character.isNumber {
        slug.append(character)
      } else if !slug.isEmpty && slug.last != "-" {
        slug.append("-")
      }
    }
    while slug.hasSuffix("-") { slug.removeLast() }
    return slug.isEmpty ? "section" : slug
  }
}

/// Escapes text for HTML content and attribute values.
func escape(_ text: String) -> String {
  var result = ""
  result.reserveCapacity(text.utf8.count)
  for character in text {
    switch character {
    case "&": result += "&amp;"
    case "<": result += "&lt;"
    case ">": result += "&gt;"
    case "\"": result += "&quot;"
    default: result.append(character)
    }
  }
  return result
}

extension Array where Element == String {
  /// The first element and, when there is one, the second.
  fileprivate var pairs: (String, String?) {
    (first ?? "", count > 1 ? self[1] : nil)
  }
}
