import Foundation
import LessonRunner
import Testing

/// The progress file: round trip, atomic replacement, and a clear error for a corrupt file.
@Suite("Progress file")
struct ProgressTests {
  @Test func missingFileIsEmptyProgress() throws {
    let path = try temporaryDirectory() + "/none/progress.json"
    #expect(try LearnerProgress.load(from: path) == LearnerProgress())
  }

  @Test func savedProgressReadsBack() throws {
    let path = try temporaryDirectory() + "/nested/progress.json"
    var progress = LearnerProgress()
    progress.record(answer: "60", correct: true, quiz: "links", chapter: "03-c3")
    progress.chapters["03-c3", default: .init()].result = .failed
    progress.chapters["03-c3", default: .init()].exercises["count"] = .passed
    try progress.save(to: path)
    #expect(try LearnerProgress.load(from: path) == progress)
  }

  @Test func saveReplacesTheFileAndLeavesNoTemporaryFile() throws {
    let folder = try temporaryDirectory()
    let path = folder + "/progress.json"
    try Data("old".utf8).write(to: URL(fileURLWithPath: path))
    try LearnerProgress().save(to: path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["progress.json"])
    #expect(try LearnerProgress.load(from: path) == LearnerProgress())
  }

  @Test func fileWrittenBeforeHintsWereKeptStillReads() throws {
    // The shape lenet-tutor wrote before `hints` existed: no "hints" key.
    let path = try temporaryDirectory() + "/progress.json"
    try Data(
      """
      {"version": 1, "chapters": {"03-c3": {"result": "passed",
        "exercises": {"count": "passed"}, "quizzes": {}}}}
      """.utf8
    ).write(to: URL(fileURLWithPath: path))
    let progress = try LearnerProgress.load(from: path)
    #expect(progress.chapters["03-c3"]?.hints == [:])
    #expect(progress.passed(exercise: "count", chapter: "03-c3"))
  }

  @Test func notStartedIsVersionTwoAndAVersionOneFileStillReads() throws {
    let path = try temporaryDirectory() + "/progress.json"
    var progress = LearnerProgress()
    progress.chapters["03-c3", default: .init()].result = .notStarted
    progress.chapters["03-c3", default: .init()].exercises["count"] = .notStarted
    try progress.save(to: path)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.contains(#""result" : "not-started""#), "\(text)")
    #expect(text.contains(#""version" : 2"#), "\(text)")
    #expect(try LearnerProgress.load(from: path) == progress)
    // What version 1 wrote for a chapter only read: it reads, as failed.
    try Data(#"{"version": 1, "chapters": {"03-c3": {"result": "failed"}}}"#.utf8)
      .write(to: URL(fileURLWithPath: path))
    #expect(try LearnerProgress.load(from: path).chapters["03-c3"]?.result == .failed)
    try Data(#"{"version": 3, "chapters": {}}"#.utf8).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: ProgressError.unreadable(
        path: path, reason: "version 3 is newer than this lenet-tutor")
    ) { try LearnerProgress.load(from: path) }
  }

  @Test func corruptFileIsAClearError() throws {
    let path = try temporaryDirectory() + "/progress.json"
    try Data("{\"chapters\": [".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: ProgressError.unreadable(path: path, reason: "it is not valid progress JSON")) {
      try LearnerProgress.load(from: path)
    }
    #expect(
      ProgressError.unreadable(path: path, reason: "it is not valid progress JSON").description
        == "cannot read the progress file \(path): it is not valid progress JSON"
        + " (fix: move it away, e.g. mv \(path) \(path).bak, to start fresh)")
  }

  @Test func aNegativeHintCountIsAClearErrorNotACrash() throws {
    // Issue 10: "parameter-count": -5 made 'hint 3' index its hints at -5 and trap.
    let path = try temporaryDirectory() + "/progress.json"
    try Data(
      #"{"version": 1, "chapters": {"03-c3": {"hints": {"parameter-count": -5}}}}"#.utf8
    ).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: ProgressError.unreadable(
        path: path, reason: "the hint count of 'parameter-count' is -5; it must be 0 to 1000")
    ) {
      try LearnerProgress.load(from: path)
    }
  }

  @Test func eightConcurrentUpdatesAreAllRecorded() throws {
    // Issue 10: eight 'check's at once recorded only six or seven chapters, because the
    // read-modify-write had no lock. Repeated, since a lost update is a race.
    for round in 0..<10 {
      let path = try temporaryDirectory() + "/progress.json"
      DispatchQueue.concurrentPerform(iterations: 8) { chapter in
        try? LearnerProgress.update(at: path) { progress in
          progress.chapters["0\(chapter)-demo", default: .init()].result = .passed
          // Widen the window between read and write, as a real chapter run does.
          usleep(2_000)
        }
      }
      let recorded = try LearnerProgress.load(from: path).chapters.count
      #expect(recorded == 8, "round \(round): \(recorded) of 8 chapters recorded")
    }
  }

  @Test func aChapterIsPassedOnlyWithItsChecksAndEveryQuizAnswerRight() {
    var record = LearnerProgress.ChapterProgress()
    record.result = .passed
    record.quizzes["a"] = .init(answer: "60", correct: true)
    record.quizzes["b"] = .init(answer: "2", correct: false)
    #expect(record.rightAnswers(quizIDs: ["a", "b", "c"]) == 1)
    #expect(!record.isPassed(quizIDs: ["a", "b"]))
    #expect(record.isPassed(quizIDs: ["a"]))
    record.result = .failed
    #expect(!record.isPassed(quizIDs: ["a"]))
  }
}
