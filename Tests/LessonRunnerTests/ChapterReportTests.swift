import Testing

@testable import LessonRunner

/// Where a report's verdict lines belong: sorted by their place, never by their text.
@Suite("Placing a chapter's verdict lines")
struct ChapterReportTests {
  static let path = "Lessons/03-demo.md"

  /// A report in which two different cells print the same line, and a check prints the same
  /// line as a tampering notice about the whole chapter. Lines 8 and 12 are the two cells'
  /// fences (the chapter text below, counted by hand).
  static func report() throws -> ChapterReport {
    let chapter = try ChapterParser.parse(
      """
      ---
      number: 3
      title: Demo
      goals:
        - Place verdicts
      ---

      ```swift
      check("x", true)
      ```

      ```swift
      let y = 1
      ```
      """, path: path)
    let tampering =
      "tampering: a cell wrote a result record that the runner did not make (\"forged\");"
      + " it counts for nothing"
    var report = ChapterReport(
      chapter: chapter, learnerChapter: chapter, usedSolutions: false, compileErrors: nil,
      cells: [
        ChapterReport.CellResult(
          cell: 0, output: "",
          checks: [
            // The same text as cell 1's crash line, and as the tampering line.
            ChapterReport.Check(
              label: "the cell at line 12 crashed", passed: false, expected: "",
              actual: "Fatal error", location: SourceLocation(path: path, line: 9)),
            ChapterReport.Check(
              label: tampering, passed: true, expected: "", actual: "",
              location: SourceLocation(path: path, line: 9)),
          ], status: .completed, mismatch: nil),
        ChapterReport.CellResult(
          cell: 1, output: "", checks: [], status: .crashed("Fatal error"), mismatch: nil),
      ],
      compiledLibrary: false, compiledProgram: false,
      cellLocations: [SourceLocation(path: path, line: 9), SourceLocation(path: path, line: 13)],
      limits: RunLimits())
    report.forgeries = ["forged"]
    return report
  }

