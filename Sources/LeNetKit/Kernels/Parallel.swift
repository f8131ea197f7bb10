import Dispatch
import Foundation

/// Splits a mini-batch across the machine's cores.
enum Parallel {
  /// How many chunks a batch is cut into: one per active core, or `ThreadLimit.current`.
  static var workerCount: Int { ThreadLimit.current.map { max(1, $0) } ?? coreCount }

  /// The machine's active cores.
  static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// Calls `body(range)` for contiguous ranges covering `0..<count`, concurrently, and returns
  /// when all are done. Small batches run on the calling thread: a thread hop costs more than
  /// the work it would share.
  static func forEachChunk(
    of count: Int, minimumChunk: Int = 4, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void
  ) {
    let chunks = chunkCount(for: count, minimumChunk: minimumChunk)
    if chunks <= 1 {
      body(0, 0..<count)
      return
    }
    // Each chunk touches only its own samples and its own accumulators (the callers' contract),
    // so sharing `body` across threads is safe even though the compiler cannot prove it.
    withoutActuallyEscaping(body) { body in
      let shared = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        shared.value(chunk, chunk * count / chunks..<(chunk + 1) * count / chunks)
      }
    }
  }

  /// `transform(range)` for each chunk of `0..<count`, computed concurrently, in chunk order.
  static func map<Result>(
    _ count: Int, minimumChunk: Int = 4, _ transform: (_ range: Range<Int>) -> Result
  ) -> [Result] {
    Memory.keepFreedPages
    let chunks = chunkCount(for: count, minimumChunk: minimumChunk)
    if chunks <= 1 { return [transform(0..<count)] }
    var results = [Result?](repeating: nil, count: chunks)
    results.withUnsafeMutableBufferPointer { slots in
      // Each chunk writes only its own slot.
      let shared = UncheckedSendable(slots)
      forEachChunk(of: count, minimumChunk: minimumChunk) { chunk, range in
        shared.value[chunk] = transform(range)
      }
    }
    return results.compactMap { $0 }
  }

  /// The number of chunks `forEachChunk` will use for `count` items.
  static func chunkCount(for count: Int, minimumChunk: Int = 4) -> Int {
    min(workerCount, max(1, count / minimumChunk))
  }
}

/// At most how many threads LeNetKit splits a batch across, for measuring how speed scales
/// with cores (`lenet-tutor bench --threads`).
///
/// A task-local value rather than a global setting: code running at the same time elsewhere
/// in the process (another test, another model) keeps its own split, and with it its
/// summation order.
public enum ThreadLimit {
  /// The limit in the current scope; nil uses every active core.
  @TaskLocal public static var current: Int?

  /// Runs `body` with LeNetKit using at most `threads` threads.
  public static func with<Result>(_ threads: Int, _ body: () throws -> Result) rethrows -> Result {
    precondition(threads > 0, "a thread limit must be positive, got \(threads)")
    return try $current.withValue(threads, operation: body)
  }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
