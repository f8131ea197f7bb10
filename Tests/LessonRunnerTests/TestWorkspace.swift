import Foundation
import LeNetTestSupport
import LessonRunner

/// The package this test file belongs to, found from the file's own path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// A workspace for tests: this package's LeNetKit, a compile cache shared by every test and test
/// run (`LENET_TUTOR_CACHE`, else `.build/lenet-tutor-test-cache`, so LeNetKit compiles once),
/// and a progress file in a fresh temporary folder.
func testWorkspace() throws -> Workspace {
  var environment = ProcessInfo.processInfo.environment
  environment["LENET_TUTOR_ROOT"] = packageRoot
  if environment["LENET_TUTOR_CACHE"] == nil {
    environment["LENET_TUTOR_CACHE"] = packageRoot + "/.build/lenet-tutor-test-cache"
  }
  environment["LENET_TUTOR_PROGRESS"] = try temporaryDirectory() + "/progress.json"
  return try Workspace.locate(environment: environment)
}

/// A new empty folder under the system's temporary folder, removed when the test process exits.
func temporaryDirectory() throws -> String {
  let path = NSTemporaryDirectory() + "lenet-tutor-tests-" + UUID().uuidString
  TemporaryFolders.removeAtExit(path)
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Writes `text` as a chapter file named `name` in a fresh folder and returns its path.
func writeChapter(_ text: String, name: String = "01-demo.md") throws -> String {
  let path = try temporaryDirectory() + "/" + name
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  return path
}

/// A front matter for test chapters.
func frontMatter(number: Int = 1, extra: String = "") -> String {
  """
  ---
  number: \(number)
  title: A demo chapter
  goals:
    - Show the runner at work
  \(extra)---

  """
}

/// Runs a one-chapter program made of `frontMatter()` and `body`, without the solutions.
func runDemoChapter(_ body: String, with runner: ChapterRunner) async throws -> ChapterReport {
  let path = try writeChapter(frontMatter() + body)
  return try await runner.runAsChapterWork(
    try ChapterParser.parse(contentsOf: path), solutions: false)
}

extension ChapterRunner {
  /// `run` as `chapterWork`: awaited off the pool, waiting for one of `chapterWork`'s slots,
  /// so at most one chapter per core compiles or runs at once. (The CLI tests' own is
  /// `CommandRunning.runAsChapterWork`: test targets share only LeNetTestSupport, which
  /// knows neither `ChapterRunner` nor the CLI.)
  func runAsChapterWork(
    _ chapter: Chapter, solutions: Bool, course: Chapter? = nil, hiddenChecks: Bool = false,
    limits: RunLimits? = nil
  ) async throws -> ChapterReport {
    try await chapterWork {
      try run(
        chapter, solutions: solutions, course: course, hiddenChecks: hiddenChecks, limits: limits)
    }
  }
}
