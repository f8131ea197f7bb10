import Foundation
import LeNetKit

/// Grades a class: each student's exercise code runs inside the course's own chapter, with the
/// visible and the hidden checks, one chapter program per process under the run limits.
///
/// `submissions` holds one folder per student (the folder's name is the student), each a
/// workspace as `lenet-tutor init` made it; only `Lessons/NN-slug.md` (and the self-check quiz
/// answers in `.lenet-tutor/progress.json`) are read. A student's chapter is never trusted: only
/// its exercise cells' code is taken, by exercise id.
public struct ClassGrade: Sendable {
  /// What one student earned on one exercise.
  public struct Row: Codable, Sendable, Equatable {
    public var student: String
    public var chapter: String
    public var exercise: String
    public var points: Int
    public var maxPoints: Int
    /// `passed`, `failed`, `not-started`, `compile-error`, `timeout`, `out-of-memory`,
    /// `crashed` or `missing`.
    public var status: String
    /// Seconds the student's chapter program took (compiling and running), shared by the
    /// chapter's exercises and by the students whose code is the same (one run, `SharedRuns`).
    public var seconds: Double
    /// The student's own quiz record for the chapter, `right/questions` (not proctored).
    public var quizSelfCheck: String
    /// Every check of the exercise, visible and hidden, in order.
    public var checks: [CheckLine]
  }

  /// One check as the feedback shows it; a hidden check keeps only its label and result.
  public struct CheckLine: Codable, Sendable, Equatable {
    public var label: String
    public var passed: Bool
    public var hidden: Bool
    /// The verdict line (`C3 parameters: expected 1516, got 2416`; `hidden check: LABEL`).
    public var text: String
    /// `Lessons/03-….md:182`, the student's own file's line, or `the course's Lessons/03-….md:182`
    /// for a line the student's file does not have (they changed it); empty when hidden.
    public var location: String
  }

  /// What one student's chapter run said beyond the checks.
  public struct ChapterNotes: Codable, Sendable, Equatable {
    public var student: String
    public var chapter: String
    /// Compile errors at the student's lines, warnings about edited cells, why a run stopped.
    public var messages: [String]
  }

  /// A student and chapter that could not be graded at all (the toolchain failed), with why.
  public struct Failure: Codable, Sendable, Equatable {
    public var student: String
    public var chapter: String
    public var reason: String
  }

  public var rows: [Row] = []
  public var notes: [ChapterNotes] = []
  public var failures: [Failure] = []
  /// The students, in name order.
  public var students: [String] = []
  /// Whether Ctrl-C stopped the grading: the chapter programs running then were killed and no
  /// later one started, so the rows are incomplete and must not be written as a gradebook.
  public var wasInterrupted = false

  public init() {}

