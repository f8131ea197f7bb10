import Foundation

/// The learner's progress: each chapter's last result, exercise verdicts and quiz answers,
/// kept as JSON at `Workspace.progressPath` and always written atomically.
///
/// ```json
/// {"version": 1, "chapters": {"03-c3-partial-connections": {"result": "passed",
///   "exercises": {"c3-parameter-count": "passed"},
///   "quizzes": {"c3-links": {"answer": "60", "correct": true}}}}}
/// ```
public struct LearnerProgress: Codable, Sendable, Equatable {
  /// A chapter's or exercise's last result.
  public enum Result: String, Codable, Sendable {
    case passed
    case failed
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
    public var quizzes: [String: QuizAnswer] = [:]

    public init() {}
  }

  /// The file format's version, for a future migration.
  public var version = 1
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
      guard progress.version == 1 else {
        throw ProgressError.unreadable(
          path: path, reason: "version \(progress.version) is newer than this lenet-tutor")
      }
      return progress
    } catch let error as ProgressError {
      throw error
    } catch {
      throw .unreadable(path: path, reason: "it is not valid progress JSON")
    }
  }

  /// Writes the progress to `path` atomically (a temporary file renamed over it).
  public func save(to path: String) throws(ProgressError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      try AtomicFile.write(try encoder.encode(self), to: path)
    } catch {
      throw .unwritable(path: path, reason: "\(error)")
    }
  }

  /// Records a chapter run of the learner's own code (not `--solutions`).
  public mutating func record(_ report: ChapterReport) {
    var entry = chapters[report.chapter.stem] ?? ChapterProgress()
    entry.result = report.passed ? .passed : .failed
    for exercise in report.chapter.exercises {
      if let id = exercise.exerciseID {
        entry.exercises[id] = report.exercisePassed(id) ? .passed : .failed
      }
    }
    chapters[report.chapter.stem] = entry
  }

  /// Records a quiz answer.
  public mutating func record(answer: String, correct: Bool, quiz: String, chapter: String) {
    chapters[chapter, default: ChapterProgress()].quizzes[quiz] = QuizAnswer(
      answer: answer, correct: correct)
  }
}

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

/// Writes files so that a reader sees either the old content or the new, never a mix.
enum AtomicFile {
  /// Writes `data` to a temporary file beside `path`, then renames it over `path`.
  static func write(_ data: Data, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    }
    let temporary = path + ".tmp-" + UUID().uuidString
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
      guard rename(temporary, path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }
}
