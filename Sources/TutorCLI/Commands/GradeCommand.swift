import Foundation
import LeNetKit
import LessonRunner
import TerminalKit

/// `lenet-tutor grade SUBMISSIONS`: grades a class's workspaces against the course's own
/// chapters, with the hidden checks, and writes a gradebook and one feedback file per student.
enum GradeCommand: TutorCommand {
  static let out = Option.text(
    "--out", "dir", "Where to write the gradebook and feedback.", default: "grades",
    expecting: "a folder name")
  static let jobs = Option.integer(
    "--jobs", "n", "Chapter programs run at a time.", in: 1...64,
    defaultText: "the number of cores")
  static let timeout = Option.integer(
    "--timeout", "seconds", "Time limit of one student's chapter.", in: 1...3600,
    defaultText: "the chapter's 'timeout:'")
  static let memory = Option.integer(
    "--memory", "GB", "Memory limit of one student's chapter.", in: 1...64,
    defaultText: "the chapter's 'memory:', else 4")
  static let chapters = Option.text(
    "--chapters", "list", "Chapters to grade, as '0-8' or '0,3,5'.", defaultText: "every chapter")

  static let spec = CommandSpec(
    name: "grade",
    abstract: "Grade a class: every student's exercises, with the hidden checks; a gradebook.",
    arguments: [
      ArgumentSpec(
        name: "submissions",
        help: "A folder with one workspace per student (the folder's name is the student).")
    ],
    options: [out.spec, jobs.spec, timeout.spec, memory.spec, chapters.spec],
    discussion: """
      For each student and chapter, only the code of the exercise cells is taken from the
      student's Lessons/NN-slug.md; every other cell, and the hidden checks in
      Lessons/Grading/<chapter>/<exercise>.swift, come from this course. Each chapter runs as its
      own process under the time and memory limits, in a scratch folder: one student's endless
      loop or crash costs that student that chapter, nothing else. What is and is not isolated:
      Docs/reliability.md.

      Writes --out/gradebook.csv (student,chapter,exercise,points,max_points,status,seconds,
      quiz_self_check), --out/gradebook.json (the same with every check) and
      --out/feedback/STUDENT.md. An exercise earns its points (front matter 'points:', 1 each
      by default) when all its checks, visible and hidden, pass. Statuses: passed, failed,
      not-started, compile-error, timeout, out-of-memory, crashed, missing. Exit status: 0 when
      every submission was graded, 1 when some could not be (named), 2 for a usage error, 130
      when Ctrl-C stopped the grading (then nothing is written).
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let submissions = arguments.positionals[0]
    let out = try arguments.value(of: Self.out)
    let jobs = try arguments.value(of: Self.jobs) ?? ProcessInfo.processInfo.activeProcessorCount
    let timeout = try arguments.value(of: Self.timeout)
    let memory = try arguments.value(of: Self.memory)
    let support = try LessonSupport(context: context, arguments: ParsedArguments())
    let students: [String]
    do {
      students = try ClassGrade.students(in: submissions)
    } catch {
      throw ToolError(error, exitCode: 2)
    }
    guard !students.isEmpty else {
      throw ToolError(
        "\(submissions) holds no student folders",
        fix: "put one workspace folder per student in it (each with its Lessons/)", exitCode: 2)
    }
    var chapters = try courseChapters(support: support)
    if let list = try arguments.value(of: Self.chapters) {
      let numbers = try LessonSupport.chapterNumbers(
        list, available: chapters.map(\.frontMatter.number), command: spec)
      chapters = chapters.filter { numbers.contains($0.frontMatter.number) }
    }
    if let reason = support.workspace.mnistSkipReason {
      let skipped = chapters.filter(\.frontMatter.needsMNIST)
      if !skipped.isEmpty {
        context.errors.line(
          "note: chapters " + skipped.map { String($0.frontMatter.number) }.joined(separator: ", ")
            + " are not graded: " + reason.message + " (fix: \(reason.fix))")
        chapters.removeAll(where: \.frontMatter.needsMNIST)
      }
    }
    try prepare(out: out)

    let output = context.output
    // No more run at a time than there are chapter programs to run.
    let programs = students.count * chapters.count
    output.line(
      "Grading \(counted(students.count, "student")) on \(counted(chapters.count, "chapter"))"
        + (programs > 1 ? ", \(min(jobs, programs)) at a time." : "."))
    let started = Date()
    let bar = LockedProgress(
      ProgressBar(
        label: "grading", total: students.count * chapters.count, terminal: context.terminal,
        sink: output))
    let grade: ClassGrade
    do {
      grade = try ClassGrade.grade(
        submissions: submissions, chapters: chapters, runner: support.runner, timeout: timeout,
        memoryGigabytes: memory.map(Double.init), jobs: jobs,
        progress: { done, _ in bar.update(done) })
    } catch {
      throw ToolError(error, exitCode: 1)
    }
    bar.finish()
    guard !grade.wasInterrupted else {
      context.errors.line("Grading stopped (Ctrl-C): no gradebook or feedback was written.")
      return 130
    }
    try write(grade, to: out)
    printSummary(grade, context: context)
    let seconds = Date().timeIntervalSince(started)
    output.line(
      String(format: "Graded in %.1f s. ", seconds)
        + "Wrote \(out)/gradebook.csv, \(out)/gradebook.json and \(out)/feedback/.")
    for failure in grade.failures {
      context.errors.line(
        context.errorTerminal.styled("error:", .red, .bold)
          + " \(failure.student), \(failure.chapter): not graded: \(failure.reason)")
    }
    return grade.failures.isEmpty ? 0 : 1
  }

  /// The course's own chapters (with their solutions and hidden checks beside them), parsed.
  static func courseChapters(support: LessonSupport) throws -> [Chapter] {
    let catalog = Catalog(directory: support.workspace.courseLessonsDirectory)
    var chapters: [Chapter] = []
    for entry in catalog.entries {
      switch entry.chapter {
      case .success(let chapter): chapters.append(chapter)
      case .failure(let error):
        throw ToolError("the course's chapter cannot be read: \(error)", exitCode: 2)
      }
    }
    return chapters
  }

  /// Makes `out` and `out/feedback`, before any grading, so a bad folder fails at once.
  static func prepare(out: String) throws(ToolError) {
    do {
      try FileManager.default.createDirectory(
        atPath: out + "/feedback", withIntermediateDirectories: true)
    } catch {
      throw ToolError(
        "cannot make the folder \(out)/feedback: \(FileProblem.describe(error))",
        fix: "choose a folder you can write to with --out")
    }
  }

  static func write(_ grade: ClassGrade, to out: String) throws(ToolError) {
    func save(_ bytes: [UInt8], _ path: String) throws(ToolError) {
      do {
        try AtomicFile.write(bytes, to: URL(fileURLWithPath: path))
      } catch {
        throw ToolError("cannot write \(path): \(error.message)")
      }
    }
    try save(Array(grade.csv.utf8), out + "/gradebook.csv")
    guard let json = try? grade.json() else {
      throw ToolError("cannot encode the gradebook as JSON")
    }
    try save([UInt8](json), out + "/gradebook.json")
    for student in grade.students {
      try save(
        Array(grade.feedback(for: student).utf8),
        out + "/feedback/" + ClassGrade.fileName(for: student))
    }
  }

  /// Per exercise: how many passed, the mean points and the most common failing check; then
  /// each student's total.
  static func printSummary(_ grade: ClassGrade, context: Context) {
    let output = context.output
    var exercises: [(chapter: String, id: String)] = []
    for row in grade.rows where !exercises.contains(where: { $0 == (row.chapter, row.exercise) }) {
      exercises.append((row.chapter, row.exercise))
    }
    output.line()
    output.line("Per exercise (passed of students, mean points, most common failing check):")
    for (chapter, id) in exercises {
      let rows = grade.rows.filter { $0.chapter == chapter && $0.exercise == id }
      let passed = rows.filter { $0.status == "passed" }.count
      let mean = Double(rows.map(\.points).reduce(0, +)) / Double(max(1, rows.count))
      let maxPoints = rows.first?.maxPoints ?? 0
      var failing: [String: Int] = [:]
      for row in rows {
        for check in row.checks where !check.passed { failing[check.label, default: 0] += 1 }
      }
      let common = failing.max { ($0.value, $1.key) < ($1.value, $0.key) }
      output.line(
        "  \(chapter) \(id): \(passed)/\(rows.count) passed, mean "
          + String(format: "%.2f", mean) + "/\(maxPoints)"
          + (common.map { "; most failed: '\($0.key)' (\($0.value))" } ?? ""))
    }
    output.line()
    output.line("Per student:")
    let width = grade.students.map(\.count).max() ?? 0
    for student in grade.students {
      let (points, maxPoints) = grade.total(of: student)
      output.line("  " + student.rightPadded(to: width) + "  \(points)/\(maxPoints)")
    }
  }
}

/// A progress bar that several grading threads advance.
private final class LockedProgress: @unchecked Sendable {
  private let lock = NSLock()
  private var bar: ProgressBar
  init(_ bar: ProgressBar) { self.bar = bar }
  func update(_ done: Int) { lock.withLock { bar.update(done: done) } }
  func finish() { lock.withLock { bar.finish() } }
}
