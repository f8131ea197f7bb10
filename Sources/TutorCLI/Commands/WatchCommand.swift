import Foundation
import LeNetKit
import LessonRunner

/// `lenet-tutor watch 3`: runs a lesson's checks again each time its file is saved.
enum WatchCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "watch",
    abstract: "Run a lesson's checks again each time you save its file.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [LessonSupport.workspaceOption.spec],
    discussion: """
      Looks at the file twice a second (no file-system events, no dependencies) and runs the
      checks whenever its content changed, as 'lenet-tutor check N' does; a compile error or a
      crash is shown and watching goes on. q and Enter, the end of input, or Ctrl-C stops.
      Exit status: that of the last run (0 passed, 1 failed, 2 the chapter cannot be read).
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let word = arguments.positionals[0]
    let support = try LessonSupport(
      context: context, arguments: arguments, start: Int(word) == nil ? word : nil)
    let path = try support.chapterPath(word)
    guard FileManager.default.fileExists(atPath: path) else {
      throw ToolError("there is no chapter file \(path)", fix: "check the path", exitCode: 2)
    }
    let input = InputWatch(readLine: context.readLine)
    return watch(path, support: support, pollInterval: 0.5, maxRuns: nil) { input.stopped }
  }

  /// Runs the checks of `path` now and after each change to its content, until `shouldStop`
  /// (asked between polls) says so or `maxRuns` runs are done (tests pass a limit).
  static func watch(
    _ path: String, support: LessonSupport, pollInterval: Double, maxRuns: Int?,
    afterRun: (Int) -> Void = { _ in }, shouldStop: () -> Bool
  ) -> Int32 {
    let context = support.context
    let output = context.output
    let intro =
      "Watching \(path): its checks run again each time you save it. Stop with q and Enter,"
      + " or Ctrl-C."
    output.line(intro)
    var seenStamp: FileStamp?
    var checkedHash: String?
    var missingReported = false
    var runs = 0
    var status: Int32 = 0
    while true {
      let stamp = FileStamp(path)
      if stamp != seenStamp {
        seenStamp = stamp
        // The hash decides: a save that changes nothing, or a `touch`, does not run again.
        if let data = FileManager.default.contents(atPath: path) {
          missingReported = false
          let hash = SHA256.hexadecimal(of: [UInt8](data))
          if hash != checkedHash {
            checkedHash = hash
            runs += 1
            if context.terminal.isInteractive {
              output.write("\u{1B}[2J\u{1B}[H")
              output.line(intro)
            }
            output.line()
            output.line(
              context.terminal.styled(
                runs == 1 ? "── Run 1 ──" : "── Run \(runs): \(path) changed ──", .dim))
            var tally = CheckCommand.Tally()
            CheckCommand.check(path, solutions: false, support: support, tally: &tally)
            output.line(tally.summary)
            status = tally.exitStatus
            afterRun(runs)
            if let maxRuns, runs >= maxRuns { return status }
          }
        } else if !missingReported {
          missingReported = true
          output.line("\(path) is gone; waiting for it to come back.")
        }
      }
      if shouldStop() { return status }
      Thread.sleep(forTimeInterval: pollInterval)
    }
  }
}

/// A file's modification time and size: cheap to read twice a second; nil fields when missing.
private struct FileStamp: Equatable {
  var modified: Date?
  var size: Int?

  init(_ path: String) {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    modified = attributes?[.modificationDate] as? Date
    size = (attributes?[.size] as? NSNumber)?.intValue
  }
}

/// Reads standard input on a thread of its own and notes when the learner typed q or input
/// ended, so the watch loop can poll the file and the keyboard at once.
private final class InputWatch: @unchecked Sendable {
  private let lock = NSLock()
  private var ended = false

  init(readLine: @escaping () -> String?) {
    let reader = UncheckedReader(readLine: readLine)
    Thread.detachNewThread { [self] in
      while let line = reader.readLine(),
        line.trimmingCharacters(in: .whitespaces).lowercased() != "q"
      {}
      lock.withLock { ended = true }
    }
  }

  var stopped: Bool { lock.withLock { ended } }
}

/// The context's `readLine`, handed to the one thread that calls it.
private struct UncheckedReader: @unchecked Sendable {
  let readLine: () -> String?
}