  /// The students of `submissions`: its sub-folders, hidden ones left out, by name.
  public static func students(in submissions: String) throws(WorkspaceError) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: submissions) else {
      throw .cannotRead(submissions)
    }
    return names.filter { name in
      var isFolder: ObjCBool = false
      return !name.hasPrefix(".")
        && FileManager.default.fileExists(
          atPath: submissions + "/" + name, isDirectory: &isFolder)
        && isFolder.boolValue
    }.sorted()
  }

  /// Grades every student of `submissions` on `chapters` (the course's own, parsed), running
  /// `jobs` chapter programs at a time; `progress` is called after each student-chapter. Each
  /// chapter runs under its front matter's limits, but for `timeout` (seconds) and
  /// `memoryGigabytes` when given.
  public static func grade(
    submissions: String, chapters: [Chapter], runner: ChapterRunner, timeout: Int? = nil,
    memoryGigabytes: Double? = nil, jobs: Int,
    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
  ) throws(WorkspaceError) -> ClassGrade {
    let students = try students(in: submissions)
    let tasks = students.flatMap { student in chapters.map { (student, $0) } }
    let results = LockedResults(count: tasks.count)
    let next = LockedCounter()
    // Each course chapter's text is read once; every student's canonical copy starts from it.
    let courseTexts = Dictionary(
      chapters.map { chapter in
        (chapter.path, FileManager.default.contents(atPath: chapter.path) ?? Data())
      }, uniquingKeysWith: { first, _ in first }
    ).mapValues { String(decoding: $0, as: UTF8.self) }
    // Each student's progress is read once, for the quiz self-check of every chapter.
    let studentProgress = Dictionary(
      uniqueKeysWithValues: students.map { student in
        (
          student,
          try? LearnerProgress.load(
            from: submissions + "/" + student + "/.lenet-tutor/progress.json")
        )
      })
    let runs = SharedRuns<SharedRun>()
    let gradeTask = { @Sendable (index: Int) in
      let (student, chapter) = tasks[index]
      let outcome = gradeOne(
        student: student, folder: submissions + "/" + student,
        progress: studentProgress[student] ?? nil, chapter: chapter,
        courseText: courseTexts[chapter.path] ?? "", runner: runner,
        limits: RunLimits(chapter: chapter, seconds: timeout, memoryGigabytes: memoryGigabytes),
        runs: runs)
      results.set(index, outcome)
      // Ctrl-C stops the chapter programs running; a teacher's Ctrl-C means the whole grading.
      if outcome.interrupted { next.stop() }
      progress(results.doneCount, tasks.count)
    }
    // The first task alone: it compiles the shared library once, for everyone after it.
    if let first = next.take(below: min(1, tasks.count)) { gradeTask(first) }
    DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
      while let index = next.take(below: tasks.count) { gradeTask(index) }
    }
    var grade = ClassGrade()
    grade.students = students
    grade.wasInterrupted = results.all.contains(where: \.interrupted)
    for outcome in results.all {
      grade.rows += outcome.rows
      if !outcome.notes.messages.isEmpty { grade.notes.append(outcome.notes) }
      if let failure = outcome.failure { grade.failures.append(failure) }
    }
    return grade
  }

  /// What grading one student's chapter gave.
  struct Outcome: Sendable {
    var rows: [Row] = []
    var notes: ChapterNotes
    var failure: Failure?
    /// Ctrl-C stopped the run: its rows say nothing about the student.
    var interrupted = false
  }

  /// The feedback lines of a report: warnings (an edited check cell) and failures that are not
  /// a check's own line (a crash, a timeout, a mismatched output, tampering), each at its place.
  static func feedback(_ lines: [ChapterReport.VerdictLine]) -> [String] {
    lines.filter { line in
      !line.isCheck && (line.verdict.status == .warning || line.verdict.status == .failed)
    }.map { line in
      (line.verdict.location.map { "\($0.path):\($0.line): " } ?? "") + line.verdict.text
    }
  }

  static func gradeOne(
    student: String, folder: String, progress: LearnerProgress?, chapter course: Chapter,
    courseText: String, runner: ChapterRunner, limits: RunLimits?, runs: SharedRuns<SharedRun>
  ) -> Outcome {
    let name = (course.path as NSString).lastPathComponent
    let path = folder + "/Lessons/" + name
    let quiz = quizSelfCheck(progress: progress, chapter: course)
    var outcome = Outcome(notes: ChapterNotes(student: student, chapter: course.stem, messages: []))
    func allMissing(_ reason: String) -> Outcome {
      outcome.notes.messages.append(reason)
      outcome.rows = course.exercises.compactMap(\.exerciseID).map { id in
        Row(
          student: student, chapter: course.stem, exercise: id, points: 0,
          maxPoints: course.frontMatter.points(ofExercise: id), status: "missing", seconds: 0,
          quizSelfCheck: quiz, checks: [])
      }
      return outcome
    }
    guard FileManager.default.fileExists(atPath: path) else {
      return allMissing("Lessons/\(name) is not in the submission")
    }
    let learner: Chapter
    do {
      learner = try ChapterParser.parse(contentsOf: path)
    } catch {
      return allMissing("your chapter file cannot be read: \(error)")
    }
    let submission: Submission
    let run: SharedRun
    do {
      submission = try Submission(
        learner: learner, course: course, courseText: courseText,
        folder: runner.workspace.cacheDirectory + "/grade")
      run = try runs.run(submission.chapter.path) {
        let started = Date()
        let report = try runner.run(
          submission.chapter, solutions: false, course: course, hiddenChecks: true,
          limits: limits)
        return SharedRun(
          report, seconds: (Date().timeIntervalSince(started) * 10).rounded() / 10)
      }
    } catch {
      outcome.failure = Failure(student: student, chapter: course.stem, reason: "\(error)")
      return outcome
    }
    for edited in submission.editedCells {
      outcome.notes.messages.append(
        "\(submission.studentFile):\(edited.location.line): your copy of the check cell at line"
          + " \(edited.location.line) differs from the course; the course's cell was used")
    }
    outcome.interrupted = run.interrupted
    if let errors = run.compileErrors { outcome.notes.messages.append(errors) }
    let lines = run.lines
    outcome.notes.messages += feedback(lines)
    outcome.notes.messages = outcome.notes.messages.map(submission.mapLocations)
    for result in run.exercises {
      let maxPoints = course.frontMatter.points(ofExercise: result.id)
      let status = submission.missing.contains(result.id) ? .missing : result.status
      var checks: [CheckLine] = []
      if let range = course.exerciseRange(result.id) {
        for line in lines {
          guard let cell = line.cell, range.contains(cell), let check = line.check else { continue }
          let location = line.verdict.location.map { "\($0.path):\($0.line)" } ?? ""
          checks.append(
            CheckLine(
              label: check.label, passed: line.verdict.status == .passed, hidden: check.hidden,
              text: line.verdict.text, location: submission.mapLocations(location)))
        }
      }
      outcome.rows.append(
        Row(
          student: student, chapter: course.stem, exercise: result.id,
          points: status == .passed ? maxPoints : 0, maxPoints: maxPoints,
          status: status.rawValue, seconds: run.seconds, quizSelfCheck: quiz, checks: checks))
    }
    return outcome
  }

  /// `right/questions` from the student's own progress (`0/questions` when it has no record of
  /// the chapter, or its file cannot be read: nil), empty for a chapter without quizzes.
  static func quizSelfCheck(progress: LearnerProgress?, chapter: Chapter) -> String {
    let ids = chapter.quizzes.map(\.id)
    guard !ids.isEmpty else { return "" }
    guard let record = progress?.chapters[chapter.stem] else { return "0/\(ids.count)" }
    return "\(record.rightAnswers(quizIDs: ids))/\(ids.count)"
  }
}

