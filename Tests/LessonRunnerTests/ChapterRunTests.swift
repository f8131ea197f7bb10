import Foundation
import LeNetKit
import LeNetTestSupport
import LessonRunner
import Testing

/// Compiles and runs small generated chapters against this package's LeNetKit. The library is
/// compiled once into the shared test cache; each chapter is a few seconds at most.
@Suite("Compiling and running chapters")
struct ChapterRunTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  func run(_ body: String, extra: String = "", solutions: Bool = false) async throws
    -> ChapterReport
  {
    let path = try writeChapter(frontMatter(extra: extra) + body)
    return try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: path), solutions: solutions)
  }

  @Test func cellsShareStateAndChecksPass() async throws {
    let report = try await run(
      """
      ```swift
      let c3 = Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5,
                      connectionTable: .lecun1998)
      print("links:", ConnectionTable.lecun1998.linkCount)
      ```

      ```output
      links: 60
      ```

      ```swift
      check("C3 parameters", c3.parameterCount, equals: 1_516)
      check("C3 connections", c3.connectionCount(for: [6, 14, 14]), equals: 151_600)
      ```
      """)
    #expect(report.compileErrors == nil)
    #expect(report.cells.map(\.status) == [.completed, .completed])
    #expect(report.cells[0].output == "links: 60\n")
    // 1,516 and 151,600: LeCun et al. 1998, section II.B (C3).
    #expect(
      report.verdicts.map(\.text) == [
        "output of the cell at line 7 matches", "C3 parameters: 1516", "C3 connections: 151600",
      ])
    #expect(report.passed)
  }

  @Test func compileErrorIsReportedAtTheChapterLine() async throws {
    let report = try await run(
      """
      ```swift
      let a = 1
      let b: Int = "two"
      ```
      """)
    let errors = try #require(report.compileErrors)
    // The cell's fence is line 7, so its second code line is line 9; column 14 is the string.
    #expect(errors.contains("01-demo.md:9:14: error:"), "\(errors)")
    #expect(report.verdicts.map(\.status) == [.failed])
    #expect(!report.passed)
  }

  @Test func crashStopsTheChapterAtTheCell() async throws {
    let report = try await run(
      """
      ```swift
      print("before")
      ```

      ```swift
      let numbers = [1, 2, 3]
      print(numbers[3])
      ```

      ```swift
      print("after")
      ```
      """)
    #expect(report.cells[0].status == .completed)
    #expect(report.cells[1].status == .crashed("Fatal error: Index out of range"))
    #expect(report.cells[2].status == .notRun)
    #expect(
      report.verdicts.map(\.text) == [
        "the cell at line 11 crashed at line 13: Fatal error: Index out of range",
        "1 later cell not run",
      ])
    // `numbers[3]` is on line 13; column 14 is the subscript.
    #expect(report.verdicts.first?.location?.description == report.chapter.path + ":13:14")
  }

  @Test func timeoutStopsTheChapterAtTheCell() async throws {
    let report = try await run(
      """
      ```swift
      print("quick")
      ```

      ```swift
      while true {}
      ```
      """, extra: "timeout: 1\n")
    #expect(report.cells.map(\.status) == [.completed, .timedOut(seconds: 1)])
    #expect(report.verdicts.first?.text.hasPrefix("the cell at line 12 was still running") == true)
  }

  @Test(.enabled(if: isDebugBuild, "a release build's LeNetKit drops precondition messages"))
  func aLibraryPreconditionNamesItsReason() async throws {
    // The debug build's LeNetKit, which the chapters link, is optimized yet keeps its
    // precondition messages (`-assert-config Debug`), so a learner who hands a layer the wrong
    // shape reads why it stopped, not "illegal instruction".
    let report = try await run(
      """
      ```swift
      print(argmaxOfRows(Tensor(shape: [3], repeating: 0)))
      ```
      """)
    #expect(
      report.cells.map(\.status) == [
        .crashed("Precondition failed: argmax expects N × K, got [3]")
      ])
  }

  @Test func unchangedChapterIsNotCompiledAgain() async throws {
    // A fresh id makes the program new to the cache, whatever ran before.
    let path = try writeChapter(
      frontMatter() + "```swift\nprint(\"\(UUID().uuidString)\")\n```\n")
    let chapter = try ChapterParser.parse(contentsOf: path)
    let first = try await runner.runAsChapterWork(chapter, solutions: false)
    let second = try await runner.runAsChapterWork(chapter, solutions: false)
    #expect(first.compiledProgram)
    #expect(!second.compiledProgram)
    #expect(!second.compiledLibrary)
    #expect(second.cells.map(\.status) == [.completed])
  }

  @Test func theSameNewProgramNeededTwiceAtOnceIsCompiledOnce() async throws {
    // Two tests (or two students' identical submissions) that start the same program at the
    // same moment: one compiles it, the other waits and runs the cached build.
    let path = try writeChapter(
      frontMatter() + "```swift\ncheck(\"\(UUID().uuidString)\", 2 + 2, equals: 4)\n```\n")
    let chapter = try ChapterParser.parse(contentsOf: path)
    let reports = ConcurrentReports()
    let runner = self.runner
    await chapterWork {
      DispatchQueue.concurrentPerform(iterations: 2) { _ in
        reports.append(Result { try runner.run(chapter, solutions: false) })
      }
    }
    let finished = try reports.all.map { try $0.get() }
    #expect(finished.map(\.compiledProgram).sorted { !$0 && $1 } == [false, true])
    #expect(finished.allSatisfy { $0.verdicts.map(\.status) == [.passed] })
  }

  @Test func theSameChapterInAnotherFolderIsNotCompiledAgain() async throws {
    // Thirty learners' untouched copies, each in a folder of its own, are one program.
    let text = frontMatter() + "```swift\ncheck(\"\(UUID().uuidString)\", 1, equals: 1)\n```\n"
    let first = try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: try writeChapter(text)), solutions: false)
    let second = try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: try writeChapter(text)), solutions: false)
    #expect(first.compiledProgram)
    #expect(!second.compiledProgram)
    // Each report still names its own file.
    #expect(second.cells[0].checks.first?.location?.path == second.chapter.path)
    #expect(first.chapter.path != second.chapter.path)
  }

  @Test func failingCheckShowsExpectedAndActualWithItsLine() async throws {
    let report = try await run(
      """
      ```swift
      check("two plus two", 2 + 2, equals: 5)
      check("pi", 3.14159, closeTo: Double.pi, tolerance: 1e-3)
      check("positive", -1 > 0, "got -1")
      ```
      """)
    #expect(
      report.verdicts.map(\.text) == [
        "two plus two: expected 5, got 4", "pi: 3.14159", "positive: got -1",
      ])
    #expect(report.verdicts.map(\.status) == [.failed, .passed, .failed])
    #expect(report.verdicts.first?.location == SourceLocation(path: report.chapter.path, line: 8))
  }

  @Test func solutionsReplaceExerciseCells() async throws {
    let path = try writeChapter(Self.doubleChapter)
    let folder = (path as NSString).deletingLastPathComponent + "/Solutions/01-demo"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data("func double(_ x: Int) -> Int { 2 * x }\n".utf8).write(
      to: URL(fileURLWithPath: folder + "/double.swift"))
    let chapter = try ChapterParser.parse(contentsOf: path)
    let starter = try await runner.runAsChapterWork(chapter, solutions: false)
    let solved = try await runner.runAsChapterWork(chapter, solutions: true)
    #expect(!starter.exercisePassed("double"))
    #expect(starter.verdicts.map(\.text) == ["double 21: expected 42, got 0"])
    #expect(starter.verdicts.map(\.status) == [.notStarted])
    #expect(starter.exercises.map(\.status) == [.notStarted])
    #expect(starter.exercises(lines: starter.verdictLines) == starter.exercises)
    #expect(solved.exercises.map(\.status) == [.passed])
    #expect(!starter.passed)
    #expect(solved.exercisePassed("double"))
    #expect(solved.passed)
  }

  @Test func aWrongAnswerThatKeepsTheTodoIsAFailureWithExpectedAndActual() async throws {
    let course = try ChapterParser.parse(contentsOf: try writeChapter(Self.doubleChapter))
    let learner = try ChapterParser.parse(
      contentsOf: try writeChapter(
        Self.doubleChapter.replacingOccurrences(of: "return 0", with: "return x + 1")))
    let report = try await runner.runAsChapterWork(learner, solutions: false, course: course)
    #expect(report.verdicts.map(\.text) == ["double 21: expected 42, got 22"])
    #expect(report.verdicts.map(\.status) == [.failed])
    #expect(report.exercises.map(\.status) == [.failed])
    #expect(report.exercises(lines: report.verdictLines) == report.exercises)
    #expect(ChapterReport.Tally(report.verdicts).summary == "0 passed, 1 failed")
  }

  /// Lines 7-12 the `double` exercise (its TODO on line 9), lines 14-16 its check cell.
  static let doubleChapter =
    frontMatter()
      + """
      ```swift exercise id=double
      func double(_ x: Int) -> Int {
        // TODO: return twice x
        return 0
      }
      ```

      ```swift
      check("double 21", double(21), equals: 42)
      ```

      """

  @Test func missingSolutionIsAnErrorAtTheExercise() throws {
    let path = try writeChapter(
      frontMatter() + "```swift exercise id=double\nlet x = 0\n```\n")
    let chapter = try ChapterParser.parse(contentsOf: path)
    let folder = (path as NSString).deletingLastPathComponent
    #expect(
      throws: ChapterError.missingSolution(
        id: "double", solutionPath: folder + "/Solutions/01-demo/double.swift",
        SourceLocation(path: path, line: 7))
    ) {
      try runner.run(chapter, solutions: true)
    }
  }

  @Test func wrongReferenceOutputFailsNamingTheCell() async throws {
    let report = try await run(
      """
      ```swift
      print("shape:", [16, 10, 10])
      print("mean:", 0.12345)
      ```

      ```output
      shape: [16, 10, 10]
      mean: 0.5
      ```
      """)
    #expect(
      report.verdicts.map(\.text) == [
        "output of the cell at line 7: line 2: expected \"mean: 0.5\", got \"mean: 0.12345\""
          + " (0.12345 is not within the tolerance of 0.5)"
      ])
    #expect(report.verdicts.first?.location == SourceLocation(path: report.chapter.path, line: 12))
  }

  /// A cell that waits (up to 20 s) for `path` to exist, then prints whether it appeared.
  static func waitingCell(for path: String) -> String {
    """
    ```swift
    var released = false
    for _ in 0..<400 where !released {
      released = FileManager.default.fileExists(atPath: "\(path)")
      if !released { usleep(50_000) }
    }
    print("released:", released)
    ```
    """
  }

  @Test func aCellsResultsArriveWhileLaterCellsStillRun() async throws {
    let gate = try temporaryDirectory() + "/gate"
    let path = try writeChapter(
      frontMatter() + "```swift\nprint(\"first\")\n```\n\n" + Self.waitingCell(for: gate))
    let chapter = try ChapterParser.parse(contentsOf: path)
    let runner = self.runner
    // The start, the waits and the gate are one chapter work: they compile and run a chapter.
    let (early, final, wasCancelled) = try await chapterWork {
      let run = try runner.start(chapter, solutions: false)
      // Cell 1 cannot end before the gate exists, so cell 0's results must arrive without it.
      let early = try run.report(throughCell: 0)
      try Data().write(to: URL(fileURLWithPath: gate))
      return (early, try run.wait(), run.wasCancelled)
    }
    #expect(early.cells.map(\.status) == [.completed, .notRun])
    #expect(early.cells[0].output == "first\n")
    #expect(final.cells.map(\.status) == [.completed, .completed])
    #expect(final.cells[1].output == "released: true\n")
    #expect(!wasCancelled)
  }

  @Test func cancelStopsARunningChapter() async throws {
    let path = try writeChapter(
      frontMatter() + "```swift\nprint(\"first\")\n```\n\n```swift\nwhile true {}\n```\n")
    let chapter = try ChapterParser.parse(contentsOf: path)
    let runner = self.runner
    // One chapter work, as above; the cancel is the run's own, not the test task's.
    let (seconds, final, wasCancelled) = try await chapterWork {
      let run = try runner.start(chapter, solutions: false)
      _ = try run.report(throughCell: 0)
      let started = Date()
      run.cancel()
      let final = try run.wait()
      return (Date().timeIntervalSince(started), final, run.wasCancelled)
    }
    // The run looks at its cancel flag every 100 ms; 5 s is far beyond that, far below 60 s.
    #expect(seconds < 5)
    #expect(wasCancelled)
    #expect(final.cells.map(\.status) == [.completed, .crashed("signal 9: killed")])
  }
}

