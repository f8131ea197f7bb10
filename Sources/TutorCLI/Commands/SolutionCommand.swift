import Foundation
import LessonRunner

/// `lenet-tutor solution 3`: the reference solution of an exercise, once the learner passed it.
enum SolutionCommand: TutorCommand {
  static let exercise = Option.text(
    "--exercise", "id", "One exercise.", defaultText: "every exercise you have passed")
  static let force = Flag("--force", "Show it even though you have not passed the exercise yet.")

  static let spec = CommandSpec(
    name: "solution",
    abstract: "Show the reference solution of an exercise you have passed.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [
      exercise.spec, force.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      An exercise counts as passed once 'lenet-tutor check N' (or 'lesson N') has passed it.
      Without --exercise, shows the solutions of the exercises you have passed and names the
      ones still locked. A locked solution is shown only with --force (then the first locked
      one): try 'lenet-tutor hint N' first. A workspace made from a student edition ('init
      --from') has no solutions: there it says so.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (support, chapter) = try LessonSupport.open(arguments, context: context)
    try support.refuseSolutionsOfAnEdition()
    let number = chapter.frontMatter.number
    guard !chapter.exercises.isEmpty else {
      context.output.line("Lesson \(number) has no exercises.")
      return 0
    }
    let progress = support.loadProgress()
    let force = arguments.isSet(Self.force)
    func passed(_ cell: Cell) -> Bool {
      progress?.passed(exercise: cell.exerciseID ?? "", chapter: chapter.stem) ?? false
    }
    var cells: [Cell]
    if let id = try arguments.value(of: exercise) {
      cells =
        try support.exercise(in: chapter, id: id, progress: progress, command: spec).map {
          [$0]
        } ?? []
    } else {
      // The solutions of the exercises passed so far (with --force, also the next one), and a
      // line naming those that stay locked.
      var locked = chapter.exercises.filter { !passed($0) }
      if force, !locked.isEmpty { locked.removeFirst() }
      let lockedIDs = Set(locked.compactMap(\.exerciseID))
      cells = chapter.exercises.filter { !lockedIDs.contains($0.exerciseID ?? "") }
      if cells.isEmpty, let first = locked.first?.exerciseID {
        throw ToolError(
          "you have not passed exercise '\(first)' of lesson \(number) yet, so its solution stays"
            + " hidden",
          fix: "'lenet-tutor hint \(number)' for a hint, 'lenet-tutor check \(number)' once you"
            + " have solved it, or add --force to see the solution now")
      }
      if !locked.isEmpty {
        context.output.line(
          "Still locked until you pass "
            + (locked.count == 1 ? "it" : "them") + ": "
            + locked.compactMap(\.exerciseID).map { "'\($0)'" }.joined(separator: ", ") + ".")
        context.output.line()
      }
    }
    let renderer = MarkdownRenderer(terminal: context.terminal)
    for (position, cell) in cells.enumerated() {
      let id = cell.exerciseID ?? ""
      let passed = passed(cell)
      if !passed && !force {
        throw ToolError(
          "you have not passed exercise '\(id)' of lesson \(number) yet, so its solution stays"
            + " hidden",
          fix: "'lenet-tutor hint \(number)' for a hint, 'lenet-tutor check \(number)' once you"
            + " have solved it, or add --force to see the solution now")
      }
      let path = support.workspace.solutionPath(for: chapter, exerciseID: id)
      guard let data = FileManager.default.contents(atPath: path) else {
        context.errors.line(
          "\(ChapterError.missingSolution(id: id, solutionPath: path, SourceLocation(path: chapter.path, line: cell.line)))"
        )
        return 2
      }
      if position > 0 { context.output.line() }
      if !passed {
        context.output.line(
          context.terminal.styled(
            "You have not passed exercise '\(id)' yet (shown because of"
              + " --force).", .yellow))
      }
      context.output.line(
        context.terminal.styled("Reference solution of exercise '\(id)'", .bold) + " (\(path)):")
      context.output.line(
        renderer.renderCode(
          String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines),
          language: "swift"))
    }
    return 0
  }
}
