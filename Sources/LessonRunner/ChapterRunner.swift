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
    var program = try ChapterProgram(
      chapter: chapter, course: course, solutions: solutions, hiddenChecks: hiddenChecks)
    let library = try compiler.library(
      forSpeed: Self.needsFastLibrary(course: course, program: program))
    var report = ChapterReport(
      chapter: course, learnerChapter: chapter, usedSolutions: solutions, compileErrors: nil,
      cells: course.cells.map {
        ChapterReport.CellResult(
          cell: $0.index, output: "", checks: [], status: .notRun, mismatch: nil)
      },
      compiledLibrary: library.compiledNow, compiledProgram: false,
      cellLocations: program.cellLocations, exerciseSources: program.exerciseSources,
      editedCells: program.editedCells, exerciseTypes: program.exerciseTypes, limits: limits)
    let executable: ChapterCompiler.Executable
    switch try compileOrLocate(program, library: library) {
    case .compiled(let value):
      executable = value
    case .brokenExercises(let unusable):
      // Judge the other exercises: run again with the starters in place of the broken code
      // (unless a broken code is the starter itself: the chapter is its own course).
      let located = unusable.keys.sorted().flatMap { unusable[$0] ?? [] }
      func doesNotCompile(_ more: [Diagnostic]) -> ChapterRun {
        report.diagnostics = located + more
        report.compileErrors = Self.render(report.diagnostics)
        report.compiledProgram = true
        return ChapterRun(finished: report, program: program)
      }
      guard unusable.keys.allSatisfy({ program.exerciseSources[$0] == .learner }) else {
        return doesNotCompile([])
      }
      program = try ChapterProgram(
        chapter: chapter, course: course, solutions: solutions, hiddenChecks: hiddenChecks,
        unusable: unusable)
      report.cellLocations = program.cellLocations
      report.exerciseSources = program.exerciseSources
      report.exerciseTypes = program.exerciseTypes
      switch try compileOrLocate(program, library: library) {
      case .compiled(let value): executable = value
      case .brokenExercises(let more): return doesNotCompile(more.values.flatMap { $0 })
      case .doesNotCompile(let more, _): return doesNotCompile(more)
      }
    case .doesNotCompile(let diagnostics, let raw):
      report.diagnostics = diagnostics
      report.compileErrors = diagnostics.isEmpty ? raw : Self.render(diagnostics)
      report.compiledProgram = true
      return ChapterRun(finished: report, program: program)
    }
    report.compiledProgram = executable.compiledNow

    var environment = workspace.environment
    // The runtime's backtracer, kept short: the crashing thread alone, no colours, registers
    // or images. It names the learner's line where a crash happened (`crashLocation`).
    environment["SWIFT_BACKTRACE"] =
      "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,"
      + "sanitize=no,limit=32,top=8"
    if let mnist = workspace.mnistDirectory { environment["LENET_TUTOR_DATA"] = mnist }
    return ChapterRun(
      starting: report, program: program, executable: executable.path, environment: environment,
      limits: limits)
  }

  /// Whether a chapter runs on LeNetKit compiled whole-module from the sources rather than on
  /// the package's debug build: the chapters that train on MNIST or ask for `optimize: true`.
  /// Measured on chapters 11 and 12 with their solutions (CPU seconds of the run, 2-core Zen 3
  /// under load): 15.1 and 49.3 on the package's debug build (`-O` file by file), 9.7 and 39.2
  /// whole-module; chapters 0 to 8 run in about a second either way, and start at once on the
  /// package build.
  static func needsFastLibrary(course: Chapter, program: ChapterProgram) -> Bool {
    course.frontMatter.needsMNIST || program.optimize
  }

  /// What compiling a program came to.
  enum CompileOutcome {
    case compiled(ChapterCompiler.Executable)
    /// Learner exercises whose code does not compile, with why; the rest may.
    case brokenExercises([String: [Diagnostic]])
    /// The program does not compile for a reason outside the learner's exercises (or under
    /// `--solutions`): the diagnostics at their files' lines, and the compiler's own text for
    /// when none points into a cell.
    case doesNotCompile([Diagnostic], raw: String)
  }

  /// Compiles `program`; when it does not compile, finds where: each learner exercise is first
  /// parsed alone (a missing `}` would otherwise swallow the cells after it and be reported
  /// in generated code), then the whole program's messages are placed in their cells.
  func compileOrLocate(_ program: ChapterProgram, library: ChapterCompiler.Library)
    throws(CompileError) -> CompileOutcome
  {
    let output: String
    do {
      return .compiled(try compiler.compile(program, library: library))
    } catch .chapterDoesNotCompile(let text) {
      output = text
    } catch {
      throw error
    }
    var broken: [String: [Diagnostic]] = [:]
    for (id, unit) in program.learnerExercises {
      let messages = try compiler.parseAlone(unit)
      let diagnostics = Diagnostic.parse(
        messages, units: [unit], generatedFile: ChapterCompiler.alone)
      if !diagnostics.isEmpty { broken[id] = diagnostics }
    }
    let diagnostics = program.diagnostics(fromCompilerOutput: output)
    if broken.isEmpty {
      for (id, unit) in program.learnerExercises {
        let inside = diagnostics.filter { diagnostic in
          let count = unit.code.split(separator: "\n", omittingEmptySubsequences: false).count
          return diagnostic.location.path == unit.location.path
            && (unit.location.line..<unit.location.line + count).contains(diagnostic.location.line)
        }
        if !inside.isEmpty { broken[id] = inside }
      }
    }
    // Broken exercises are worth a second compile only when something else may still run.
    if !broken.isEmpty && broken.count < program.units.count {
      return .brokenExercises(broken)
    }
    return .doesNotCompile(
      diagnostics,
      raw: output.split(separator: "\n").filter { $0.contains(": error: ") }.joined(
        separator: "\n") + "\n")
  }

  /// Diagnostics as the compiler would print them, with the learner's lines.
  static func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map { "\($0)\n" }.joined()
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
      let checks = channel.units[index].checks.map {
        var check = $0
        check.location = check.location.map(program.realLocation)
        check.hidden = unit.hiddenExercise != nil
        return check
      }
      cells[unit.cell].checks += checks
      // Hidden checks show their labels and verdicts, never what their code printed or showed.
      if unit.hiddenExercise == nil {
        let offset = cells[unit.cell].output.utf8.count
        cells[unit.cell].pictures += channel.units[index].pictures.map {
          var picture = $0
          picture.drawing =
            offset + picture.drawing.lowerBound..<offset + picture.drawing.upperBound
          return picture
        }
        cells[unit.cell].output += channel.outputText(ofUnit: index)
      }
      if isOver {
        if cells[unit.cell].status == .notRun { cells[unit.cell].status = .completed }
        continue
      }
      let printed =
        cells[unit.cell].output
        + (unit.hiddenExercise == nil ? "" : channel.outputText(ofUnit: index))
      cells[unit.cell].crashLocation = crashLocation(in: printed, realPaths: program.realPaths)
      let output = withoutStackTrace(printed)
      cells[unit.cell].output = withoutStackTrace(cells[unit.cell].output)
      switch termination {
      case .timedOut?: cells[unit.cell].status = .timedOut(seconds: limits.seconds)
      case .interrupted?: cells[unit.cell].status = .interrupted
      case .signaled? where output.contains("failed to allocate"):
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

  /// `output` without the runtime's backtrace, which names addresses and the runtime's own
  /// functions (its one useful fact, the learner's line, is `crashLocation`).
  static func withoutStackTrace(_ output: String) -> String {
    var text = Substring(output)
    for start in ["\n*** Signal ", "*** Signal ", "\n💣 Program crashed", "Current stack trace:"] {
      if let range = text.range(of: start) { text = text[..<range.lowerBound] }
    }
    return String(text) + (text.count < output.count && !text.hasSuffix("\n") ? "\n" : "")
  }

  /// The deepest frame of the crashing thread's backtrace that lies in a chapter, solution or
  /// hidden-checks file, named by one of `realPaths`' aliases (the debug information may put
  /// the compiler's folder before it): `f(_:) + 32 in chapter at /tmp/lesson-source-0:41:12`.
  static func crashLocation(in output: String, realPaths: [String: String]) -> SourceLocation? {
    guard let start = output.range(of: "*** Program crashed") else { return nil }
    for line in output[start.upperBound...].split(separator: "\n") {
      if line.hasPrefix("Thread ") && !line.hasSuffix("crashed:") { break }
      guard let at = line.range(of: " at ", options: .backwards) else { continue }
      let place = line[at.upperBound...].split(separator: ":", omittingEmptySubsequences: false)
      guard place.count >= 3, let number = Int(place[place.count - 2]),
        let column = Int(place[place.count - 1])
      else { continue }
      let path = place.dropLast(2).joined(separator: ":")
      for (alias, real) in realPaths where path == alias || path.hasSuffix("/" + alias) {
        return SourceLocation(path: real, line: number, column: column)
      }
    }
    return nil
  }
}

