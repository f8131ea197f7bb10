import Testing

@testable import LessonRunner

/// The one block parse behind both renderers: the tree a prose text becomes.
@Suite("Parsing Markdown blocks")
struct MarkdownBlockTests {
  @Test func headingsParagraphsListsTablesAndCodeBecomeBlocks() {
    // Written out by hand from the text: the heading, the paragraph's two lines joined, the
    // tight list with its continuation line, the loose item after a blank line, a nested list,
    // the table's header apart from its body, and the code without its four spaces.
    let text = """
      ## Why C3

      C3 reads
      some maps:
      - one
        more
      - two

      - three
        1. inner

      | a | b |
      |---|---|
      | `x \\| y` | 2 |

          let x = 1
      """
    let inner = MarkdownBlock(
      kind: .list(ordered: true, items: [MarkdownListItem(marker: "1.", blocks: [para("inner")])]))
    #expect(
      MarkdownBlock.parse(text) == [
        MarkdownBlock(kind: .heading(level: 2, text: "Why C3")),
        MarkdownBlock(kind: .paragraph("C3 reads some maps:"), followsBlankLine: true),
        MarkdownBlock(
          kind: .list(
            ordered: false,
            items: [
              MarkdownListItem(marker: "-", blocks: [para("one more")]),
              MarkdownListItem(marker: "-", blocks: [para("two")]),
              MarkdownListItem(
                marker: "-", blocks: [para("three"), inner], followsBlankLine: true),
            ])),
        MarkdownBlock(
          kind: .table(header: ["a", "b"], rows: [["`x | y`", "2"]]), followsBlankLine: true),
        MarkdownBlock(kind: .code("let x = 1"), followsBlankLine: true),
      ])
  }

  @Test func quoteLinesAreParsedAsBlocksOfTheirOwn() {
    #expect(
      MarkdownBlock.parse("> one\n> two\n>\n> - item") == [
        MarkdownBlock(
          kind: .quote([
            para("one two"),
            MarkdownBlock(
              kind: .list(
                ordered: false,
                items: [
                  MarkdownListItem(marker: "-", blocks: [para("item")], followsBlankLine: true)
                ]),
              followsBlankLine: true),
          ]))
      ])
  }

  @Test func aHashWithoutASpaceIsNotAHeading() {
    #expect(MarkdownBlock.heading("#tag") == nil)
    #expect(MarkdownBlock.heading("####### seven") == nil)
    #expect(MarkdownBlock.heading("### Three") ?? (0, "") == (3, "Three"))
  }

  private func para(_ text: String) -> MarkdownBlock {
    MarkdownBlock(kind: .paragraph(text))
  }
}
