import Foundation

/// Runs chapters: assembles the program, compiles it (cached), runs it under the chapter's time
/// limit, and splits and checks its output cell by cell.
public struct ChapterRunner: Sendable {
  public let workspace: Workspace
  public let compiler: ChapterCompiler

  /// Creates a runner; `status` receives one-line messages about slow steps (the first library
  /// compile).
  public init(workspace: Workspace, status: @escaping (String) -> Void) {
    self.workspace = workspace
    self.compiler = ChapterCompiler(workspace: workspace, status: status)
  }

  /// Runs the learner's `chapter` and judges it.
  ///
  /// - Parameters:
  ///   - chapter: the learner's file; only its exercise cells' code is used when `course` is
  ///     given.
  ///   - solutions: each exercise's code is its reference solution instead.
  ///   - course: the shipped chapter, whose cells (setup, checks, reference outputs) run with
  ///     the learner's exercise code matched by id; nil: the chapter is its own course.
  ///   - hiddenChecks: run the teacher's hidden checks (`Grading/<stem>/<id>.swift` beside the
  ///     course) right after each exercise's own checks.
  ///   - limits: time and memory; nil: the course's front matter (`timeout:`, `memory:`).
  ///
  /// A chapter whose code does not compile, crashes or times out yields a report saying so;
  /// errors thrown are about the chapter file (a missing solution) or the toolchain and cache.
  public func run(
    _ chapter: Chapter, solutions: Bool, course: Chapter? = nil, hiddenChecks: Bool = false,
    limits: RunLimits? = nil
  ) throws -> ChapterReport {
    try start(
      chapter, solutions: solutions, course: course, hiddenChecks: hiddenChecks, limits: limits
    ).wait()
  }

  /// Compiles the chapter (cached) and starts its program in the background; each cell's
  /// results can be read as soon as that cell ends (`ChapterRun.report(throughCell:)`), while
  /// later cells still run. Parameters and errors as for `run`, thrown before anything runs.
  public func start(
    _ chapter: Chapter, solutions: Bool, course: Chapter? = nil, hiddenChecks: Bool = false,
    limits: RunLimits? = nil
  ) throws -> ChapterRun {
    let course = course ?? chapter
    let limits = limits ?? RunLimits(chapter: course)
    let program = try ChapterProgram(
      chapter: chapter, course: course, solutions: solutions, hiddenChecks: hiddenChecks)
    let library = try compiler.library()
    var report = ChapterReport(
      chapter: course, learnerChapter: chapter, usedSolutions: solutions, compileErrors: nil,
      cells: course.cells.map {
        ChapterReport.CellResult(
          cell: $0.index, output: "", checks: [], status: .notRun, mismatch: nil)
      },
      compiledLibrary: library.compiledNow, compiledProgram: false,
      cellLocations: program.cellLocations, exerciseSources: program.exerciseSources,
      editedCells: program.editedCells, limits: limits)
    let compiled = Result { () throws(CompileError) in
      try compiler.compile(program, library: library)
    }
    let executable: ChapterCompiler.Executable
    switch compiled {
    case .success(let value): executable = value
    case .failure(.chapterDoesNotCompile(let errors)):
      report.compileErrors = errors
      report.compiledProgram = true
      return ChapterRun(finished: report, program: program)
    case .failure(let error): throw error
    }
    report.compiledProgram = executable.compiledNow

    var environment = workspace.environment
    // The runtime's backtracer takes seconds and prints pages; the one-line message is enough.
    environment["SWIFT_BACKTRACE"] = "enable=no"
    if let mnist = workspace.mnistDirectory { environment["LENET_TUTOR_DATA"] = mnist }
    return ChapterRun(
      starting: report, program: program, executable: executable.path, environment: environment,
      limits: limits)
  }