/// What grading reads of one run of a canonical chapter: not the whole `ChapterReport`, whose
/// cells' outputs can run to megabytes, since a grading keeps one for every distinct program.
struct SharedRun: Sendable {
  var interrupted: Bool
  var compileErrors: String?
  var lines: [ChapterReport.VerdictLine]
  var exercises: [ChapterReport.ExerciseResult]
  /// Compiling and running, to a tenth of a second.
  var seconds: Double

  init(_ report: ChapterReport, seconds: Double) {
    interrupted = report.termination == .interrupted
    compileErrors = report.compileErrors
    lines = report.verdictLines
    exercises = report.exercises(lines: lines)
    self.seconds = seconds
  }
}

/// The run of each canonical chapter, by its path: students whose exercise code is the same
/// share the canonical file (it is named by its content), so the program, and so its run. The
/// program runs once; the other students' tasks wait for it, take its result and seconds, and
/// are graded each with their own notes and lines. A class's untouched starters and common
/// answers run once, and a program whose result could vary from run to run (timing,
/// randomness) gives every such student the same.
final class SharedRuns<Value: Sendable>: @unchecked Sendable {
  private let condition = NSCondition()
  // Guarded by `condition`.
  private var finished: [String: Result<Value, any Error>] = [:]
  private var running: Set<String> = []