  @Test func eachLineKnowsItsCellAndWhetherItIsACheck() throws {
    let lines = try Self.report().verdictLines
    #expect(
      lines.map(\.verdict.text) == [
        "tampering: a cell wrote a result record that the runner did not make (\"forged\");"
          + " it counts for nothing",
        "the cell at line 12 crashed: Fatal error",
        "tampering: a cell wrote a result record that the runner did not make (\"forged\");"
          + " it counts for nothing",
        "the cell at line 12 crashed: Fatal error",
      ])
    #expect(lines.map(\.cell) == [nil, 0, 0, 1])
    #expect(lines.map(\.isCheck) == [false, true, true, false])
  }

  @Test func aCellsChecksComeEachWithItsLineAfterTheCellsOwnLines() throws {
    // Cell 1 crashed after one check ran: the crash is the cell's own line, the check's line
    // carries that check (its text, made by hand from the check: "label: expected …, got …").
    var report = try Self.report()
    let check = ChapterReport.Check(
      label: "y", passed: false, expected: "1", actual: "2",
      location: SourceLocation(path: Self.path, line: 13))
    report.cells[1].checks = [check]
    let lines = report.verdictLines(forCell: 1)
    #expect(
      lines.map(\.verdict.text) == [
        "the cell at line 12 crashed: Fatal error", "y: expected 1, got 2",
      ])
    #expect(lines.map(\.check) == [nil, check])
    #expect(lines.map(\.cell) == [1, 1])
    #expect(report.verdictLines.filter { $0.cell == 1 } == lines)
  }

  /// A chapter with one exercise, `answer`, whose check is in the cell after it.
  static func exerciseReport(checks: [ChapterReport.Check], source: ChapterProgram.ExerciseSource)
    throws -> ChapterReport
  {
    let chapter = try ChapterParser.parse(
      """
      ---
      number: 3
      title: Demo
      goals:
        - Judge an exercise
      ---

      ```swift exercise id=answer
      func answer() -> Int { 0 }
      ```

      ```swift
      check("answer", answer(), equals: 42)
      ```
      """, path: path)
    var report = ChapterReport(
      chapter: chapter, learnerChapter: chapter, usedSolutions: false, compileErrors: nil,
      cells: [
        ChapterReport.CellResult(
          cell: 0, output: "", checks: [], status: .completed, mismatch: nil),
        ChapterReport.CellResult(
          cell: 1, output: "", checks: checks, status: .completed, mismatch: nil),
      ],
      compiledLibrary: false, compiledProgram: false,
      cellLocations: [SourceLocation(path: path, line: 9), SourceLocation(path: path, line: 13)],
      limits: RunLimits())
    report.exerciseSources = ["answer": source]
    return report
  }

  @Test func anExerciseNotStartedMarksItsFailingChecksNotStartedOnce() throws {
    let failing = ChapterReport.Check(
      label: "answer", passed: false, expected: "42", actual: "0",
      location: SourceLocation(path: Self.path, line: 13))
    let starter = try Self.exerciseReport(checks: [failing], source: .starter)
    #expect(starter.verdictLines.map(\.verdict.status) == [.notStarted])
    #expect(starter.verdictLines.map(\.check) == [failing])
    #expect(starter.status(ofExercise: "answer") == .notStarted)
    // From the lines a reader already built, the same status.
    #expect(starter.status(ofExercise: "answer", lines: starter.verdictLines) == .notStarted)
    let learner = try Self.exerciseReport(checks: [failing], source: .learner)
    #expect(learner.verdictLines.map(\.verdict.status) == [.failed])
    #expect(learner.status(ofExercise: "answer") == .failed)
    #expect(learner.exercises(lines: learner.verdictLines).map(\.status) == [.failed])
    let passing = ChapterReport.Check(
      label: "answer", passed: true, expected: "42", actual: "42",
      location: SourceLocation(path: Self.path, line: 13))
    let solved = try Self.exerciseReport(checks: [passing], source: .learner)
    #expect(solved.status(ofExercise: "answer", lines: solved.verdictLines) == .passed)
    // No check at all: neither passed nor, for code the learner wrote, anything but failed.
    let unchecked = try Self.exerciseReport(checks: [], source: .learner)
    #expect(unchecked.status(ofExercise: "answer", lines: unchecked.verdictLines) == .failed)
    #expect(unchecked.status(ofExercise: "answer") == .failed)
  }

  @Test func anExerciseWhoseCellsHaveNoLinesHasNoCheck() throws {
    // No check ran in either cell, and neither has an ```output block: one line for the chapter
    // at the exercise's fence (line 8, counted by hand).
    let unchecked = try Self.exerciseReport(checks: [], source: .learner)
    #expect(
      unchecked.verdictLines == [
        ChapterReport.VerdictLine(
          verdict: ChapterReport.Verdict(
            status: .failed,
            text: "exercise 'answer' has no check (fix: add check(…) in a cell after it, or an"
              + " ```output block)",
            location: SourceLocation(path: Self.path, line: 8)),
          cell: nil)
      ])
    // A check in the next cell is the exercise's check, passed or not started.
    let passing = ChapterReport.Check(
      label: "answer", passed: true, expected: "42", actual: "42",
      location: SourceLocation(path: Self.path, line: 13))
    #expect(try Self.exerciseReport(checks: [passing], source: .learner).verdictLines.count == 1)
    let failing = ChapterReport.Check(
      label: "answer", passed: false, expected: "42", actual: "0",
      location: SourceLocation(path: Self.path, line: 13))
    #expect(try Self.exerciseReport(checks: [failing], source: .starter).verdictLines.count == 1)
  }

  @Test func aTallyCountsTheLinesItIsGiven() throws {
    // The four lines: the tampering notice, cell 0's failing and passing checks, cell 1's crash.
    let report = try Self.report()
    #expect(ChapterReport.Tally(report.verdicts).summary == "1 passed, 3 failed")
  }

  @Test func gradeFeedbackKeepsACrashLineThatACheckAlsoPrints() throws {
    // The crash is cell 1's own failure; cell 0's failing check with the same text is a check.
    #expect(
      ClassGrade.feedback(try Self.report().verdictLines) == [
        "tampering: a cell wrote a result record that the runner did not make (\"forged\");"
          + " it counts for nothing",
        "Lessons/03-demo.md:12: the cell at line 12 crashed: Fatal error",
      ])
  }

  @Test func theBookSummaryKeepsAChapterLineThatACheckAlsoPrints() throws {
    let report = try Self.report()
    var page = BookPage(
      chapter: report.chapter, learnerChapter: report.chapter, outcome: .ran(report),
      markdown: HTMLMarkdown())
    let article = page.article()
    let summary = try #require(
      article.range(of: "id=\"run-summary\"").map { article[$0.upperBound...] })
    let end = try #require(summary.range(of: "</div>"))
    #expect(
      summary[..<end.lowerBound].contains(
        "<li class=\"fail\"><span class=\"mark\">✗</span> tampering: a cell wrote a result record"
          + " that the runner did not make (&quot;forged&quot;); it counts for nothing</li>"))
  }
  @Test func theBookShowsEachCellsLinesThenItsChecksWithTheirValues() throws {
    // Cell 1 crashed after its check ran: the crash line, then the check with its values, the
    // way the page writes them (by hand: "label (expected …, got …)"); cell 0's two checks are
    // a failing one with its detail and a passing one.
    var report = try Self.report()
    report.cells[1].checks = [
      ChapterReport.Check(
        label: "y", passed: false, expected: "1", actual: "2",
        location: SourceLocation(path: Self.path, line: 13))
    ]
    var page = BookPage(
      chapter: report.chapter, learnerChapter: report.chapter, outcome: .ran(report),
      markdown: HTMLMarkdown())
    let article = page.article()
    let cell1 = try #require(article.range(of: "id=\"cell-2\"").map { article[$0.upperBound...] })
    #expect(
      cell1.contains(
        "<ul class=\"checks\">\n<li class=\"fail\"><span class=\"mark\">✗</span> the cell at line"
          + " 12 crashed: Fatal error</li>\n<li class=\"fail\"><span class=\"mark\">✗</span> y"
          + " <span class=\"values\">(expected 1, got 2)</span></li>\n</ul>"))
    let cell0 = try #require(
      article.range(of: "id=\"cell-1\"").map { article[$0.upperBound..<cell1.startIndex] })
    // Typed apart from the `#expect`: a chain of literals joined by `+` inside the macro took
    // about 2 s to type-check (`-warn-long-expression-type-checking`).
    let cell0Checks: String =
      "<ul class=\"checks\">\n<li class=\"fail\"><span class=\"mark\">✗</span> the cell at line"
      + " 12 crashed <span class=\"values\">(Fatal error)</span></li>\n<li class=\"pass\">"
      + "<span class=\"mark\">✓</span> tampering: a cell wrote a result record that the"
      + " runner did not make (&quot;forged&quot;); it counts for nothing</li>\n</ul>"
    #expect(cell0.contains(cell0Checks))
  }

  /// A cell that timed out or ran out of memory: only the chapter's own author can raise the
  /// limit in the front matter; a learner's copy (or a graded one) runs under the course's.
  @Test func theFixForALimitNamesTheFrontMatterOnlyToItsAuthor() throws {
    let text = """
      ---
      number: 3
      title: Demo
      goals:
        - Time out
      ---

      ```swift
      while true {}
      ```
      """
    let course = try ChapterParser.parse(text, path: Self.path)
    let learnerPath = "work/Lessons/03-demo.md"
    let learner = try ChapterParser.parse(text, path: learnerPath)
    func texts(learner: Chapter, status: ChapterReport.CellStatus, limits: RunLimits) -> [String] {
      ChapterReport(
        chapter: course, learnerChapter: learner, usedSolutions: false, compileErrors: nil,
        cells: [
          ChapterReport.CellResult(cell: 0, output: "", checks: [], status: status, mismatch: nil)
        ],
        compiledLibrary: false, compiledProgram: false,
        cellLocations: [SourceLocation(path: Self.path, line: 9)], limits: limits
      ).verdictLines.map(\.verdict.text)
    }
    let timedOut = ChapterReport.CellStatus.timedOut(seconds: 60)
    let outOfMemory = ChapterReport.CellStatus.outOfMemory(gigabytes: 4)
    #expect(
      texts(learner: course, status: timedOut, limits: RunLimits(chapter: course)) == [
        "the cell at line 8 was still running at the chapter's time limit of 60 s"
          + " (fix: make it faster, or raise 'timeout:' in the front matter)"
      ])
    #expect(
      texts(learner: learner, status: timedOut, limits: RunLimits(chapter: course)) == [
        "the cell at line 8 was still running at the chapter's time limit of 60 s"
          + " (fix: make it faster; the limit is the course's, not your chapter file's)"
      ])
    // `grade --timeout 60` on the course's own chapter: the teacher's limit, not the file's.
    #expect(
      texts(learner: course, status: timedOut, limits: RunLimits(seconds: 60, memoryGigabytes: 2))
        .first?.hasSuffix(
          "(fix: make it faster; the limit is the course's, not your chapter file's)")
        == true)
    #expect(
      texts(learner: learner, status: outOfMemory, limits: RunLimits(chapter: course)) == [
        "the cell at line 8 ran out of its 4 GB of memory"
          + " (fix: use less; the limit is the course's, not your chapter file's)"
      ])
  }
}

