import Foundation
import LeNetKit

/// Puts a chapter's exercise cells back as shipped, keeping everything else the learner wrote.
///
/// "As shipped" is the chapter in git's `HEAD` commit (`git show HEAD:./<file>`): never a guess.
/// Only the code between an exercise's fences is replaced; prose, notes and other cells stay as
/// the learner left them, and the whole file is saved to a backup before it is rewritten.
public struct ExerciseReset: Sendable {
  /// The chapter file to rewrite.
  public var path: String
  /// The exercises whose code differs from the shipped code, in file order.
  public var exerciseIDs: [String]
  /// The file's text when the reset was planned; `apply` refuses if it changed since.
  var currentText: String
  /// The file's text after the reset.
  var resetText: String

  /// Plans resetting the exercises `ids` (every exercise when nil) of the chapter at `path`.
  public static func plan(path: String, ids: [String]?, environment: [String: String])
    throws(ResetError) -> ExerciseReset
  {
    let shippedText = try ShippedVersion.text(of: path, environment: environment)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path: path)
    }
    let currentText = String(decoding: data, as: UTF8.self)
    let current: Chapter
    let shipped: Chapter
    do {
      current = try ChapterParser.parse(currentText, path: path)
    } catch {
      throw .currentDoesNotParse(error)
    }
    do {
      shipped = try ChapterParser.parse(shippedText, path: path)
    } catch {
      throw .shippedDoesNotParse(error)
    }
    var lines = currentText.split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    var changed: [(id: String, cell: Cell, code: String)] = []
    for shippedCell in shipped.exercises {
      guard let id = shippedCell.exerciseID, ids?.contains(id) ?? true else { continue }
      guard let cell = current.exercises.first(where: { $0.exerciseID == id }) else {
        throw .exerciseMissing(id: id, path: path)
      }
      if cell.code != shippedCell.code { changed.append((id, cell, shippedCell.code)) }
    }
    // Bottom up, so the line numbers of the cells still to replace stay valid.
    for (_, cell, code) in changed.reversed() {
      let first = cell.line  // the 0-based index of the line after the opening fence
      let bodyCount = bodyLineCount(of: cell, lines: lines)
      let ending = lines[first - 1].hasSuffix("\r") ? "\r" : ""
      let replacement: [String] =
        code.isEmpty
        ? [] : code.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + ending }
      lines.replaceSubrange(first..<(first + bodyCount), with: replacement)
    }
    return ExerciseReset(
      path: path, exerciseIDs: changed.map(\.id), currentText: currentText,
      resetText: lines.joined(separator: "\n"))
  }

  /// The number of lines between a cell's fences: its code's lines, or none for an empty cell.
  private static func bodyLineCount(of cell: Cell, lines: [String]) -> Int {
    guard cell.code.isEmpty else {
      return cell.code.split(separator: "\n", omittingEmptySubsequences: false).count
    }
    let next = lines[cell.line].trimmingCharacters(in: .whitespaces)
    let isClosingFence =
      next.count >= 3 && (next.allSatisfy { $0 == "`" } || next.allSatisfy { $0 == "~" })
    return isClosingFence ? 0 : 1
  }

  /// Saves the file as it is now to `backupDirectory/<stem>-<UTC time>.md`, then writes the
  /// reset chapter over it atomically. Returns the backup's path.
  public func apply(backupDirectory: String, now: Date = Date()) throws(ResetError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path: path)
    }
    guard String(decoding: data, as: UTF8.self) == currentText else {
      throw .changedMeanwhile(path: path)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    let base = backupDirectory + "/" + stem + "-" + formatter.string(from: now)
    var backup = base + ".md"
    var attempt = 2
    while FileManager.default.fileExists(atPath: backup) {
      backup = base + "-\(attempt).md"
      attempt += 1
    }
    do {
      try AtomicFile.write([UInt8](data), to: URL(fileURLWithPath: backup))
    } catch {
      throw .unwritable(path: backup, reason: "\(error)")
    }
    do {
      try AtomicFile.write(Array(resetText.utf8), to: URL(fileURLWithPath: path))
    } catch {
      throw .unwritable(path: path, reason: "\(error)")
    }
    return backup
  }
}