  /// The result of `body` for `path`: run now, or by another task before or meanwhile (then
  /// its error too, if it threw).
  func run(_ path: String, _ body: () throws -> Value) throws -> Value {
    condition.lock()
    while running.contains(path) { condition.wait() }
    if let result = finished[path] {
      condition.unlock()
      return try result.get()
    }
    running.insert(path)
    condition.unlock()
    let result = Result { try body() }
    condition.lock()
    running.remove(path)
    finished[path] = result
    condition.broadcast()
    condition.unlock()
    return try result.get()
  }
}

/// The results of the grading tasks, filled in from several threads.
private final class LockedResults: @unchecked Sendable {
  private let lock = NSLock()
  private var outcomes: [ClassGrade.Outcome?]
  init(count: Int) { outcomes = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ outcome: ClassGrade.Outcome) {
    lock.withLock { outcomes[index] = outcome }
  }
  var doneCount: Int { lock.withLock { outcomes.count { $0 != nil } } }
  var all: [ClassGrade.Outcome] { lock.withLock { outcomes.compactMap { $0 } } }
}

/// Hands out task numbers 0, 1, 2 … to the workers.
private final class LockedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  private var stopped = false
  /// Hands out no more indices.
  func stop() { lock.withLock { stopped = true } }
  func take(below limit: Int) -> Int? {
    lock.withLock {
      guard !stopped, next < limit else { return nil }
      defer { next += 1 }
      return next
    }
  }
}

// MARK: - The gradebook's files

