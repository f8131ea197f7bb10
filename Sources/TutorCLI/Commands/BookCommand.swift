import Foundation
import LeNetKit
import LessonRunner
import TerminalKit

/// `lenet-tutor book`: the course as a static site, every chapter run, for a browser.
enum BookCommand: TutorCommand {
  static let outOption = Option.text(
    "--out", "dir", "The folder to write the site into.", default: "lenet-book",
    expecting: "a folder name")
  static let chaptersOption = Option.text(
    "--chapters", "list", "The chapters to include, as numbers and ranges: 0-3,10.",
    defaultText: "every chapter", expecting: "chapter numbers such as 0-3,10")

  static let spec = CommandSpec(
    name: "book",
    abstract: "Write the course as a static HTML site, every chapter run, with its pictures.",
    options: [outOption.spec, chaptersOption.spec, LessonSupport.workspaceOption.spec],
    discussion: """
      Runs each chapter and writes index.html, one page per chapter (prose, every cell with its
      output, pictures and checks, hints folded, quizzes to answer in the page) and the assets.
      The folder opens from disk and can be copied to any web host. Exercises show their
      starters, or your code with --workspace (never the reference solutions). A chapter that
      needs MNIST when it is missing says so on its page. Exit status: 0 when the site was
      written, 1 when it could not be written, 2 for a bad option or an unreadable chapter,
      130 when Ctrl-C stopped it.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let started = Date()
    let support = try LessonSupport(context: context, arguments: arguments)
    let output = try arguments.value(of: outOption)
    let catalog = try support.catalog()
    var entries = catalog.entries
    if let list = try arguments.value(of: chaptersOption) {
      let wanted = try LessonSupport.chapterNumbers(
        list, available: entries.map(\.number), command: spec)
      entries = entries.filter { wanted.contains($0.number) }
    }
    guard !entries.isEmpty else {
      throw ToolError(
        "\(Catalog.displayPath(support.workspace.lessonsDirectory)) has no chapters",
        fix: "run it in the course's checkout or a workspace from 'lenet-tutor init'", exitCode: 2)
    }
    var book: [Book.Entry] = []
    for entry in entries {
      let chapter = try entry.chapter.get()
      book.append(Book.Entry(chapter: chapter, course: try support.course(for: chapter)))
    }
    let directory = Workspace.absolute(output, from: FileManager.default.currentDirectoryPath)
    do {
      try AtomicFile.prepareFolder(URL(fileURLWithPath: directory))
    } catch {
      throw ToolError("\(error)", fix: "give --out a folder you can write to")
    }
    let progress =
      support.workspace.learner == nil ? nil : support.loadProgress() ?? LearnerProgress()
    let builder = Book(runner: support.runner, outputDirectory: directory, progress: progress)
    var bar = ProgressBar(
      label: "book", total: book.count, terminal: context.terminal, sink: context.output)
    bar.update(done: 0, detail: "compiling", force: true)
    let summary: Book.Summary
    do {
      summary = try builder.build(book) { done, _, title in
        bar.update(done: done, detail: title, force: true)
      }
    } catch {
      bar.finish()
      throw ToolError("\(error)", fix: "give --out a folder you can write to")
    }
    bar.finish()
    guard !summary.interrupted else {
      context.errors.line(
        "Stopped (Ctrl-C): \(Catalog.displayPath(directory))/ holds only the chapter pages"
          + " written before, and no index.")
      return 130
    }
    for number in summary.skipped {
      context.output.line(
        "chapter \(number): not run, it needs MNIST"
          + (support.workspace.mnistSkipReason.map { " (fix: \($0.fix))" } ?? ""))
    }
    let pages = book.count
    context.output.line(
      "Wrote \(counted(pages, "chapter page")) and \(counted(summary.pictures, "picture"))"
        + " to \(Catalog.displayPath(directory))/ in"
        + String(format: " %.1f s", Date().timeIntervalSince(started)) + "; open "
        + Catalog.displayPath(directory) + "/index.html")
    return 0
  }
}
