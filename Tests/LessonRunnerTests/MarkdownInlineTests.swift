import TerminalKit
import Testing

@testable import LessonRunner

/// Inline Markdown, parsed once for the terminal and the book. The expected trees are
/// CommonMark's (spec 0.31, sections 6.1 code spans, 6.2 emphasis, 6.3 links), read by hand and
/// checked against markdown-it-py 4.3 in its "commonmark" mode.
@Suite("Parsing inline Markdown")
struct MarkdownInlineTests {
  @Test func aCodeSpanIsLiteral() {
    #expect(
      MarkdownInline.parse("a `*b*` c") == [.text("a "), .code("*b*"), .text(" c")])
  }

  @Test func aDoubleBacktickSpanHoldsABacktickAndDropsOneSpaceEachSide() {
    #expect(
      MarkdownInline.parse("`` code with `backtick` `` ok")
        == [.code("code with `backtick`"), .text(" ok")])
    // Only one space each side goes, and only when both sides have one.
    #expect(MarkdownInline.parse("``  a  ``") == [.code(" a ")])
    #expect(MarkdownInline.parse("`` a``") == [.code(" a")])
  }

  @Test func backticksWithoutAnEqualRunToCloseThemAreText() {
    // A run of two is closed only by a run of two: "``a`" has none.
    #expect(MarkdownInline.parse("``a`") == [.text("``a`")])
    #expect(MarkdownInline.parse("it costs ` 1") == [.text("it costs ` 1")])
  }

  @Test func starsAndUnderscoresMakeEmphasisAndStrong() {
    #expect(MarkdownInline.parse("*a*") == [.emphasis([.text("a")])])
    #expect(MarkdownInline.parse("_a_") == [.emphasis([.text("a")])])
    #expect(MarkdownInline.parse("**a**") == [.strong([.text("a")])])
    #expect(MarkdownInline.parse("__a__") == [.strong([.text("a")])])
    // Three: strong inside emphasis (CommonMark example 413's form).
    #expect(MarkdownInline.parse("***a***") == [.emphasis([.strong([.text("a")])])])
    #expect(
      MarkdownInline.parse("**New:** the *same* `x`")
        == [
          .strong([.text("New:")]), .text(" the "), .emphasis([.text("same")]), .text(" "),
          .code("x"),
        ])
  }

  @Test func anUnderscoreInsideAWordIsALetter() {
    #expect(MarkdownInline.parse("F_in and h_kk") == [.text("F_in and h_kk")])
    #expect(
      MarkdownInline.parse("Σ (f6_j − code_j)² and snake_case_name")
        == [.text("Σ (f6_j − code_j)² and snake_case_name")])
    // A star may open inside a word.
    #expect(MarkdownInline.parse("2*3*4") == [.text("2"), .emphasis([.text("3")]), .text("4")])
  }

  @Test func markersWithSpacesOnBothSidesAreText() {
    #expect(MarkdownInline.parse("a * b * c") == [.text("a * b * c")])
    #expect(MarkdownInline.parse("a _ b _ c") == [.text("a _ b _ c")])
    #expect(MarkdownInline.parse("*a") == [.text("*a")])
  }

  @Test func aLinkHoldsInlineMarkdownInItsLabel() {
    #expect(
      MarkdownInline.parse("see [C3](03-c3.md#table).")
        == [.text("see "), .link(label: [.text("C3")], target: "03-c3.md#table"), .text(".")])
    #expect(
      MarkdownInline.parse("[the `Conv2D` *layer*](x)")
        == [
          .link(
            label: [.text("the "), .code("Conv2D"), .text(" "), .emphasis([.text("layer")])],
            target: "x")
        ])
    // Spaces may stand around the target, not in it.
    #expect(
      MarkdownInline.parse("[a]( x )") == [.link(label: [.text("a")], target: "x")])
    // The target's own parentheses are balanced.
    #expect(
      MarkdownInline.parse("[tanh](https://e.org/Tanh_(function)) x")
        == [.link(label: [.text("tanh")], target: "https://e.org/Tanh_(function)"), .text(" x")])
  }

  @Test func bracketsThatMakeNoLinkAreText() {
    #expect(MarkdownInline.parse("a [b] c") == [.text("a [b] c")])
    #expect(MarkdownInline.parse("[a](b c)") == [.text("[a](b c)")])
    // A link holds no link: the outer brackets are text (CommonMark example 518's form).
    #expect(
      MarkdownInline.parse("[a [b](x)](y)")
        == [.text("[a "), .link(label: [.text("b")], target: "x"), .text("](y)")])
  }

  @Test func emphasisDoesNotCrossALinksEdge() {
    // CommonMark example 525's form: the link binds first, the stars stay text.
    #expect(
      MarkdownInline.parse("*a [b*](x)")
        == [.text("*a "), .link(label: [.text("b*")], target: "x")])
  }

  // MARK: - The two renderers read the same tree

  let book = HTMLMarkdown()
  let plain = MarkdownRenderer(
    terminal: Terminal(isInteractive: false, usesColor: false, width: 60))
  let colored = MarkdownRenderer(
    terminal: Terminal(isInteractive: true, usesColor: true, width: 60))

  @Test func theBookShowsUnderscoreEmphasis() {
    // Drift: the book's own parser knew only `*`.
    #expect(book.inline("an _italic_ word, F_in") == "an <em>italic</em> word, F_in")
  }

  @Test func theTerminalShowsADoubleBacktickSpan() {
    // Drift: the terminal's own parser closed a span at the next backtick, whatever the run.
    // ESC[36m is cyan, the terminal's code style.
    #expect(
      colored.render("`` code with `backtick` `` ok")
        == "\u{1B}[36mcode\u{1B}[0m \u{1B}[36mwith\u{1B}[0m \u{1B}[36m`backtick`\u{1B}[0m ok")
    // Without colour, the span is written back as Markdown writes it.
    #expect(plain.render("`` code with `backtick` `` ok") == "`` code with `backtick` `` ok")
    #expect(book.inline("`` code with `backtick` ``") == "<code>code with `backtick`</code>")
  }

  @Test func bothRenderersStyleEmphasisInsideALinkLabel() {
    // ESC[3;4m is italic and underlined: the emphasis, then the link's underline.
    #expect(
      colored.render("[a *b*](https://x.org)")
        == "\u{1B}[4ma\u{1B}[0m \u{1B}[3;4mb\u{1B}[0m \u{1B}[2m(https://x.org)\u{1B}[0m")
    #expect(
      book.inline("[a *b*](https://x.org)") == "<a href=\"https://x.org\">a <em>b</em></a>")
  }
}
