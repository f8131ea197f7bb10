import Foundation
import LessonRunner
import TerminalKit

/// `lenet-tutor lesson 3`: a chapter in the terminal, one step at a time, its cells run and
/// checked.
enum LessonCommand: TutorCommand {
  static let noPause = Flag("--no-pause", "Run straight through without waiting for Enter.")
  static let solutionsFlag = Flag(
    "--solutions", "Replace exercise cells by their reference solutions.")

  static let spec = CommandSpec(
    name: "lesson",
    abstract: "Read a lesson step by step; its Swift cells run and are checked.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [
      noPause.spec, solutionsFlag.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      On a terminal the lesson waits for Enter after each cell (q quits); with --no-pause, or
      when the output is not a terminal, it runs straight through. A cell that runs long shows
      its seconds; Ctrl-C stops it (not lenet-tutor). Edit the chapter's exercise cells and run
      it again: it is compiled again only when it changed. Ends with the same tally as 'check'.
      Exit status: 0 when nothing failed (exercises not started yet are fine), 1 when a check
      failed, 2 when the chapter cannot be read, 130 when Ctrl-C stopped a cell.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (support, chapter) = try LessonSupport.open(arguments, context: context)
    let pauses =
      context.terminal.isInteractive && !arguments.isSet(noPause)
    let solutions = arguments.isSet(solutionsFlag)
    if solutions { try support.refuseSolutionsInWorkspace(command: spec.name) }
    let output = context.output
    let terminal = context.terminal
    let renderer = MarkdownRenderer(terminal: terminal)
    let front = chapter.frontMatter
    if chapter.frontMatter.needsMNIST, let reason = support.workspace.mnistSkipReason {
      throw ToolError("lesson \(front.number): " + reason.message, fix: reason.fix)
    }

    output.line(terminal.styled("Lesson \(front.number): \(front.title)", .bold, .underline))
    output.line(
      terminal.styled(front.minutes.map { "About \($0) minutes. " } ?? "", .dim)
        + "You will be able to:")
    for goal in front.goals { output.line("  • " + goal) }
    output.line()

    // The program runs in the background: each cell's results are shown as soon as that cell
    // ends, while later cells (a training loop) still run.
    let run: ChapterRun
    do {
      run = try support.runner.start(
        chapter, solutions: solutions, course: try support.course(for: chapter))
    } catch let error as ChapterError {
      context.errors.line("\(error)")
      return 2
    }
    var shownVerdicts: [ChapterReport.Verdict] = []
    var shownCells: Set<Int> = []
    /// Waits for Enter; false when the learner typed q (or input ended).
    func step(_ prompt: String = "Enter: next step · q: quit") -> Bool {
      guard pauses else { return true }
      output.write(terminal.styled("── \(prompt) ", .dim))
      guard let answer = context.readLine() else { return false }
      return answer.trimmingCharacters(in: .whitespaces).lowercased() != "q"
    }
    var quit = false
    blocks: for block in run.chapter.blocks {
      switch block {
      case .prose(let text, _):
        output.line(renderer.render(text))
        output.line()
      case .code(let code, let language, _):
        output.line(renderer.renderCode(code, language: language))
        output.line()
      case .cell(let index):
        let cell = run.chapter.cells[index]
        let title = cell.exerciseID.map { "Exercise \($0)" } ?? "Cell"
        let location = run.cellLocations[index]
        // A cell's fence is the line before its code; a solution is named by its file.
        let shown =
          location.path.hasSuffix(".md") ? "\(location.path):\(location.line - 1)" : location.path
        output.line(terminal.styled("▶ \(title) (\(shown))", .dim))
        output.line(renderer.renderCode(run.cellCode[index], language: "swift"))
        output.line()
        // A cell still running (a training loop) says so on a terminal with its seconds, then
        // the line goes.
        if terminal.isInteractive && !run.hasResult(throughCell: index) {
          let started = Date()
          repeat {
            let seconds = Int(Date().timeIntervalSince(started))
            output.write(
              "\r\u{1B}[2K"
                + terminal.styled("  running… \(seconds) s (Ctrl-C stops the cell)", .dim))
          } while !run.waitForResult(throughCell: index, seconds: 1)
          output.write("\r\u{1B}[2K")
        }
        let report = try run.report(throughCell: index)
        if let errors = report.compileErrors {
          output.write(errors)
          break blocks
        }
        let result = report.cells[index]
        if result.status == .notRun { break blocks }
        let printed = ChapterRunnerOutput.trimmed(result.output)
        if !printed.isEmpty {
          for line in printed.split(separator: "\n", omittingEmptySubsequences: false) {
            output.line(terminal.styled("  │ ", .dim) + line)
          }
        }
        for line in report.verdictLines(forCell: index) {
          output.line("  " + support.line(line.verdict))
          shownVerdicts.append(line.verdict)
        }
        shownCells.insert(index)
        output.line()
        if result.status != .completed { break blocks }
        if !step() {
          quit = true
          break blocks
        }
      case .output:
        continue
      case .hint(let cell, let hint):
        // Hints are never shown by reading on: a learner asks for them, one at a time ('h' here
        // on a terminal, or 'lenet-tutor hint'), and each one shown is recorded.
        guard hint == 0, !solutions, let id = run.chapter.cells[cell].exerciseID,
          let range = run.chapter.exerciseRange(id),
          !(try run.report(throughCell: range.upperBound - 1)).exercisePassed(id)
        else { continue }
        let hints = run.chapter.cells[cell].hints
        output.line(
          terminal.styled(
            "Stuck? \(counted(hints.count, "hint")) for '\(id)': "
              + (pauses ? "press h, or run " : "run ") + "'lenet-tutor hint \(front.number)'.",
            .dim))
        output.line()
        while pauses {
          output.write(terminal.styled("── h: show a hint · Enter: next step · q: quit ", .dim))
          guard let answer = context.readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
          else {
            quit = true
            break blocks
          }
          if answer == "q" {
            quit = true
            break blocks
          }
          guard answer == "h" else { break }
          let seen = support.loadProgress()?.chapters[chapter.stem]?.hints[id] ?? 0
          let shown = min(seen, hints.count - 1)
          output.line(terminal.styled("Hint \(shown + 1) of \(hints.count):", .yellow, .bold))
          output.line(renderer.render(hints[shown]))
          output.line()
          if support.recordsProgress(chapter) {
            support.updateProgress {
              $0.chapters[chapter.stem, default: .init()].hints[id] = min(seen + 1, hints.count)
            }
          }
        }
      case .quiz(let index):
        let quiz = run.chapter.quizzes[index]
        output.line(terminal.styled("Quiz: ", .bold) + renderer.render(quiz.question))
        if case .choice(let options, _) = quiz.answer {
          for (number, option) in options.enumerated() { output.line("  \(number + 1)) \(option)") }
        }
        output.line(terminal.styled("  Answer it with: lenet-tutor quiz \(front.number)", .dim))
        output.line()
      }
    }
    if quit { run.cancel() }
    let report = try run.wait()
    let lines = report.verdictLines
    var tally = ChapterReport.Tally()
    if quit {
      for verdict in shownVerdicts { tally.add(verdict) }
    } else {
      // The lines no cell showed (compile errors, edited cells, cells not run), then the same
      // tally as `check`'s.
      for line in lines where !(line.cell.map(shownCells.contains) ?? false) {
        let verdict = line.verdict
        output.line((verdict.status == .note ? "" : "  ") + support.line(verdict))
        if !verdict.detail.isEmpty && report.compileErrors == nil {
          for line in verdict.detail.split(separator: "\n") { output.line("    " + line) }
        }
      }
      tally = ChapterReport.Tally(lines.map(\.verdict))
      if !solutions { tally.add(CheckCommand.quizTally(chapter, support: support, output: output)) }
    }
    output.line(tally.summary)
    // The statuses `book` and `grade` read from the same lines (a chapter that does not compile
    // has none not started).
    let notStarted = report.exercises(lines: lines).filter { $0.status == .notStarted }.map(\.id)
    if !notStarted.isEmpty {
      let names = notStarted.map { "'\($0)'" }.joined(separator: ", ")
      output.line(
        "Your turn: exercise\(notStarted.count == 1 ? "" : "s") \(names)"
          + " \(notStarted.count == 1 ? "is" : "are") not started. "
          + (support.workspace.learner == nil
            ? "These are the course's own files: to do the exercises, make your own workspace"
              + " with 'lenet-tutor init', then run 'lenet-tutor lesson \(front.number)' in it."
            : "Edit \(chapter.path), then run 'lenet-tutor check \(front.number)' (stuck?"
              + " 'lenet-tutor hint \(front.number)')."))
    }
    if report.termination == .interrupted { return 130 }
    // A run stopped early (q) says nothing about the cells it did not reach.
    if !solutions && !run.wasCancelled && support.recordsProgress(chapter) {
      support.updateProgress { $0.record(report) }
    }
    return tally.failed > 0 ? 1 : 0
  }
}

/// Shapes a cell's captured output for display.
enum ChapterRunnerOutput {
  /// The output without its trailing newline and surrounding blank lines.
  static func trimmed(_ text: String) -> String {
    text.trimmingCharacters(in: .newlines)
  }
}
