import Foundation
import LeNetTestSupport
import Synchronization
import TerminalKit
import TutorCLI

/// What one in-process run of `lenet-tutor` printed and returned.
struct RunResult {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs `lenet-tutor arguments…` in-process on a plain (non-TTY, uncolored) terminal.
func run(_ arguments: String...) -> RunResult { run(arguments) }

/// Runs `lenet-tutor` with an argument list.
func run(_ arguments: [String]) -> RunResult {
  let output = StringSink()
  let errors = StringSink()
  let context = Context(
    output: output, errors: errors, terminal: Terminal(isInteractive: false, usesColor: false),
    environment: [:], readLine: { nil })
  let status = LeNetTutor.run(arguments, context: context)
  return RunResult(status: status, output: output.text, errors: errors.text)
}

/// The package this test file belongs to.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// A throwaway checkout: `Package.swift`, this package's LeNetKit (linked, so the shared compile
/// cache already holds its build) and a `Lessons/` folder with the given chapters; removed when
/// the test process exits.
struct Checkout: CommandRunning {
  let root: String
  var environment: [String: String]

  init(chapters: [String: String]) throws {
    root = NSTemporaryDirectory() + "lenet-tutor-cli-" + UUID().uuidString
    TemporaryFolders.removeAtExit(root)
    let manager = FileManager.default
    try manager.createDirectory(atPath: root + "/Sources", withIntermediateDirectories: true)
    try manager.createDirectory(atPath: root + "/Lessons", withIntermediateDirectories: true)
    try Data("// test checkout\n".utf8).write(to: URL(fileURLWithPath: root + "/Package.swift"))
    for target in ["LeNetKit", "CZlib"] {
      try manager.createSymbolicLink(
        atPath: root + "/Sources/" + target, withDestinationPath: packageRoot + "/Sources/" + target
      )
    }
    for (name, text) in chapters {
      try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/Lessons/" + name))
    }
    var environment = ProcessInfo.processInfo.environment
    environment["LENET_TUTOR_ROOT"] = root
    environment["LENET_TUTOR_CACHE"] =
      environment["LENET_TUTOR_CACHE"] ?? packageRoot + "/.build/lenet-tutor-test-cache"
    environment["LENET_TUTOR_PROGRESS"] = root + "/.lenet-tutor/progress.json"
    // A newcomer's machine: no LENET_TUTOR_DATA and an empty download cache.
    environment["LENET_TUTOR_DATA"] = nil
    environment["XDG_CACHE_HOME"] = root + "/cache"
    environment["NO_COLOR"] = "1"
    self.environment = environment
  }

  /// Runs `lenet-tutor arguments` in-process; `input` is what the learner types, line by line.
  func run(_ arguments: [String], input: [String] = [], interactive: Bool = false) -> (
    status: Int32, output: String, errors: String
  ) {
    let output = StringSink()
    let errors = StringSink()
    var lines = input[...]
    let context = Context(
      output: output, errors: errors,
      terminal: Terminal(isInteractive: interactive, usesColor: false),
      environment: environment, readLine: { lines.popFirst() })
    let status = LeNetTutor.run(arguments, context: context)
    return (status, output.text, errors.text)
  }

