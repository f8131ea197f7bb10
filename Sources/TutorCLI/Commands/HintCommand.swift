import LessonRunner

/// `lenet-tutor hint 3`: the next hint of the first exercise not yet passed, one per call.
enum HintCommand: TutorCommand {
  static let exercise = Option.text(
    "--exercise", "id", "The exercise to hint.", defaultText: "the first not yet passed")

  static let spec = CommandSpec(
    name: "hint",
    abstract: "Show the next hint of a lesson's first unsolved exercise.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [
      exercise.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      Each call reveals one more hint; how many you have seen is kept in your progress. An
      exercise counts as passed once 'lenet-tutor check N' (or 'lesson N') has passed it.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (support, chapter) = try LessonSupport.open(arguments, context: context)
    let output = context.output
    let number = chapter.frontMatter.number
    guard !chapter.exercises.isEmpty else {
      output.line("Lesson \(number) has no exercises.")
      return 0
    }
    let progress = support.loadProgress()
    guard
      let cell = try support.exercise(
        in: chapter, id: (try arguments.value(of: exercise)), progress: progress, command: spec),
      let id = cell.exerciseID
    else {
      output.line(
        "Every exercise of lesson \(number) has passed: there is nothing left to hint."
          + " For one of them anyway: lenet-tutor hint \(number) --exercise <id>")
      return 0
    }
    let place = "exercise '\(id)' (\(chapter.path):\(cell.line))"
    guard !cell.hints.isEmpty else {
      output.line("There are no hints for \(place).")
      return 0
    }
    let renderer = MarkdownRenderer(terminal: context.terminal)
    let terminal = context.terminal
    let seen = progress?.chapters[chapter.stem]?.hints[id] ?? 0
    let solution = "lenet-tutor solution \(number) --exercise \(id) --force"
    let again =
      "lenet-tutor hint \(number)"
      + ((try arguments.value(of: exercise)) == nil ? "" : " --exercise \(id)")
    if seen >= cell.hints.count {
      output.line("You have seen all \(cell.hints.count) hints for \(place):")
      for (index, hint) in cell.hints.enumerated() {
        output.line()
        output.line(terminal.styled("Hint \(index + 1):", .yellow, .bold))
        output.line(renderer.render(hint))
      }
      output.line()
      output.line("Still stuck? '\(solution)' shows the reference solution.")
      return 0
    }
    output.line(
      terminal.styled("Hint \(seen + 1) of \(cell.hints.count)", .yellow, .bold) + " for \(place):")
    output.line(renderer.render(cell.hints[seen]))
    output.line()
    if seen + 1 < cell.hints.count {
      output.line("Run '\(again)' again for hint \(seen + 2).")
    } else {
      output.line(
        "That was the last hint. Still stuck? '\(solution)' shows the reference solution.")
    }
    if support.recordsProgress(chapter) {
      support.updateProgress { $0.chapters[chapter.stem, default: .init()].hints[id] = seen + 1 }
    }
    return 0
  }
}