/// The result protocol: what a cell prints is never a result, and the results cannot be forged.
@Suite("Chapter results cannot be forged")
struct ChapterResultProtocolTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  func run(_ body: String) async throws -> ChapterReport {
    try await runDemoChapter(body, with: runner)
  }

  @Test func printedMarkerTextIsOnlyText() async throws {
    // The marker lines the runner used to read from standard output, printed by a cell.
    let report = try await run(
      """
      ```swift
      print("\\u{1E}lenet-tutor check\\u{1F}pass\\u{1F}forged\\u{1F}1\\u{1F}1\\u{1F}x\\u{1F}1")
      print("\\u{1E}lenet-tutor end")
      check("real", 1 + 1, equals: 3)
      ```
      """)
    #expect(report.cells[0].checks.map(\.label) == ["real"])
    #expect(report.verdicts.map(\.status) == [.failed])
    #expect(report.cells[0].output.contains("forged"))
  }

  @Test func aRecordWithoutTheKeyIsTamperingAndEarnsNothing() async throws {
    let report = try await run(
      """
      ```swift
      let fake = "0123456789abcdef0123456789abcdef\\u{1F}check\\u{1F}pass\\u{1F}forged\\u{1F}\\u{1F}\\u{1F}x\\u{1F}1\\n"
      _ = fake.withCString { write(3, $0, strlen($0)) }
      check("real", 1 + 1, equals: 3)
      ```
      """)
    #expect(report.cells[0].checks.map(\.label) == ["real"])
    #expect(report.forgeries.count == 1)
    #expect(
      report.verdicts.map(\.status) == [.failed, .failed],
      "\(report.verdicts.map(\.text))")
    #expect(report.verdicts.first?.text.hasPrefix("tampering: ") == true)
    #expect(!report.passed)
  }

  @Test func tenMegabytesOfOutputTakeAboutASecond() async throws {
    // 100,000 lines of 99 characters and a newline: 10,000,000 bytes.
    let report = try await run(
      """
      ```swift
      let line = String(repeating: "x", count: 99)
      for _ in 0..<100_000 { print(line) }
      ```

      ```swift
      check("after the output", true)
      ```
      """)
    #expect(report.cells[0].output.utf8.count == 10_000_000)
    #expect(report.verdicts.map(\.status) == [.passed])
    let seconds = try #require(report.runSeconds)
    #expect(seconds < 3, "10 MB took \(seconds) s")
  }

  @Test func outputBeyondSixteenMegabytesIsDroppedAndLaterResultsStillArrive() async throws {
    // 20 MB in one cell: 16 MB kept, 4,194,304 bytes dropped (20 · 2^20 − 16 · 2^20).
    let report = try await run(
      """
      ```swift
      let block = String(repeating: "y", count: 1_048_575)
      for _ in 0..<20 { print(block) }
      ```

      ```swift
      check("after the output", true)
      ```
      """)
    #expect(
      report.cells[0].output.hasSuffix(
        "\n[printed more than 16 MB; the rest (4194304 bytes) is dropped]\n"))
    #expect(report.cells.map(\.status) == [.completed, .completed])
    #expect(report.verdicts.map(\.status) == [.passed])
  }
}

