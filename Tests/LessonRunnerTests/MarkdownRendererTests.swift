import LessonRunner
import TerminalKit
import Testing

/// Terminal rendering of chapter prose, plain (a pipe) and colored (a terminal).
@Suite("Rendering Markdown")
struct MarkdownRendererTests {
  let plain = MarkdownRenderer(
    terminal: Terminal(isInteractive: false, usesColor: false, width: 40))
  let colored = MarkdownRenderer(
    terminal: Terminal(isInteractive: true, usesColor: true, width: 40))

  @Test func plainTextDropsEmphasisMarkersAndKeepsCodeBackticks() {
    #expect(
      plain.render("# C3\n\nC3 reads **some** *S2* maps: `grid`.")
        == "C3\n\nC3 reads some S2 maps: `grid`.")
  }

  @Test func codeInsideEmphasisIsCodeNotBackticks() {
    // ESC[36;3m is cyan (code) plus italic (the emphasis around it).
    #expect(plain.render("in *each map `j` reads*") == "in each map `j` reads")
    #expect(colored.render("*map `j`*") == "\u{1B}[3mmap\u{1B}[0m \u{1B}[36;3mj\u{1B}[0m")
  }

  @Test func underscoresInsideWordsAreLettersNotEmphasis() {
    // CommonMark: an underscore between two letters or digits neither opens nor closes emphasis,
    // so the paper's F_in stays F_in; `_word_` at a word's edges is still italic.
    #expect(plain.render("±2.4 / F_in, where F_in is") == "±2.4 / F_in, where F_in is")
    #expect(plain.render("y_D_p and snake_case_name") == "y_D_p and snake_case_name")
    #expect(colored.render("an _italic_ word") == "an \u{1B}[3mitalic\u{1B}[0m word")
    #expect(colored.render("(_x_) and w_ij") == "(\u{1B}[3mx\u{1B}[0m) and w_ij")
  }

  @Test func paragraphsWrapTwoColumnsShortOfTheTerminalWidth() {
    // Width 40 leaves 38 columns: "… seven eight" would be 39.
    #expect(
      plain.render("one two three four five six seven eight nine ten eleven twelve")
        == "one two three four five six seven\neight nine ten eleven twelve")
  }

  @Test func listItemsKeepTheirContinuationLines() {
    #expect(
      plain.render("1. Keep the connections\n   within bounds.\n- Break the symmetry.")
        == "1. Keep the connections within bounds.\n• Break the symmetry.")
  }

  @Test func tablesAlignTheirColumns() {
    #expect(
      plain.render("| Layer | Parameters |\n|---|---:|\n| C3 | 1,516 |")
        == "  Layer │ Parameters\n  ──────┼───────────\n  C3    │ 1,516     ")
  }

  @Test func indentedCodeIsShownAsCode() {
    #expect(plain.render("Like this:\n\n    let x = 1\n") == "Like this:\n\n    let x = 1")
  }

  @Test func aBlankLineAfterIndentedCodeStays() {
    // The source's blank line parts the code from the next paragraph, as it does before it.
    #expect(
      plain.render("Like this:\n\n    let x = 1\n\nThen run it.")
        == "Like this:\n\n    let x = 1\n\nThen run it.")
  }

  @Test func aQuoteIsOneWrappedParagraphBehindABar() {
    #expect(plain.render("> one\n> two") == "│ one two")
  }

  @Test func aTableWithoutARuleHasNoHeaderRow() {
    // Only a `---` row under it makes the first row a header (bold, then the rule).
    #expect(colored.render("| a | b |\n| c | d |") == "  a │ b\n  c │ d")
  }

  @Test func anEscapedPipeStaysInItsCell() {
    #expect(plain.render("| a | `x \\| y` |") == "  a │ `x | y`")
  }

  @Test func nestedListsIndentTwoSpacesALevel() {
    #expect(
      plain.render("- one\n  - two\n\n    more\n- three")
        == "• one\n  • two\n\n    more\n• three")
  }

  @Test func colorHighlightsSwiftKeywordsAndStyles() {
    #expect(
      colored.renderCode("let n = 5", language: "swift")
        == "    \u{1B}[35;1mlet\u{1B}[0m n = \u{1B}[33m5\u{1B}[0m")
    #expect(colored.render("**C3**") == "\u{1B}[1mC3\u{1B}[0m")
  }
}