  /// Each cell's results from what the channel received. While the program still runs
  /// (`termination` nil) the cell it is in stays `.notRun`: only the cells before it have their
  /// final results.
  static func cellResults(
    _ channel: ResultChannel, termination: Subprocess.Termination?, program: ChapterProgram,
    chapter: Chapter, limits: RunLimits
  ) -> [ChapterReport.CellResult] {
    var cells = chapter.cells.map {
      ChapterReport.CellResult(
        cell: $0.index, output: "", checks: [], status: .notRun, mismatch: nil)
    }
    let finished = channel.finishedUnits
    for (index, unit) in program.units.enumerated() where channel.units[index].started {
      let isOver = index < finished
      guard isOver || termination != nil else { continue }
      if unit.hiddenExercise == nil {
        cells[unit.cell].output += channel.outputText(ofUnit: index)
        cells[unit.cell].checks += channel.units[index].checks
      } else {
        // Hidden checks show their labels and verdicts, never what their code printed.
        cells[unit.cell].checks += channel.units[index].checks.map {
          var check = $0
          check.hidden = true
          return check
        }
      }
      if isOver {
        if cells[unit.cell].status == .notRun { cells[unit.cell].status = .completed }
        continue
      }
      let output = withoutStackTrace(
        cells[unit.cell].output
          + (unit.hiddenExercise == nil ? "" : channel.outputText(ofUnit: index)))
      cells[unit.cell].output = withoutStackTrace(cells[unit.cell].output)
      switch termination {
      case .timedOut?: cells[unit.cell].status = .timedOut(seconds: limits.seconds)
      case .interrupted?: cells[unit.cell].status = .interrupted
      case .signaled(let signal)? where output.contains("failed to allocate"):
        _ = signal
        cells[unit.cell].status = .outOfMemory(gigabytes: limits.memoryGigabytes)
      case .signaled(let signal)?:
        cells[unit.cell].status = .crashed(crashReason(output, signal: signal))
      case .exited(let status)?: cells[unit.cell].status = .exited(status: status)
      case nil: break
      }
    }
    for index in cells.indices where cells[index].status == .completed {
      if let reference = chapter.cells[index].reference {
        cells[index].mismatch = OutputComparison.compare(
          actual: cells[index].output, expected: reference.text, tolerance: reference.tolerance)
      }
    }
    return cells
  }

  /// The runtime's message (`Fatal error: Index out of range`), else the signal's name.
  static func crashReason(_ output: String, signal: Int32) -> String {
    for line in output.split(separator: "\n").reversed() {
      for keyword in ["Fatal error:", "Precondition failed:", "Assertion failed:"] {
        if let range = line.range(of: keyword) { return String(line[range.lowerBound...]) }
      }
    }
    let names: [Int32: String] = [
      4: "illegal instruction (a Swift runtime check failed)", 5: "trace trap", 6: "abort",
      8: "arithmetic error", 9: "killed", 11: "segmentation fault",
    ]
    return "signal \(signal)" + (names[signal].map { ": " + $0 } ?? "")
  }

  /// `output` without the runtime's `Current stack trace:` block, which names only addresses.
  static func withoutStackTrace(_ output: String) -> String {
    guard let range = output.range(of: "Current stack trace:") else { return output }
    return String(output[..<range.lowerBound])
  }
}

/// How long and how much memory a chapter program may use.
public struct RunLimits: Sendable, Equatable {
  /// Seconds the whole program may run.
  public var seconds: Int
  /// Gigabytes of address space the program may map (`RLIMIT_AS`).
  public var memoryGigabytes: Double

  /// The default memory limit: far above what any chapter needs (training is under 1 GB), far
  /// below what would make the machine swap.
  public static let defaultMemoryGigabytes = 4.0

  public init(seconds: Int = 60, memoryGigabytes: Double = RunLimits.defaultMemoryGigabytes) {
    self.seconds = seconds
    self.memoryGigabytes = memoryGigabytes
  }

  /// The limits a chapter's front matter asks for (`timeout:`, `memory:`).
  public init(chapter: Chapter) {
    self.init(
      seconds: chapter.frontMatter.timeout,
      memoryGigabytes: chapter.frontMatter.memory ?? RunLimits.defaultMemoryGigabytes)
  }

  /// The memory limit in bytes.
  var memoryBytes: UInt64 { UInt64(memoryGigabytes * Double(1 << 30)) }
}
