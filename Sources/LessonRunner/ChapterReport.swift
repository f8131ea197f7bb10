/// What running a chapter found: each cell's output, checks and fate, and the verdict lines.
public struct ChapterReport: Sendable {
  /// One `check(…)` call's result, parsed from its marker line.
  public struct Check: Sendable, Equatable {
    public var label: String
    public var passed: Bool
    /// The expected value as printed (empty for a `check(label, condition)`).
    public var expected: String
    /// The actual value (for a condition: the detail given).
    public var actual: String
    /// Where the `check` call is (chapter or solution file).
    public var location: SourceLocation?
  }

  /// How a cell's run ended.
  public enum CellStatus: Sendable, Equatable {
    case completed
    /// It crashed; the reason is the runtime's message or the signal.
    case crashed(String)
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
    /// What the cell printed (markers removed).
    public var output: String
    public var checks: [Check]
    public var status: CellStatus
    /// How the output differs from the cell's ```output block; nil when it matches or there is
    /// no block or the cell did not complete.
    public var mismatch: OutputComparison.Mismatch?
  }

  /// One line of the verdict: passed, failed, or a note that counts as neither.
  public struct Verdict: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
      case passed
      case failed
      /// A failing check of an exercise the learner has not started: its cell still holds the
      /// `TODO` it shipped with. `lesson` shows it as the learner's turn; `check` counts it as
      /// a failure, so an unsolved course never passes.
      case unsolved
      case note
    }
    public var status: Status
    public var text: String
    public var location: SourceLocation?
  }

  public var chapter: Chapter
  /// Whether exercise cells were replaced by their solutions.
  public var usedSolutions: Bool
  /// The compiler's messages when the chapter does not compile (then `cells` are all not run).
  public var compileErrors: String?
  public var cells: [CellResult]
  /// Whether this run compiled the library (false: it was cached).
  public var compiledLibrary: Bool
  /// Whether this run compiled the chapter program (false: it was cached).
  public var compiledProgram: Bool
  /// Where each cell's code starts (a solution file for a replaced exercise).
  public var cellLocations: [SourceLocation]
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

  /// The exercise whose checks cell `index` belongs to, when that exercise still holds its
  /// shipped `TODO` (never under `--solutions`).
  public func unsolvedExercise(forCell index: Int) -> String? {
    guard !usedSolutions else { return nil }
    guard let start = chapter.cells[...index].lastIndex(where: { $0.exerciseID != nil }),
      chapter.cells[start].code.contains("TODO")
    else { return nil }
    return chapter.cells[start].exerciseID
  }

  /// The verdict lines of cell `index`: its crash or timeout, its output comparison, its checks.
  public func verdicts(forCell index: Int) -> [Verdict] {
    let unsolved = unsolvedExercise(forCell: index)
    return cellVerdicts(forCell: index).map { verdict in
      guard let unsolved, verdict.status == .failed, cells[index].status == .completed else {
        return verdict
      }
      var marked = verdict
      marked.status = .unsolved
      marked.text += " (exercise '\(unsolved)' still has its TODO)"
      return marked
    }
  }

  private func cellVerdicts(forCell index: Int) -> [Verdict] {
    let result = cells[index]
    let cell = chapter.cells[index]
    let cellLocation = SourceLocation(path: chapter.path, line: cell.line)
    var verdicts: [Verdict] = []
    switch result.status {
    case .completed, .notRun: break
    case .crashed(let reason):
      verdicts.append(
        Verdict(
          status: .failed, text: "the cell at line \(cell.line) crashed: \(reason)",
          location: cellLocation))
    case .timedOut(let seconds):
      verdicts.append(
        Verdict(
          status: .failed,
          text: "the cell at line \(cell.line) was still running at the chapter's time limit of"
            + " \(seconds) s (fix: make it faster, or raise 'timeout:' in the front matter)",
          location: cellLocation))
    case .interrupted:
      verdicts.append(
        Verdict(
          status: .failed, text: "the cell at line \(cell.line) was stopped (Ctrl-C)",
          location: cellLocation))
    case .exited(let status):
      verdicts.append(
        Verdict(
          status: .failed,
          text: "the program exited (status \(status)) in the cell at line \(cell.line),"
            + " before the chapter's end (fix: do not call exit in a cell)",
          location: cellLocation))
    }
    if let reference = cell.reference, result.status == .completed {
      if let mismatch = result.mismatch {
        verdicts.append(
          Verdict(
            status: .failed, text: "output of the cell at line \(cell.line): \(mismatch)",
            location: SourceLocation(path: chapter.path, line: reference.line)))
      } else {
        verdicts.append(
          Verdict(
            status: .passed, text: "output of the cell at line \(cell.line) matches",
            location: cellLocation))
      }
    }
    for check in result.checks {
      let text: String
      if check.expected.isEmpty {
        text = check.label + (check.passed || check.actual.isEmpty ? "" : ": " + check.actual)
      } else if check.passed {
        text = "\(check.label): \(check.actual)"
      } else {
        text = "\(check.label): expected \(check.expected), got \(check.actual)"
      }
      verdicts.append(
        Verdict(status: check.passed ? .passed : .failed, text: text, location: check.location))
    }
    return verdicts
  }

  /// Whether exercise `id` passed: every check and output from its cell up to the next exercise
  /// passed, at least one exists, and every one of those cells ran to its end.
  public func exercisePassed(_ id: String) -> Bool {
    guard let range = chapter.exerciseRange(id) else { return false }
    var count = 0
    for index in range {
      guard cells[index].status == .completed else { return false }
      for verdict in verdicts(forCell: index) where verdict.status != .note {
        guard verdict.status == .passed else { return false }
        count += 1
      }
    }
    return count > 0
  }

  /// Every verdict line in order: compile failure, each cell's lines, exercises without checks,
  /// and a note about cells that did not run.
  public var verdicts: [Verdict] {
    if compileErrors != nil {
      return [
        Verdict(
          status: .failed, text: "the chapter does not compile (the compiler's errors are above)",
          location: SourceLocation(path: chapter.path, line: 1))
      ]
    }
    var verdicts: [Verdict] = []
    if let startupOutput {
      let reason = startupOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      verdicts.append(
        Verdict(
          status: .failed,
          text: "the chapter program stopped before its first cell"
            + (termination.map { " (\(Self.describe($0)))" } ?? "")
            + (reason.isEmpty ? "" : ": " + reason),
          location: SourceLocation(path: chapter.path, line: 1)))
    }
    for forgery in forgeries {
      verdicts.append(
        Verdict(
          status: .failed,
          text: "tampering: a cell wrote a result record that the runner did not make"
            + " (\"\(forgery)\"); it counts for nothing",
          location: nil))
    }
    for index in cells.indices {
      verdicts += self.verdicts(forCell: index)
      if let id = chapter.cells[index].exerciseID, let range = chapter.exerciseRange(id),
        range.allSatisfy({ cells[$0].status == .completed }),
        range.allSatisfy({ self.verdicts(forCell: $0).isEmpty })
      {
        verdicts.append(
          Verdict(
            status: .failed,
            text: "exercise '\(id)' has no check (fix: add check(…) in a cell after it,"
              + " or an ```output block)",
            location: SourceLocation(path: chapter.path, line: chapter.cells[index].line)))
      }
    }
    let notRun = cells.filter { $0.status == .notRun }.count
    if notRun > 0 {
      verdicts.append(
        Verdict(
          status: .note, text: "\(notRun) later cell\(notRun == 1 ? "" : "s") not run",
          location: nil))
    }
    return verdicts
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

  /// Whether the chapter compiled, every cell ran, and nothing failed.
  public var passed: Bool {
    compileErrors == nil && cells.allSatisfy { $0.status == .completed }
      && !verdicts.contains { $0.status == .failed || $0.status == .unsolved }
  }

  /// The exercises that still hold their shipped `TODO` and fail their checks, in order.
  public var unsolvedExercises: [String] {
    var names: [String] = []
    for verdict in verdicts where verdict.status == .unsolved {
      for index in cells.indices {
        if let id = unsolvedExercise(forCell: index), !names.contains(id),
          verdict.text.hasSuffix("'\(id)' still has its TODO)")
        {
          names.append(id)
        }
      }
    }
    return names
  }
}
