import LessonRunner

/// `lenet-tutor list` (also plain `lenet-tutor`): the chapters with the learner's progress.
enum ListCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "list",
    abstract: "List the lessons with your progress (the default command).",
    options: [LessonSupport.workspaceOption.spec],
    discussion: """
      A lesson is passed when every check passes ('lenet-tutor check N') and every quiz
      question is answered right ('lenet-tutor quiz N'); the quiz column counts right answers.
      Progress is kept in .lenet-tutor/progress.json in your workspace, else in the checkout
      (or LENET_TUTOR_PROGRESS).
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let support = try LessonSupport(context: context, arguments: arguments)
    let catalog = try support.catalog()
    let folder = Catalog.displayPath(support.workspace.lessonsDirectory)
    guard !catalog.entries.isEmpty else {
      context.output.line("No lessons yet: \(folder) has no NN-slug.md chapters.")
      return 0
    }
    let progress = support.loadProgress()
    let terminal = context.terminal
    var rows: [(String, String, String, String)] = []
    var unreadable = false
    for entry in catalog.entries {
      switch entry.chapter {
      case .success(let chapter):
        let record = progress?.chapters[chapter.stem]
        let quizIDs = chapter.quizzes.map(\.id)
        let status: String
        switch record?.result {
        case _ where record?.isPassed(quizIDs: quizIDs) == true:
          status = terminal.verdict(true) + " passed"
        case .passed?: status = terminal.styled("○", .yellow, .bold) + " checks passed"
        case .failed?: status = terminal.verdict(false) + " failed"
        // Read, as `check` says of exercises still at their starter.
        case .notStarted?:
          status = terminal.styled("○", .yellow, .bold) + " read, exercises not started"
        case nil: status = terminal.styled("not started", .dim)
        }
        // Right answers out of questions: a chapter is passed only when its checks pass and its
        // quiz is right.
        let right = record?.rightAnswers(quizIDs: quizIDs) ?? 0
        let quiz = quizIDs.isEmpty ? "" : "quiz \(right)/\(quizIDs.count) right"
        let minutes = chapter.frontMatter.minutes.map { "\($0) min" } ?? ""
        rows.append(
          (String(entry.number), chapter.frontMatter.title, minutes, status + "  " + quiz))
      case .failure(let error):
        unreadable = true
        rows.append((String(entry.number), "(cannot be read: see below)", "", ""))
        context.errors.line("\(error)")
      }
    }
    let titleWidth = rows.map(\.1.count).max() ?? 0
    // As wide as the widest entry, so that `110 min` does not push its status to the right.
    let minutesWidth = rows.map(\.2.count).max() ?? 0
    context.output.line("The lessons (chapter files in \(folder)/):")
    for (number, title, minutes, status) in rows {
      var line =
        "  " + number.leftPadded(to: 2) + "  " + title.rightPadded(to: titleWidth) + "  "
        + minutes.leftPadded(to: minutesWidth) + "  " + status
      // A chapter without a quiz (or one that cannot be read) ends in padding.
      while line.hasSuffix(" ") { line.removeLast() }
      context.output.line(line)
    }
    context.output.line()
    context.output.line("Start one with: lenet-tutor lesson <number>")
    return unreadable ? 2 : 0
  }
}
