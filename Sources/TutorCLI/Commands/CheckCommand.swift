import Foundation
import LessonRunner

/// `lenet-tutor check`: runs chapters without prose and prints one line per check.
enum CheckCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "check",
    abstract: "Run chapters' cells and checks without the prose; one line per check.",
    arguments: [
      ArgumentSpec(
        name: "lesson", help: "A lesson number or a chapter file (default: every lesson).",
        isOptional: true, isRepeated: true)
    ],
    options: [
      .flag("--solutions", "Replace exercise cells by their reference solutions.")
    ],
    discussion: """
      Ends with the line 'N passed, N failed' (', N skipped' when a chapter that needs MNIST
      was skipped, ', N not answered' for quiz questions not yet answered). Exit status: 0 when
      nothing failed, 1 when a check failed, 2 when a chapter cannot be read.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let support = try LessonSupport(
      context: context, start: arguments.positionals.first { Int($0) == nil })
    let solutions = arguments.flag("--solutions")
    var paths: [String] = []
    for word in arguments.positionals { paths.append(try support.chapterPath(word)) }
    if arguments.positionals.isEmpty {
      paths = support.catalog.entries.map(\.path)
      guard !paths.isEmpty else {
        throw ToolError(
          "\(Catalog.displayPath(support.workspace.lessonsDirectory)) has no chapters to check",
          fix: "add a chapter file such as Lessons/03-c3.md (see Docs/lesson-format.md)")
      }
    }
    var (passed, failed, skipped, notAnswered) = (0, 0, 0, 0)
    var unreadable = false
    let output = context.output
    for path in paths {
      let chapter: Chapter
      do {
        chapter = try ChapterParser.parse(contentsOf: path)
      } catch {
        output.line(path)
        context.errors.line("\(error)")
        unreadable = true
        continue
      }
      output.line("\(path): \(chapter.frontMatter.title)")
      if chapter.frontMatter.needsMNIST && support.workspace.mnistDirectory == nil {
        output.line("- skipped: this chapter needs MNIST (fix: \(LessonSupport.mnistFix))")
        skipped += 1
        continue
      }
      let report: ChapterReport
      do {
        report = try support.runner.run(chapter, solutions: solutions)
      } catch {
        context.errors.line("\(error)")
        if error is ChapterError { unreadable = true } else { failed += 1 }
        continue
      }
      if let errors = report.compileErrors { output.write(errors) }
      for verdict in report.verdicts {
        output.line("  " + support.line(verdict))
        if verdict.status == .passed { passed += 1 }
        if verdict.status == .failed || verdict.status == .unsolved { failed += 1 }
      }
      guard !solutions else { continue }
      let progress = support.loadProgress()
      for quiz in chapter.quizzes {
        let (line, correct) = support.quizLine(quiz, chapter: chapter, progress: progress)
        output.line("  " + line)
        switch correct {
        case true?: passed += 1
        case false?: failed += 1
        case nil: notAnswered += 1
        }
      }
      if support.recordsProgress(chapter) { support.updateProgress { $0.record(report) } }
    }
    output.line(
      summaryLine(passed: passed, failed: failed, skipped: skipped, notAnswered: notAnswered))
    return unreadable ? 2 : failed > 0 ? 1 : 0
  }
}
