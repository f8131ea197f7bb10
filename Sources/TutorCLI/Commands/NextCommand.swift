import LessonRunner

/// `lenet-tutor next`: opens the first lesson the progress file does not record as passed.
enum NextCommand: TutorCommand {
  static let noPause = Flag("--no-pause", "Run straight through without waiting for Enter.")

  static let spec = CommandSpec(
    name: "next",
    abstract: "Open the first lesson you have not passed yet.",
    options: [
      noPause.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      A lesson counts as passed once 'lenet-tutor lesson N' or 'lenet-tutor check N' passed
      every one of its checks and every quiz question is answered right ('lenet-tutor quiz N');
      'lenet-tutor list' shows where you are.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let support = try LessonSupport(context: context, arguments: arguments)
    let catalog = try support.catalog()
    guard let last = catalog.entries.last else {
      context.output.line(
        "No lessons yet: \(Catalog.displayPath(support.workspace.lessonsDirectory)) has no"
          + " NN-slug.md chapters.")
      return 0
    }
    let progress = support.loadProgress()
    let next = catalog.entries.first { entry in
      guard case .success(let chapter) = entry.chapter else { return true }
      return progress?.chapters[chapter.stem]?.isPassed(quizIDs: chapter.quizzes.map(\.id)) != true
    }
    guard let next else {
      let first = catalog.entries[0].number
      context.output.line(
        "Congratulations: you have passed every lesson, \(first) to \(last.number). Revisit one"
          + " with 'lenet-tutor lesson <number>'.")
      return 0
    }
    context.output.line("Next: lesson \(next.number), the first you have not passed.")
    context.output.line()
    let words =
      [String(next.number)] + (arguments.isSet(noPause) ? ["--no-pause"] : [])
      + ((try arguments.value(of: LessonSupport.workspaceOption)).map { ["--workspace", $0] } ?? [])
    return try LessonCommand.run(try LessonCommand.spec.parse(words), context: context)
  }
}
