import Foundation
import LessonRunner
import TerminalKit

/// What the lesson commands (`lesson`, `check`, `list`, `quiz`) share: finding the workspace and
/// chapters, printing verdict lines, and keeping the progress file.
struct LessonSupport {
  let context: Context
  let workspace: Workspace

  /// `--workspace <dir>`, which every learner command takes.
  static let workspaceOption = Option.text(
    "--workspace", "dir", "Your workspace from 'lenet-tutor init'.",
    defaultText: "the one you are in", expecting: "a folder name")

  /// Finds the workspace from the context's environment and `--workspace`, starting at `start`
  /// (a chapter path).
  init(context: Context, arguments: ParsedArguments, start: String? = nil) throws {
    self.context = context
    // `init`, `release` and `grade` work on the course, not on a learner's workspace.
    let takesWorkspace =
      arguments.command?.options.contains { $0.name == Self.workspaceOption.spec.name } ?? false
    // A bad --workspace value is a usage error, printed as one (not caught below).
    let learnerDirectory = takesWorkspace ? try arguments.value(of: Self.workspaceOption) : nil
    do {
      workspace = try Workspace.locate(
        environment: context.environment, start: start, learnerDirectory: learnerDirectory)
    } catch {
      throw ToolError(error, exitCode: 2)
    }
  }

  /// Refuses `--solutions` in a learner workspace: its shipped copy of the course has no
  /// reference solutions beside it (a learner sees one with `solution`, once passed), so the run
  /// would stop on a missing file with an author's fix.
  func refuseSolutionsInWorkspace(command: String) throws(ToolError) {
    guard let learner = workspace.learner else { return }
    if !learner.hasSolutions {
      throw ToolError(
        "--solutions runs the reference solutions, and this workspace was made from a student"
          + " edition, which has none",
        fix: "check your own code with 'lenet-tutor \(command) N'; ask your teacher about a"
          + " solution",
        exitCode: 2)
    }
    throw ToolError(
      "--solutions runs the course's reference solutions, which your workspace does not hold",
      fix: "run 'lenet-tutor \(command) --solutions' in the course's checkout, \(workspace.root);"
        + " or see the solution of an exercise you have passed with 'lenet-tutor solution N'",
      exitCode: 2)
  }

  /// A workspace made from a student edition has no solutions: `solution` says so instead of
  /// reading the tool's checkout's.
  func refuseSolutionsOfAnEdition() throws(ToolError) {
    guard let learner = workspace.learner, !learner.hasSolutions else { return }
    throw ToolError(
      "this workspace was made from a student edition, which has no reference solutions",
      fix: "'lenet-tutor hint N' for a hint; ask your teacher about a solution",
      exitCode: 2)
  }

  /// The chapter numbers a `--chapters` list names (numbers and ranges: `0-3,10`), each one of
  /// `available`; `book` and `grade` both take such a list.
  static func chapterNumbers(_ list: String, available: [Int], command spec: CommandSpec)
    throws(UsageError) -> Set<Int>
  {
    var numbers: Set<Int> = []
    for part in list.split(separator: ",", omittingEmptySubsequences: false) {
      let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard (1...2).contains(bounds.count), let low = bounds.first ?? nil,
        let high = bounds.last ?? nil, low <= high
      else {
        throw UsageError(
          "'--chapters' needs chapter numbers such as 0-3,10, got '\(list)'", command: spec)
      }
      for number in low...high {
        guard available.contains(number) else {
          throw UsageError(
            "'--chapters' names chapter \(number), which does not exist (the chapters are "
              + available.map(String.init).joined(separator: ", ") + ")", command: spec)
        }
        numbers.insert(number)
      }
    }
    return numbers
  }

  /// The chapters in the lessons folder; two files with the same number are an error naming
  /// both, never a silent pick.
  func catalog() throws(ToolError) -> Catalog {
    Catalog(files: try chapterFiles())
  }

