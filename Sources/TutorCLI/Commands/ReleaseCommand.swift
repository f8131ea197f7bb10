import LessonRunner

/// `lenet-tutor release --out DIR`: the student edition of the course, for a teacher to publish.
enum ReleaseCommand: TutorCommand {
  static let out = Option.text(
    "--out", "dir", "The folder to write.", default: "lenet-course-release",
    expecting: "a folder name")

  static let spec = CommandSpec(
    name: "release",
    abstract: "Write the student edition of the course (chapters only) for a class.",
    options: [out.spec],
    discussion: """
      The edition holds the chapter files and a README; reference solutions (Lessons/Solutions)
      and hidden checks (Lessons/Grading) are left out. Learners start from it with
      'lenet-tutor init --from DIR'. See Docs/teaching.md, "Running a graded class".
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let out = try arguments.value(of: Self.out)
    let support = try LessonSupport(context: context, arguments: arguments)
    let chapters: [String]
    do {
      chapters = try StudentEdition.write(
        course: support.workspace.courseLessonsDirectory, to: out)
    } catch {
      throw ToolError(error, exitCode: 1)
    }
    context.output.line(
      "Wrote the student edition to \(out)/: \(counted(chapters.count, "chapter")), no solutions, no hidden"
        + " checks.")
    context.output.line("Learners start with: lenet-tutor init --from \(out)")
    return 0
  }
}