/// The chapter as it is in git's `HEAD` commit.
enum ShippedVersion {
  /// The text of `path` in `HEAD`, read with `git show HEAD:./<file>` run in the file's folder.
  static func text(of path: String, environment: [String: String]) throws(ResetError) -> String {
    guard let git = Subprocess.find("git", path: environment["PATH"]) else { throw .noGit }
    let absolute = Workspace.absolute(path, from: FileManager.default.currentDirectoryPath)
    let folder = (absolute as NSString).deletingLastPathComponent
    let name = (absolute as NSString).lastPathComponent
    func runGit(_ arguments: [String]) throws(ResetError) -> (
      status: Int32, output: Data, errors: String
    ) {
      try run(git, ["-C", folder] + arguments, environment: environment)
    }
    guard try runGit(["rev-parse", "--is-inside-work-tree"]).status == 0 else {
      throw .notInRepository(path: path)
    }
    guard try runGit(["ls-files", "--error-unmatch", "--", name]).status == 0 else {
      throw .untracked(path: path)
    }
    let shown = try runGit(["show", "HEAD:./" + name])
    guard shown.status == 0 else {
      throw .notInHistory(
        path: path, detail: shown.errors.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return String(decoding: shown.output, as: UTF8.self)
  }

  /// Runs `executable` and returns its status, standard output and standard error.
  private static func run(
    _ executable: String, _ arguments: [String], environment: [String: String]
  )
    throws(ResetError) -> (status: Int32, output: Data, errors: String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw .gitFailed(detail: "\(executable) could not start: \(error.localizedDescription)")
    }
    // Read standard error on another thread so neither pipe can fill and block git.
    let errorText = LockedBox(Data())
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      errorText.value = errors.fileHandleForReading.readDataToEndOfFile()
      done.signal()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return (process.terminationStatus, data, String(decoding: errorText.value, as: UTF8.self))
  }
}

/// A value shared between threads behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value
  init(_ value: Value) { stored = value }
  var value: Value {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}

/// Why a chapter's exercises cannot be reset; nothing was changed.
public enum ResetError: Error, Sendable, Equatable {
  case noGit
  case notInRepository(path: String)
  case untracked(path: String)
  case notInHistory(path: String, detail: String)
  case gitFailed(detail: String)
  case unreadable(path: String)
  case currentDoesNotParse(ChapterError)
  case shippedDoesNotParse(ChapterError)
  case exerciseMissing(id: String, path: String)
  case changedMeanwhile(path: String)
  case unwritable(path: String, reason: String)

  /// What is wrong.
  public var message: String {
    switch self {
    case .noGit:
      "cannot find git on PATH, so the shipped version of the chapter is unknown"
    case .notInRepository(let path):
      "\(path) is not in a git checkout, so its shipped version is unknown"
    case .untracked(let path):
      "\(path) is not tracked by git, so it has no shipped version"
    case .notInHistory(let path, let detail):
      "git has no committed version of \(path) (\(detail))"
    case .gitFailed(let detail): detail
    case .unreadable(let path): "cannot read \(path)"
    case .currentDoesNotParse(let error):
      "your chapter cannot be read, so its exercise cells cannot be found: \(error)"
    case .shippedDoesNotParse(let error):
      "the shipped chapter (git's HEAD) cannot be read: \(error)"
    case .exerciseMissing(let id, let path):
      "exercise '\(id)' is no longer in \(path) (its ```swift exercise id=\(id) line is gone)"
    case .changedMeanwhile(let path): "\(path) changed while the reset was waiting"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    }
  }

  /// What to do about it.
  public var fix: String {
    switch self {
    case .noGit: "install git, or put its folder on PATH"
    case .notInRepository, .untracked, .notInHistory, .shippedDoesNotParse:
      "run lenet-tutor from a git clone of the course, with the chapter as it came"
    case .gitFailed: "check that 'git status' works in the checkout"
    case .unreadable: "check the file's permissions"
    case .currentDoesNotParse:
      "fix the line named above, or restore that cell by hand from 'git show HEAD:./<file>'"
    case .exerciseMissing:
      "put the exercise's opening line back, or restore it by hand from 'git show HEAD:./<file>'"
    case .changedMeanwhile: "run the reset again"
    case .unwritable: "check that the folder is writable"
    }
  }
}
