/// Colours Swift code for the book: each token of `SwiftTokens` that has a colour (keywords,
/// attributes, type names, numbers, strings, comments) in a `<span class>` the stylesheet colours;
/// a string's `\(…)` interpolations are coloured as code.
enum HTMLSwiftHighlighter {
  /// `code` as HTML, every character escaped, tokens wrapped in spans.
  static func html(_ code: String) -> String {
    SwiftTokens.scan(code).map { token in
      guard let kind = cssClass(token.kind) else { return escape(token.text) }
      return "<span class=\"\(kind)\">\(escape(token.text))</span>"
    }.joined()
  }

  /// The stylesheet's class for tokens of `kind`, nil for plain text.
  private static func cssClass(_ kind: SwiftToken.Kind) -> String? {
    switch kind {
    case .keyword, .attribute: "keyword"
    case .typeName: "type"
    case .number: "number"
    case .string: "string"
    case .comment: "comment"
    case .identifier, .other: nil
    }
  }
}
