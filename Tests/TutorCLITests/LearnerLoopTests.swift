import Foundation
import LeNetTestSupport
import LessonRunner
import Testing

/// A chapter with two exercises; `double` has two hints, `triple` one. Line numbers matter: the
/// `double` exercise's fence is line 8, `triple`'s is line 27.
let loopChapter = """
  ---
  number: 3
  title: Doubling and tripling
  goals:
    - Double and triple a number
  ---

  ```swift exercise id=double
  func double(_ x: Int) -> Int {
    // TODO: return twice x
    return 0
  }
  ```

  ```hint
  Multiply by two.
  ```

  ```hint
  `return 2 * x`
  ```

  ```swift
  check("double 21", double(21), equals: 42)
  ```

  ```swift exercise id=triple
  func triple(_ x: Int) -> Int {
    // TODO: return three times x
    return 0
  }
  ```

  ```hint
  Multiply by three.
  ```

  ```swift
  check("triple 5", triple(5), equals: 15)
  ```

  """

/// `chapter` with the `double` exercise solved (and its TODO gone).
func solvingDouble(_ chapter: String) -> String {
  chapter.replacingOccurrences(
    of: "  // TODO: return twice x\n  return 0\n", with: "  return x + x\n")
}

/// `chapter` with the `triple` exercise solved (and its TODO gone).
func solvingTriple(_ chapter: String) -> String {
  chapter.replacingOccurrences(
    of: "  // TODO: return three times x\n  return 0\n", with: "  return x + x + x\n")
}

/// A checkout holding `loopChapter` as lesson 3 with both reference solutions.
func loopCheckout() throws -> Checkout {
  let checkout = try Checkout(chapters: ["03-loop.md": loopChapter])
  try checkout.write(
    "Lessons/Solutions/03-loop/double.swift", "func double(_ x: Int) -> Int {\n  2 * x\n}\n")
  try checkout.write(
    "Lessons/Solutions/03-loop/triple.swift", "func triple(_ x: Int) -> Int { 3 * x }\n")
  return checkout
}

/// `hint` and `solution`: hints one at a time, kept in the progress file; solutions only after
/// the exercise passed, or with --force.
@Suite("Hints and solutions")
struct HintAndSolutionTests {
  @Test func aLessonOffATerminalShowsNoHintOnlyHowToAskForOne() async throws {
    // Issue 9: without a terminal, 'lesson' printed every hint, the last of which is the answer.
    let checkout = try loopCheckout()
    let result = await checkout.runAsChapterWork(["lesson", "3"])
    #expect(result.status == 0, "\(result.errors)")
    #expect(!result.output.contains("Multiply by two"), "\(result.output)")
    #expect(result.output.contains("Stuck? 2 hints for 'double': run 'lenet-tutor hint 3'."))
    let progress = try LearnerProgress.load(from: checkout.root + "/.lenet-tutor/progress.json")
    #expect(progress.chapters["03-loop"]?.hints["double"] == nil, "no hint was revealed")
  }