/// The learner's copy runs inside the course: only exercise code is theirs.
@Suite("Course and learner")
struct CourseAndLearnerTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  /// Runs the learner's text of `ChapterRunTests.doubleChapter` inside the course.
  func run(learner text: String, hiddenChecks: String? = nil) async throws -> ChapterReport {
    let coursePath = try writeChapter(ChapterRunTests.doubleChapter)
    if let hiddenChecks {
      let folder = (coursePath as NSString).deletingLastPathComponent + "/Grading/01-demo"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try Data(hiddenChecks.utf8).write(to: URL(fileURLWithPath: folder + "/double.swift"))
    }
    let course = try ChapterParser.parse(contentsOf: coursePath)
    let learner = try ChapterParser.parse(contentsOf: try writeChapter(text))
    return try await runner.runAsChapterWork(
      learner, solutions: false, course: course, hiddenChecks: hiddenChecks != nil)
  }

  static let solved = ChapterRunTests.doubleChapter.replacingOccurrences(
    of: "return 0", with: "return x * 2")

  @Test func anEditedCheckCellIsAWarningAndTheCoursesCellRuns() async throws {
    // Wrong answer, and the check weakened to match it.
    let text = ChapterRunTests.doubleChapter.replacingOccurrences(
      of: "equals: 42", with: "equals: 0")
    let report = try await run(learner: text)
    #expect(
      report.verdicts.map(\.text) == [
        "your copy of the check cell at line 14 differs from the course; the course's cell was"
          + " used",
        "double 21: expected 42, got 0",
      ])
    #expect(report.verdicts.map(\.status) == [.warning, .notStarted])
    #expect(report.exercises.map(\.status) == [.notStarted])
    #expect(ChapterReport.Tally(report.verdicts).summary == "0 passed, 0 failed, 1 not started")
    #expect(!report.passed)
  }

  @Test func editedCellsAreFoundWithoutAssemblingAProgram() throws {
    // The check cell's fence is at line 14 of the copy, and the cell the learner added after it
    // at line 17 (counted by hand from `doubleChapter`); the added one counts against the
    // course's last cell, 1.
    let course = try ChapterParser.parse(ChapterRunTests.doubleChapter, path: "course.md")
    let text =
      ChapterRunTests.doubleChapter.replacingOccurrences(of: "equals: 42", with: "equals: 0")
      + "```swift\nprint(1)\n```\n"
    let learner = try ChapterParser.parse(text, path: "mine.md")
    let edited = ChapterProgram.editedCells(learner: learner, course: course)
    #expect(edited.map(\.cell) == [1, 1])
    #expect(
      edited.map(\.location) == [
        SourceLocation(path: "mine.md", line: 14), SourceLocation(path: "mine.md", line: 17),
      ])
    #expect(
      try ChapterProgram(chapter: learner, course: course, solutions: false).editedCells == edited)
  }

  @Test func anExerciseMissingFromTheLearnersCopyIsMissing() async throws {
    let text = ChapterRunTests.doubleChapter.replacingOccurrences(
      of: "swift exercise id=double", with: "swift")
    let report = try await run(learner: text)
    #expect(report.exercises.map(\.status) == [.missing])
    #expect(!report.passed)
  }

  @Test func hiddenChecksRunAfterTheExerciseAndShowOnlyTheirLabels() async throws {
    let hidden = """
      check("double of a negative", double(-4), equals: -8)
      check("double of zero", double(0), equals: 0)
      """
    // `x + x` passes; `x > 0 ? 2 * x : 0` passes the visible check and fails a hidden one.
    let right = try await run(learner: Self.solved, hiddenChecks: hidden)
    #expect(
      right.verdicts.map(\.text) == [
        "double 21: 42", "hidden check: double of a negative", "hidden check: double of zero",
      ])
    #expect(right.exercises.map(\.status) == [.passed])
    let wrong = try await run(
      learner: ChapterRunTests.doubleChapter.replacingOccurrences(
        of: "return 0", with: "return x > 0 ? 2 * x : 0"),
      hiddenChecks: hidden)
    #expect(wrong.verdicts.map(\.status) == [.passed, .failed, .passed])
    #expect(wrong.verdicts[1].text == "hidden check: double of a negative")
    #expect(wrong.verdicts[1].location == nil)
    #expect(wrong.exercises.map(\.status) == [.failed])
    // Without hiddenChecks they do not run.
    let visibleOnly = try await run(learner: Self.solved)
    #expect(visibleOnly.verdicts.map(\.text) == ["double 21: 42"])
  }

  @Test func redefiningCheckIsRefusedAtItsLine() async throws {
    for declaration in [
      "func check(_ label: String, _ actual: Int, equals expected: Int,"
        + " file: String = #filePath, line: Int = #line) {}",
      "func `check`<T>(_ label: String, _ actual: T, equals expected: T) {}",
      "let check = { (label: String, actual: Int, expected: Int) in }",
      "func _lessonCell(_ index: Int) {}",
    ] {
      let report = try await run(
        learner: ChapterRunTests.doubleChapter.replacingOccurrences(
          of: "func double", with: declaration + "\nfunc double"
        )
        .replacingOccurrences(of: "return 0", with: "return x * 2"))
      #expect(report.exercises.map(\.status) == [.compileError], "\(declaration)")
      // The declaration is on line 8, the exercise's first code line.
      #expect(
        report.verdicts.first?.location?.description.hasSuffix("01-demo.md:8:6") == true
          || report.verdicts.first?.location?.description.hasSuffix("01-demo.md:8:5") == true,
        "\(declaration): \(report.verdicts.map { "\($0.location.map(\.description) ?? ""): \($0.text)" })"
      )
      #expect(!report.passed)
    }
  }

  @Test func reservedNamesInCommentsAndStringsAreOnlyText() async throws {
    let report = try await run(
      learner: Self.solved.replacingOccurrences(
        of: "// TODO: return twice x",
        with: "// func check would be refused; so would `_lessonCell`\n"
          + "  _ = \"let check = 1\" + #\"func _lessonEnd() \\(x)\"#\n"
          + "  /* nested /* func check */ var check */\n"
          + "  let checked = x  // a name that starts with check is fine"))
    #expect(report.exercises.map(\.status) == [.passed], "\(report.verdicts.map(\.text))")
  }

  @Test func shadowingWhatTheChecksUseEarnsNoPass() async throws {
    // A generic `abs` more specific than the standard library's, declared at top level of the
    // chapter, would be the one a prelude in the same module calls (|1 − 2| would be 0); the
    // prelude is a module of its own, so it cannot be reached.
    let path = try writeChapter(
      frontMatter() + """
        ```swift exercise id=distance
        func abs<T: BinaryFloatingPoint>(_ x: T) -> T { 0 }
        let distance = 1.0
        ```

        ```swift
        check("distance", distance, closeTo: 2.0)
        ```
        """)
    let chapter = try ChapterParser.parse(contentsOf: path)
    let report = try await runner.runAsChapterWork(chapter, solutions: false, course: chapter)
    #expect(report.verdicts.map(\.text) == ["distance: expected 2.0 ± 0.0001, got 1.0"])
    #expect(
      report.exercises.map(\.status) == [.notStarted], "the learner file is the course itself")
  }

  @Test func anAnswerOfTheExercisesOwnTypeProvesNothing() async throws {
    // `Answer` has no stored property, so the synthesized `==` says every two are equal.
    let report = try await run(
      learner: ChapterRunTests.doubleChapter.replacingOccurrences(
        of: "func double(_ x: Int) -> Int {",
        with: "struct Answer: Equatable, ExpressibleByIntegerLiteral {\n"
          + "  init(integerLiteral value: Int) {}\n}\nfunc double(_ x: Int) -> Answer {"))
    #expect(report.verdicts.map(\.status) == [.failed], "\(report.verdicts.map(\.text))")
    #expect(
      report.verdicts.first?.text.hasPrefix(
        "double 21: compares values of 'Answer', a type your exercise declares") == true)
    #expect(report.exercises.map(\.status) == [.failed])
  }

  @Test func exitingEarlyEarnsNoPass() async throws {
    let report = try await run(
      learner: ChapterRunTests.doubleChapter.replacingOccurrences(
        of: "return 0\n}", with: "return 0\n}\nexit(0)"))
    #expect(report.exercises.map(\.status) == [.crashed])
    #expect(report.verdicts.first?.text.hasPrefix("the program exited (status 0)") == true)
    #expect(!report.passed)
  }

  @Test func aSignalHandlerThatHidesATrapEarnsNoPass() async throws {
    // The answer traps (an index out of range); the handler ends the program quietly.
    let report = try await run(
      learner: ChapterRunTests.doubleChapter.replacingOccurrences(
        of: "return 0\n}",
        with:
          "return [x][1]\n}\nsignal(SIGILL) { _ in _exit(0) }\nsignal(SIGTRAP) { _ in _exit(0) }"
      ))
    #expect(report.exercises.map(\.status) == [.crashed])
    #expect(!report.passed)
  }
}

