import Foundation
import LessonRunner

/// `lenet-tutor init [dir]`: makes a learner's own workspace, the chapters to solve apart from
/// the course's source.
enum InitCommand: TutorCommand {
  static let from = Option.text(
    "--from", "dir", "A student edition written by 'lenet-tutor release'.",
    defaultText: "this course's Lessons", expecting: "a folder name")
  static let force = Flag(
    "--force",
    "Update an existing workspace: chapters you have not edited are replaced, yours are kept.")

  static let spec = CommandSpec(
    name: "init",
    abstract: "Make your own workspace: a copy of the chapters to solve the exercises in.",
    arguments: [
      ArgumentSpec(
        name: "dir", help: "The folder to create (default: \(LearnerWorkspace.defaultName)).",
        isOptional: true)
    ],
    options: [from.spec, force.spec],
    discussion: """
      The workspace holds the chapters as Lessons/NN-slug.md (without reference solutions or
      hidden checks) and your progress and backups in .lenet-tutor/. Run the learner commands
      (lesson, check, hint, quiz, reset …) inside it, or give --workspace DIR. The course's own
      files are never changed.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let target = arguments.positionals.first ?? LearnerWorkspace.defaultName
    let support = try LessonSupport(context: context, arguments: arguments)
    let root = support.workspace.root
    let course =
      courseFolder(try arguments.value(of: from)) ?? support.workspace.courseLessonsDirectory
    let output = context.output
    do {
      if arguments.isSet(force), let existing = try? LearnerWorkspace.open(target) {
        let outcome = try existing.refresh(from: course)
        let unchanged = outcome.unchanged.count
        output.line(
          "Updated \(existing.directory): \(counted(outcome.written.count, "chapter")) brought up"
            + " to date"
            + (unchanged == 0 ? "" : ", \(unchanged) already \(unchanged == 1 ? "was" : "were")")
            + ".")
        if !outcome.keptEdited.isEmpty {
          output.line(
            "Kept as you edited them: " + outcome.keptEdited.joined(separator: ", ")
              + " ('lenet-tutor reset N' puts an exercise back as shipped).")
        }
        return 0
      }
      let (workspace, outcome) = try LearnerWorkspace.create(
        at: target, course: course, packageRoot: root)
      let shown = Catalog.displayPath(workspace.directory)
      output.line(
        "Made your workspace in \(shown)/ with \(outcome.written.count) chapter"
          + (outcome.written.count == 1 ? "" : "s") + " (\(shown)/Lessons/).")
      output.line("Solve the exercises in those files; the course's own copies stay as shipped.")
      output.line()
      // The course's first chapter: a course need not start at 0.
      let first = outcome.written.compactMap(Catalog.number(ofFile:)).min() ?? 0
      output.line("Next:")
      output.line("  cd \(shown)")
      output.line(
        "  swift run --package-path \(relativePath(from: workspace.directory, to: root))"
          + " lenet-tutor lesson \(first)")
      output.line(
        "or, staying where you are: swift run lenet-tutor lesson \(first) --workspace \(shown)")
      return 0
    } catch {
      throw ToolError(error, exitCode: 1)
    }
  }

  /// The chapters of a student edition: its `Lessons` folder, or the folder itself.
  static func courseFolder(_ given: String?) -> String? {
    guard let given else { return nil }
    var isFolder: ObjCBool = false
    let lessons = given + "/Lessons"
    if FileManager.default.fileExists(atPath: lessons, isDirectory: &isFolder), isFolder.boolValue {
      return lessons
    }
    return given
  }

  /// `to` relative to `from` (both absolute): `..` for a workspace inside the checkout.
  static func relativePath(from: String, to: String) -> String {
    let fromParts = from.split(separator: "/")
    let toParts = to.split(separator: "/")
    let common = zip(fromParts, toParts).prefix { $0 == $1 }.count
    let ups = Array(repeating: "..", count: fromParts.count - common)
    let path = (ups + toParts.dropFirst(common).map(String.init)).joined(separator: "/")
    return path.isEmpty ? "." : path
  }
}