  @Test func onATerminalEnterGoesOnAndHShowsOneHintAndRecordsIt() throws {
    let checkout = try loopCheckout()
    // Enter after the exercise cell, then at the hint prompt: h (a hint), Enter (go on), then
    // Enter through the rest.
    let result = checkout.run(
      ["lesson", "3"], input: ["", "h", ""] + Array(repeating: "", count: 10), interactive: true)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("Hint 1 of 2:"), "\(result.output)")
    #expect(!result.output.contains("return 2 * x"), "the second hint stays hidden")
    let progress = try LearnerProgress.load(from: checkout.root + "/.lenet-tutor/progress.json")
    #expect(progress.chapters["03-loop"]?.hints["double"] == 1)
  }

  @Test func hintsAreRevealedOneAtATimeThenAllAgain() throws {
    let checkout = try loopCheckout()
    let first = checkout.run(["hint", "3"])
    #expect(first.status == 0)
    #expect(
      first.output == """
        Hint 1 of 2 for exercise 'double' (\(checkout.path("03-loop.md")):8):
        Multiply by two.

        Run 'lenet-tutor hint 3' again for hint 2.

        """)
    #expect(
      checkout.run(["hint", "3"]).output == """
        Hint 2 of 2 for exercise 'double' (\(checkout.path("03-loop.md")):8):
        `return 2 * x`

        That was the last hint. Still stuck? 'lenet-tutor solution 3 --exercise double --force' \
        shows the reference solution.

        """)
    #expect(
      checkout.run(["hint", "3"]).output == """
        You have seen all 2 hints for exercise 'double' (\(checkout.path("03-loop.md")):8):

        Hint 1:
        Multiply by two.

        Hint 2:
        `return 2 * x`

        Still stuck? 'lenet-tutor solution 3 --exercise double --force' shows the reference \
        solution.

        """)
  }

  @Test func hintCountIsKeptInTheProgressFile() throws {
    let checkout = try loopCheckout()
    _ = checkout.run(["hint", "3"])
    let progress = try #require(checkout.read(".lenet-tutor/progress.json"))
    #expect(progress.contains("\"hints\" : {\n        \"double\" : 1\n      }"), "\(progress)")
  }

  @Test func hintForANamedExercise() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["hint", "3", "--exercise", "triple"])
    #expect(
      result.output == """
        Hint 1 of 1 for exercise 'triple' (\(checkout.path("03-loop.md")):27):
        Multiply by three.

        That was the last hint. Still stuck? 'lenet-tutor solution 3 --exercise triple --force' \
        shows the reference solution.

        """)
  }

  @Test func hintMovesOnOnceAnExercisePassesAndSaysWhenAllDid() async throws {
    let checkout = try loopCheckout()
    try checkout.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    #expect(await checkout.runAsChapterWork(["check", "3"]).status == 1)
    #expect(checkout.run(["hint", "3"]).output.hasPrefix("Hint 1 of 1 for exercise 'triple'"))
    try checkout.write("Lessons/03-loop.md", solvingTriple(solvingDouble(loopChapter)))
    #expect(await checkout.runAsChapterWork(["check", "3"]).status == 0)
    #expect(
      checkout.run(["hint", "3"]).output
        == "Every exercise of lesson 3 has passed: there is nothing left to hint. For one of them"
        + " anyway: lenet-tutor hint 3 --exercise <id>\n")
  }

  @Test func hintForAnUnknownExerciseIsAUsageError() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["hint", "3", "--exercise", "quadruple"])
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: lesson 3 has no exercise 'quadruple'; its exercises are 'double', 'triple'
        Usage: lenet-tutor hint [--exercise <id>] [--workspace <dir>] <lesson>
        See 'lenet-tutor hint --help'.

        """)
  }

  @Test func hintWithoutLessonIsAUsageError() {
    let result = run("hint")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: missing argument <lesson>
        Usage: lenet-tutor hint [--exercise <id>] [--workspace <dir>] <lesson>
        See 'lenet-tutor hint --help'.

        """)
  }

  @Test func solutionStaysHiddenUntilPassed() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["solution", "3"])
    #expect(result.status == 1)
    #expect(result.output == "")
    #expect(
      result.errors == """
        error: you have not passed exercise 'double' of lesson 3 yet, so its solution stays hidden
        fix: 'lenet-tutor hint 3' for a hint, 'lenet-tutor check 3' once you have solved it, or \
        add --force to see the solution now

        """)
  }

  @Test func solutionWithForceSaysSo() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["solution", "3", "--force"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        Still locked until you pass it: 'triple'.

        You have not passed exercise 'double' yet (shown because of --force).
        Reference solution of exercise 'double' (\(checkout.path("Solutions/03-loop/double.swift"))):
            func double(_ x: Int) -> Int {
              2 * x
            }

        """)
  }

  /// A class's learners have the tool's checkout, which holds `Lessons/Solutions`: a workspace
  /// made from the student edition says it has no solutions instead of reading the checkout's.
  @Test func aWorkspaceFromTheStudentEditionHasNoSolutions() async throws {
    let checkout = try loopCheckout()
    let edition = checkout.root + "/edition"
    #expect(checkout.run(["release", "--out", edition]).status == 0)
    let directory = checkout.root + "/student"
    #expect(checkout.run(["init", directory, "--from", edition]).status == 0)
    var environment = checkout.environment
    environment["LENET_TUTOR_PROGRESS"] = nil
    let learner = LearnerCheckout(course: checkout, directory: directory, environment: environment)
    try learner.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    #expect(await learner.runAsChapterWork(["check", "3"]).status == 1)
    for arguments in [["solution", "3", "--force"], ["solution", "3", "--exercise", "double"]] {
      let result = learner.run(arguments)
      #expect(result.status == 2)
      #expect(result.output == "")
      #expect(
        result.errors == """
          error: this workspace was made from a student edition, which has no reference solutions
          fix: 'lenet-tutor hint N' for a hint; ask your teacher about a solution

          """)
    }
    let solutions = await learner.runAsChapterWork(["check", "3", "--solutions"])
    #expect(solutions.status == 2)
    #expect(
      solutions.errors == """
        error: --solutions runs the reference solutions, and this workspace was made from a \
        student edition, which has none
        fix: check your own code with 'lenet-tutor check N'; ask your teacher about a solution

        """)
    // A workspace made from the course itself still shows a passed exercise's solution.
    let own = try checkout.initWorkspace()
    try own.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    _ = await own.runAsChapterWork(["check", "3"])
    #expect(own.run(["solution", "3", "--exercise", "double"]).status == 0)
  }

  /// A workspace holds no reference solutions: `--solutions` there says where it runs, instead
  /// of stopping on a missing solution file under `.lenet-tutor/course/` with an author's fix.
  @Test(arguments: [["check", "3", "--solutions"], ["lesson", "3", "--solutions", "--no-pause"]])
  func solutionsFlagInAWorkspaceSaysWhereItRuns(arguments: [String]) async throws {
    let learner = try loopCheckout().initWorkspace()
    let result = learner.run(arguments)
    #expect(result.status == 2)
    #expect(result.output == "")
    #expect(
      result.errors == """
        error: --solutions runs the course's reference solutions, which your workspace does not \
        hold
        fix: run 'lenet-tutor \(arguments[0]) --solutions' in the course's checkout, \
        \(learner.course.root); or see the solution of an exercise you have passed with \
        'lenet-tutor solution N'

        """)
    #expect(await learner.course.runAsChapterWork(["check", "3", "--solutions"]).status == 0)
  }

  @Test func solutionsOfPassedExercisesAreShown() async throws {
    let checkout = try loopCheckout()
    try checkout.write("Lessons/03-loop.md", solvingTriple(solvingDouble(loopChapter)))
    #expect(await checkout.runAsChapterWork(["check", "3"]).status == 0)
    let result = checkout.run(["solution", "3"])
    #expect(result.status == 0)
    #expect(
      result.output == """
        Reference solution of exercise 'double' (\(checkout.path("Solutions/03-loop/double.swift"))):
            func double(_ x: Int) -> Int {
              2 * x
            }

        Reference solution of exercise 'triple' (\(checkout.path("Solutions/03-loop/triple.swift"))):
            func triple(_ x: Int) -> Int { 3 * x }

        """)
  }

  @Test func solutionsOfPassedExercisesAreShownAndTheOthersNamedAsLocked() async throws {
    // Issue 9: after solving only the first exercise, 'solution 3' used to refuse because it
    // defaulted to the first unsolved exercise.
    let checkout = try loopCheckout()
    try checkout.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    #expect(await checkout.runAsChapterWork(["check", "3"]).status == 1)
    let result = checkout.run(["solution", "3"])
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output == """
        Still locked until you pass it: 'triple'.

        Reference solution of exercise 'double' (\(checkout.path("Solutions/03-loop/double.swift"))):
            func double(_ x: Int) -> Int {
              2 * x
            }

        """)
  }

  @Test func missingSolutionFileIsAnErrorAtTheExercise() throws {
    let checkout = try Checkout(chapters: ["03-loop.md": loopChapter])
    let result = checkout.run(["solution", "3", "--force"])
    #expect(result.status == 2)
    #expect(
      result.errors
        == "\(checkout.path("03-loop.md")):8:1: error: exercise 'double' has no reference solution"
        + " at \(checkout.path("Solutions/03-loop/double.swift")) (fix: write the solution file,"
        + " with the code that replaces the exercise)\n")
  }
}

/// A passing one-cell chapter numbered `number`, titled `title`.
func passingChapter(number: Int, title: String) -> String {
  """
  ---
  number: \(number)
  title: \(title)
  goals:
    - Pass
  ---

  ```swift
  check("one plus one", 1 + 1, equals: 2)
  ```

  """
}

/// `next`: the first lesson not yet passed, per the progress file.
@Suite("Next lesson")
struct NextCommandTests {
  @Test func nextOpensTheFirstLessonNotPassed() async throws {
    let checkout = try Checkout(chapters: [
      "00-first.md": passingChapter(number: 0, title: "First"),
      "01-second.md": passingChapter(number: 1, title: "Second"),
    ])
    let first = await checkout.runAsChapterWork(["next"])
    #expect(first.status == 0)
    #expect(
      first.output.hasPrefix(
        "Next: lesson 0, the first you have not passed.\n\nLesson 0: First\n"))
    let second = await checkout.runAsChapterWork(["next"])
    #expect(
      second.output.hasPrefix(
        "Next: lesson 1, the first you have not passed.\n\nLesson 1: Second\n"))
    #expect(second.output.hasSuffix("1 passed, 0 failed\n"))
    let done = await checkout.runAsChapterWork(["next"])
    #expect(done.status == 0)
    #expect(
      done.output
        == "Congratulations: you have passed every lesson, 0 to 1. Revisit one with"
        + " 'lenet-tutor lesson <number>'.\n")
  }

  @Test func nextStaysOnALessonUntilItsQuizIsAnsweredRight() async throws {
    let quiz = """

      ```quiz id=sum
      What is 1 + 1?
      answer: 2
      explain: One and one make two.
      ```

      """
    let checkout = try Checkout(chapters: [
      "00-first.md": passingChapter(number: 0, title: "First") + quiz,
      "01-second.md": passingChapter(number: 1, title: "Second"),
    ])
    // Every check of lesson 0 passes; its quiz is not answered.
    _ = await checkout.runAsChapterWork(["next"])
    #expect(
      await checkout.runAsChapterWork(["next"]).output.hasPrefix(
        "Next: lesson 0, the first you have not passed."))
    _ = checkout.run(["quiz", "0"], input: ["3"])
    #expect(
      await checkout.runAsChapterWork(["next"]).output.hasPrefix(
        "Next: lesson 0, the first you have not passed."))
    _ = checkout.run(["quiz", "0"], input: ["2"])
    #expect(
      await checkout.runAsChapterWork(["next"]).output.hasPrefix(
        "Next: lesson 1, the first you have not passed."))
  }

  @Test func nextWithoutLessonsSaysSo() throws {
    let checkout = try Checkout(chapters: [:])
    #expect(
      checkout.run(["next"]).output
        == "No lessons yet: \(checkout.root)/Lessons has no NN-slug.md chapters.\n")
  }

  @Test func nextTakesNoArgument() {
    let result = run("next", "3")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: unexpected argument '3'
        Usage: lenet-tutor next [--no-pause] [--workspace <dir>]
        See 'lenet-tutor next --help'.

        """)
  }
}