/// Compile errors and crashes name the learner's own file and line, never generated code.
@Suite("Errors at the learner's line")
struct LearnerLineErrorTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  /// `ChapterRunTests.doubleChapter` with the exercise's line 10 (`return 0`) replaced.
  func run(replacingReturnWith code: String, course: Bool = false) async throws -> ChapterReport {
    let text = ChapterRunTests.doubleChapter.replacingOccurrences(of: "  return 0", with: code)
    let learner = try ChapterParser.parse(contentsOf: try writeChapter(text))
    let shipped =
      course
      ? try ChapterParser.parse(contentsOf: try writeChapter(ChapterRunTests.doubleChapter)) : nil
    return try await runner.runAsChapterWork(learner, solutions: false, course: shipped)
  }

  static func expectNoGeneratedCode(_ text: String) {
    for generated in ["main.swift", "#sourceLocation", "_lesson", "<chapter program>"] {
      #expect(!text.contains(generated), "\(generated) in: \(text)")
    }
  }

  @Test func aMissingBraceIsReportedInTheExerciseWithItsLines() async throws {
    // Line 10 opens an `if` that is never closed; the cell's last code line is 11 (`}`).
    let report = try await run(replacingReturnWith: "  if x > 0 {\n  return 0")
    let errors = try #require(report.compileErrors)
    #expect(errors.contains("01-demo.md:12:2: error: expected '}'"), "\(errors)")
    #expect(errors.contains("11 |   return 0\n12 | }\n   |  ^"), "\(errors)")
    Self.expectNoGeneratedCode(errors)
    for verdict in report.verdicts { Self.expectNoGeneratedCode(verdict.text) }
    #expect(report.verdicts.first?.location?.line == 12)
    #expect(report.exercises.map(\.status) == [.compileError])
  }

  @Test func aTypeErrorShowsTheChaptersLineNumbers() async throws {
    let report = try await run(replacingReturnWith: "  return \"zero\"")
    let errors = try #require(report.compileErrors)
    // `return "zero"` is line 10; the string starts at column 10.
    #expect(
      errors.contains("01-demo.md:10:10: error: cannot convert return expression"), "\(errors)")
    #expect(
      errors.contains(" 9 |   // TODO: return twice x\n10 |   return \"zero\"\n"), "\(errors)")
    Self.expectNoGeneratedCode(errors)
  }

  @Test func aBrokenExerciseInsideTheCourseLeavesTheOthersJudged() async throws {
    // With a course, the broken exercise's starter runs instead: its status is compile-error
    // and the run goes on (here the check cell still runs, with the starter's 0).
    let report = try await run(replacingReturnWith: "  if x > 0 {\n  return 0", course: true)
    #expect(report.compileErrors == nil)
    #expect(report.exercises.map(\.status) == [.compileError])
    #expect(report.cells.map(\.status) == [.completed, .completed])
    let first = try #require(report.verdicts.first)
    #expect(first.text.hasPrefix("exercise 'double' does not compile: expected '}'"))
    #expect(first.detail.contains("01-demo.md:12:2: error: expected '}'"), "\(first.detail)")
    #expect(first.detail.contains("12 | }"))
  }

  @Test func aTrapInTheExerciseIsBlamedOnItsLineNotOnTheCheckCell() async throws {
    // `double` indexes past the end on line 10; the check cell (fence on line 14) calls it.
    let report = try await run(replacingReturnWith: "  return [x][1]")
    let verdict = try #require(report.verdicts.first)
    #expect(
      verdict.text
        == "the cell at line 14 crashed in exercise 'double', line 10: Fatal error: Index out of range",
      "\(verdict.text)")
    #expect(verdict.location?.line == 10)
    // The runtime's message stays; its backtrace (addresses, runtime frames) does not.
    let output = report.cells[1].output
    #expect(output.contains("Fatal error: Index out of range"), "\(output)")
    #expect(!output.contains("Thread 0"), "\(output)")
    #expect(!report.cells[1].output.contains("*** Program crashed"))
  }
}

