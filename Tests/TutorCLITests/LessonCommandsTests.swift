import Foundation
import LeNetTestSupport
import TerminalKit
import Testing
import TutorCLI

private let header = """
  ---
  number: 3
  title: C3 demo
  goals:
    - Count C3's parameters
  ---

  """

/// Lines 7-12: one cell that checks C3's counts (1,516 and 151,600: LeCun et al. 1998, II.B)
/// and prints Table I's link count (60: the X marks of Table I).
private let countsCell = """
  ```swift
  let c3 = Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5,
                  connectionTable: .lecun1998)
  check("C3 parameters", c3.parameterCount, equals: 1_516)
  print("links:", ConnectionTable.lecun1998.linkCount)
  ```

  """

private let quiz = """

  ```quiz id=links
  How many links does Table I have?
  answer: 60
  explain: 6×3 + 9×4 + 1×6 = 60.
  ```

  """

@Suite("Lesson commands")
struct LessonCommandsTests {
  @Test func checkPassingChapterPrintsOneLinePerCheckAndTheSummary() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell + "```output\nlinks: 60\n```\n" + quiz
    ])
    let result = await checkout.runAsChapterWork(["check", "3"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        \(checkout.path("03-demo.md")): C3 demo
          ✓ output of the cell at line 7 matches
          ✓ C3 parameters: 1516
          ? quiz links: not answered (run lenet-tutor quiz 3)
        2 passed, 0 failed, 1 not answered

        """)
  }

  @Test func wrongReferenceOutputExitsOneNamingTheCell() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell + "```output\nlinks: 61\n```\n"
    ])
    let result = await checkout.runAsChapterWork(["check", "3"])
    #expect(result.status == 1)
    #expect(
      result.output.contains(
        "  ✗ output of the cell at line 7: line 1: expected \"links: 61\", got \"links: 60\""
          + " (60 is not 61) (\(checkout.path("03-demo.md")):13)\n"))
    #expect(result.output.hasSuffix("1 passed, 1 failed\n"))
  }

  @Test func syntaxErrorIsReportedAtTheChapterLine() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + "```swift\nlet x = = 1\n```\n"
    ])
    let result = await checkout.runAsChapterWork(["check", "3"])
    #expect(result.status == 1)
    #expect(result.output.contains("\(checkout.path("03-demo.md")):8:"))
    #expect(result.output.hasSuffix("0 passed, 1 failed\n"))
  }

  @Test func unknownLessonExitsTwoListingTheLessons() throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell])
    let result = checkout.run(["lesson", "7"])
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: there is no lesson 7. The lessons are:
           3  C3 demo
        fix: give one of these numbers, or a chapter file's path

        """)
  }

  @Test func malformedChapterExitsTwoWithItsLine() throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + "```output\n1\n```\n"])
    let result = checkout.run(["check", "3"])
    #expect(result.status == 2)
    #expect(
      result.errors
        == "\(checkout.path("03-demo.md")):7:1: error: an ```output block needs a ```swift cell"
        + " before it (fix: move the block after the cell whose output it is)\n")
  }

  @Test func chapterNeedingMNISTIsSkippedAndSaysHowToGetIt() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell,
      "05-train.md": header.replacingOccurrences(of: "number: 3", with: "number: 5")
        .replacingOccurrences(of: "goals:", with: "needs-mnist: true\ngoals:") + countsCell,
    ])
    let result = await checkout.runAsChapterWork(["check"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        \(checkout.path("03-demo.md")): C3 demo
          ✓ C3 parameters: 1516
        \(checkout.path("05-train.md")): C3 demo
        - skipped: this chapter needs MNIST (MNIST not found: no LENET_TUTOR_DATA, \
        nothing in \(checkout.root)/cache/lenet-tutor/mnist) (fix: run 'lenet-tutor data download' \
        to fetch MNIST, or set LENET_TUTOR_DATA to a folder with the four files)
        1 passed, 0 failed, 1 skipped

        """)
  }

  @Test func aWordThatIsNeitherANumberNorAFileListsTheLessons() throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell])
    let result = checkout.run(["lesson", "abc"])
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: 'abc' is neither a lesson number nor a chapter file. The lessons are:
           3  C3 demo
        fix: give one of these numbers, or the path of a chapter file

        """)
  }

  @Test func aPathThatIsNoChapterFileSaysWhatIsWrongWithIt() throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell])
    let missing = checkout.path("3-demo.md")
    for (word, problem) in [
      (missing, "there is no file '\(missing)'"),
      ("Lessons/03-demo.md.bak", "there is no file 'Lessons/03-demo.md.bak'"),
      (checkout.root + "/Lessons", "'\(checkout.root)/Lessons' is a folder, not a chapter file"),
    ] {
      let result = checkout.run(["check", word])
      #expect(result.status == 2)
      #expect(
        result.errors == """
          error: \(problem). The lessons are:
             3  C3 demo
          fix: give one of these numbers, or the path of a chapter file

          """)
    }
  }

  @Test func twoChaptersWithTheSameNumberAreAnErrorNamingBoth() throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell, "03-other.md": header + countsCell,
    ])
    for arguments in [["check", "3"], ["check"], ["list"]] {
      let result = checkout.run(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(
        result.errors.hasPrefix(
          "error: two chapters have the number 3: \(checkout.path("03-demo.md")) and"
            + " \(checkout.path("03-other.md"))\n"), "\(arguments): \(result.errors)")
    }
  }

  @Test func aChapterNamedTwiceIsCheckedOnce() async throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell])
    let result = await checkout.runAsChapterWork(["check", "3", "3"])
    #expect(result.status == 0)
    #expect(result.output.hasSuffix("1 passed, 0 failed\n"), "\(result.output)")
  }

  @Test func chapterNeedingMNISTRunsWithTheDataInTheDownloadCache() async throws {
    // Issue 9: 'data download' fills the cache, and the chapters must find it there.
    var checkout = try Checkout(chapters: [
      "05-train.md": header.replacingOccurrences(of: "number: 3", with: "number: 5")
        .replacingOccurrences(of: "goals:", with: "needs-mnist: true\ngoals:") + """
          ```swift
          let folder = ProcessInfo.processInfo.environment["LENET_TUTOR_DATA"] ?? "(not set)"
          check("the chapter sees the data", folder.hasSuffix("/lenet-tutor/mnist"), folder)
          ```

          """
    ])
    let cache = URL(fileURLWithPath: checkout.root + "/cache/lenet-tutor")
    _ = try SyntheticMNIST.writeFolder(in: cache, trainCount: 10, testCount: 10)
    checkout.environment["XDG_CACHE_HOME"] = checkout.root + "/cache"
    // What is tested is where the data is found, not the training speed: the package build
    // spares compiling LeNetKit whole-module (40 CPU-seconds, the longest step of the tests).
    checkout.environment["LENET_TUTOR_FAST_LIBRARY"] = "no"
    let result = await checkout.runAsChapterWork(["check", "5"])
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("✓ the chapter sees the data"), "\(result.output)")
    #expect(!result.output.contains("skipped"))
  }

  @Test func lessonRunsStraightThroughOffATerminal() async throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + "# C3\n\n" + countsCell])
    let result = await checkout.runAsChapterWork(["lesson", "3"])
    #expect(result.status == 0)
    #expect(
      result.output.hasPrefix(
        "Lesson 3: C3 demo\nYou will be able to:\n  • Count C3's parameters\n"))
    #expect(result.output.contains("  │ links: 60\n  ✓ C3 parameters: 1516\n"))
    #expect(result.output.hasSuffix("1 passed, 0 failed\n"))
  }

  @Test func quizRecordsAnswersThatListAndCheckThenShow() async throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell + quiz])
    let quizRun = checkout.run(["quiz", "3"], input: ["sixty", "60"])
    #expect(quizRun.status == 0)
    #expect(
      quizRun.output == """
        Quiz for lesson 3: C3 demo (1 question)

        1. How many links does Table I have?
        Your answer (a number, or q to stop): 'sixty' is not an answer to this question.
        Your answer (a number, or q to stop): ✓ Right. 6×3 + 9×4 + 1×6 = 60.

        1 of 1 right

        """)
    let check = await checkout.runAsChapterWork(["check", "3"])
    #expect(check.output.contains("  ✓ quiz links: answered 60\n"))
    #expect(check.output.hasSuffix("2 passed, 0 failed\n"))
    let list = checkout.run([])
    #expect(
      list.output == """
        The lessons (chapter files in \(checkout.root)/Lessons/):
           3  C3 demo    ✓ passed  quiz 1/1 right

        Start one with: lenet-tutor lesson <number>

        """)
  }

  @Test func listCountsRightAnswersAndAWrongAnswerKeepsTheChapterFromPassing() async throws {
    // Issue 9: list showed "✓ passed quiz 5/5" with two of the five answers wrong.
    let secondQuiz = quiz.replacingOccurrences(of: "id=links", with: "id=maps")
      .replacingOccurrences(of: "How many links", with: "How many maps")
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell + quiz + secondQuiz])
    _ = checkout.run(["quiz", "3"], input: ["60", "61"])
    #expect(await checkout.runAsChapterWork(["check", "3"]).status == 1)
    let list = checkout.run([])
    #expect(
      list.output.contains("   3  C3 demo    ○ checks passed  quiz 1/2 right\n"),
      "\(list.output)")
  }

  @Test func aChapterOnlyReadIsNotStartedInListAsInCheckNotFailed() async throws {
    // The walk-through: after 'next', list showed "✗ failed" for lesson 3, whose exercises
    // were both still the course's starters, while check showed "○" for each.
    let learner = try loopCheckout().initWorkspace()
    #expect(await learner.runAsChapterWork(["next"]).status == 0)
    let list = learner.run(["list"])
    #expect(
      list.output.contains("   3  Doubling and tripling    ○ read, exercises not started\n"),
      "\(list.output)")
    let check = await learner.runAsChapterWork(["check", "3"])
    #expect(check.output.hasSuffix("0 passed, 0 failed, 2 not started\n"), "\(check.output)")
    #expect(learner.run(["list"]).output == list.output)
    // A wrong answer in one exercise is a failure again.
    try learner.write(
      "Lessons/03-loop.md",
      loopChapter.replacingOccurrences(
        of: "  // TODO: return twice x\n  return 0\n", with: "  return x\n"))
    #expect(await learner.runAsChapterWork(["check", "3"]).status == 1)
    let failed = learner.run(["list"]).output
    #expect(failed.contains("   3  Doubling and tripling    ✗ failed\n"), "\(failed)")
  }

  @Test func quizCountsTheAnswersRecordedBeforeAndSaysWhichAre() throws {
    // The walk-through: 'quiz 0' stopped at once ended "0 of 4 right, 4 not answered" though
    // list kept an earlier right answer.
    let secondQuiz = quiz.replacingOccurrences(of: "id=links", with: "id=maps")
      .replacingOccurrences(of: "How many links", with: "How many maps")
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell + quiz + secondQuiz])
    let first = checkout.run(["quiz", "3"], input: ["60", "q"])
    #expect(first.output.hasSuffix("1 of 2 right, 1 not answered\n"), "\(first.output)")
    #expect(first.status == 1)
    let stopped = checkout.run(["quiz", "3"], input: ["q"])
    #expect(
      stopped.output.hasSuffix("1 of 2 right (1 answered before), 1 not answered\n"),
      "\(stopped.output)")
    #expect(stopped.status == 1)
    // This time's answer replaces the one from before.
    let wrong = checkout.run(["quiz", "3"], input: ["61", "q"])
    #expect(wrong.output.hasSuffix("0 of 2 right, 1 not answered\n"), "\(wrong.output)")
    let last = checkout.run(["quiz", "3"], input: ["60", "60"])
    #expect(last.output.hasSuffix("2 of 2 right\n"), "\(last.output)")
    #expect(last.status == 0)
  }

  @Test func aDamagedHintCountWarnsInsteadOfCrashing() throws {
    let checkout = try loopCheckout()
    try checkout.write(
      ".lenet-tutor/progress.json",
      #"{"version": 1, "chapters": {"03-loop": {"hints": {"double": -5}}}}"#)
    let result = checkout.run(["hint", "3"])
    #expect(result.status == 0)
    #expect(result.errors.contains("the hint count of 'double' is -5; it must be 0 to 1000"))
    #expect(result.output.hasPrefix("Hint 1 of 2"), "\(result.output)")
  }

  @Test func corruptProgressWarnsAndIsKept() throws {
    let checkout = try Checkout(chapters: ["03-demo.md": header + countsCell])
    try FileManager.default.createDirectory(
      atPath: checkout.root + "/.lenet-tutor", withIntermediateDirectories: true)
    let progressPath = checkout.root + "/.lenet-tutor/progress.json"
    try Data("not json".utf8).write(to: URL(fileURLWithPath: progressPath))
    let result = checkout.run(["list"])
    #expect(result.status == 0)
    #expect(
      result.errors
        == "warning: cannot read the progress file \(progressPath): it is not valid progress JSON"
        + " (fix: move it away, e.g. mv \(progressPath) \(progressPath).bak, to start fresh)\n")
    #expect(FileManager.default.contents(atPath: progressPath) == Data("not json".utf8))
  }

  @Test func listAlignsItsColumnsWhenALessonTakesOverAHundredMinutes() throws {
    func chapter(_ number: Int, minutes: Int) -> String {
      "---\nnumber: \(number)\ntitle: C\(number) demo\nminutes: \(minutes)\ngoals:\n  - Read\n---\n\nText.\n"
    }
    let checkout = try Checkout(chapters: [
      "03-demo.md": chapter(3, minutes: 20), "04-demo.md": chapter(4, minutes: 110),
    ])
    let result = checkout.run(["list"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        The lessons (chapter files in \(checkout.root)/Lessons/):
           3  C3 demo   20 min  not started
           4  C4 demo  110 min  not started

        Start one with: lenet-tutor lesson <number>

        """)
  }

  @Test func noArgumentsListsLessonsAndHelpStillPrintsHelp() throws {
    let checkout = try Checkout(chapters: [:])
    #expect(
      checkout.run([]).output
        == "No lessons yet: \(checkout.root)/Lessons has no NN-slug.md chapters.\n")
    #expect(checkout.run(["--help"]).output.hasPrefix("OVERVIEW: Learn LeNet-5"))
  }

  @Test func interactiveLessonPausesAfterEachCellAndQStops() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell + "\n```swift\nprint(\"second cell\")\n```\n"
    ])
    let result = await checkout.runAsChapterWork(["lesson", "3"], input: ["q"], interactive: true)
    #expect(result.output.contains("  ✓ C3 parameters: 1516\n\n── Enter: next step · q: quit "))
    #expect(!result.output.contains("second cell\n  │"))
    #expect(result.output.hasSuffix("1 passed, 0 failed\n"))
    #expect(result.status == 0)
  }

  @Test func noPauseRunsThroughEvenOnATerminal() async throws {
    let checkout = try Checkout(chapters: [
      "03-demo.md": header + countsCell + "\n```swift\nprint(\"second cell\")\n```\n"
    ])
    let result = await checkout.runAsChapterWork(["lesson", "3", "--no-pause"], interactive: true)
    #expect(!result.output.contains("── Enter"))
    #expect(result.output.contains("  │ second cell\n"))
  }

  @Test func lessonShowsEachCellAsItEndsWhileLaterCellsRun() async throws {
    // Cell 2 waits for a file that this sink creates when cell 1's output is shown: if the
    // lesson waited for the whole chapter, cell 2 would give up after 20 s and print false.
    let gate = checkoutGate()
    let chapter =
      header + "```swift\nprint(\"first\")\n```\n\n```swift\nvar released = false\n"
      + "for _ in 0..<400 where !released {\n"
      + "  released = FileManager.default.fileExists(atPath: \"\(gate)\")\n"
      + "  if !released { usleep(50_000) }\n}\nprint(\"released:\", released)\n```\n"
    let checkout = try Checkout(chapters: ["03-demo.md": chapter])
    // The lesson compiles and runs the chapter: chapter work.
    let (status, output, errors) = await chapterWork {
      let output = GateSink(trigger: "│ first\n", gate: gate)
      let errors = StringSink()
      let context = Context(
        output: output, errors: errors,
        terminal: Terminal(isInteractive: false, usesColor: false),
        environment: checkout.environment, readLine: { nil })
      return (LeNetTutor.run(["lesson", "3"], context: context), output.text, errors.text)
    }
    #expect(status == 0, "\(errors)")
    #expect(output.contains("  │ released: true\n"), "\(output)")
  }
  @Test func lessonAndCheckEndWithTheSameTally() async throws {
    // One exercise not started (its check fails as shipped) and one plain check that passes.
    let chapter =
      header + """
        ```swift exercise id=double
        func double(_ x: Int) -> Int {
          // TODO: return twice x
          return 0
        }
        ```

        ```swift
        check("double 21", double(21), equals: 42)
        check("one plus one", 1 + 1, equals: 2)
        ```

        """
    let checkout = try Checkout(chapters: ["03-demo.md": chapter])
    let lesson = await checkout.runAsChapterWork(["lesson", "3"])
    let check = await checkout.runAsChapterWork(["check", "3"])
    #expect(lesson.output.contains("\n1 passed, 0 failed, 1 not started\n"), "\(lesson.output)")
    #expect(check.output.hasSuffix("\n1 passed, 0 failed, 1 not started\n"), "\(check.output)")
    // Reading a chapter not yet solved is fine; checking it is not.
    #expect(lesson.status == 0)
    #expect(check.status == 1)
  }

  @Test func aCellStillRunningSaysSoOnATerminalThenTheLineGoes() async throws {
    // The cell cannot end before the sink has seen "running…", so the line must be shown.
    let gate = checkoutGate()
    let chapter =
      header + "```swift\nvar released = false\n"
      + "for _ in 0..<400 where !released {\n"
      + "  released = FileManager.default.fileExists(atPath: \"\(gate)\")\n"
      + "  if !released { usleep(50_000) }\n}\nprint(\"released:\", released)\n```\n"
    let checkout = try Checkout(chapters: ["03-demo.md": chapter])
    // The lesson compiles and runs the chapter: chapter work.
    let (status, output) = await chapterWork {
      let output = GateSink(trigger: "  running…", gate: gate)
      let context = Context(
        output: output, errors: StringSink(),
        terminal: Terminal(isInteractive: true, usesColor: false),
        environment: checkout.environment, readLine: { nil })
      return (LeNetTutor.run(["lesson", "3", "--no-pause"], context: context), output.text)
    }
    #expect(status == 0)
    #expect(output.contains("\r\u{1B}[2K  running… 0 s (Ctrl-C stops the cell)"), "\(output)")
    #expect(output.contains("\r\u{1B}[2K  │ released: true\n"), "\(output)")
  }
}

/// A path for a gate file that does not exist yet.
private func checkoutGate() -> String {
  let path = NSTemporaryDirectory() + "lenet-tutor-gate-" + UUID().uuidString
  TemporaryFolders.removeAtExit(path)
  return path
}

/// Collects text like `StringSink`, and creates `gate` once `trigger` has been written.
private final class GateSink: TextSink, @unchecked Sendable {
  let trigger: String
  let gate: String
  private(set) var text = ""

  init(trigger: String, gate: String) {
    self.trigger = trigger
    self.gate = gate
  }

  func write(_ text: String) {
    self.text += text
    if self.text.contains(trigger) && !FileManager.default.fileExists(atPath: gate) {
      // A gate that cannot be created makes the waiting cell time out, which the test reports.
      _ = FileManager.default.createFile(atPath: gate, contents: Data())
    }
  }
}

/// Ctrl-C while a cell runs stops that cell, not lenet-tutor, and records no progress.
@Suite("Ctrl-C in a lesson")
struct LessonInterruptTests {
  @Test func ctrlCStopsTheCellAndLessonEndsCleanly() throws {
    let chapter =
      header + "```swift\nprint(\"first\")\n```\n\n```swift\nwhile true {}\n```\n"
    let checkout = try Checkout(chapters: ["03-demo.md": chapter])
    let tutor = try TutorProcess(["lesson", "3"], environment: checkout.environment)
    // Read until the first cell's output shows: the second cell (the loop) is then running.
    tutor.read(until: "│ first")
    usleep(300_000)
    let (status, exited, text, _) = tutor.interrupt()
    #expect(exited)
    #expect(status == 130)
    #expect(text.contains("✗ the cell at line 11 was stopped (Ctrl-C)"), "\(text)")
    #expect(text.hasSuffix("0 passed, 1 failed\n"), "\(text)")
    #expect(checkout.read(".lenet-tutor/progress.json") == nil)
  }

  @Test func ctrlCStopsCheckWithoutRunningLaterChapters() throws {
    let looping = header + "```swift\nwhile true {}\n```\n"
    let later = looping.replacingOccurrences(of: "number: 3", with: "number: 4")
      .replacingOccurrences(of: "C3 demo", with: "Later demo")
    let checkout = try Checkout(chapters: ["03-demo.md": looping, "04-later.md": later])
    let tutor = try TutorProcess(["check", "3", "4"], environment: checkout.environment)
    tutor.read(until: "C3 demo")
    // Compiling the chapter takes a second or two; by 4 s its loop runs.
    usleep(4_000_000)
    let (status, _, text, _) = tutor.interrupt()
    #expect(status == 130)
    #expect(!text.contains("Later demo"), "\(text)")
    #expect(checkout.read(".lenet-tutor/progress.json") == nil)
  }
}
