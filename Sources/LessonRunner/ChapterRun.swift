import Foundation

/// A chapter program running in the background, whose cells' results arrive one by one.
///
/// The program prints a marker as each cell starts, so when the marker of cell k arrives every
/// cell before k has ended: `report(throughCell:)` can hand their results over while the
/// training cells of a long chapter are still running. Created by `ChapterRunner.start`.
public final class ChapterRun: @unchecked Sendable {
  /// Where each cell's code starts (a solution file for a replaced exercise).
  public let cellLocations: [SourceLocation]

  private let condition = NSCondition()
  /// The report so far: cells before `finishedCells` have their final results.
  private var report: ChapterReport
  private var finishedCells: Int
  /// Set once the program has ended (or failed to start).
  private var outcome: Result<ChapterReport, any Error>?
  private var cancelled = false

  /// A run that is over before it started (the chapter does not compile).
  init(finished report: ChapterReport) {
    self.report = report
    cellLocations = report.cellLocations
    finishedCells = report.cells.count
    outcome = .success(report)
  }

  /// Starts `executable` on a thread of its own.
  init(starting report: ChapterReport, executable: String, environment: [String: String]) {
    self.report = report
    cellLocations = report.cellLocations
    finishedCells = 0
    let chapter = report.chapter
    let timeout = chapter.frontMatter.timeout
    let thread = Thread { [self] in
      var output: [UInt8] = []
      var scanned = 0
      let started = Date()
      let result = Result { () throws(SubprocessError) in
        try Subprocess.run(
          executable, [], environment: environment, timeLimit: Double(timeout),
          onOutput: { chunk in
            output += chunk
            self.publishFinishedCells(in: output, scanned: &scanned, chapter: chapter)
          },
          isCancelled: { self.condition.withLock { self.cancelled } })
      }
      condition.withLock {
        switch result {
        case .success(let result):
          self.report.cells = ChapterRunner.cellResults(
            output: result.output, termination: result.termination, chapter: chapter,
            timeout: timeout)
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

  /// Looks for cell and end markers that arrived since `scanned`; when one did, judges the
  /// cells before it and wakes whoever waits for them.
  private func publishFinishedCells(in output: [UInt8], scanned: inout Int, chapter: Chapter) {
    let marker = Array(Prelude.marker.utf8)
    var lastMarkerEnd: Int?
    var index = scanned
    while let start = output[index...].firstIndex(of: marker[0]) {
      guard let newline = output[start...].firstIndex(of: UInt8(ascii: "\n")) else {
        index = start
        break
      }
      let line = output[start..<newline]
      if line.starts(with: marker) {
        let word = line.dropFirst(marker.count)
        if word.starts(with: Array("cell ".utf8)) || word.elementsEqual(Array("end".utf8)) {
          lastMarkerEnd = newline + 1
        }
      }
      index = newline + 1
    }
    scanned = index
    guard let end = lastMarkerEnd else { return }
    let cells = ChapterRunner.cellResults(
      output: String(decoding: output[..<end], as: UTF8.self), termination: nil,
      chapter: chapter, timeout: chapter.frontMatter.timeout)
    let finished = cells.firstIndex { $0.status != .completed } ?? cells.count
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
