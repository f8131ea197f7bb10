import Foundation
import LeNetTestSupport
import LessonRunner
import Testing

/// `init`: the learner's own workspace, apart from the course (issue 11, part 1).
@Suite("Learner workspace")
struct InitCommandTests {
  /// The course here starts at lesson 3 (its only chapter), so that is the lesson to start.
  @Test func initCopiesTheChaptersWithoutSolutionsAndSaysWhatToDoNext() throws {
    let checkout = try loopCheckout()
    let directory = checkout.root + "/work"
    let result = checkout.run(["init", directory])
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output == """
        Made your workspace in \(directory)/ with 1 chapter (\(directory)/Lessons/).
        Solve the exercises in those files; the course's own copies stay as shipped.

        Next:
          cd \(directory)
          swift run --package-path .. lenet-tutor lesson 3
        or, staying where you are: swift run lenet-tutor lesson 3 --workspace \(directory)

        """)
    let manager = FileManager.default
    #expect(checkout.read("work/Lessons/03-loop.md") == loopChapter)
    #expect(checkout.read("work/.lenet-tutor/course/03-loop.md") == loopChapter)
    #expect(!manager.fileExists(atPath: directory + "/Lessons/Solutions"))
    #expect(!manager.fileExists(atPath: directory + "/.lenet-tutor/course/Solutions"))
  }

  @Test func initRefusesToOverwriteAWorkspace() throws {
    let learner = try loopCheckout().initWorkspace()
    try learner.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    let again = learner.course.run(["init", learner.directory])
    #expect(again.status == 1)
    #expect(
      again.errors.hasPrefix(
        "error: \(learner.directory) already holds a workspace or a Lessons folder; nothing was"
          + " overwritten"), "\(again.errors)")
    #expect(learner.read("Lessons/03-loop.md") == solvingDouble(loopChapter))
  }

  @Test func forceUpdatesTheChaptersTheLearnerHasNotEditedAndKeepsTheOthers() throws {
    let checkout = try Checkout(chapters: [
      "03-loop.md": loopChapter,
      "04-pass.md": passingChapter(number: 4, title: "Four"),
    ])
    let learner = try checkout.initWorkspace()
    try learner.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    // The course moves on: both chapters change.
    try checkout.write("Lessons/03-loop.md", loopChapter + "A new paragraph.\n")
    try checkout.write("Lessons/04-pass.md", passingChapter(number: 4, title: "Four, revised"))
    let result = checkout.run(["init", "--force", learner.directory])
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output == """
        Updated \(learner.directory): 1 chapter brought up to date.
        Kept as you edited them: 03-loop.md ('lenet-tutor reset N' puts an exercise back as shipped).

        """)
    #expect(learner.read("Lessons/03-loop.md") == solvingDouble(loopChapter))
    #expect(learner.read("Lessons/04-pass.md") == passingChapter(number: 4, title: "Four, revised"))
    #expect(learner.read(".lenet-tutor/course/03-loop.md") == loopChapter + "A new paragraph.\n")
  }

  @Test func forceOnAnUpToDateWorkspaceSaysNothingNeededUpdating() throws {
    let checkout = try Checkout(chapters: [
      "03-loop.md": loopChapter,
      "04-pass.md": passingChapter(number: 4, title: "Four"),
    ])
    let learner = try checkout.initWorkspace()
    let result = checkout.run(["init", "--force", learner.directory])
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output
        == "Updated \(learner.directory): 0 chapters brought up to date, 2 already were.\n")
    #expect(learner.read("Lessons/04-pass.md") == passingChapter(number: 4, title: "Four"))
  }

  @Test func solvingInTheWorkspaceNeverChangesTheCourse() async throws {
    let checkout = try loopCheckout()
    let learner = try checkout.initWorkspace()
    try learner.write("Lessons/03-loop.md", solvingTriple(solvingDouble(loopChapter)))
    let result = await learner.runAsChapterWork(["check", "3"])
    #expect(result.status == 0, "\(result.output)\(result.errors)")
    #expect(result.output.hasPrefix("\(learner.path("03-loop.md")): Doubling and tripling\n"))
    #expect(checkout.read("Lessons/03-loop.md") == loopChapter)
    // Progress is the learner's, inside the workspace; the course has none.
    #expect(learner.read(".lenet-tutor/progress.json")?.contains("\"passed\"") == true)
    #expect(checkout.read(".lenet-tutor/progress.json") == nil)
    // The solution comes from the course, since the workspace has none of its own.
    let solution = learner.run(["solution", "3"])
    #expect(solution.status == 0, "\(solution.errors)")
    #expect(solution.output.contains("\(checkout.path("Solutions/03-loop/double.swift"))"))
  }

  @Test func aWorkspaceIsFoundAboveAChapterInIt() throws {
    let learner = try loopCheckout().initWorkspace()
    var environment = learner.environment
    environment["LENET_TUTOR_ROOT"] = nil
    let workspace = try Workspace.locate(
      environment: environment, start: learner.path("03-loop.md"))
    #expect(workspace.learner?.directory == learner.directory)
    #expect(workspace.root == learner.course.root)
    #expect(workspace.lessonsDirectory == learner.directory + "/Lessons")
    #expect(workspace.progressPath == learner.directory + "/.lenet-tutor/progress.json")
  }

  @Test func aFolderThatIsNotAWorkspaceIsNamed() throws {
    let checkout = try loopCheckout()
    let result = checkout.run(["list", "--workspace", checkout.root + "/nowhere"])
    #expect(result.status == 2)
    // As every error: 'error:', then 'fix:' on its own line.
    #expect(
      result.errors == """
        error: \(checkout.root)/nowhere is not a lenet-tutor workspace (it has no \
        .lenet-tutor/workspace.json)
        fix: make one with 'lenet-tutor init \(checkout.root)/nowhere', or name the folder 'init' \
        made

        """)
  }

  /// An empty --workspace is a usage error with the command's usage, not a dump of the error.
  @Test(arguments: [
    (["list", "--workspace", ""], "lenet-tutor list [--workspace <dir>]"),
    (
      ["check", "--workspace="],
      "lenet-tutor check [--solutions] [--workspace <dir>] [<lesson> ...]"
    ),
  ])
  func anEmptyWorkspaceIsAUsageError(arguments: [String], usage: String) throws {
    let result = try loopCheckout().run(arguments)
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: '--workspace' needs a folder name, got ''
        Usage: \(usage)
        See 'lenet-tutor \(arguments[0]) --help'.

        """)
  }

  @Test func releaseWritesTheChaptersOnlyAndInitStartsFromIt() throws {
    let checkout = try loopCheckout()
    try checkout.write("Lessons/Grading/03-loop/double.swift", "check(\"hidden\", true)\n")
    let edition = checkout.root + "/edition"
    let release = checkout.run(["release", "--out", edition])
    #expect(release.status == 0, "\(release.errors)")
    #expect(
      release.output == """
        Wrote the student edition to \(edition)/: 1 chapter, no solutions, no hidden checks.
        Learners start with: lenet-tutor init --from \(edition)

        """)
    let files = try FileManager.default.subpathsOfDirectory(atPath: edition).sorted()
    #expect(files == ["Lessons", "Lessons/03-loop.md", "README.md"])
    let again = checkout.run(["release", "--out", edition])
    #expect(again.status == 1)
    #expect(
      again.errors == """
        error: \(edition)/Lessons already exists; nothing was overwritten
        fix: choose a new folder, or remove the old edition first

        """)

    let directory = checkout.root + "/from-edition"
    #expect(checkout.run(["init", directory, "--from", edition]).status == 0)
    #expect(checkout.read("from-edition/Lessons/03-loop.md") == loopChapter)
  }
}