/// How long and how much memory a chapter program may use.
public struct RunLimits: Sendable, Equatable {
  /// Seconds the whole program may run.
  public var seconds: Int
  /// Gigabytes of data the program may map (`RLIMIT_DATA`: its heap and private writable
  /// mappings, not the address space merely reserved, such as malloc's per-thread arenas, which
  /// grow with the number of cores).
  public var memoryGigabytes: Double

  /// Megabytes one file the program writes may grow to (`RLIMIT_FSIZE`); a write past it fails
  /// with "File too large" in the cell that made it. It bounds each file, not their number.
  public var fileSizeMegabytes: Int

  /// The default memory limit: far above what any chapter needs (training is under 1 GB), far
  /// below what would make the machine swap.
  public static let defaultMemoryGigabytes = 4.0

  /// The default file size limit: far above the largest file a chapter writes (a model's
  /// weights, under 1 MB), far below what would fill a disk.
  public static let defaultFileSizeMegabytes = 256

  public init(
    seconds: Int = 60, memoryGigabytes: Double = RunLimits.defaultMemoryGigabytes,
    fileSizeMegabytes: Int = RunLimits.defaultFileSizeMegabytes
  ) {
    self.seconds = seconds
    self.memoryGigabytes = memoryGigabytes
    self.fileSizeMegabytes = fileSizeMegabytes
  }

  /// The limits a chapter's front matter asks for (`timeout:`, `memory:`), but for those given
  /// here (`grade --timeout`, `--memory`): one given limit leaves the other as the chapter's.
  public init(chapter: Chapter, seconds: Int? = nil, memoryGigabytes: Double? = nil) {
    self.init(
      seconds: seconds ?? chapter.frontMatter.timeout,
      memoryGigabytes: memoryGigabytes ?? chapter.frontMatter.memory
        ?? RunLimits.defaultMemoryGigabytes)
  }

  /// The memory limit in bytes.
  var memoryBytes: UInt64 { UInt64(memoryGigabytes * Double(1 << 30)) }

  /// The file size limit in bytes.
  var fileSizeBytes: UInt64 { UInt64(fileSizeMegabytes) << 20 }
}
