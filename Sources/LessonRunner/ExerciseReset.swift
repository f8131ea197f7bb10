import Foundation
import LeNetKit

/// Puts a chapter's exercise cells back as shipped, keeping everything else the learner wrote.
///
/// "As shipped" is the workspace's copy of the chapter as `lenet-tutor init` wrote it
/// (`.lenet-tutor/course/`): never a guess, and no git needed. Only the code between an
/// exercise's fences is replaced; prose, notes and other cells stay as the learner left them,
/// and the whole file is saved to a backup before it is rewritten.
public struct ExerciseReset: Sendable {
  /// The chapter file to rewrite.
  public var path: String
  /// The exercises whose code differs from the shipped code, in file order.
  public var exerciseIDs: [String]
  /// The file's text when the reset was planned; `apply` refuses if it changed since.
  var currentText: String
  /// The file's text after the reset.
  var resetText: String

  /// Plans resetting the exercises `ids` (every exercise when nil) of the chapter at `path` to
  /// their code in the shipped chapter at `shippedPath`.
  public static func plan(path: String, shippedPath: String, ids: [String]?)
    throws(ResetError) -> ExerciseReset
  {
    guard let shippedData = FileManager.default.contents(atPath: shippedPath) else {
      throw .noShippedCopy(path: shippedPath)
    }
    let shippedText = String(decoding: shippedData, as: UTF8.self)
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
    var codes: [String: String] = [:]
    var changedIDs: [String] = []
    for shippedCell in shipped.exercises {
      guard let id = shippedCell.exerciseID, ids?.contains(id) ?? true else { continue }
      guard let cell = current.exercises.first(where: { $0.exerciseID == id }) else {
        throw .exerciseMissing(id: id, path: path)
      }
      if cell.code != shippedCell.code {
        codes[id] = shippedCell.code
        changedIDs.append(id)
      }
    }
    return ExerciseReset(
      path: path, exerciseIDs: changedIDs, currentText: currentText,
      resetText: replacingCode(codes, in: current, text: currentText))
  }

  /// `text` (the chapter `chapter` was parsed from) with the code of each exercise named in
  /// `codes` replaced; everything else, line endings included, stays as it was.
  public static func replacingCode(_ codes: [String: String], in chapter: Chapter, text: String)
    -> String
  {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Bottom up, so the line numbers of the cells still to replace stay valid.
    for cell in chapter.exercises.reversed() {
      guard let id = cell.exerciseID, let code = codes[id] else { continue }
      let first = cell.line  // the 0-based index of the line after the opening fence
      let bodyCount = bodyLineCount(of: cell, lines: lines)
      let ending = lines[first - 1].hasSuffix("\r") ? "\r" : ""
      let replacement: [String] =
        code.isEmpty
        ? [] : code.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + ending }
      lines.replaceSubrange(first..<(first + bodyCount), with: replacement)
    }
    return lines.joined(separator: "\n")
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

/// Why a chapter's exercises cannot be reset; nothing was changed.
public enum ResetError: Error, Sendable, Equatable {
  case noShippedCopy(path: String)
  case unreadable(path: String)
  case currentDoesNotParse(ChapterError)
  case shippedDoesNotParse(ChapterError)
  case exerciseMissing(id: String, path: String)
  case changedMeanwhile(path: String)
  case unwritable(path: String, reason: String)

  /// What is wrong.
  public var message: String {
    switch self {
    case .noShippedCopy(let path):
      "the shipped copy of the chapter, \(path), is missing, so its exercises cannot be reset"
    case .unreadable(let path): "cannot read \(path)"
    case .currentDoesNotParse(let error):
      "your chapter cannot be read, so its exercise cells cannot be found: \(error)"
    case .shippedDoesNotParse(let error):
      "the shipped chapter cannot be read: \(error)"
    case .exerciseMissing(let id, let path):
      "exercise '\(id)' is no longer in \(path) (its ```swift exercise id=\(id) line is gone)"
    case .changedMeanwhile(let path): "\(path) changed while the reset was waiting"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    }
  }

  /// What to do about it.
  public var fix: String {
    switch self {
    case .noShippedCopy, .shippedDoesNotParse:
      "run 'lenet-tutor init --force' in the workspace to restore the course's copies"
    case .unreadable: "check the file's permissions"
    case .currentDoesNotParse:
      "fix the line named above, or copy that cell back from the shipped chapter in"
        + " .lenet-tutor/course/"
    case .exerciseMissing:
      "put the exercise's opening line back (the shipped chapter in .lenet-tutor/course/ has it)"
    case .changedMeanwhile: "run the reset again"
    case .unwritable: "check that the folder is writable"
    }
  }
}