/// A chapter program runs under limits: memory, time, its own session and a scratch folder.
@Suite("Chapter programs under limits")
struct ChapterLimitTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  func run(_ body: String, extra: String = "", limits: RunLimits? = nil) async throws
    -> ChapterReport
  {
    let path = try writeChapter(frontMatter(extra: extra) + body)
    return try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: path), solutions: false, limits: limits)
  }

  @Test func anAllocationBeyondTheMemoryLimitIsReportedAtTheCell() async throws {
    // 2 GiB of Float (536,870,912 · 4 bytes) against a 1 GB limit from the front matter.
    let report = try await run(
      """
      ```swift
      print("before")
      ```

      ```swift
      let big = [Float](repeating: 1, count: 536_870_912)
      print(big.count)
      ```
      """, extra: "memory: 1\n")
    #expect(report.cells.map(\.status) == [.completed, .outOfMemory(gigabytes: 1)])
    #expect(
      // The front matter's extra line puts the second cell's fence on line 12.
      report.verdicts.first?.text.hasPrefix("the cell at line 12 ran out of its 1 GB of memory")
        == true, "\(report.verdicts.map(\.text))")
    #expect(report.limits.memoryGigabytes == 1)
  }

  @Test func theRunnersLimitsOverrideTheFrontMatter() async throws {
    let report = try await run(
      "```swift\nwhile true {}\n```\n", extra: "timeout: 600\n",
      limits: RunLimits(seconds: 1, memoryGigabytes: 2))
    #expect(report.cells.map(\.status) == [.timedOut(seconds: 1)])
    #expect(report.limits == RunLimits(seconds: 1, memoryGigabytes: 2))
  }

  @Test func aWritePastTheFileSizeLimitFailsInTheCellAndTheChapterGoesOn() async throws {
    // 2 MB against a 1 MB limit: the write throws (EFBIG), the program is not killed.
    let report = try await run(
      """
      ```swift
      let bytes = Data(count: 2 << 20)
      do {
        try bytes.write(to: URL(fileURLWithPath: "big.bin"))
        print("written")
      } catch {
        print("refused:", error)
      }
      ```

      ```swift
      try Data(count: 1 << 19).write(to: URL(fileURLWithPath: "small.bin"))
      print("half a megabyte written")
      ```
      """, limits: RunLimits(seconds: 30, fileSizeMegabytes: 1))
    #expect(report.cells.map(\.status) == [.completed, .completed])
    #expect(report.cells[0].output.contains("refused:"), "\(report.cells[0].output)")
    #expect(report.cells[0].output.contains("too large"), "\(report.cells[0].output)")
    #expect(report.cells[1].output == "half a megabyte written\n")
  }

  @Test func aProcessStartedByACellDoesNotHoldTheRunAndDiesWithIt() async throws {
    let chapter = try ChapterParser.parse(
      contentsOf: try writeChapter(
        frontMatter() + """
          ```swift
          let sleeper = Process()
          sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
          sleeper.arguments = ["20"]
          try sleeper.run()
          print(sleeper.processIdentifier)
          ```
          """))
    let report = try await runner.runAsChapterWork(chapter, solutions: false)
    // The run's own time (not the compile's, nor the wait for a slot): 20 s if the run waited
    // for the sleeper; a run of this size takes about a second.
    let seconds = try #require(report.runSeconds)
    #expect(seconds < 10, "the run took \(seconds) s")
    let pid = try #require(
      Int32(report.cells[0].output.trimmingCharacters(in: .whitespacesAndNewlines)))
    usleep(200_000)
    // kill(pid, 0) fails once the process is gone (a zombie of nobody's is reaped by init).
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    #expect(stat.isEmpty || stat.contains(") Z "), "the sleeper still runs: \(stat)")
  }

  @Test func cellsRunInAFreshScratchFolderThatIsRemovedAfterwards() async throws {
    let report = try await run(
      """
      ```swift
      let here = FileManager.default.currentDirectoryPath
      print(here)
      check("the folder starts empty", (try? FileManager.default.contentsOfDirectory(atPath: here))?.isEmpty == true)
      try Data("scratch".utf8).write(to: URL(fileURLWithPath: "file.txt"))
      ```
      """)
    let folder = report.cells[0].output.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(folder != FileManager.default.currentDirectoryPath)
    #expect(folder.contains("lenet-tutor-run-"), "\(folder)")
    #expect(report.verdicts.map(\.status) == [.passed])
    #expect(!FileManager.default.fileExists(atPath: folder))
  }
}