  /// The lessons folder's chapter files, unparsed; two files with one number are an error.
  func chapterFiles() throws(ToolError) -> [Catalog.File] {
    let files = Catalog.files(in: workspace.lessonsDirectory)
    for (index, file) in files.enumerated().dropFirst() where files[index - 1].number == file.number
    {
      throw ToolError(
        "two chapters have the number \(file.number): \(files[index - 1].path) and \(file.path)",
        fix: "renumber one of them (the number is the file name's NN- prefix)", exitCode: 2)
    }
    return files
  }

  /// The chapter a command-line word names: a lesson number, or a path to a chapter file.
  func chapterPath(_ word: String) throws(ToolError) -> String {
    if let number = Int(word), let file = try chapterFiles().first(where: { $0.number == number }) {
      return file.path
    }
    let catalog = try self.catalog()
    guard let number = Int(word) else {
      var isFolder: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: word, isDirectory: &isFolder)
      if exists && !isFolder.boolValue { return word }
      // A word written as a path was meant as one: say what is wrong with the path.
      let problem =
        exists
        ? "'\(word)' is a folder, not a chapter file"
        : word.contains("/") || word.hasSuffix(".md")
          ? "there is no file '\(word)'"
          : "'\(word)' is neither a lesson number nor a chapter file"
      throw ToolError(
        problem + ". The lessons are:\n" + lessonList(catalog),
        fix: "give one of these numbers, or the path of a chapter file", exitCode: 2)
    }
    guard !catalog.entries.isEmpty else {
      throw ToolError(
        "there is no lesson \(number): \(Catalog.displayPath(workspace.lessonsDirectory)) has no"
          + " chapters yet", fix: "give a chapter file's path instead", exitCode: 2)
    }
    throw ToolError(
      "there is no lesson \(number). The lessons are:\n" + lessonList(catalog),
      fix: "give one of these numbers, or a chapter file's path", exitCode: 2)
  }

  /// The chapter a command-line word names, parsed; a chapter that cannot be read throws its
  /// located `ChapterError` (commands print it and exit 2).
  func chapter(_ word: String) throws -> Chapter {
    try ChapterParser.parse(contentsOf: try chapterPath(word))
  }

  /// The workspace and chapter a command's `<lesson>` word names; a chapter that cannot be read
  /// throws its located `ChapterError` (printed as it is, exit status 2).
  static func open(_ arguments: ParsedArguments, context: Context) throws -> (
    LessonSupport, Chapter
  ) {
    let word = arguments.positionals[0]
    let support = try LessonSupport(
      context: context, arguments: arguments, start: Int(word) == nil ? word : nil)
    return (support, try support.chapter(word))
  }

  /// The exercise `hint`, `solution` and `reset` act on: the one `--exercise` names, else the
  /// first one the progress file does not record as passed; nil when every exercise passed.
  func exercise(
    in chapter: Chapter, id: String?, progress: LearnerProgress?, command: CommandSpec
  ) throws(UsageError) -> Cell? {
    if let id {
      guard let cell = chapter.exercises.first(where: { $0.exerciseID == id }) else {
        let ids = chapter.exercises.compactMap(\.exerciseID).map { "'\($0)'" }
        throw UsageError(
          "lesson \(chapter.frontMatter.number) has no exercise '\(id)'"
            + (ids.isEmpty ? "" : "; its exercises are " + ids.joined(separator: ", ")),
          command: command)
      }
      return cell
    }
    return chapter.exercises.first { cell in
      !(progress?.passed(exercise: cell.exerciseID ?? "", chapter: chapter.stem) ?? false)
    }
  }

  /// One line per chapter: number and title.
  func lessonList(_ catalog: Catalog) -> String {
    catalog.entries.map { entry in
      let title = (try? entry.chapter.get().frontMatter.title) ?? "(cannot be read)"
      return "  " + String(entry.number).leftPadded(to: 2) + "  " + title
    }.joined(separator: "\n")
  }

  /// Whether a chapter's progress is recorded: only chapters of the package's own Lessons folder
  /// (a copy elsewhere would overwrite the real chapter's record).
  func recordsProgress(_ chapter: Chapter) -> Bool {
    let absolute = Workspace.absolute(chapter.path, from: FileManager.default.currentDirectoryPath)
    return (absolute as NSString).deletingLastPathComponent == workspace.lessonsDirectory
  }

  /// The learner's progress; a corrupt file gives a warning and empty progress (it is not
  /// overwritten: `save` refuses while the file cannot be read).
  func loadProgress() -> LearnerProgress? {
    do {
      return try LearnerProgress.load(from: workspace.progressPath)
    } catch {
      context.errors.line(context.errorTerminal.styled("warning:", .yellow, .bold) + " \(error)")
      return nil
    }
  }

  /// Applies `change` to the progress file under its lock, unless it cannot be read (then it is
  /// left as it is, with a warning).
  func updateProgress(_ change: (inout LearnerProgress) -> Void) {
    do {
      try LearnerProgress.update(at: workspace.progressPath, change)
    } catch {
      context.errors.line(context.errorTerminal.styled("warning:", .yellow, .bold) + " \(error)")
    }
  }

  /// The shipped chapter that the learner's `chapter` runs inside (its checks, setup and
  /// reference outputs; only the exercise cells are the learner's): the workspace's copy in
  /// `.lenet-tutor/course/`. Nil in the course itself, where a chapter is its own course.
  func course(for chapter: Chapter) throws -> Chapter? {
    guard let path = workspace.shippedChapterPath(for: chapter.path),
      FileManager.default.fileExists(atPath: path)
    else { return nil }
    return try ChapterParser.parse(contentsOf: path)
  }

  /// A runner whose one-line status messages go to standard error.
  var runner: ChapterRunner {
    let errors = context.errors
    return ChapterRunner(workspace: workspace, status: { errors.line($0) })
  }

  /// A verdict line: `✓ C3 parameters: 1516`, `✗ … (Lessons/03.md:41)`, `- 2 later cells not run`.
  func line(_ verdict: ChapterReport.Verdict) -> String {
    let location = verdict.location.map { " (\($0.path):\($0.line))" } ?? ""
    switch verdict.status {
    case .passed: return context.terminal.verdict(true) + " " + verdict.text
    case .failed:
      return context.terminal.verdict(false) + " " + verdict.text
        + context.terminal.styled(location, .dim)
    case .notStarted, .warning:
      return context.terminal.styled(verdict.status == .warning ? "!" : "○", .yellow, .bold)
        + " " + verdict.text + context.terminal.styled(location, .dim)
    case .note: return "- " + verdict.text
    }
  }

  /// A quiz's verdict from the recorded answers: passed, failed, or not answered (never passed).
  func quizLine(_ quiz: Quiz, chapter: Chapter, progress: LearnerProgress?) -> (String, Bool?) {
    let command = "lenet-tutor quiz \(chapter.frontMatter.number)"
    guard let answer = progress?.chapters[chapter.stem]?.quizzes[quiz.id] else {
      return ("? quiz \(quiz.id): not answered (run \(command))", nil)
    }
    if answer.correct {
      return (context.terminal.verdict(true) + " quiz \(quiz.id): answered \(answer.answer)", true)
    }
    return (
      context.terminal.verdict(false) + " quiz \(quiz.id): answered \(answer.answer),"
        + " which is not right (run \(command) again)", false
    )
  }
}

/// `count` and the noun in the number it needs: "1 pass", "20 passes", "3 students".
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
  "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
}

extension String {
  /// The string right-aligned in `width` characters.
  func leftPadded(to width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }

  /// The string left-aligned in `width` characters.
  func rightPadded(to width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
}

extension ToolError {
  /// A workspace error (no checkout, no workspace, a folder that cannot be written) as the
  /// command line prints every error: 'error:', then 'fix:' on its own line.
  init(_ error: WorkspaceError, exitCode: Int32) {
    self.init(error.message, fix: error.fix, exitCode: exitCode)
  }
}
