/// Renders a chapter's Markdown prose as HTML for the book: headings (with ids), paragraphs,
/// lists (nested by indentation), tables, quotes, indented code, and the inline forms the
/// chapters use (`MarkdownInline`: code, emphasis, strong, links). The paper's formulas are already
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

  /// Inline Markdown (`MarkdownInline`'s pieces) as HTML.
  func inline(_ text: String) -> String {
    html(MarkdownInline.parse(text))
  }

  private func html(_ pieces: [MarkdownInline]) -> String {
    pieces.map { piece in
      switch piece {
      case .text(let text): escape(text)
      case .code(let code): "<code>\(escape(code))</code>"
      case .emphasis(let inner): "<em>\(html(inner))</em>"
      case .strong(let inner): "<strong>\(html(inner))</strong>"
      case .link(let label, let target): link(html(label), to: target)
      }
    }.joined()
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
