import Foundation

/// Runs `work`, which blocks (it waits for a child process, a browser, a chapter's time limit),
/// on a thread of its own, and suspends the calling test until it returns.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core (two
/// on the machines this package is tested on). A synchronous test that waits for a process
/// holds one of those threads the whole time, idle or not, and no other test can start on it;
/// the longest such tests (grading a class, the book in a browser) held half the pool for most
/// of a minute while a core stood idle. Awaiting this instead gives the pool thread back to the
/// other tests. Keep `#expect` and `#require` outside `work`: they belong to the test's task.
public func offThePool<Result: Sendable>(
  _ work: @escaping @Sendable () throws -> Result
) async throws -> Result {
  try await withCheckedThrowingContinuation { continuation in
    let thread = Thread { continuation.resume(with: Swift.Result { try work() }) }
    // A test's work may recurse as deep as on the main thread (parsers, the compile cache).
    thread.stackSize = 8 << 20
    thread.start()
  }
}

/// `offThePool` for work that cannot throw.
public func offThePool<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
  await withCheckedContinuation { continuation in
    let thread = Thread { continuation.resume(returning: work()) }
    thread.stackSize = 8 << 20
    thread.start()
  }
}

/// `offThePool` for a test's chapter work (compiling a chapter program, running it, a
/// `lenet-tutor` command that does either), of which at most `chapterWorkSlots` run at once.
///
/// Off the pool, nothing else bounds how many tests wait for chapter processes at the same
/// time: every test that compiles a chapter would start its compiler at once, and a chapter
/// run held to a 10 s limit (the curriculum's budget, a learner's `timeout:`) would miss it on
/// a loaded two-core machine. One slot per core keeps the chapter processes as many as the
/// pool's threads let run before, while the pool's threads run the in-process tests. The slot
/// is taken on the work's own thread, so a test waiting for one holds no pool thread.
/// Never nest it: a work that waits for another chapter work could wait for its own slot.
///
/// `turn` says when the work gets its slot (`ChapterWorkTurn`).
public func chapterWork<Result: Sendable>(
  _ turn: ChapterWorkTurn = .inOrder, _ work: @escaping @Sendable () throws -> Result
) async throws -> Result {
  try await offThePool {
    chapterWorkSlots.take(turn)
    defer { chapterWorkSlots.give() }
    return try work()
  }
}

/// `chapterWork` for work that cannot throw.
public func chapterWork<Result: Sendable>(
  _ turn: ChapterWorkTurn = .inOrder, _ work: @escaping @Sendable () -> Result
) async -> Result {
  await offThePool {
    chapterWorkSlots.take(turn)
    defer { chapterWorkSlots.give() }
    return work()
  }
}

/// When a chapter work gets its slot.
public enum ChapterWorkTurn: Sendable {
  /// When one is free.
  case inOrder
  /// Before any work waiting `inOrder`: for the one work that holds its slots for most of a
  /// minute (grading a class). Swift Testing starts the tests in an order that changes from
  /// run to run; in a traced run of main the grading test came late, and its chapters, run one
  /// at a time with a core idle, were the run's last half-minute. Taking the next free slots,
  /// its gradings start as soon as the works that hold the slots finish, and the short works
  /// queued before it run after and beside them: the longest job first, the usual rule for
  /// finishing a set of jobs early on a few machines (Docs/training.md, "The fifth pass").
  case first
}

/// The slots `chapterWork` takes: one per core (`chapterWork` says why).
let chapterWorkSlots = ChapterWorkSlots(
  count: max(1, ProcessInfo.processInfo.activeProcessorCount))

/// A counting semaphore whose `first` waiters go before its `inOrder` ones.
public final class ChapterWorkSlots: @unchecked Sendable {
  private let condition = NSCondition()
  // Guarded by `condition`.
  private var free: Int
  private var waitingFirst = 0
  private var waitingAll = 0

  public init(count: Int) { free = count }

  /// Blocks until a slot is free and no `first` work is waiting for one ahead of this one.
  public func take(_ turn: ChapterWorkTurn) {
    condition.lock()
    defer { condition.unlock() }
    if turn == .first { waitingFirst += 1 }
    waitingAll += 1
    while free == 0 || (turn == .inOrder && waitingFirst > 0) { condition.wait() }
    waitingAll -= 1
    if turn == .first { waitingFirst -= 1 }
    free -= 1
    // An `inOrder` waiter woken by a `give` while a `first` one still waited went back to
    // sleep: wake it again, or it would sleep beside a free slot until the next `give`.
    if free > 0 { condition.broadcast() }
  }

  /// How many `take` calls are blocked now (for the tests of this type).
  public var waiting: Int {
    condition.lock()
    defer { condition.unlock() }
    return waitingAll
  }

  /// Frees a slot that `take` took.
  public func give() {
    condition.lock()
    free += 1
    condition.broadcast()
    condition.unlock()
  }
}
