/// Colours Swift code for the book: keywords, types (capitalised names), numbers, strings
/// (their `\(…)` interpolations coloured as code) and comments, each as a `<span class>` that
/// the stylesheet colours; the terminal's `SwiftHighlighter` works line by line on styles.
enum HTMLSwiftHighlighter {
  /// The terminal's keywords (one list for both), with the few more a chapter's code uses.
  static let keywords = SwiftHighlighter.keywords.union([
    "typealias", "fileprivate", "override", "final", "subscript", "rethrows", "await",
    "async", "lazy", "weak",
  ])

  /// `code` as HTML, every character escaped, tokens wrapped in spans.
  static func html(_ code: String) -> String {
    let characters = Array(code)
    var html = ""
    var index = 0
    func span(_ kind: String, _ text: String) {
      html += "<span class=\"\(kind)\">\(escape(text))</span>"
    }
    while index < characters.count {
      let character = characters[index]
      let next = index + 1 < characters.count ? characters[index + 1] : nil
      if character == "/" && next == "/" {
        var end = index
        while end < characters.count && characters[end] != "\n" { end += 1 }
        span("comment", String(characters[index..<end]))
        index = end
      } else if character == "/" && next == "*" {
        var end = index + 2
        while end + 1 < characters.count && !(characters[end] == "*" && characters[end + 1] == "/")
        {
          end += 1
        }
        end = min(characters.count, end + 2)
        span("comment", String(characters[index..<end]))
        index = end
      } else if character == "\"" {
        index = string(characters, from: index, into: &html)
      } else if character.isNumber {
        var end = index
        while end < characters.count
          && (characters[end].isHexDigit || "._xXeE".contains(characters[end]))
        {
          // `0..<5`: a range's dots end the number.
          if characters[end] == "." && end + 1 < characters.count && characters[end + 1] == "." {
            break
          }
          end += 1
        }
        span("number", String(characters[index..<end]))
        index = end
      } else if character.isLetter || character == "_" || character == "@" || character == "#" {
        var end = index + 1
        while end < characters.count
          && (characters[end].isLetter || characters[end].isNumber || characters[end] == "_")
        {
          end += 1
        }
        let word = String(characters[index..<end])
        if keywords.contains(word) || word.hasPrefix("#") || word.hasPrefix("@") {
          span("keyword", word)
        } else if word.first?.isUppercase == true {
          span("type", word)
        } else {
          html += escape(word)
        }
        index = end
      } else {
        html += escape(String(character))
        index += 1
      }
    }
    return html
  }

  /// A string literal from `start` (its opening quote; `"""` too), interpolations plain; returns
  /// where it ends.
  private static func string(_ characters: [Character], from start: Int, into html: inout String)
    -> Int
  {
    let triple =
      start + 2 < characters.count && characters[start + 1] == "\"" && characters[start + 2] == "\""
    var index = start + (triple ? 3 : 1)
    var piece = String(repeating: "\"", count: triple ? 3 : 1)
    func flush() {
      if !piece.isEmpty { html += "<span class=\"string\">\(escape(piece))</span>" }
      piece = ""
    }
    while index < characters.count {
      let character = characters[index]
      if character == "\\" && index + 1 < characters.count && characters[index + 1] == "(" {
        flush()
        // The interpolation, up to its matching parenthesis.
        var depth = 0
        var end = index + 1
        while end < characters.count {
          if characters[end] == "(" { depth += 1 }
          if characters[end] == ")" {
            depth -= 1
            if depth == 0 { break }
          }
          end += 1
        }
        end = min(characters.count - 1, end)
        html += escape("\\(")
        html += Self.html(String(characters[(index + 2)..<max(index + 2, end)]))
        html += escape(")")
        index = end + 1
        continue
      }
      if character == "\\" && index + 1 < characters.count {
        piece.append(character)
        piece.append(characters[index + 1])
        index += 2
        continue
      }
      piece.append(character)
      index += 1
      if triple {
        if piece.hasSuffix("\"\"\"") && piece.count > 3 { break }
      } else if character == "\"" || character == "\n" {
        break
      }
    }
    flush()
    return index
  }
}
