import Foundation
import LeNetKit

#if canImport(Glibc)
  import Glibc
#endif

/// The learner's progress: each chapter's last result, exercise verdicts and quiz answers,
/// kept as JSON at `Workspace.progressPath` and always written atomically.
///
/// ```json
/// {"version": 2, "chapters": {"03-c3-partial-connections": {"result": "passed",
///   "exercises": {"c3-parameter-count": "passed"}, "hints": {"one-output-map": 1},
///   "quizzes": {"c3-links": {"answer": "60", "correct": true}}}}}
/// ```
///
/// Version 2 added the result `not-started` (the chapter ran, and every exercise that did not
/// pass is still the course's starter); version 1 files, which never have it, read as they are.
public struct LearnerProgress: Codable, Sendable, Equatable {
  /// A chapter's or exercise's last result.
  public enum Result: String, Codable, Sendable {
    case passed
    case failed
    /// Read (the chapter ran) but no exercise that failed was started: their code is still the
    /// course's starter, as `check` shows with ○ (since version 2).
    case notStarted = "not-started"
  }

  /// A recorded quiz answer.
  public struct QuizAnswer: Codable, Sendable, Equatable {
    public var answer: String
    public var correct: Bool

    public init(answer: String, correct: Bool) {
      self.answer = answer
      self.correct = correct
    }
  }

  /// One chapter's record; a chapter without one is "not started".
  public struct ChapterProgress: Codable, Sendable, Equatable {
    public var result: Result?
    public var exercises: [String: Result] = [:]
    /// How many hints of each exercise `lenet-tutor hint` has shown.
    public var hints: [String: Int] = [:]
    public var quizzes: [String: QuizAnswer] = [:]

    public init() {}

    /// Reads a record; keys added after version 1 first shipped (`hints`) may be absent.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      result = try container.decodeIfPresent(Result.self, forKey: .result)
      exercises = try container.decodeIfPresent([String: Result].self, forKey: .exercises) ?? [:]
      hints = try container.decodeIfPresent([String: Int].self, forKey: .hints) ?? [:]
      quizzes = try container.decodeIfPresent([String: QuizAnswer].self, forKey: .quizzes) ?? [:]
      // The file is input like any other: a hint count indexes the hints.
      for (exercise, count) in hints where !(0...Self.maximumHints).contains(count) {
        throw DecodingError.dataCorruptedError(
          forKey: .hints, in: container,
          debugDescription: "the hint count of '\(exercise)' is \(count); it must be 0 to"
            + " \(Self.maximumHints)")
      }
    }

    /// More hints than any exercise has; a larger count is a damaged file.
    static let maximumHints = 1_000

    /// Whether the chapter is passed: its last run passed every check, and every question of
    /// its quiz (`quizIDs`) was answered right.
    public func isPassed(quizIDs: [String]) -> Bool {
      result == .passed && quizIDs.allSatisfy { quizzes[$0]?.correct == true }
    }

    /// How many of the quiz questions `quizIDs` were answered right.
    public func rightAnswers(quizIDs: [String]) -> Int {
      quizIDs.filter { quizzes[$0]?.correct == true }.count
    }
  }

  /// The file format's version: 2 since `not-started`; version 1 files are read as well.
  public var version = LearnerProgress.currentVersion
  /// The version this lenet-tutor writes.
  public static let currentVersion = 2
  /// Records by chapter stem (`03-c3-partial-connections`).
  public var chapters: [String: ChapterProgress] = [:]

  public init() {}

  /// Reads the progress at `path`; a missing file is empty progress.
  public static func load(from path: String) throws(ProgressError) -> LearnerProgress {
    guard FileManager.default.fileExists(atPath: path) else { return LearnerProgress() }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path: path, reason: "the file is not readable")
    }
    do {
      let progress = try JSONDecoder().decode(LearnerProgress.self, from: data)
      guard (1...currentVersion).contains(progress.version) else {
        throw ProgressError.unreadable(
          path: path, reason: "version \(progress.version) is newer than this lenet-tutor")
      }
      return progress
    } catch let error as ProgressError {
      throw error
    } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
      throw .unreadable(path: path, reason: context.debugDescription)
    } catch {
      throw .unreadable(path: path, reason: "it is not valid progress JSON")
    }
  }

  /// Reads the progress at `path`, applies `change` and writes it back, holding an exclusive
  /// lock (`flock` on `path.lock`) from the read to the write, so runs at the same time (eight
  /// `check`s in parallel) each add their record instead of overwriting one another's.
  public static func update(at path: String, _ change: (inout LearnerProgress) -> Void)
    throws(ProgressError)
  {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    let lockPath = path + ".lock"
    let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .unwritable(path: path, reason: "cannot open its lock file \(lockPath): \(errnoText())")
    }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 {
      guard errno == EINTR else {
        throw .unwritable(path: path, reason: "cannot lock \(lockPath): \(errnoText())")
      }
    }
    defer { flock(descriptor, LOCK_UN) }
    var progress = try load(from: path)
    change(&progress)
    try progress.save(to: path)
  }

  /// Writes the progress to `path` atomically (a temporary file renamed over it).
  public func save(to path: String) throws(ProgressError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      try AtomicFile.write([UInt8](try encoder.encode(self)), to: URL(fileURLWithPath: path))
    } catch {
      throw .unwritable(path: path, reason: "\(error)")
    }
  }

  /// Records a chapter run of the learner's own code (not `--solutions`): passed, not started
  /// (it ran to its end and the only checks that did not pass are of exercises still at their
  /// starter), or failed. Saving writes the current version.
  public mutating func record(_ report: ChapterReport) {
    version = Self.currentVersion
    var entry = chapters[report.chapter.stem] ?? ChapterProgress()
    let onlyNotStarted =
      report.compileErrors == nil && report.cells.allSatisfy { $0.status == .completed }
      && !report.verdicts.contains { $0.status == .failed }
    entry.result = report.passed ? .passed : onlyNotStarted ? .notStarted : .failed
    for exercise in report.exercises {
      entry.exercises[exercise.id] =
        switch exercise.status {
        case .passed: .passed
        case .notStarted: .notStarted
        default: .failed
        }
    }
    chapters[report.chapter.stem] = entry
  }

  /// Whether exercise `id` of the chapter with stem `chapter` passed in the last recorded run.
  public func passed(exercise id: String, chapter: String) -> Bool {
    chapters[chapter]?.exercises[id] == .passed
  }

  /// Records a quiz answer.
  public mutating func record(answer: String, correct: Bool, quiz: String, chapter: String) {
    chapters[chapter, default: ChapterProgress()].quizzes[quiz] = QuizAnswer(
      answer: answer, correct: correct)
  }
}

/// The C library's message for the current `errno`.
private func errnoText() -> String { String(cString: strerror(errno)) }

/// The progress file cannot be read or written.
public enum ProgressError: Error, Sendable, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case unwritable(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      "cannot read the progress file \(path): \(reason)"
        + " (fix: move it away, e.g. mv \(path) \(path).bak, to start fresh)"
    case .unwritable(let path, let reason):
      "cannot write the progress file \(path): \(reason)"
        + " (fix: set LENET_TUTOR_PROGRESS to a writable path)"
    }
  }
}