/// A damaged cache entry is found before use and built again by itself.
@Suite("Cache integrity")
struct CacheIntegrityTests {
  /// Cuts the file at `path` to half its size.
  static func truncate(_ path: String) throws {
    let data = try #require(FileManager.default.contents(atPath: path))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
  }

  @Test func aTruncatedChapterBinaryIsRebuilt() async throws {
    let workspace = try testWorkspace()
    let runner = ChapterRunner(workspace: workspace, status: { _ in })
    let marker = UUID().uuidString
    let path = try writeChapter(
      frontMatter() + "```swift\ncheck(\"\(marker)\", 1 + 1, equals: 2)\n```\n")
    let chapter = try ChapterParser.parse(contentsOf: path)
    #expect(try await runner.runAsChapterWork(chapter, solutions: false).compiledProgram)
    let chapters = workspace.cacheDirectory + "/chapters"
    let entry = try #require(
      try FileManager.default.contentsOfDirectory(atPath: chapters).first { name in
        let main = FileManager.default.contents(atPath: "\(chapters)/\(name)/main.swift")
        return main.map { String(decoding: $0, as: UTF8.self).contains(marker) } ?? false
      })
    try Self.truncate("\(chapters)/\(entry)/chapter")
    let repaired = try await runner.runAsChapterWork(chapter, solutions: false)
    #expect(repaired.compiledProgram)
    #expect(repaired.verdicts.map(\.status) == [.passed], "\(repaired.verdicts.map(\.text))")
    #expect(!(try await runner.runAsChapterWork(chapter, solutions: false)).compiledProgram)
  }

  @Test func aTruncatedLibraryIsRebuilt() async throws {
    // A cache of its own, seeded with a copy of the shared library build, so other tests
    // never see the damage.
    let shared = try testWorkspace()
    let library = try await chapterWork {
      try ChapterRunner(workspace: shared, status: { _ in }).compiler.library()
    }
    let cache = try temporaryDirectory()
    let copy = cache + "/library/" + library.hash
    try FileManager.default.createDirectory(
      atPath: cache + "/library", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: library.directory, toPath: copy)
    try Self.truncate(copy + "/libLeNetKit.so")
    // Five entries of older builds, last used a day ago: building the new entry prunes the
    // cache to the few most recently used (`ChapterCompiler.keptLibraries`).
    let older = (1...5).map { cache + "/library/" + String(repeating: "\($0)", count: 64) }
    for entry in older {
      try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
      try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-86_400)], ofItemAtPath: entry)
    }
    let workspace = Workspace(
      root: shared.root, swiftc: shared.swiftc, cacheDirectory: cache,
      progressPath: shared.progressPath, mnistDirectory: nil, environment: shared.environment)
    var messages: [String] = []
    let runner = ChapterRunner(workspace: workspace, status: { messages.append($0) })
    let path = try writeChapter(frontMatter() + "```swift\ncheck(\"sum\", 1 + 1, equals: 2)\n```\n")
    let report = try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: path), solutions: false)
    #expect(report.compiledLibrary)
    #expect(report.verdicts.map(\.status) == [.passed], "\(report.verdicts.map(\.text))")
    #expect(messages.first?.hasPrefix("The cached LeNetKit build at \(copy) is damaged") == true)
    let entries = try FileManager.default.contentsOfDirectory(atPath: cache + "/library")
      .filter { $0.count == 64 }
    #expect(entries.count == 4, "\(entries)")  // `ChapterCompiler.keptLibraries`
    #expect(entries.contains(library.hash))
  }
}

