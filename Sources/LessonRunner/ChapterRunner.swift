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

  /// Runs `chapter`, with exercise cells replaced by their solutions when `solutions` is set.
  ///
  /// A chapter whose code does not compile, crashes or times out yields a report saying so;
  /// errors thrown are about the chapter file (a missing solution) or the toolchain and cache.
  public func run(_ chapter: Chapter, solutions: Bool) throws -> ChapterReport {
    try start(chapter, solutions: solutions).wait()
  }

  /// Compiles `chapter` (cached) and starts its program in the background; each cell's results
  /// can be read as soon as that cell ends (`ChapterRun.report(throughCell:)`), while later
  /// cells still run. Throws for the same reasons as `run`, before anything runs.
  public func start(_ chapter: Chapter, solutions: Bool) throws -> ChapterRun {
    let program = try ChapterProgram(chapter: chapter, solutions: solutions)
    let library = try compiler.library()
    var report = ChapterReport(
      chapter: chapter, usedSolutions: solutions, compileErrors: nil,
      cells: chapter.cells.map {
        ChapterReport.CellResult(
          cell: $0.index, output: "", checks: [], status: .notRun, mismatch: nil)
      },
      compiledLibrary: library.compiledNow, compiledProgram: false,
      cellLocations: program.cellLocations, runSeconds: nil)
    let compiled = Result { () throws(CompileError) in
      try compiler.compile(program, library: library)
    }
    let executable: ChapterCompiler.Executable
    switch compiled {
    case .success(let value): executable = value
    case .failure(.chapterDoesNotCompile(let errors)):
      report.compileErrors = errors
      report.compiledProgram = true
      return ChapterRun(finished: report)
    case .failure(let error): throw error
    }
    report.compiledProgram = executable.compiledNow

    var environment = workspace.environment
    // The runtime's backtracer takes seconds and prints pages; the one-line message is enough.
    environment["SWIFT_BACKTRACE"] = "enable=no"
    if let mnist = workspace.mnistDirectory { environment["LENET_TUTOR_DATA"] = mnist }
    return ChapterRun(starting: report, executable: executable.path, environment: environment)
  }

  /// Splits the program's output at its markers and judges each cell.
  ///
  /// While the program still runs (`termination` nil) the cell it is in stays `.notRun`: only
  /// the cells before it, whose end marker has arrived, have their final results.
  static func cellResults(
    output: String, termination: Subprocess.Termination?, chapter: Chapter, timeout: Int
  ) -> [ChapterReport.CellResult] {
    var cells = chapter.cells.map {
      ChapterReport.CellResult(
        cell: $0.index, output: "", checks: [], status: .notRun, mismatch: nil)
    }
    var current: Int?
    var reachedEnd = false
    let pieces = output.components(separatedBy: Prelude.marker)
    for piece in pieces.dropFirst() {
      let newline = piece.firstIndex(of: "\n") ?? piece.endIndex
      let marker = piece[..<newline]
      let text = newline < piece.endIndex ? String(piece[piece.index(after: newline)...]) : ""
      if marker.hasPrefix("cell "), let index = Int(marker.dropFirst(5)),
        cells.indices.contains(index)
      {
        if let current { cells[current].status = .completed }
        current = index
        cells[index].output += text
      } else if marker == "end" {
        if let current { cells[current].status = .completed }
        current = nil
        reachedEnd = true
      } else if marker.hasPrefix("check\u{1F}"), let current {
        cells[current].checks.append(parseCheck(marker.dropFirst(6)))
        cells[current].output += text
      } else if let current {
        cells[current].output += text
      }
    }
    if termination == nil, let current {
      cells[current] = ChapterReport.CellResult(
        cell: current, output: "", checks: [], status: .notRun, mismatch: nil)
    } else if !reachedEnd, let current, let termination {
      cells[current].output = withoutStackTrace(cells[current].output)
      switch termination {
      case .timedOut: cells[current].status = .timedOut(seconds: timeout)
      case .signaled(let signal):
        cells[current].status = .crashed(crashReason(cells[current].output, signal: signal))
      case .exited(let status): cells[current].status = .exited(status: status)
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

  private static func parseCheck(_ text: Substring) -> ChapterReport.Check {
    let fields = text.split(separator: Prelude.separator, omittingEmptySubsequences: false).map(
      String.init)
    func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
    let location = Int(field(5)).map { SourceLocation(path: field(4), line: $0) }
    return ChapterReport.Check(
      label: field(1), passed: field(0) == "pass", expected: field(2), actual: field(3),
      location: location)
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
