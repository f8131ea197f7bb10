import Foundation

/// A chapter program running in the background, whose cells' results arrive one by one.
///
/// The program sends a record as each cell starts (`ResultChannel`), so when the record of cell
/// k arrives every cell before k has ended: `report(throughCell:)` can hand their results over
/// while the training cells of a long chapter are still running. Created by
/// `ChapterRunner.start`.
public final class ChapterRun: @unchecked Sendable {
  /// Where each cell's code starts (the learner's copy, or a solution file).
  public let cellLocations: [SourceLocation]
  /// The course chapter whose cells run (the learner's chapter when it has no course):
  /// `cellLocations`, `cellCode` and the report's cells follow its cells.
  public let chapter: Chapter
  /// The code each cell runs: the learner's exercise code, a solution, or the course's cell.
  public let cellCode: [String]

  private let condition = NSCondition()
  /// The report so far: cells before `finishedCells` have their final results.
  private var report: ChapterReport
  private var finishedCells: Int
  /// Set once the program has ended (or failed to start).
  private var outcome: Result<ChapterReport, any Error>?
  private var cancelled = false

  /// A run that is over before it started (the chapter does not compile).
  init(finished report: ChapterReport, program: ChapterProgram) {
    self.report = report
    cellLocations = report.cellLocations
    cellCode = program.cellCode
    chapter = report.chapter
    finishedCells = report.cells.count
    outcome = .success(report)
  }

  /// Starts `executable` on a thread of its own, in a fresh scratch folder that is deleted when
  /// it ends.
  init(
    starting report: ChapterReport, program: ChapterProgram, executable: String,
    environment: [String: String], limits: RunLimits
  ) {
    self.report = report
    cellLocations = report.cellLocations
    cellCode = program.cellCode
    chapter = report.chapter
    finishedCells = 0
    let chapter = report.chapter
    let thread = Thread { [self] in
      var channel = ResultChannel(unitCount: program.units.count)
      let started = Date()
      let scratch = NSTemporaryDirectory() + "lenet-tutor-run-" + UUID().uuidString
      try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
      let channels = Subprocess.Channels(
        greeting: channel.greeting(
          memoryLimit: limits.memoryBytes, fileSizeLimit: limits.fileSizeBytes,
          workingDirectory: scratch),
        onRecords: { bytes in
          let count = channel.receiveRecords(bytes)
          self.publishFinishedCells(channel, program: program, chapter: chapter)
          return count
        })
      let result = Result { () throws(SubprocessError) in
        try Subprocess.run(
          executable, [], environment: environment, timeLimit: Double(limits.seconds),
          onOutput: { channel.receiveOutput($0) }, channels: channels,
          isCancelled: { self.condition.withLock { self.cancelled } })
      }
      // Gone before anyone hears the run is over.
      try? FileManager.default.removeItem(atPath: scratch)
      condition.withLock {
        switch result {
        case .success(let result):
          self.report.cells = ChapterRunner.cellResults(
            channel, termination: result.termination, program: program, chapter: chapter,
            limits: limits)
          self.report.forgeries = channel.forgeries
          self.report.startupOutput =
            channel.current == nil
            ? String(
              decoding: channel.preamble, as: UTF8.self) : nil
          self.report.termination = result.termination
          self.report.runSeconds = Date().timeIntervalSince(started)
          outcome = .success(self.report)
        case .failure(let error):
          outcome = .failure(error)
        }
        finishedCells = chapter.cells.count
        condition.broadcast()
      }
    }
    thread.start()
  }

  /// When the records that arrived end some cells, judges those cells and wakes whoever waits
  /// for them.
  private func publishFinishedCells(
    _ channel: ResultChannel, program: ChapterProgram, chapter: Chapter
  ) {
    let finished = program.finishedCells(units: channel.finishedUnits)
    guard condition.withLock({ outcome == nil && finished > finishedCells }) else { return }
    let cells = ChapterRunner.cellResults(
      channel, termination: nil, program: program, chapter: chapter, limits: RunLimits())
    condition.withLock {
      guard outcome == nil, finished > finishedCells else { return }
      report.cells = cells
      finishedCells = finished
      condition.broadcast()
    }
  }

  /// The report once cell `index` has its final result (or the run is over): cells up to
  /// `index` are final, later ones may still be `.notRun`. Blocks until then.
  public func report(throughCell index: Int) throws -> ChapterReport {
    try condition.withLock {
      while finishedCells <= index && outcome == nil { condition.wait() }
      if case .failure(let error) = outcome { throw error }
      return report
    }
  }

  /// Waits up to `seconds` for cell `index` to have its result; true when it has.
  public func waitForResult(throughCell index: Int, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    return condition.withLock {
      while finishedCells <= index && outcome == nil {
        if !condition.wait(until: deadline) { break }
      }
      return finishedCells > index || outcome != nil
    }
  }

  /// Whether `report(throughCell: index)` would return at once.
  public func hasResult(throughCell index: Int) -> Bool {
    condition.withLock { finishedCells > index || outcome != nil }
  }

  /// The final report, once the program has ended. Blocks until then.
  public func wait() throws -> ChapterReport {
    try condition.withLock {
      while outcome == nil { condition.wait() }
      return try outcome?.get() ?? report
    }
  }

  /// Stops the program if it is still running (its report then shows the cell it was in as
  /// killed); `wait()` still returns once it has ended.
  public func cancel() {
    condition.withLock {
      if outcome == nil { cancelled = true }
    }
  }

  /// Whether `cancel()` stopped the program before it ended by itself.
  public var wasCancelled: Bool { condition.withLock { cancelled } }
}
