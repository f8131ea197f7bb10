import Testing

@testable import LessonRunner

/// The chapter parser: a good chapter, then each malformed one with its message and line.
@Suite("Parsing chapters")
struct ChapterParserTests {
  let path = "Lessons/03-demo.md"

  func parse(_ text: String) throws(ChapterError) -> Chapter {
    try ChapterParser.parse(text, path: path)
  }

  /// The error `text` raises, printed as the learner sees it.
  func error(_ text: String) -> String? {
    do {
      _ = try parse(text)
      return nil
    } catch {
      return error.description
    }
  }

  let header = """
    ---
    number: 3
    title: C3
    goals:
      - Count C3's parameters
    ---

    """

  @Test func goodChapterHasEveryKindOfBlock() throws {
    let chapter = try parse(
      """
      ---
      number: 3
      title: C3 and its partial connection table
      goals:
        - Explain why C3 reads only some of S2's maps
        - Verify C3's 1,516 parameters
      minutes: 25
      needs-mnist: false
      timeout: 30
      ---

      # C3

      Some *prose*.

      ```swift
      let x = 1
      ```

      ```output tolerance=1e-3
      1
      ```

      ```swift exercise id=count
      // TODO
      ```

      ```hint
      Count the links.
      ```

      ```quiz id=links
      How many links?
      answer: 60
      explain: 6×3 + 9×4 + 6 = 60.
      ```

      ```text
      shown only
      ```
      """)
    #expect(
      chapter.frontMatter
        == FrontMatter(
          number: 3, title: "C3 and its partial connection table",
          goals: ["Explain why C3 reads only some of S2's maps", "Verify C3's 1,516 parameters"],
          minutes: 25, needsMNIST: false, timeout: 30))
    #expect(
      chapter.blocks == [
        .prose("# C3\n\nSome *prose*.", line: 12), .cell(0), .output(cell: 0), .cell(1),
        .hint(cell: 1, hint: 0), .quiz(0), .code("shown only", language: "text", line: 38),
      ])
    #expect(chapter.cells[0].code == "let x = 1")
    #expect(chapter.cells[0].line == 16)
    #expect(chapter.cells[0].reference?.tolerance == Tolerance(relative: 1e-3, absolute: 1e-6))
    #expect(chapter.cells[1].exerciseID == "count")
    #expect(chapter.cells[1].hints == ["Count the links."])
    #expect(chapter.quizzes[0].answer == .number(value: 60, tolerance: 0))
    #expect(chapter.stem == "03-demo")
  }

  @Test func choiceQuizKeepsItsKey() throws {
    let chapter = try parse(
      header + """
        ```quiz id=params
        How many parameters does C3 have?
        - [ ] 1,500
        - [x] 1,516
        - [ ] 2,416
        explain: 60 × 25 + 16 = 1,516.
        ```
        """)
    let quiz = try #require(chapter.quizzes.first)
    #expect(quiz.answer == .choice(options: ["1,500", "1,516", "2,416"], correct: 1))
    #expect(quiz.grade("2") == true)
    #expect(quiz.grade("b") == true)
    #expect(quiz.grade("1") == false)
    #expect(quiz.grade("7") == nil)
  }

  @Test func missingFrontMatter() {
    #expect(
      error("# Title\n")
        == "Lessons/03-demo.md:1:1: error: the chapter does not start with a front matter '---'"
        + " line (fix: start the file with '---', then 'number:', 'title:' and 'goals:' lines,"
        + " then '---')")
  }

  @Test func unclosedFrontMatter() {
    #expect(
      error("---\nnumber: 3\n")?.hasPrefix(
        "Lessons/03-demo.md:1:1: error: the front matter opened here has no closing '---' line")
        == true)
  }

  @Test func missingTitle() {
    #expect(
      error("---\nnumber: 3\ngoals:\n  - x\n---\n")
        == "Lessons/03-demo.md:1:1: error: the front matter has no 'title:'"
        + " (fix: add a 'title:' line between the '---' lines)")
  }

  @Test func missingGoals() {
    #expect(
      error("---\nnumber: 3\ntitle: T\n---\n")?.contains("error: the front matter has no 'goals:'")
        == true)
  }

  @Test func unknownFrontMatterField() {
    #expect(
      error("---\nnumber: 3\ntitle: T\ngoals:\n  - x\ntimout: 5\n---\n")
        == "Lessons/03-demo.md:6:1: error: unknown front matter line 'timout'"
        + " (fix: use only number, title, goals, minutes, needs-mnist, timeout and optimize)")
  }

  @Test func optimizeCompilesTheChapterWithO() throws {
    let plain = try parse("---\nnumber: 3\ntitle: T\ngoals:\n  - x\n---\n")
    let optimized = try parse("---\nnumber: 3\ntitle: T\ngoals:\n  - x\noptimize: true\n---\n")
    #expect(plain.frontMatter.optimize == false)
    #expect(optimized.frontMatter.optimize == true)
    let plainFlags = ChapterCompiler.flags(
      for: try ChapterProgram(chapter: plain, solutions: false))
    let optimizedFlags = ChapterCompiler.flags(
      for: try ChapterProgram(chapter: optimized, solutions: false))
    #expect(plainFlags.contains("-Onone") && !plainFlags.contains("-O"))
    #expect(optimizedFlags.contains("-O") && !optimizedFlags.contains("-Onone"))
  }

  @Test func badOptimizePointsAtTheValue() {
    #expect(
      error("---\nnumber: 3\ntitle: T\ngoals:\n  - x\noptimize: yes\n---\n")
        == "Lessons/03-demo.md:6:11: error: 'optimize: yes' is not true or false"
        + " (fix: give 'optimize:' true or false)")
  }

  @Test func badNumberPointsAtTheValue() {
    #expect(
      error("---\nnumber: three\ntitle: T\ngoals:\n  - x\n---\n")
        == "Lessons/03-demo.md:2:9: error: 'number: three' is not a whole number from 0 to 99"
        + " (fix: give 'number:' a whole number from 0 to 99)")
  }

  @Test func numberMustAgreeWithFileName() {
    #expect(
      error("---\nnumber: 4\ntitle: T\ngoals:\n  - x\n---\n")?.hasPrefix(
        "Lessons/03-demo.md:2:9: error: the front matter says number 4 but the file name starts with 3"
      ) == true)
  }

  @Test func unclosedFence() {
    #expect(
      error(header + "text\n\n```swift\nlet x = 1\n")
        == "Lessons/03-demo.md:9:1: error: the ```swift fence opened here is never closed"
        + " (fix: add a line with the same number of backticks after the block)")
  }

  @Test func unknownWordAfterSwift() {
    #expect(
      error(header + "```swift exercize id=a\n```\n")
        == "Lessons/03-demo.md:7:10: error: unknown word 'exercize' after ```swift"
        + " (fix: write ```swift for a cell, ```swift exercise id=NAME, or ```swift show)")
  }

  @Test func unknownOutputOption() {
    #expect(
      error(header + "```swift\n```\n```output tolerence=1\n```\n")?.hasPrefix(
        "Lessons/03-demo.md:9:11: error: unknown word 'tolerence=1' after ```output") == true)
  }

  @Test func outputWithNoCellBeforeIt() {
    #expect(
      error(header + "Prose.\n\n```output\n42\n```\n")
        == "Lessons/03-demo.md:9:1: error: an ```output block needs a ```swift cell before it"
        + " (fix: move the block after the cell whose output it is)")
  }

  @Test func secondOutputForOneCell() {
    #expect(
      error(header + "```swift\n```\n```output\n```\n```output\n```\n")?.hasPrefix(
        "Lessons/03-demo.md:11:1: error: the cell at line 7 already has an ```output block")
        == true)
  }

  @Test func hintWithNoExerciseBeforeIt() {
    #expect(
      error(header + "```swift\n```\n\n```hint\nThink.\n```\n")
        == "Lessons/03-demo.md:10:1: error: a ```hint block needs a ```swift exercise cell before"
        + " it (fix: move the hint after its ```swift exercise cell)")
  }

  @Test func exerciseWithoutID() {
    #expect(
      error(header + "```swift exercise\n```\n")
        == ("Lessons/03-demo.md:7:10: error: the exercise has no id (fix: write ```swift exercise id=NAME with NAME like c3-count)")
    )
  }

  @Test func duplicateID() {
    #expect(
      error(
        header + "```swift exercise id=a\n```\n```quiz id=a\nQ?\nanswer: 1\nexplain: e\n```\n")
        == "Lessons/03-demo.md:9:9: error: the id 'a' is already used at line 7"
        + " (fix: give every exercise and quiz of a chapter its own id)")
  }

  @Test func quizWithNoMarkedChoice() {
    #expect(
      error(header + "```quiz id=q\nWhich?\n- [ ] a\n- [ ] b\nexplain: e\n```\n")
        == "Lessons/03-demo.md:7:1: error: quiz 'q': no choice is marked [x]"
        + " (fix: mark the right choice '- [x] …')")
  }

  @Test func quizWithTwoMarkedChoicesPointsAtTheSecond() {
    #expect(
      error(header + "```quiz id=q\nWhich?\n- [x] a\n- [x] b\nexplain: e\n```\n")
        == "Lessons/03-demo.md:10:1: error: quiz 'q': more than one choice is marked [x]"
        + " (lines 9 and 10) (fix: mark exactly one choice '- [x]')")
  }

  @Test func quizWithoutExplanation() {
    #expect(
      error(header + "```quiz id=q\nWhich?\n- [x] a\n- [ ] b\n```\n")
        == "Lessons/03-demo.md:10:1: error: quiz 'q': no 'explain:' line"
        + " (fix: add 'explain: why the answer is right' as the last line)")
  }

  @Test func quizWithNonNumericAnswer() {
    #expect(
      error(header + "```quiz id=q\nHow many?\nanswer: sixty\nexplain: e\n```\n")?.hasPrefix(
        "Lessons/03-demo.md:9:1: error: quiz 'q': 'answer: sixty' is not a number") == true)
  }

  @Test func longerFenceMayContainShorterOnes() throws {
    let chapter = try parse(header + "````markdown\n```swift\nlet x = 1\n```\n````\n")
    #expect(chapter.cells.isEmpty)
    #expect(chapter.blocks == [.code("```swift\nlet x = 1\n```", language: "markdown", line: 7)])
  }

  @Test func unreadableFile() {
    #expect(throws: ChapterError.unreadable(path: "/no/such/01-x.md", reason: "no such file")) {
      try ChapterParser.parse(contentsOf: "/no/such/01-x.md")
    }
  }
}