/// `reset`: exercise cells back as shipped (the workspace's copy of the course), the learner's
/// file backed up first. No git is involved.
@Suite("Reset")
struct ResetCommandTests {
  /// The loop chapter with both exercises solved and a note the learner added to the prose.
  static let edited =
    solvingTriple(solvingDouble(loopChapter)) + "My note: double is x + x.\n"

  /// A workspace made from the loop course, with the learner's edited chapter.
  func editedWorkspace() throws -> LearnerCheckout {
    let learner = try loopCheckout().initWorkspace()
    try learner.write("Lessons/03-loop.md", Self.edited)
    return learner
  }

  /// The backups folder's files.
  func backups(_ learner: LearnerCheckout) -> [String] {
    (try? FileManager.default.contentsOfDirectory(
      atPath: learner.directory + "/.lenet-tutor/backups")) ?? []
  }

  @Test func resetRestoresExerciseCodeKeepsTheRestAndBacksUp() throws {
    let learner = try editedWorkspace()
    let result = learner.run(["reset", "3", "--yes"])
    #expect(result.status == 0, "\(result.errors)")
    let backupNames = backups(learner)
    let backup = try #require(backupNames.first)
    #expect(backupNames.count == 1)
    #expect(backup.hasPrefix("03-loop-") && backup.hasSuffix(".md"))
    #expect(
      result.output == """
        Saved your version to \(learner.directory)/.lenet-tutor/backups/\(backup)
        Reset exercises 'double', 'triple' of \(learner.path("03-loop.md")) to the shipped code; \
        the rest of the file is as you left it.

        """)
    #expect(learner.read(".lenet-tutor/backups/" + backup) == Self.edited)
    #expect(learner.read("Lessons/03-loop.md") == loopChapter + "My note: double is x + x.\n")
  }

  @Test func resetOneExerciseLeavesTheOther() throws {
    let learner = try editedWorkspace()
    let result = learner.run(["reset", "3", "--yes", "--exercise", "double"])
    #expect(result.status == 0)
    #expect(
      learner.read("Lessons/03-loop.md")
        == solvingTriple(loopChapter) + "My note: double is x + x.\n")
  }

  @Test func twoResetsKeepTwoBackups() throws {
    let learner = try editedWorkspace()
    #expect(learner.run(["reset", "3", "--yes", "--exercise", "double"]).status == 0)
    #expect(learner.run(["reset", "3", "--yes"]).status == 0)
    #expect(backups(learner).count == 2)
  }

  @Test func nothingToResetLeavesNoBackup() throws {
    let learner = try loopCheckout().initWorkspace()
    let result = learner.run(["reset", "3", "--yes"])
    #expect(result.status == 0)
    #expect(
      result.output
        == "The exercises of lesson 3 are already as shipped: nothing to reset.\n")
    #expect(backups(learner).isEmpty)
  }

  @Test func interactiveResetAsksAndNoChangesNothing() throws {
    let learner = try editedWorkspace()
    let declined = learner.run(["reset", "3"], input: ["n"], interactive: true)
    #expect(declined.status == 0)
    #expect(
      declined.output == """
        Put exercises 'double', 'triple' of \(learner.path("03-loop.md")) back as shipped? Your \
        version is saved to a backup first. [y/N] Nothing changed.

        """)
    #expect(learner.read("Lessons/03-loop.md") == Self.edited)
    let accepted = learner.run(["reset", "3"], input: ["y"], interactive: true)
    #expect(accepted.status == 0)
    #expect(learner.read("Lessons/03-loop.md") == loopChapter + "My note: double is x + x.\n")
  }

  @Test func offATerminalResetNeedsYes() throws {
    let learner = try editedWorkspace()
    let result = learner.run(["reset", "3"])
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: reset rewrites \(learner.path("03-loop.md")); off a terminal it needs --yes to go \
        ahead
        Usage: lenet-tutor reset [--yes] [--exercise <id>] [--workspace <dir>] <lesson>
        See 'lenet-tutor reset --help'.

        """)
    #expect(learner.read("Lessons/03-loop.md") == Self.edited)
  }

  @Test func inTheCourseItselfResetRefusesAndPointsToAWorkspace() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["reset", "3", "--yes"])
    #expect(result.status == 1)
    #expect(
      result.errors == """
        error: \(checkout.path("03-loop.md")) is the course itself, not a learner's copy, so there \
        is nothing to reset
        fix: do the exercises in a workspace of your own: 'lenet-tutor init', then 'cd lenet-course'

        """)
    #expect(checkout.read("Lessons/03-loop.md") == loopChapter)
  }

  @Test func aChapterWithoutAShippedCopyRefuses() throws {
    let learner = try loopCheckout().initWorkspace()
    try learner.write(
      "Lessons/04-new.md", loopChapter.replacingOccurrences(of: "number: 3", with: "number: 4"))
    let result = learner.run(["reset", "4", "--yes"])
    #expect(result.status == 1)
    #expect(
      result.errors.hasPrefix(
        "error: cannot reset lesson 4: the shipped copy of the chapter,"
          + " \(learner.directory)/.lenet-tutor/course/04-new.md, is missing, so its exercises"
          + " cannot be reset\n"),
      "\(result.errors)")
  }

  @Test func exerciseWhoseFenceIsGoneRefuses() throws {
    let learner = try loopCheckout().initWorkspace()
    try learner.write(
      "Lessons/03-loop.md", loopChapter.replacingOccurrences(of: " exercise id=triple", with: ""))
    let result = learner.run(["reset", "3", "--yes"])
    #expect(result.status == 1)
    #expect(
      result.errors == """
        error: cannot reset lesson 3: exercise 'triple' is no longer in \
        \(learner.path("03-loop.md")) (its ```swift exercise id=triple line is gone)
        fix: put the exercise's opening line back (the shipped chapter in .lenet-tutor/course/ has \
        it)

        """)
  }
}
