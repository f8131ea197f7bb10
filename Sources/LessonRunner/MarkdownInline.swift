/// One piece of a line of inline Markdown: the tree that the terminal (`MarkdownRenderer`) and
/// the book (`HTMLMarkdown`) both render, parsed once by `MarkdownInline.parse`.
///
/// The rules are CommonMark's for the forms the chapters use: code spans (`` `code` ``, and
/// ``` `` code with a ` backtick `` ```), `*emphasis*`, `_emphasis_`, `**strong**`, `__strong__`
/// and `[links](target)`. Escapes, HTML, autolinks and link titles stay text, and an image
/// (`![alt](file)`) reads as `!` and a link.
indirect enum MarkdownInline: Sendable, Equatable {
  case text(String)
  /// A code span's text, literal.
  case code(String)
  case emphasis([MarkdownInline])
  case strong([MarkdownInline])
  case link(label: [MarkdownInline], target: String)
}

extension MarkdownInline {
  /// The pieces of a line of inline Markdown.
  ///
  /// Code spans bind first (their text is literal), then links (a link holds no link), then
  /// emphasis by CommonMark's delimiter runs: `*` and `_` open when they lean on the word after
  /// them and close when they lean on the word before, and `_` inside a word (`F_in`, `h_kk`)
  /// is a letter.
  static func parse(_ text: String) -> [MarkdownInline] {
    var parser = InlineParser(Array(text))
    return parser.parse()
  }
}

/// A run of `*` or `_` that may open or close emphasis.
private struct Delimiter {
  var character: Character
  /// How many of the run's characters are still unmatched.
  var count: Int
  /// The run's length as written (CommonMark's "rule of 3" reads it).
  var length: Int
  var canOpen: Bool
  var canClose: Bool
}

/// A piece of a line while it is being parsed: a finished piece, a delimiter run, or a `[` that
/// may start a link.
private enum InlineItem {
  case piece(MarkdownInline)
  case delimiter(Delimiter)
  /// A `[`; inactive once a link closed after it (links do not nest).
  case bracket(active: Bool)
}

/// CommonMark's inline parsing, for code spans, links and emphasis.
private struct InlineParser {
  let characters: [Character]
  var position = 0
  var items: [InlineItem] = []

  init(_ characters: [Character]) { self.characters = characters }

  mutating func parse() -> [MarkdownInline] {
    var text = ""
    func flushText() {
      if !text.isEmpty { items.append(.piece(.text(text))) }
      text = ""
    }
    while position < characters.count {
      let character = characters[position]
      switch character {
      case "`":
        let run = runLength(at: position)
        if let (code, end) = codeSpan(at: position, ticks: run) {
          flushText()
          items.append(.piece(.code(code)))
          position = end
        } else {
          text += String(repeating: "`", count: run)
          position += run
        }
      case "*", "_":
        flushText()
        items.append(.delimiter(delimiter(at: position)))
        position += runLength(at: position)
      case "[":
        flushText()
        items.append(.bracket(active: true))
        position += 1
      case "]":
        flushText()
        if !closeLink() { text += "]" }
      default:
        text.append(character)
        position += 1
      }
    }
    flushText()
    return Self.resolveEmphasis(items)
  }

  /// The length of the run of `characters[start]` that starts there.
  func runLength(at start: Int) -> Int {
    var end = start
    while end < characters.count && characters[end] == characters[start] { end += 1 }
    return end - start
  }

  /// The code span opened by `ticks` backticks at `start`, and where it ends: it closes at the
  /// next run of exactly as many backticks. Its text drops one space at each end when it has
  /// one at both, so that code that starts or ends with a backtick can be written spaced.
  func codeSpan(at start: Int, ticks: Int) -> (String, Int)? {
    var search = start + ticks
    while search < characters.count {
      guard characters[search] == "`" else {
        search += 1
        continue
      }
      let run = runLength(at: search)
      if run == ticks {
        var code = characters[(start + ticks)..<search]
        if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " })
        {
          code = code.dropFirst().dropLast()
        }
        return (String(code), search + run)
      }
      search += run
    }
    return nil
  }

  /// The delimiter run at `start`, with whether it can open or close by CommonMark's flanking
  /// rules (the text's ends count as spaces).
  func delimiter(at start: Int) -> Delimiter {
    let character = characters[start]
    let length = runLength(at: start)
    let before: Character = start > 0 ? characters[start - 1] : " "
    let after: Character = start + length < characters.count ? characters[start + length] : " "
    // Flanking: the run leans on the word after it (left) or before it (right).
    let leftFlanking = !after.isWhitespace && (!Self.isPunctuation(after) || Self.isGap(before))
    let rightFlanking = !before.isWhitespace && (!Self.isPunctuation(before) || Self.isGap(after))
    if character == "*" {
      return Delimiter(
        character: character, count: length, length: length, canOpen: leftFlanking,
        canClose: rightFlanking)
    }
    return Delimiter(
      character: character, count: length, length: length,
      canOpen: leftFlanking && (!rightFlanking || Self.isPunctuation(before)),
      canClose: rightFlanking && (!leftFlanking || Self.isPunctuation(after)))
  }