extension ClassGrade {
  /// `gradebook.csv`: one row per student and exercise (RFC 4180 quoting).
  public var csv: String {
    var lines = ["student,chapter,exercise,points,max_points,status,seconds,quiz_self_check"]
    for row in rows {
      lines.append(
        [
          row.student, row.chapter, row.exercise, String(row.points), String(row.maxPoints),
          row.status, String(format: "%.1f", row.seconds), row.quizSelfCheck,
        ].map(Self.csvField).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func csvField(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// `gradebook.json`: the rows with every check, the notes and what could not be graded.
  public func json() throws -> Data {
    struct File: Encodable {
      var students: [String]
      var rows: [Row]
      var notes: [ChapterNotes]
      var failures: [Failure]
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(
      File(students: students, rows: rows, notes: notes, failures: failures))
  }

  /// Each student's points and the most they could have had.
  public func total(of student: String) -> (points: Int, maxPoints: Int) {
    let mine = rows.filter { $0.student == student }
    return (mine.map(\.points).reduce(0, +), mine.map(\.maxPoints).reduce(0, +))
  }

  /// `feedback/STUDENT.md`: per chapter and exercise, the status, the points and every check
  /// with expected and actual; hidden checks by name and result only.
  public func feedback(for student: String) -> String {
    let (points, maxPoints) = total(of: student)
    var text = "# Feedback for \(student)\n\nTotal: \(points) of \(maxPoints) points.\n"
    let mine = rows.filter { $0.student == student }
    var chapters: [String] = []
    for row in mine where !chapters.contains(row.chapter) { chapters.append(row.chapter) }
    for chapter in chapters {
      let chapterRows = mine.filter { $0.chapter == chapter }
      text += "\n## \(chapter)\n"
      if let quiz = chapterRows.first?.quizSelfCheck, !quiz.isEmpty {
        text += "\nQuiz (your own record, not graded): \(quiz) right.\n"
      }
      for note in notes where note.student == student && note.chapter == chapter {
        text +=
          "\n"
          + note.messages.map { "> " + $0.replacingOccurrences(of: "\n", with: "\n> ") }
          .joined(separator: "\n>\n") + "\n"
      }
      for row in chapterRows {
        text += "\n### \(row.exercise): \(row.status), \(row.points)/\(row.maxPoints)\n\n"
        if row.checks.isEmpty { text += "- no check ran\n" }
        for check in row.checks {
          let mark = check.passed ? "✓" : "✗"
          if check.hidden {
            text += "- \(mark) hidden check: \(check.label)\n"
          } else {
            text +=
              "- \(mark) \(check.text)" + (check.location.isEmpty ? "" : " (\(check.location))")
              + "\n"
          }
        }
      }
    }
    for failure in failures where failure.student == student {
      text += "\n## \(failure.chapter): not graded\n\n\(failure.reason)\n"
    }
    return text
  }

  /// A student name as a file name: the folder name already is one, except for separators.
  public static func fileName(for student: String) -> String {
    student.replacingOccurrences(of: "/", with: "_") + ".md"
  }
}

// MARK: - One submission, made canonical

/// A student's chapter rewritten as the course's text with only the student's exercise code in
/// it, saved under a name made from its content: two students with the same code (every
/// untouched starter, a common answer) give the same program, which is compiled once.
/// Locations in that canonical file are mapped back to the student's own file, as
/// `Lessons/NN-slug.md:LINE`; a line the student's file does not have (a cell or prose they
/// changed) is named as the course's: `the course's Lessons/NN-slug.md:LINE`.
struct Submission {
  /// The canonical chapter the runner runs.
  var chapter: Chapter
  /// The exercise ids the student's file lacks.
  var missing: Set<String>
  /// The student's non-exercise cells that differ from the course's (the course's ran).
  var editedCells: [ChapterProgram.EditedCell]
  /// Where a canonical line is: in the student's file, or only in the course's.
  enum Place: Equatable {
    case student(Int)
    case course(Int)
  }
  /// The chapter file's name, `NN-slug.md`.
  private var fileName: String
  private var canonicalPath: String
  private var canonicalLines: [Substring]
  private var learnerLines: [Substring]
  private var learner: Chapter
  /// canonical line → course line, for the lines before each exercise's code ends.
  private var courseLines: [Int: Int] = [:]
  /// The exercise code lines: canonical line → the student's line (nil: the starter ran).
  private var exerciseLines: [Int: Int?] = [:]
  private var previousEnd = 0
  private var shift = 0

  init(learner: Chapter, course: Chapter, courseText: String, folder: String) throws {
    editedCells = ChapterProgram.editedCells(learner: learner, course: course)
    let learnerCodes = Dictionary(
      learner.exercises.compactMap { cell in cell.exerciseID.map { ($0, cell.code) } },
      uniquingKeysWith: { first, _ in first })
    missing = Set(course.exercises.compactMap(\.exerciseID)).subtracting(learnerCodes.keys)
    let text = ExerciseReset.replacingCode(learnerCodes, in: course, text: courseText)
    var key = CacheKey()
    key.update(field: course.path)
    key.update(field: text)
    let directory = folder + "/" + key.hexDigest()
    fileName = (course.path as NSString).lastPathComponent
    canonicalPath = directory + "/" + fileName
    if !FileManager.default.fileExists(atPath: canonicalPath) {
      try AtomicFile.write(Array(text.utf8), to: URL(fileURLWithPath: canonicalPath))
    }
    chapter = try ChapterParser.parse(text, path: canonicalPath)
    canonicalLines = Self.lines(text)
    learnerLines = Self.lines(
      String(decoding: FileManager.default.contents(atPath: learner.path) ?? Data(), as: UTF8.self))
    self.learner = learner

    // Lines of exercise code go back to the student's file; the rest to the course's.
    let learnerCells = Dictionary(
      learner.exercises.compactMap { cell in cell.exerciseID.map { ($0, cell) } },
      uniquingKeysWith: { first, _ in first })
    let courseExercises = Dictionary(
      course.exercises.compactMap { cell in cell.exerciseID.map { ($0, cell) } },
      uniquingKeysWith: { first, _ in first })
    for cell in chapter.exercises {
      guard let id = cell.exerciseID, let shipped = courseExercises[id] else { continue }
      let codeLines = Self.codeLineCount(cell)
      for line in stride(from: previousEnd + 1, through: cell.line, by: 1) {
        courseLines[line] = line - shift
      }
      for offset in 0..<codeLines {
        let line = cell.line + 1 + offset
        courseLines[line] = shipped.line + 1 + min(offset, Self.codeLineCount(shipped) - 1)
        exerciseLines[line] = learnerCells[id].map { $0.line + 1 + offset }
      }
      shift += codeLines - Self.codeLineCount(shipped)
      previousEnd = cell.line + codeLines
    }
  }

  private static func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  private static func codeLineCount(_ cell: Cell) -> Int {
    cell.code.isEmpty ? 1 : cell.code.split(separator: "\n", omittingEmptySubsequences: false).count
  }

  /// Where a canonical line is. Exercise code is the student's own; any other line is counted
  /// from the nearest cell above it (the same exercise by id, the same plain cell by order) in
  /// the student's file, and is theirs when that line of their file reads the same.
  func place(ofCanonicalLine line: Int) -> Place {
    let courseLine = courseLines[line] ?? (line > previousEnd ? line - shift : line)
    if let mine = exerciseLines[line] {
      return mine.map(Place.student) ?? .course(courseLine)
    }
    var candidate = line
    if let anchor = chapter.cells.last(where: { $0.line <= line }) {
      let counterpart: Cell?
      if let id = anchor.exerciseID {
        counterpart = learner.cells.first { $0.exerciseID == id }
      } else {
        let order = chapter.cells.filter { $0.exerciseID == nil && $0.index < anchor.index }.count
        let plain = learner.cells.filter { $0.exerciseID == nil }
        counterpart = order < plain.count ? plain[order] : nil
      }
      guard let counterpart else { return .course(courseLine) }
      // The closing fence is the line after the code.
      let anchorEnd = anchor.line + Self.codeLineCount(anchor) + 1
      let counterpartEnd = counterpart.line + Self.codeLineCount(counterpart) + 1
      candidate =
        line <= anchorEnd && anchor.exerciseID == nil
        ? counterpart.line + (line - anchor.line)
        : line == anchor.line ? counterpart.line : counterpartEnd + (line - anchorEnd)
    }
    guard line >= 1, line <= canonicalLines.count, candidate >= 1,
      candidate <= learnerLines.count, learnerLines[candidate - 1] == canonicalLines[line - 1]
    else { return .course(courseLine) }
    return .student(candidate)
  }

  /// How feedback names a place: the student's file as it is in their workspace, or the
  /// course's, said to be the course's.
  func describe(_ place: Place) -> String {
    switch place {
    case .student(let line): "\(studentFile):\(line)"
    case .course(let line): "the course's \(studentFile):\(line)"
    }
  }

  /// The student's own file as feedback names it.
  var studentFile: String { "Lessons/" + fileName }

  /// `text` with every `<canonical file>:LINE` replaced by the place it stands for, in the
  /// student's file or (named so) the course's.
  func mapLocations(_ text: String) -> String {
    guard text.contains(canonicalPath) else { return text }
    var result = ""
    var rest = Substring(text)
    while let range = rest.range(of: canonicalPath + ":") {
      result += rest[..<range.lowerBound]
      let digits = rest[range.upperBound...].prefix(while: \.isNumber)
      if let line = Int(digits) {
        result += describe(place(ofCanonicalLine: line))
        rest = rest[digits.endIndex...]
      } else {
        result += studentFile + ":"
        rest = rest[range.upperBound...]
      }
    }
    result += rest
    return result.replacingOccurrences(of: canonicalPath, with: studentFile)
  }
}