  func path(_ name: String) -> String { root + "/Lessons/" + name }

}

/// A checkout that runs `lenet-tutor` commands in-process: the course's (`Checkout`) or a
/// learner's workspace (`LearnerCheckout`).
protocol CommandRunning: Sendable {
  func run(_ arguments: [String], input: [String], interactive: Bool) -> (
    status: Int32, output: String, errors: String
  )
}

extension CommandRunning {
  /// `run` as `chapterWork`, for the commands that compile or run chapters (`check`,
  /// `lesson`, `next`, `book`, `watch`, `grade`): awaited off the pool, waiting for one of
  /// `chapterWork`'s slots, so at most one such command per core runs at once. A command
  /// that stops before any chapter (a usage error) needs no slot: use `run`.
  func runAsChapterWork(
    _ arguments: [String], input: [String] = [], interactive: Bool = false,
    turn: ChapterWorkTurn = .inOrder
  ) async -> (status: Int32, output: String, errors: String) {
    await chapterWork(turn) { run(arguments, input: input, interactive: interactive) }
  }
}

extension Checkout {
  /// Writes `text` to `relativePath` under the checkout's root, creating folders.
  func write(_ relativePath: String, _ text: String) throws {
    let url = URL(fileURLWithPath: root + "/" + relativePath)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  /// The text of the file at `relativePath`, or nil when it does not exist.
  func read(_ relativePath: String) -> String? {
    FileManager.default.contents(atPath: root + "/" + relativePath).map {
      String(decoding: $0, as: UTF8.self)
    }
  }
}

extension Checkout {
  /// Runs `lenet-tutor init` from this course into `<root>/work` and returns the learner's
  /// side: commands run with `--workspace` and the workspace's own progress file.
  func initWorkspace() throws -> LearnerCheckout {
    let directory = root + "/work"
    let result = run(["init", directory])
    guard result.status == 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.errors])
    }
    var environment = self.environment
    environment["LENET_TUTOR_PROGRESS"] = nil
    return LearnerCheckout(course: self, directory: directory, environment: environment)
  }
}

/// A learner workspace made by `init` from a `Checkout`.
struct LearnerCheckout: CommandRunning {
  let course: Checkout
  let directory: String
  var environment: [String: String]

  /// Runs `lenet-tutor arguments --workspace <directory>` in-process.
  func run(_ arguments: [String], input: [String] = [], interactive: Bool = false) -> (
    status: Int32, output: String, errors: String
  ) {
    var inside = course
    inside.environment = environment
    return inside.run(
      arguments + ["--workspace", directory], input: input, interactive: interactive)
  }

  /// A chapter's path in the workspace.
  func path(_ name: String) -> String { directory + "/Lessons/" + name }

  func write(_ relativePath: String, _ text: String) throws {
    let url = URL(fileURLWithPath: directory + "/" + relativePath)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  func read(_ relativePath: String) -> String? {
    FileManager.default.contents(atPath: directory + "/" + relativePath).map {
      String(decoding: $0, as: UTF8.self)
    }
  }
}

/// `lenet-tutor` run as a child process, for what only a real process shows: Ctrl-C.
final class TutorProcess {
  private let process = Process()
  private let output = Pipe()
  private let errors = Pipe()
  /// Standard output read so far.
  private(set) var text = ""

  /// Starts `lenet-tutor arguments` (the one SwiftPM built beside the tests) in `environment`.
  init(_ arguments: [String], environment: [String: String]) throws {
    process.executableURL = builtProduct("lenet-tutor")
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = output
    process.standardError = errors
    try process.run()
  }

  /// A test that stops early (a failed `#require`) leaves no `lenet-tutor` running.
  deinit {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }

  /// Reads standard output until it contains `marker` or ends; whether it showed.
  @discardableResult
  func read(until marker: String) -> Bool {
    let reader = output.fileHandleForReading
    while !text.contains(marker) {
      let data = reader.availableData
      if data.isEmpty { return false }
      text += String(decoding: data, as: UTF8.self)
    }
    return true
  }

  /// Sends Ctrl-C (SIGINT), then reads both streams to their end and waits for the exit.
  func interrupt() -> (status: Int32, exited: Bool, output: String, errors: String) {
    kill(process.processIdentifier, SIGINT)
    // Standard error is read on its own thread so that neither pipe can fill and block.
    let errorText = Mutex("")
    let errorsRead = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { [errors] in
      let data = errors.fileHandleForReading.readDataToEndOfFile()
      errorText.withLock { $0 = String(decoding: data, as: UTF8.self) }
      errorsRead.signal()
    }
    text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    errorsRead.wait()
    process.waitUntilExit()
    return (
      process.terminationStatus, process.terminationReason == .exit, text,
      errorText.withLock { $0 }
    )
  }
}

/// Waits until a file exists at `path` (a chapter's program creates it when its loop starts),
/// checking every 50 ms for at most `seconds`; whether it appeared.
func waitForFile(_ path: String, seconds: Double) -> Bool {
  let deadline = Date(timeIntervalSinceNow: seconds)
  while !FileManager.default.fileExists(atPath: path) {
    guard Date() < deadline else { return false }
    usleep(50_000)
  }
  return true
}
