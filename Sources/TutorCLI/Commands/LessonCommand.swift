import Foundation
import LessonRunner
import TerminalKit

/// `lenet-tutor lesson 3`: a chapter in the terminal, one step at a time, its cells run and
/// checked.
enum LessonCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "lesson",
    abstract: "Read a lesson step by step; its Swift cells run and are checked.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [
      .flag("--no-pause", "Run straight through without waiting for Enter."),
      .flag("--solutions", "Replace exercise cells by their reference solutions."),
      LessonSupport.workspaceOption,
    ],
    discussion: """
      On a terminal the lesson waits for Enter after each cell (q quits); with --no-pause, or
      when the output is not a terminal, it runs straight through. Edit the chapter's cells and
      run it again: it is compiled again only when it changed. Exit status: 0 when every check
      passed, 1 when one failed, 2 when the chapter cannot be read.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    guard
      let (support, chapter) = try LessonSupport.open(arguments, context: context)
    else { return 2 }
    let pauses =
      context.terminal.isInteractive && !arguments.flag("--no-pause")
    let solutions = arguments.flag("--solutions")
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
      run = try support.runner.start(chapter, solutions: solutions)
    } catch let error as ChapterError {
      context.errors.line("\(error)")
      return 2
    }
    var (passed, failed) = (0, 0)
    /// Waits for Enter; false when the learner typed q (or input ended).
    func step(_ prompt: String = "Enter: next step · q: quit") -> Bool {
      guard pauses else { return true }
      output.write(terminal.styled("── \(prompt) ", .dim))
      guard let answer = context.readLine() else { return false }
      return answer.trimmingCharacters(in: .whitespaces).lowercased() != "q"
    }
    var quit = false
    blocks: for block in chapter.blocks {
      switch block {
      case .prose(let text, _):
        output.line(renderer.render(text))
        output.line()
      case .code(let code, let language, _):
        output.line(renderer.renderCode(code, language: language))
        output.line()
      case .cell(let index):
        let cell = chapter.cells[index]
        let title = cell.exerciseID.map { "Exercise \($0)" } ?? "Cell"
        let location = run.cellLocations[index]
        let shown =
          location.path == chapter.path ? "\(chapter.path):\(cell.line)" : location.path
        output.line(terminal.styled("▶ \(title) (\(shown))", .dim))
        let code =
          solutions && cell.exerciseID != nil
          ? (FileManager.default.contents(atPath: location.path).map {
            String(decoding: $0, as: UTF8.self)
          } ?? cell.code) : cell.code
        output.line(renderer.renderCode(code, language: "swift"))
        output.line()
        // A cell still running (a training loop) says so on a terminal, then the line goes.
        let showsRunning = terminal.isInteractive && !run.hasResult(throughCell: index)
        if showsRunning { output.write(terminal.styled("  running…", .dim)) }
        let report = try run.report(throughCell: index)
        if showsRunning { output.write("\r\u{1B}[2K") }
        if let errors = report.compileErrors {
          output.write(errors)
          failed += 1
          quit = true
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
        for verdict in report.verdicts(forCell: index) {
          output.line("  " + support.line(verdict))
          if verdict.status == .passed { passed += 1 }
          if verdict.status == .failed { failed += 1 }
        }
        output.line()
        if result.status != .completed { break blocks }
        if !step() {
          quit = true
          break blocks
        }
      case .output:
        continue
      case .hint(let cell, let hint):
        // Whether the exercise passed is known once the last cell that checks it has ended.
        guard let id = chapter.cells[cell].exerciseID,
          let range = chapter.exerciseRange(id),
          !(try run.report(throughCell: range.upperBound - 1)).exercisePassed(id)
        else { continue }
        if pauses && !step("Enter: show hint \(hint + 1) · q: quit") {
          quit = true
          break blocks
        }
        output.line(terminal.styled("Hint \(hint + 1):", .yellow, .bold))
        output.line(renderer.render(chapter.cells[cell].hints[hint]))
        output.line()
      case .quiz(let index):
        let quiz = chapter.quizzes[index]
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
    let notRun = report.cells.filter { $0.status == .notRun }.count
    if notRun > 0 && !quit && report.compileErrors == nil {
      output.line("- \(notRun) later cell\(notRun == 1 ? "" : "s") not run")
    }
    output.line(summaryLine(passed: passed, failed: failed))
    let unsolved = report.compileErrors == nil ? report.unsolvedExercises : []
    if !unsolved.isEmpty {
      let names = unsolved.map { "'\($0)'" }.joined(separator: ", ")
      output.line(
        "Your turn: exercise\(unsolved.count == 1 ? "" : "s") \(names) still"
          + " \(unsolved.count == 1 ? "has its" : "have their") TODO. Edit \(chapter.path), then run"
          + " 'lenet-tutor check \(front.number)' (stuck? 'lenet-tutor hint \(front.number)').")
    }
    // A run stopped early (q) says nothing about the cells it did not reach.
    if !solutions && !run.wasCancelled && support.recordsProgress(chapter) {
      support.updateProgress { $0.record(report) }
    }
    return failed > 0 ? 1 : 0
  }
}

/// Shapes a cell's captured output for display.
enum ChapterRunnerOutput {
  /// The output without its trailing newline and surrounding blank lines.
  static func trimmed(_ text: String) -> String {
    text.trimmingCharacters(in: .newlines)
  }
}
