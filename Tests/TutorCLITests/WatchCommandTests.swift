import Foundation
import LeNetTestSupport
import Synchronization
import TerminalKit
import Testing

@testable import TutorCLI

/// `watch`: the checks run again after each change, and watching survives compile errors and
/// crashes. The loop is driven through its internal entry point with a run limit, so no test
/// depends on timing.
@Suite("Watch")
struct WatchCommandTests {
  static let header = """
    ---
    number: 3
    title: Watched
    goals:
      - Be watched
    ---

    """

  /// Runs the watch loop on lesson 3 of `checkout` as `chapterWork` (each run compiles and
  /// runs the chapter); `afterRun` edits the file between runs.
  func watch(
    _ checkout: Checkout, maxRuns: Int?, afterRun: @escaping @Sendable (Int) -> Void = { _ in },
    shouldStop: @escaping @Sendable () -> Bool = { false }
  ) async throws -> (status: Int32, output: String, errors: String) {
    try await chapterWork {
      let output = StringSink()
      let errors = StringSink()
      let context = Context(
        output: output, errors: errors,
        terminal: Terminal(isInteractive: false, usesColor: false),
        environment: checkout.environment, readLine: { nil })
      let support = try LessonSupport(context: context, arguments: ParsedArguments())
      let status = WatchCommand.watch(
        checkout.path("03-watched.md"), support: support, pollInterval: 0.01, maxRuns: maxRuns,
        afterRun: afterRun, shouldStop: shouldStop)
      return (status, output.text, errors.text)
    }
  }

  @Test func watchRunsAgainAfterEachSaveThroughACompileErrorAndACrash() async throws {
    let checkout = try Checkout(chapters: [
      "03-watched.md": Self.header + "```swift\nlet x: Int = \"one\"\n```\n"
    ])
    let versions = [
      Self.header + "```swift\ncheck(\"one plus one\", 1 + 1, equals: 2)\n```\n",
      Self.header + "```swift\nlet numbers = [1, 2, 3]\nprint(numbers[3])\n```\n",
    ]
    let result = try await watch(checkout, maxRuns: 3) { run in
      if run <= versions.count { try? checkout.write("Lessons/03-watched.md", versions[run - 1]) }
    }
    let path = checkout.path("03-watched.md")
    #expect(result.status == 1)
    // Run 1: the compiler's message at the chapter's line 8 (the cell's fence is line 7).
    #expect(result.output.contains("── Run 1 ──\n\(path): Watched\n\(path):8:"))
    #expect(
      result.output.contains(
        """
        ── Run 2: \(path) changed ──
        \(path): Watched
          ✓ one plus one: 2
        1 passed, 0 failed

        ── Run 3: \(path) changed ──
        \(path): Watched
          ✗ the cell at line 7 crashed at line 9: Fatal error: Index out of range (\(path):9)
        0 passed, 1 failed

        """))
  }

  @Test func aSaveThatChangesNothingDoesNotRunAgain() async throws {
    let text = Self.header + "```swift\ncheck(\"one plus one\", 1 + 1, equals: 2)\n```\n"
    let checkout = try Checkout(chapters: ["03-watched.md": text])
    let polls = Mutex(0)
    let result = try await watch(
      checkout, maxRuns: nil,
      afterRun: { _ in try? checkout.write("Lessons/03-watched.md", text) },
      shouldStop: {
        polls.withLock {
          $0 += 1
          return $0 > 5
        }
      })
    let path = checkout.path("03-watched.md")
    #expect(result.status == 0)
    #expect(
      result.output == """
        Watching \(path): its checks run again each time you save it. Stop with q and Enter, or \
        Ctrl-C.

        ── Run 1 ──
        \(path): Watched
          ✓ one plus one: 2
        1 passed, 0 failed

        """)
  }

  @Test func aChapterThatCannotBeReadIsShownAndWatchingGoesOn() async throws {
    let checkout = try Checkout(chapters: ["03-watched.md": Self.header + "```swift\n"])
    let fixed = Self.header + "```swift\ncheck(\"one plus one\", 1 + 1, equals: 2)\n```\n"
    let result = try await watch(checkout, maxRuns: 2) { _ in
      try? checkout.write("Lessons/03-watched.md", fixed)
    }
    let path = checkout.path("03-watched.md")
    #expect(result.status == 0)
    #expect(
      result.errors
        == "\(path):7:1: error: the ```swift fence opened here is never closed (fix: add a line"
        + " with the same number of backticks after the block)\n")
    #expect(result.output.hasSuffix("  ✓ one plus one: 2\n1 passed, 0 failed\n"))
  }

  @Test func theCommandStopsWhenInputEnds() async throws {
    let checkout = try Checkout(chapters: [
      "03-watched.md": Self.header + "```swift\ncheck(\"one plus one\", 1 + 1, equals: 2)\n```\n"
    ])
    let result = await checkout.runAsChapterWork(["watch", "3"])
    #expect(result.status == 0)
    #expect(result.output.hasSuffix("  ✓ one plus one: 2\n1 passed, 0 failed\n"))
  }

  @Test func watchWithoutLessonIsAUsageError() {
    let result = run("watch")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: missing argument <lesson>
        Usage: lenet-tutor watch [--workspace <dir>] <lesson>
        See 'lenet-tutor watch --help'.

        """)
  }

  @Test func watchHasNoRunLimitOption() {
    let result = run("watch", "3", "--max-runs", "2")
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("error: unknown option '--max-runs'\n"))
  }
}
