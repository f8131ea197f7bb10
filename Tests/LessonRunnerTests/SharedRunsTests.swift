import Foundation
import Testing

@testable import LessonRunner

/// `grade`'s one run per canonical chapter: a path's work runs once, whoever asks for it and
/// when, and its result (or its error) is everyone's.
@Suite struct SharedRunsTests {
  /// Counts the bodies that ran.
  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
  }

  struct Failure: Error, Equatable { var reason: String }

  @Test func aTaskAskingWhileThePathRunsWaitsAndTakesItsResult() throws {
    let runs = SharedRuns<Int>()
    let bodies = Counter()
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    let firstDone = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var first: Int?
    Thread {
      first = try? runs.run("03-loop.md") {
        bodies.increment()
        started.signal()
        release.wait()
        return 7
      }
      firstDone.signal()
    }.start()
    started.wait()
    // The second asks while the first's body runs (held until `release`).
    let secondDone = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var second: Int?
    Thread {
      second = try? runs.run("03-loop.md") {
        bodies.increment()
        return 8
      }
      secondDone.signal()
    }.start()
    Thread.sleep(forTimeInterval: 0.1)
    #expect(bodies.count == 1)
    release.signal()
    firstDone.wait()
    secondDone.wait()
    #expect(first == 7)
    #expect(second == 7)
    #expect(bodies.count == 1)
  }

  @Test func anErrorIsSharedAndTheBodyIsNotRunAgain() {
    let runs = SharedRuns<Int>()
    let bodies = Counter()
    #expect(throws: Failure(reason: "no library")) {
      try runs.run("03-loop.md") {
        bodies.increment()
        throw Failure(reason: "no library")
      }
    }
    #expect(throws: Failure(reason: "no library")) {
      try runs.run("03-loop.md") {
        bodies.increment()
        return 1
      }
    }
    #expect(bodies.count == 1)
  }

  @Test func differentPathsRunEachTheirOwnBody() throws {
    let runs = SharedRuns<String>()
    #expect(try runs.run("a/03-loop.md") { "a" } == "a")
    #expect(try runs.run("b/03-loop.md") { "b" } == "b")
    #expect(try runs.run("a/03-loop.md") { "not run" } == "a")
  }
}
