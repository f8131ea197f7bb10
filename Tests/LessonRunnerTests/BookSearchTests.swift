import Testing

@testable import LessonRunner

/// The book's search index: one entry per heading, with the prose a reader sees.
@Suite struct BookSearchTests {
  func entries(_ prose: String) throws -> [SearchEntry] {
    let chapter = try ChapterParser.parse(frontMatter() + prose, path: "01-test.md")
    return SearchEntry.sections(of: chapter, page: "01-test.html")
  }

  @Test func aHashLineInsideAnIndentedCodeBlockIsNoSection() throws {
    let found = try entries(
      """
      # Title

      Some prose.

          # a comment in code
          let x = 1

      ## Real section

      More.
      """)
    #expect(
      found.map(\.url) == ["01-test.html", "01-test.html#title", "01-test.html#real-section"])
    #expect(!found.contains { $0.text.contains("comment") || $0.text.contains("let x") })
  }

  @Test func theTextKeepsALinksLabelAndDropsItsTargetAndMarks() throws {
    let found = try entries("# Title\n\nSee [the _paper_](https://example.org/p.pdf), **now**.\n")
    #expect(found.last?.text == "Title See the paper, now.")
  }
}