  /// Unicode punctuation and symbols (`×`, `·`, `−` too), as CommonMark counts punctuation.
  static func isPunctuation(_ character: Character) -> Bool {
    character.isPunctuation || character.isSymbol
  }

  /// A space or punctuation: what a word does not continue through.
  static func isGap(_ character: Character) -> Bool {
    character.isWhitespace || isPunctuation(character)
  }

  /// At a `]`: when the nearest active `[` and a `(target)` after it make a link, replaces them
  /// with the link and moves past it. Returns false when the `]` is text.
  mutating func closeLink() -> Bool {
    guard let opener = items.lastIndex(where: { if case .bracket = $0 { true } else { false } })
    else {
      position += 1
      return false
    }
    guard case .bracket(let active) = items[opener], active,
      let (target, end) = linkTarget(after: position)
    else {
      // An inactive `[`, or a `]` with no target: both are text.
      items[opener] = .piece(.text("["))
      position += 1
      return false
    }
    let label = Self.resolveEmphasis(Array(items[(opener + 1)...]))
    items.removeSubrange(opener...)
    items.append(.piece(.link(label: label, target: target)))
    // A link holds no link: the `[`s before it can no longer open one.
    for index in items.indices {
      if case .bracket = items[index] { items[index] = .bracket(active: false) }
    }
    position = end
    return true
  }

  /// The `(target)` right after the `]` at `close`, and where it ends: spaces may stand around
  /// the target, none in it, and its own parentheses are balanced.
  func linkTarget(after close: Int) -> (String, Int)? {
    var index = close + 1
    guard index < characters.count, characters[index] == "(" else { return nil }
    index += 1
    func skipSpaces() {
      while index < characters.count && characters[index].isWhitespace { index += 1 }
    }
    skipSpaces()
    var depth = 0
    var target = ""
    while index < characters.count, !characters[index].isWhitespace {
      let character = characters[index]
      if character == "(" { depth += 1 }
      if character == ")" {
        if depth == 0 { break }
        depth -= 1
      }
      target.append(character)
      index += 1
    }
    skipSpaces()
    guard depth == 0, index < characters.count, characters[index] == ")" else { return nil }
    return (target, index + 1)
  }

  /// CommonMark's "process emphasis": each closing run, from the left, takes the nearest
  /// opening run of its character before it (two characters each for strong when both have
  /// them), and what lies between becomes the emphasis. Unmatched runs and `[`s are text.
  static func resolveEmphasis(_ items: [InlineItem]) -> [MarkdownInline] {
    var items = items
    var closer = 0
    while closer < items.count {
      guard case .delimiter(var closing) = items[closer], closing.canClose else {
        closer += 1
        continue
      }
      let opener = items[..<closer].lastIndex { item in
        guard case .delimiter(let opening) = item, opening.character == closing.character,
          opening.canOpen
        else { return false }
        // The rule of 3: a run that can both open and close does not pair with one whose
        // length would make the sum a multiple of 3, unless both are.
        let bothWays = opening.canClose || closing.canOpen
        return !bothWays || (opening.length + closing.length) % 3 != 0
          || (opening.length % 3 == 0 && closing.length % 3 == 0)
      }
      guard let opener, case .delimiter(var opening) = items[opener] else {
        if !closing.canOpen {
          closing.canClose = false
          items[closer] = .delimiter(closing)
        }
        closer += 1
        continue
      }
      let used = opening.count >= 2 && closing.count >= 2 ? 2 : 1
      let inner = resolveEmphasis(Array(items[(opener + 1)..<closer]))
      let piece: MarkdownInline = used == 2 ? .strong(inner) : .emphasis(inner)
      opening.count -= used
      closing.count -= used
      var replacement: [InlineItem] = []
      if opening.count > 0 { replacement.append(.delimiter(opening)) }
      replacement.append(.piece(piece))
      if closing.count > 0 { replacement.append(.delimiter(closing)) }
      items.replaceSubrange(opener...closer, with: replacement)
      // The closer, if characters remain, is looked at again; otherwise the next item.
      closer = opener + replacement.count - (closing.count > 0 ? 1 : 0)
    }
    var pieces: [MarkdownInline] = []
    for item in items {
      let piece: MarkdownInline
      switch item {
      case .piece(let value): piece = value
      case .delimiter(let run): piece = .text(String(repeating: run.character, count: run.count))
      case .bracket: piece = .text("[")
      }
      if case .text(let next) = piece, case .text(let previous)? = pieces.last {
        pieces[pieces.count - 1] = .text(previous + next)
      } else if piece != .text("") {
        pieces.append(piece)
      }
    }
    return pieces
  }
}
