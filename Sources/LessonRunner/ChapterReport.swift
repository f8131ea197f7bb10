/// What running a chapter found: each cell's output, checks and fate, each exercise's status,
/// the verdict lines, and their tally.
public struct ChapterReport: Sendable {
  /// One `check(…)` call's result, as the prelude recorded it.
  public struct Check: Sendable, Equatable {
    public var label: String
    public var passed: Bool
    /// The expected value as printed (empty for a `check(label, condition)`).
    public var expected: String
    /// The actual value (for a condition: the detail given).
    public var actual: String
    /// Where the `check` call is (chapter, solution or hidden-checks file).
    public var location: SourceLocation?
    /// Whether it is one of the teacher's hidden checks: its label is shown, never its code or
    /// values.
    public var hidden = false
    /// For `equals`, the compared values' type as the runtime names it
    /// (`LessonChapter.Answer`, `Swift.Int`), else empty.
    public var typeName = ""
  }

  /// How a cell's run ended.
  public enum CellStatus: Sendable, Equatable {
    case completed
    /// It crashed; the reason is the runtime's message or the signal.
    case crashed(String)
    /// An allocation failed: the cell needed more than the memory limit.
    case outOfMemory(gigabytes: Double)
    /// The chapter's time limit ran out in this cell.
    case timedOut(seconds: Int)
    /// The program ended in this cell without reaching the chapter's end (`exit` was called).
    case exited(status: Int32)
    /// The learner pressed Ctrl-C while it ran.
    case interrupted
    /// An earlier cell stopped the chapter.
    case notRun
  }

  /// One cell's results.
  public struct CellResult: Sendable, Equatable {
    public var cell: Int
    /// What the cell printed.
    public var output: String
    public var checks: [Check]
    public var status: CellStatus
    /// How the output differs from the cell's ```output block; nil when it matches or there is
    /// no block or the cell did not complete.
    public var mismatch: OutputComparison.Mismatch?
    /// For a crash: the deepest place in a chapter or solution file on the crashing thread's
    /// backtrace (the learner's function that trapped, even when a later cell called it).
    public var crashLocation: SourceLocation?
    /// The pictures the cell showed (`show(…)`), in order; each one's drawing is a range of
    /// `output`.
    public var pictures: [Picture] = []
  }