/// A chapter program that stops before its first cell is a failure with its reason.
@Suite("A program that runs no cell")
struct NoCellRunTests {
  @Test func aProgramThatCannotLoadItsLibraryFailsWithTheReason() async throws {
    // A cache of its own with copies of the shared builds; the chapter compiles and runs once.
    let shared = try testWorkspace()
    let library = try await chapterWork {
      try ChapterRunner(workspace: shared, status: { _ in }).compiler.library()
    }
    let cache = try temporaryDirectory()
    let manager = FileManager.default
    try manager.createDirectory(atPath: cache + "/library", withIntermediateDirectories: true)
    let copy = cache + "/library/" + library.hash
    try manager.copyItem(atPath: library.directory, toPath: copy)
    // Only this build's prelude: the shared prelude folder may hold another test's build in
    // progress (a `tmp-` folder that is renamed when done), which a copy of the folder would race.
    try manager.createDirectory(atPath: cache + "/prelude", withIntermediateDirectories: true)
    try manager.copyItem(
      atPath: library.preludeDirectory,
      toPath: cache + "/prelude/" + (library.preludeDirectory as NSString).lastPathComponent)
    let workspace = Workspace(
      root: shared.root, swiftc: shared.swiftc, cacheDirectory: cache,
      progressPath: shared.progressPath, mnistDirectory: nil, environment: shared.environment)
    let runner = ChapterRunner(workspace: workspace, status: { _ in })
    let chapter = try ChapterParser.parse(
      contentsOf: try writeChapter(
        frontMatter() + "```swift\ncheck(\"sum\", 1 + 1, equals: 2)\n```\n"))
    #expect(try await runner.runAsChapterWork(chapter, solutions: false).passed)
    // A library that is not one, recorded as if it had been built so: the program cannot load.
    let garbage = [UInt8](repeating: 0x2A, count: 100)
    try Data(garbage).write(to: URL(fileURLWithPath: copy + "/libLeNetKit.so"))
    let manifest = try String(contentsOfFile: copy + "/manifest", encoding: .utf8)
    let lines = manifest.split(separator: "\n").map { line in
      line.hasPrefix("libLeNetKit.so ")
        ? "libLeNetKit.so 100 \(SHA256.hexadecimal(of: garbage))" : String(line)
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: copy + "/manifest"))
    let report = try await runner.runAsChapterWork(chapter, solutions: false)
    #expect(report.verdicts.count == 2, "\(report.verdicts.map(\.text))")
    #expect(
      report.verdicts.first?.text.hasPrefix(
        "the chapter program stopped before its first cell (exit status 127): ") == true,
      "\(report.verdicts.map(\.text))")
    #expect(report.verdicts.first?.text.contains("libLeNetKit.so") == true)
    #expect(ChapterReport.Tally(report.verdicts).failed == 1)
    #expect(!report.passed)
  }
}

/// Reports collected from several threads.
final class ConcurrentReports: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [Result<ChapterReport, any Error>] = []
  func append(_ result: Result<ChapterReport, any Error>) {
    lock.withLock { results.append(result) }
  }
  var all: [Result<ChapterReport, any Error>] { lock.withLock { results } }
}

/// Whether these tests were built in the debug configuration (`swift test`, not `-c release`).
let isDebugBuild: Bool = {
  #if DEBUG
    true
  #else
    false
  #endif
}()
