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
    render(MarkdownBlock.parse(markdown))
  }

  /// Renders parsed blocks, one element a line.
  private func render(_ blocks: [MarkdownBlock]) -> String {
    var html: [String] = []
    for block in blocks {
      switch block.kind {
      case .heading(let level, let text):
        // The chapter's own title is the page's h1; its headings start one level below.
        let shown = min(6, level + 1)
        html.append("<h\(shown) id=\"\(Self.slug(text))\">\(inline(text))</h\(shown)>")
      case .paragraph(let text):
        html.append("<p>\(inline(text))</p>")
      case .list(let ordered, let items):
        html.append(renderList(ordered: ordered, items: items))
      case .quote(let inner):
        html.append("<blockquote>\(render(inner))</blockquote>")
      case .table(let header, let rows):
        html.append(renderTable(header: header, rows: rows))
      case .code(let code):
        html.append("<pre class=\"code\"><code>\(escape(code))</code></pre>")
      }
    }
    return html.filter { !$0.isEmpty }.joined(separator: "\n")
  }

  /// A list; an item's paragraphs are its bare text, one a line, with its nested lists.
  private func renderList(ordered: Bool, items: [MarkdownListItem]) -> String {
    var html = [ordered ? "<ol>" : "<ul>"]
    for item in items {
      html.append("<li>")
      for block in item.blocks {
        switch block.kind {
        case .paragraph(let text): html.append(inline(text))
        case .list(let ordered, let items): html.append(renderList(ordered: ordered, items: items))
        default: html.append(render([block]))
        }
      }
      html.append("</li>")
    }
    html.append(ordered ? "</ol>" : "</ul>")
    return html.filter { !$0.isEmpty }.joined(separator: "\n")
  }

  /// A pipe table: the header row, when it has one, then the body rows.
  private func renderTable(header: [String]?, rows: [[String]]) -> String {
    var html = "<div class=\"table\"><table>"
    if let header {
      html += "<thead><tr>" + header.map { "<th>\(inline($0))</th>" }.joined()
      html += "</tr></thead>"
    }
    html += "<tbody>"
    for row in rows {
      html += "<tr>" + row.map { "<td>\(inline($0))</td>" }.joined() + "</tr>"
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
