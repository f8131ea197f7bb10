import Foundation
import LessonRunner
import TerminalKit

/// `lenet-tutor check`: runs chapters without prose and prints one line per check.
enum CheckCommand: TutorCommand {
  static let solutionsFlag = Flag(
    "--solutions", "Replace exercise cells by their reference solutions.")

  static let spec = CommandSpec(
    name: "check",
    abstract: "Run chapters' cells and checks without the prose; one line per check.",
    arguments: [
      ArgumentSpec(
        name: "lesson", help: "A lesson number or a chapter file (default: every lesson).",
        isOptional: true, isRepeated: true)
    ],
    options: [
      solutionsFlag.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      Ends with the line 'N passed, N failed' (', N not started' for checks of exercises still
      as shipped, ', N skipped' when a chapter that needs MNIST was skipped, ', N not answered'
      for quiz questions not yet answered), as 'lesson' does. With --solutions the hidden checks
      (Lessons/Grading/) run too. Exit status: 0 when everything passed, 1 when a check failed
      or is not started, 2 when a chapter cannot be read, 130 when Ctrl-C stopped a chapter.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let support = try LessonSupport(
      context: context, arguments: arguments, start: arguments.positionals.first { Int($0) == nil })
    if arguments.isSet(solutionsFlag) { try support.refuseSolutionsInWorkspace(command: spec.name) }
    var paths: [String] = []
    for word in arguments.positionals {
      // `check 3 3` checks chapter 3 once.
      let path = try support.chapterPath(word)
      if !paths.contains(path) { paths.append(path) }
    }
    if arguments.positionals.isEmpty {
      paths = try support.catalog().entries.map(\.path)
      guard !paths.isEmpty else {
        throw ToolError(
          "\(Catalog.displayPath(support.workspace.lessonsDirectory)) has no chapters to check",
          fix: "add a chapter file such as Lessons/03-c3.md (see Docs/lesson-format.md)")
      }
    }
    var tally = Tally()
    for path in paths where !tally.interrupted {
      check(path, solutions: arguments.isSet(solutionsFlag), support: support, tally: &tally)
    }
    context.output.line(tally.summary)
    return tally.exitStatus
  }

  /// What the check lines of one or more chapters added up to.
  struct Tally {
    var counts = ChapterReport.Tally()
    /// Whether a chapter could not be read (exit status 2).
    var unreadable = false
    /// Whether Ctrl-C stopped a chapter (exit status 130; no later chapter runs).
    var interrupted = false

    /// `3 passed, 1 failed` and the optional parts.
    var summary: String { counts.summary }

    /// 2 when a chapter could not be read, 1 when a check failed or is not started, else 0.
    var exitStatus: Int32 {
      interrupted ? 130 : unreadable ? 2 : counts.failed + counts.notStarted > 0 ? 1 : 0
    }
  }

  /// Runs the chapter at `path` and prints its title and one line per check, adding them up in
  /// `tally`; records the learner's progress (not under `solutions`). `watch` shares it.
  static func check(_ path: String, solutions: Bool, support: LessonSupport, tally: inout Tally) {
    let output = support.context.output
    let errors = support.context.errors
    let chapter: Chapter
    do {
      chapter = try ChapterParser.parse(contentsOf: path)
    } catch {
      output.line(path)
      errors.line("\(error)")
      tally.unreadable = true
      return
    }
    output.line("\(path): \(chapter.frontMatter.title)")
    if chapter.frontMatter.needsMNIST, let reason = support.workspace.mnistSkipReason {
      output.line("- skipped: \(reason.message) (fix: \(reason.fix))")
      tally.counts.skipped += 1
      return
    }
    let report: ChapterReport
    do {
      // The course's CI proves the reference solutions pass the hidden checks too.
      report = try support.runner.run(
        chapter, solutions: solutions, course: try support.course(for: chapter),
        hiddenChecks: solutions)
    } catch {
      errors.line("\(error)")
      if error is ChapterError { tally.unreadable = true } else { tally.counts.failed += 1 }
      return
    }
    if let compileErrors = report.compileErrors { output.write(compileErrors) }
    for verdict in report.verdicts {
      output.line("  " + support.line(verdict))
      // The learner's lines under an exercise that does not compile (a chapter that does not
      // compile at all has them above, in its compile errors).
      if !verdict.detail.isEmpty && report.compileErrors == nil {
        for line in verdict.detail.split(separator: "\n") { output.line("    " + line) }
      }
      tally.counts.add(verdict)
    }
    // A chapter stopped by Ctrl-C says nothing about the cells it did not reach.
    if report.termination == .interrupted {
      tally.interrupted = true
      return
    }
    guard !solutions else { return }
    tally.counts.add(quizTally(chapter, support: support, output: output))
    if support.recordsProgress(chapter) { support.updateProgress { $0.record(report) } }
  }

  /// Prints one line per quiz question of `chapter` from the recorded answers and counts them:
  /// right is passed, wrong is failed, unanswered is not answered. `lesson` shares it, so both
  /// commands end with the same tally.
  static func quizTally(_ chapter: Chapter, support: LessonSupport, output: any TextSink)
    -> ChapterReport.Tally
  {
    var tally = ChapterReport.Tally()
    let progress = support.loadProgress()
    for quiz in chapter.quizzes {
      let (line, correct) = support.quizLine(quiz, chapter: chapter, progress: progress)
      output.line("  " + line)
      switch correct {
      case true?: tally.passed += 1
      case false?: tally.failed += 1
      case nil: tally.notAnswered += 1
      }
    }
    return tally
  }
}