  /// One line of the verdict.
  public struct Verdict: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
      case passed
      case failed
      /// A failing check of an exercise the learner has not started (its code is still the
      /// course's starter). `lesson` shows it as the learner's turn; `check` fails on it.
      case notStarted
      /// Something the learner should know that is neither a pass nor a failure (a check cell
      /// they edited, whose course version ran instead).
      case warning
      /// A remark (cells not run).
      case note
    }
    public var status: Status
    public var text: String
    public var location: SourceLocation?
    /// Lines to show under it (the learner's code around a compile error), or empty.
    public var detail: String = ""
  }

  /// How an exercise fared (the classroom gradebook's statuses).
  public enum ExerciseStatus: String, Sendable, Equatable, CaseIterable {
    /// Every check from its cell to the next exercise (and every hidden check) passed.
    case passed
    /// It ran to its end and a check failed.
    case failed
    /// Its code is still the course's starter.
    case notStarted = "not-started"
    /// Its code does not compile, or uses a name reserved for the runner.
    case compileError = "compile-error"
    /// The chapter's time limit ran out in it or before it.
    case timeout
    /// It, or a cell before it, ran out of memory.
    case outOfMemory = "out-of-memory"
    /// It, or a cell before it, crashed or ended the program.
    case crashed
    /// The learner's copy has no exercise with this id.
    case missing
  }

  /// One exercise's status.
  public struct ExerciseResult: Sendable, Equatable {
    public var id: String
    public var status: ExerciseStatus
    /// The exercise's cell in the learner's copy (in the course when it is missing).
    public var location: SourceLocation
  }

  /// The verdict lines added up: what `lesson` and `check` both end with.
  public struct Tally: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var notStarted = 0
    /// Chapters skipped (MNIST missing); `check` adds them.
    public var skipped = 0
    /// Quiz questions not answered; `check` adds them.
    public var notAnswered = 0

    public init() {}

    /// Counts verdict lines a caller already has (building them again costs a pass over every
    /// cell's checks).
    public init(_ verdicts: some Sequence<Verdict>) {
      for verdict in verdicts { add(verdict) }
    }

    /// Counts one verdict line (warnings and notes count as nothing).
    public mutating func add(_ verdict: Verdict) {
      switch verdict.status {
      case .passed: passed += 1
      case .failed: failed += 1
      case .notStarted: notStarted += 1
      case .warning, .note: break
      }
    }

    /// Adds another tally.
    public mutating func add(_ other: Tally) {
      passed += other.passed
      failed += other.failed
      notStarted += other.notStarted
      skipped += other.skipped
      notAnswered += other.notAnswered
    }

    /// `14 passed, 0 failed, 8 not started` (the last three parts only when not zero).
    public var summary: String {
      var text = "\(passed) passed, \(failed) failed"
      if notStarted > 0 { text += ", \(notStarted) not started" }
      if skipped > 0 { text += ", \(skipped) skipped" }
      if notAnswered > 0 { text += ", \(notAnswered) not answered" }
      return text
    }
  }

  /// The course chapter whose cells ran (the learner's own chapter when it has no course);
  /// `cells` follow its cells.
  public var chapter: Chapter
  /// The learner's chapter, whose exercise cells' code ran.
  public var learnerChapter: Chapter
  /// Whether exercise cells were replaced by their solutions.
  public var usedSolutions: Bool
  /// The compiler's messages, shown as the learner's lines, when the chapter does not compile
  /// (then `cells` are all not run).
  public var compileErrors: String?
  /// The same messages, one by one, at the learner's lines.
  public var diagnostics: [Diagnostic] = []
  public var cells: [CellResult]
  /// Whether this run compiled the library (false: it was cached).
  public var compiledLibrary: Bool
  /// Whether this run compiled the chapter program (false: it was cached).
  public var compiledProgram: Bool
  /// Where each cell's code starts (the learner's copy, or a solution file).
  public var cellLocations: [SourceLocation]
  /// Where each exercise's code came from.
  public var exerciseSources: [String: ChapterProgram.ExerciseSource] = [:]
  /// The learner's non-exercise cells that differ from the course's.
  public var editedCells: [ChapterProgram.EditedCell] = []
  /// The types the learner's exercise code declares (a check comparing them proves nothing).
  public var exerciseTypes: [String] = []
  /// The limits the program ran under.
  public var limits: RunLimits
  /// How long the compiled program ran, in seconds (nil when it did not compile).
  public var runSeconds: Double?
  /// How the program ended (nil when it did not compile or still runs).
  public var termination: Termination?
  /// What the program printed when it stopped before its first cell (a broken library).
  public var startupOutput: String?
  /// Result records the program sent without this run's key, or out of order: a cell tried to
  /// forge a result.
  public var forgeries: [String] = []

  /// How a program ended.
  public enum Termination: Equatable, Sendable {
    /// The program returned this exit status.
    case exited(Int32)
    /// A signal (4 = illegal instruction, Swift's trap on x86; 11 = segmentation fault) ended it.
    case signaled(Int32)
    /// It ran past the time limit and was killed.
    case timedOut
    /// The learner pressed Ctrl-C while it ran, and it was killed.
    case interrupted
  }

  /// The fence line of cell `index` as the learner sees it (their copy when it holds the cell).
  func fence(ofCell index: Int) -> SourceLocation {
    let location = cellLocations.indices.contains(index) ? cellLocations[index] : nil
    if let location, location.path == learnerChapter.path || location.path == chapter.path {
      return SourceLocation(path: location.path, line: location.line - 1)
    }
    return SourceLocation(path: chapter.path, line: chapter.cells[index].line)
  }

  /// The exercise whose checks cell `index` belongs to.
  func exercise(ofCell index: Int) -> String? {
    chapter.cells[...index].last(where: { $0.exerciseID != nil })?.exerciseID
  }

  /// The verdict lines of cell `index`: its crash or timeout, its output comparison, then one
  /// line per check, each carrying its check; failing ones are `.notStarted` in an exercise not
  /// started.
  public func verdictLines(forCell index: Int) -> [VerdictLine] {
    var lines = judgedLines(forCell: index)
    guard let id = exercise(ofCell: index), exerciseSources[id] == .starter,
      cells[index].status == .completed
    else { return lines }
    for position in lines.indices where lines[position].verdict.status == .failed {
      lines[position].verdict.status = .notStarted
    }
    return lines
  }

  /// Cell `index`'s verdict lines as judged, before an exercise not started marks its failures.
  private func judgedLines(forCell index: Int) -> [VerdictLine] {
    let result = cells[index]
    let cell = chapter.cells[index]
    let fence = fence(ofCell: index)
    let line = fence.line
    func failed(_ text: String, at location: SourceLocation = fence) -> Verdict {
      Verdict(status: .failed, text: text, location: location)
    }
    var verdicts: [Verdict] = []
    var place = ""
    var crashAt = fence
    if let location = result.crashLocation {
      crashAt = location
      place =
        location.path == learnerChapter.path
        ? " at line \(location.line)" : " at \(location.path):\(location.line)"
      if let cell = chapter.cells.indices.last(where: {
        cellLocations[$0].path == location.path && cellLocations[$0].line <= location.line
      }), let id = chapter.cells[cell].exerciseID {
        place = " in exercise '\(id)'" + place.replacingOccurrences(of: " at line", with: ", line")
      }
    }
    // Only a chapter run as its own course, under its front matter's limits, can raise them: a
    // learner's copy runs under the course's front matter, `grade` under the teacher's limits.
    let ownLimits = learnerChapter.path == chapter.path && limits == RunLimits(chapter: chapter)
    switch result.status {
    case .completed, .notRun: break
    case .crashed(let reason):
      verdicts.append(failed("the cell at line \(line) crashed\(place): \(reason)", at: crashAt))
    case .outOfMemory(let gigabytes):
      verdicts.append(
        failed(
          "the cell at line \(line) ran out of its \(Self.gigabytes(gigabytes)) of memory\(place)"
            + (ownLimits
              ? " (fix: use less, or raise 'memory:' in the front matter)"
              : " (fix: use less; the limit is the course's, not your chapter file's)"),
          at: crashAt))
    case .timedOut(let seconds):
      verdicts.append(
        failed(
          "the cell at line \(line) was still running at the chapter's time limit of"
            + " \(seconds) s"
            + (ownLimits
              ? " (fix: make it faster, or raise 'timeout:' in the front matter)"
              : " (fix: make it faster; the limit is the course's, not your chapter file's)")))
    case .interrupted:
      verdicts.append(failed("the cell at line \(line) was stopped (Ctrl-C)"))
    case .exited(let status):
      verdicts.append(
        failed(
          "the program exited (status \(status)) in the cell at line \(line),"
            + " before the chapter's end (fix: do not call exit in a cell)"))
    }
    if let reference = cell.reference, result.status == .completed {
      if let mismatch = result.mismatch {
        verdicts.append(
          failed(
            "output of the cell at line \(line): \(mismatch)",
            at: SourceLocation(path: fence.path, line: fence.line + reference.line - cell.line)))
      } else {
        verdicts.append(
          Verdict(
            status: .passed, text: "output of the cell at line \(line) matches", location: fence))
      }
    }
    return verdicts.map { VerdictLine(verdict: $0, cell: index) }
      + result.checks.map {
        VerdictLine(verdict: checkVerdict($0, fence: fence), cell: index, check: $0)
      }
  }

  /// The verdict line of one check of a cell whose fence is at `fence`.
  private func checkVerdict(_ check: Check, fence: SourceLocation) -> Verdict {
    if check.passed, let type = exerciseTypes.first(where: { Self.names(check.typeName, $0) }) {
      // The exercise's own type decides its own `==`: it could make any answer equal.
      return Verdict(
        status: .failed,
        text: "\(check.hidden ? "hidden check: " : "")\(check.label): compares values of '\(type)',"
          + " a type your exercise declares, so it proves nothing (fix: return the type the"
          + " starter returns)", location: check.location ?? fence)
    }
    let text: String
    if check.hidden {
      text = "hidden check: \(check.label)"
    } else if check.expected.isEmpty {
      text = check.label + (check.passed || check.actual.isEmpty ? "" : ": " + check.actual)
    } else if check.passed {
      text = "\(check.label): \(check.actual)"
    } else {
      text = "\(check.label): expected \(check.expected), got \(check.actual)"
    }
    return Verdict(
      status: check.passed ? .passed : .failed, text: text,
      location: check.hidden ? nil : check.location)
  }

  /// Whether the runtime's type name `typeName` mentions the chapter's own type `name`.
  static func names(_ typeName: String, _ name: String) -> Bool {
    var rest = Substring(typeName)
    while let range = rest.range(of: "LessonChapter." + name) {
      let after = rest[range.upperBound...].first
      if after == nil || !(after?.isLetter == true || after?.isNumber == true || after == "_") {
        return true
      }
      rest = rest[range.upperBound...]
    }
    return false
  }

  /// `4 GB`, `1.5 GB`.
  static func gigabytes(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) GB" : "\(value) GB"
  }

  /// How exercise `id` fared; `lines` are the report's `verdictLines` when the caller has them
  /// (nil: its cells are judged here).
  public func status(ofExercise id: String, lines: [VerdictLine]? = nil) -> ExerciseStatus {
    guard let range = chapter.exerciseRange(id) else { return .missing }
    switch exerciseSources[id] {
    case .missing?: return .missing
    case .unusable?: return .compileError
    default: break
    }
    if compileErrors != nil { return .compileError }
    for index in range {
      switch cells[index].status {
      case .completed: continue
      case .timedOut: return .timeout
      case .outOfMemory: return .outOfMemory
      case .crashed, .exited, .interrupted: return .crashed
      case .notRun:
        // An earlier cell stopped the program: the exercise fares as that cell did.
        switch cells.first(where: { $0.status != .completed && $0.status != .notRun })?.status {
        case .timedOut?: return .timeout
        case .outOfMemory?: return .outOfMemory
        default: return .crashed
        }
      }
    }
    // The exercise's cells' lines, as every reader has them.
    let exerciseLines =
      lines?.filter { $0.cell.map(range.contains) ?? false }
      ?? range.flatMap { verdictLines(forCell: $0) }
    var count = 0
    var allPassed = true
    for line in exerciseLines where line.verdict.status != .note {
      count += 1
      if line.verdict.status != .passed { allPassed = false }
    }
    if allPassed && count > 0 && forgeries.isEmpty { return .passed }
    return exerciseSources[id] == .starter ? .notStarted : .failed
  }

  /// Every exercise of the course, in order, with its status.
  public var exercises: [ExerciseResult] { exercises(lines: nil) }

  /// `exercises`; `lines` are the report's `verdictLines` when the caller has them (nil: the
  /// cells are judged here).
  public func exercises(lines: [VerdictLine]?) -> [ExerciseResult] {
    chapter.exercises.compactMap { cell in
      guard let id = cell.exerciseID else { return nil }
      let mine = learnerChapter.exercises.first { $0.exerciseID == id }
      let location = SourceLocation(
        path: mine == nil ? chapter.path : learnerChapter.path, line: mine?.line ?? cell.line)
      return ExerciseResult(
        id: id, status: status(ofExercise: id, lines: lines), location: location)
    }
  }

  /// Whether exercise `id` passed.
  public func exercisePassed(_ id: String) -> Bool {
    status(ofExercise: id) == .passed
  }

  /// One verdict line with where it belongs, so that a caller sorts lines by their place, never
  /// by their text (two cells may well print the same line).
  public struct VerdictLine: Sendable, Equatable {
    public var verdict: Verdict
    /// The cell whose own line it is (one of `verdictLines(forCell:)`), or nil for a line about
    /// the chapter as a whole: a program that stopped before its first cell, tampering, edited
    /// cells, missing or refused exercises, compile errors, an exercise without checks, and
    /// the note about cells not run.
    public var cell: Int?
    /// The check whose line it is, or nil for any other line (a crash, a timeout, an output
    /// comparison, a line about the chapter): a reader shows a check beside its line, and never
    /// has to count which lines are the checks'.
    public var check: Check?
    /// Whether it is a check's own line.
    public var isCheck: Bool { check != nil }
  }

  /// Every verdict line in order: why the program stopped before its first cell, tampering,
  /// edited cells, missing or refused exercises, the compile errors or each cell's lines,
  /// exercises without checks, and a note about cells that did not run.
  public var verdicts: [Verdict] { verdictLines.map(\.verdict) }

  /// `verdicts`, each with its place.
  public var verdictLines: [VerdictLine] {
    var lines: [VerdictLine] = []
    /// Adds a line about the chapter as a whole.
    func add(_ verdict: Verdict) { lines.append(VerdictLine(verdict: verdict, cell: nil)) }
    if let startupOutput {
      let reason = startupOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      add(
        Verdict(
          status: .failed,
          text: "the chapter program stopped before its first cell"
            + (termination.map { " (\(Self.describe($0)))" } ?? "")
            + (reason.isEmpty ? "" : ": " + reason),
          location: SourceLocation(path: learnerChapter.path, line: 1)))
    }
    for forgery in forgeries {
      add(
        Verdict(
          status: .failed,
          text: "tampering: a cell wrote a result record that the runner did not make"
            + " (\"\(forgery)\"); it counts for nothing",
          location: nil))
    }
    for edited in editedCells {
      let kind = chapter.cells[edited.cell].code.contains("check(") ? "check cell" : "cell"
      add(
        Verdict(
          status: .warning,
          text: "your copy of the \(kind) at line \(edited.location.line) differs from the"
            + " course; the course's cell was used",
          location: edited.location))
    }
    for exercise in chapter.exercises {
      guard let id = exercise.exerciseID else { continue }
      switch exerciseSources[id] {
      case .missing?:
        add(
          Verdict(
            status: .failed,
            text: "exercise '\(id)' is missing from your copy; the course's starter ran in its"
              + " place",
            location: SourceLocation(path: learnerChapter.path, line: 1)))
      case .unusable(let diagnostics)?:
        // One line per exercise, at its first error; all of them under it.
        guard let first = diagnostics.first else { break }
        add(
          Verdict(
            status: .failed,
            text: "exercise '\(id)' does not compile: " + first.message
              + (diagnostics.count > 1 ? " (and \(diagnostics.count - 1) more)" : ""),
            location: first.location,
            detail: diagnostics.map { "\($0)" }.joined(separator: "\n")))
      default: break
      }
    }
    if compileErrors != nil {
      if diagnostics.isEmpty {
        add(
          Verdict(
            status: .failed,
            text: "the chapter does not compile (the compiler's errors are above)",
            location: SourceLocation(path: learnerChapter.path, line: 1)))
      }
      // One line for the chapter, at its first error; the compile errors above show them all.
      if let first = diagnostics.first {
        add(
          Verdict(
            status: .failed,
            text: "the chapter does not compile: " + first.message
              + (diagnostics.count > 1 ? " (and \(diagnostics.count - 1) more)" : ""),
            location: first.location))
      }
      return lines
    }
    // Each cell's lines are built once: an exercise has no check when its cells have no lines.
    let cellLines = cells.indices.map { verdictLines(forCell: $0) }
    for index in cells.indices {
      lines += cellLines[index]
      if let id = chapter.cells[index].exerciseID, let range = chapter.exerciseRange(id),
        range.allSatisfy({ cells[$0].status == .completed && cellLines[$0].isEmpty })
      {
        add(
          Verdict(
            status: .failed,
            text: "exercise '\(id)' has no check (fix: add check(…) in a cell after it,"
              + " or an ```output block)",
            location: fence(ofCell: index)))
      }
    }
    let notRun = cells.filter { $0.status == .notRun }.count
    if notRun > 0 {
      add(
        Verdict(
          status: .note, text: "\(notRun) later cell\(notRun == 1 ? "" : "s") not run",
          location: nil))
    }
    return lines
  }

  /// How a program's end reads in a message.
  static func describe(_ termination: Termination) -> String {
    switch termination {
    case .exited(let status): "exit status \(status)"
    case .signaled(let signal): "signal \(signal)"
    case .timedOut: "time limit"
    case .interrupted: "Ctrl-C"
    }
  }

  /// Whether the chapter compiled, every cell ran, and nothing failed or is not started.
  public var passed: Bool {
    compileErrors == nil && cells.allSatisfy { $0.status == .completed }
      && !verdicts.contains { $0.status == .failed || $0.status == .notStarted }
  }
}
