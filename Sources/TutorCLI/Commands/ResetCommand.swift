import Foundation
import LessonRunner

/// `lenet-tutor reset 3`: puts a chapter's exercise cells back as shipped, after a backup.
enum ResetCommand: TutorCommand {
  static let yes = Flag("--yes", "Do not ask before resetting (needed when not on a terminal).")
  static let exercise = Option.text(
    "--exercise", "id", "Reset only this exercise.", defaultText: "every exercise")

  static let spec = CommandSpec(
    name: "reset",
    abstract: "Put a lesson's exercise cells back as shipped (your version is backed up).",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [
      yes.spec, exercise.spec,
      LessonSupport.workspaceOption.spec,
    ],
    discussion: """
      Works in your workspace ('lenet-tutor init' makes one): the shipped code is the course's
      copy that init kept in .lenet-tutor/course/, so no git is needed. Only the code of
      exercise cells changes; your prose notes and other cells stay. The whole file is first
      saved to .lenet-tutor/backups/, and the path is printed, so nothing you wrote is lost.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (support, chapter) = try LessonSupport.open(arguments, context: context)
    let number = chapter.frontMatter.number
    var ids: [String]?
    if let id = try arguments.value(of: exercise) {
      _ = try support.exercise(in: chapter, id: id, progress: nil, command: spec)
      ids = [id]
    }
    guard !chapter.exercises.isEmpty else {
      context.output.line("Lesson \(number) has no exercises.")
      return 0
    }
    guard let shippedPath = support.workspace.shippedChapterPath(for: chapter.path),
      let learner = support.workspace.learner
    else {
      throw ToolError(
        "\(chapter.path) is the course itself, not a learner's copy, so there is nothing to reset",
        fix: "do the exercises in a workspace of your own: 'lenet-tutor init', then 'cd "
          + LearnerWorkspace.defaultName + "'")
    }
    let reset: ExerciseReset
    do {
      reset = try ExerciseReset.plan(path: chapter.path, shippedPath: shippedPath, ids: ids)
    } catch {
      throw ToolError("cannot reset lesson \(number): " + error.message, fix: error.fix)
    }
    let names = reset.exerciseIDs.map { "'\($0)'" }.joined(separator: ", ")
    let plural = reset.exerciseIDs.count == 1 ? "" : "s"
    guard !reset.exerciseIDs.isEmpty else {
      context.output.line(
        "The exercise\(ids == nil ? "s" : " '\(ids?.first ?? "")'") of lesson \(number)"
          + " \(ids == nil ? "are" : "is") already as shipped: nothing to reset.")
      return 0
    }
    if !arguments.isSet(yes) {
      guard context.terminal.isInteractive else {
        throw UsageError(
          "reset rewrites \(chapter.path); off a terminal it needs --yes to go ahead", command: spec
        )
      }
      context.output.write(
        "Put exercise\(plural) \(names) of \(chapter.path) back as shipped? Your version is saved"
          + " to a backup first. [y/N] ")
      let answer = context.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
      guard answer == "y" || answer == "yes" else {
        context.output.line("Nothing changed.")
        return 0
      }
    }
    let backup: String
    do {
      backup = try reset.apply(backupDirectory: learner.backupDirectory)
    } catch {
      throw ToolError("cannot reset lesson \(number): " + error.message, fix: error.fix)
    }
    context.output.line("Saved your version to \(Catalog.displayPath(backup))")
    context.output.line(
      "Reset exercise\(plural) \(names) of \(chapter.path) to the shipped code; the rest of the"
        + " file is as you left it.")
    return 0
  }
}