/// The gradebook's quiz column, from each student's progress, read once per student.
@Suite("The gradebook's quiz self-check")
struct QuizSelfCheckTests {
  @Test func itCountsTheRightAnswersOfTheStudentsProgress() throws {
    let chapter = try ChapterParser.parse(
      """
      ---
      number: 3
      title: Demo
      goals:
        - Answer
      ---

      ```quiz id=biases
      How many biases does C3 have?
      answer: 16
      explain: one per output map.
      ```

      ```quiz id=maps
      How many maps does C3 make?
      answer: 16
      explain: one per row of Table I.
      ```
      """, path: ChapterReportTests.path)
    var record = LearnerProgress.ChapterProgress()
    record.quizzes["biases"] = LearnerProgress.QuizAnswer(answer: "16", correct: true)
    record.quizzes["maps"] = LearnerProgress.QuizAnswer(answer: "6", correct: false)
    var progress = LearnerProgress()
    progress.chapters["03-demo"] = record
    // One of the two questions answered right; none without a record or a readable file.
    #expect(ClassGrade.quizSelfCheck(progress: progress, chapter: chapter) == "1/2")
    #expect(ClassGrade.quizSelfCheck(progress: LearnerProgress(), chapter: chapter) == "0/2")
    #expect(ClassGrade.quizSelfCheck(progress: nil, chapter: chapter) == "0/2")
    #expect(
      ClassGrade.quizSelfCheck(progress: progress, chapter: try ChapterReportTests.report().chapter)
        == "")
  }
}
