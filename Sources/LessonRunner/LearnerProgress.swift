import Foundation
import LeNetKit

/// The learner's progress: each chapter's last result, exercise verdicts and quiz answers,
/// kept as JSON at `Workspace.progressPath` and always written atomically.
///
/// ```json
/// {"version": 1, "chapters": {"03-c3-partial-connections": {"result": "passed",
///   "exercises": {"c3-parameter-count": "passed"}, "hints": {"one-output-map": 1},
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
    }
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
      try AtomicFile.write([UInt8](try encoder.encode(self)), to: URL(fileURLWithPath: path))
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
