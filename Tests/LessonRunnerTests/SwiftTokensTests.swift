import TerminalKit
import Testing

@testable import LessonRunner

/// The one scanner of Swift source and its three readers: the terminal's highlighter, the book's
/// and `ExerciseCode`'s checks. Expected tokens, spans and columns are worked out by hand.
@Suite("Swift tokens")
struct SwiftTokensTests {
  let colored = MarkdownRenderer(
    terminal: Terminal(isInteractive: true, usesColor: true, width: 40))

  /// A code with every kind of token, comments and strings of every form.
  static let everything = """
    @discardableResult func f(_ x: Int) -> String { // a comment
      /* a /* nested */ "block" */ let s = "a \\"quoted\\" \\(x + 1) and \\("inner")"
      let raw = #"no \\(escape) here, \\#(x) is one"# + #/"/#
      return ""\"
        many \\(s)
        lines
        ""\" + `default` + String(0x1p-24 + 1e-5 + 0.25)
    }
    """

  @Test func theTokensGiveTheCodeBack() {
    #expect(SwiftTokens.scan(Self.everything).map(\.text).joined() == Self.everything)
    #expect(SwiftTokens.scan("").isEmpty)
  }

  @Test func tokensHaveAKindAndAPosition() {
    let tokens = SwiftTokens.scan("let x = 0.25 // c\n@Sendable Array")
    #expect(
      tokens.map { "\($0.kind) \($0.text) \($0.line):\($0.column)" } == [
        "keyword let 1:1", "other   1:4", "identifier x 1:5", "other  =  1:6",
        "number 0.25 1:9", "other   1:13", "comment // c 1:14", "other \n 1:18",
        "attribute @Sendable 2:1", "other   2:10", "typeName Array 2:11",
      ])
  }

  @Test func anInterpolationIsCodeBetweenPiecesOfItsString() {
    let tokens = SwiftTokens.scan(#""a \(f(")")) b""#)
    #expect(
      tokens.map { "\($0.kind) \($0.text)" } == [
        "string \"a ", "other \\(", "identifier f", "other (", "string \")\"", "other ))",
        "string  b\"",
      ])
  }

  // MARK: The book

  @Test func theBookColoursANestedCommentAsOneComment() {
    // Before the one scanner, the book's comment ended at the first `*/`.
    #expect(
      HTMLSwiftHighlighter.html("/* a /* b */ let */ x")
        == "<span class=\"comment\">/* a /* b */ let */</span> x")
  }

  @Test func theBookColoursARawStringAsOneString() {
    #expect(
      HTMLSwiftHighlighter.html(##"#"a\(b)"#"##)
        == "<span class=\"string\">#&quot;a\\(b)&quot;#</span>")
  }

  @Test func theBookColoursAMultilineStringAroundItsInterpolation() {
    #expect(
      HTMLSwiftHighlighter.html("\"\"\"\n\\(x)\n\"\"\"\nlet y")
        == "<span class=\"string\">&quot;&quot;&quot;\n</span>\\(x)"
        + "<span class=\"string\">\n&quot;&quot;&quot;</span>\n<span class=\"keyword\">let</span> y"
    )
  }

  @Test func theBookColoursNumbersWholeAndNoMore() {
    #expect(
      HTMLSwiftHighlighter.html("1e-5 + $0.count")
        == "<span class=\"number\">1e-5</span> + $<span class=\"number\">0</span>.count")
  }

  @Test func theBookKeepsAnEscapedQuoteInItsString() {
    #expect(
      HTMLSwiftHighlighter.html(#""a \" let" + b"#)
        == "<span class=\"string\">&quot;a \\&quot; let&quot;</span> + b")
  }

  // MARK: The terminal

  @Test func theTerminalColoursABlockCommentOnEveryLine() {
    // Before, the terminal coloured code line by line and knew no `/* */`.
    #expect(
      colored.renderCode("/* a\nlet b */ let", language: "swift")
        == "    \u{1B}[2m/* a\u{1B}[0m\n    \u{1B}[2mlet b */\u{1B}[0m \u{1B}[35;1mlet\u{1B}[0m")
  }

  @Test func theTerminalColoursAMultilineStringOnEveryLine() {
    #expect(
      colored.renderCode("\"\"\"\n  for\n\"\"\"", language: "swift")
        == "    \u{1B}[32m\"\"\"\u{1B}[0m\n    \u{1B}[32m  for\u{1B}[0m\n    \u{1B}[32m\"\"\"\u{1B}[0m"
    )
  }

  @Test func theTerminalColoursAnInterpolationAsCode() {
    #expect(
      colored.renderCode(#""n: \(count)""#, language: "swift")
        == "    \u{1B}[32m\"n: \u{1B}[0m\\(count)\u{1B}[32m\"\u{1B}[0m")
  }

  @Test func theTerminalColoursTheBooksKeywordsAttributesAndWholeNumbers() {
    #expect(
      colored.renderCode("@MainActor typealias 0.5", language: "swift")
        == "    \u{1B}[35;1m@MainActor\u{1B}[0m \u{1B}[35;1mtypealias\u{1B}[0m \u{1B}[33m0.5\u{1B}[0m"
    )
  }

  // MARK: Exercise code

  /// The columns of the refused names in `code`.
  func refusedColumns(_ code: String) -> [Int] {
    ExerciseCode.violations(in: code).map(\.column)
  }

  @Test func aRunnerNameInAnInterpolationIsRefused() {
    #expect(refusedColumns(#"_ = "\(x) and \(_lessonEnd())""#) == [17])
  }

  @Test func aStringInAnInterpolationHidesNoCode() {
    // Before, the quote escaped inside the interpolation's string flipped the scanner's idea of
    // what was string and what code, and `_lessonEnd()` was read as a string.
    #expect(refusedColumns(#"_ = "\("\"")"; _lessonEnd()"#) == [16])
  }

  @Test func aRawStringsEscapedQuoteHidesNoCode() {
    // `\#"` is a quote inside the raw string, which ends at the last `"#`.
    #expect(refusedColumns(##"_ = #"a\#"#"#; _lessonEnd()"##) == [16])
  }

  @Test func aQuoteInARegularExpressionHidesNoCode() {
    #expect(refusedColumns(#"_ = #/"/#; _lessonEnd()"#) == [12])
  }

  @Test func deeplyNestedInterpolationsAreReadToTheEnd() {
    // "\("\("…_lessonEnd()…)")": each level is 3 characters; a scanner that recursed into each
    // interpolation could overflow its stack.
    let depth = 20_000
    let code =
      String(repeating: "\"\\(", count: depth) + "_lessonEnd()"
      + String(repeating: ")\"", count: depth)
    #expect(refusedColumns(code) == [3 * depth + 1])
    #expect(HTMLSwiftHighlighter.html(code).hasSuffix(")<span class=\"string\">&quot;</span>"))
  }

  @Test func namesInCommentsAndStringsAreNotRead() {
    let code = """
      // func check
      /* /* let check */ func print */
      _ = "func check" + #"let _lessonEnd"# + ""\"
        func print
        ""\"
      """
    #expect(ExerciseCode.violations(in: code).isEmpty)
    #expect(
      ExerciseCode.violations(in: "@_lessonMark func `check`() {}").map {
        "\($0.line):\($0.column)"
      } == ["1:2", "1:19"])
  }

  @Test func declaredTypesAreTheNamesAfterATypeKeyword() {
    #expect(
      ExerciseCode.declaredTypes(in: "struct A {}\n/* class B */\nenum `C` {}\nlet d = \"actor E\"")
        == ["A", "C"])
  }
}
