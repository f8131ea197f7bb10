import Foundation
import LeNetKit

/// A learner's own copy of the course, apart from the tool's source (as `rustlings init` makes
/// one): the chapters to edit, and beside them the learner's state.
///
/// ```text
/// lenet-course/
///   Lessons/03-c3-partial-connections.md   the learner's copy: exercises are solved here
///   .lenet-tutor/workspace.json            which lenet-tutor checkout compiles the chapters
///   .lenet-tutor/course/03-….md            the chapters as shipped: reset, "not started",
///                                          and every non-exercise cell come from here
///   .lenet-tutor/progress.json             checks passed, hints seen, quiz answers
///   .lenet-tutor/backups/                  the learner's files before each reset
/// ```
///
/// Reference solutions (`Lessons/Solutions/`) and hidden checks (`Lessons/Grading/`) are never
/// copied: only the `NN-slug.md` chapter files are.
public struct LearnerWorkspace: Sendable, Equatable {
  /// The workspace folder (absolute).
  public var directory: String
  /// The lenet-tutor checkout whose LeNetKit the chapters compile against (absolute).
  public var packageRoot: String
  /// Whether the course it was made from has reference solutions: false for a workspace made
  /// `--from` a student edition. The learner has the checkout (to run the tool), and the
  /// checkout has `Lessons/Solutions`; `solution` and `--solutions` must not read them then.
  public var hasSolutions = true

  /// The learner's chapters.
  public var lessonsDirectory: String { directory + "/Lessons" }
  /// The learner's state.
  public var stateDirectory: String { directory + "/.lenet-tutor" }
  /// The chapters as shipped.
  public var courseDirectory: String { stateDirectory + "/course" }
  /// The progress file.
  public var progressPath: String { stateDirectory + "/progress.json" }
  /// Where `reset` saves the learner's files first.
  public var backupDirectory: String { stateDirectory + "/backups" }
  /// The settings file that marks a folder as a workspace.
  public var settingsPath: String { stateDirectory + "/workspace.json" }

  /// The default folder `init` creates.
  public static let defaultName = "lenet-course"

  /// The shipped copy of the learner's chapter at `path` (same file name), if there is one.
  public func shippedPath(ofChapter path: String) -> String {
    courseDirectory + "/" + (path as NSString).lastPathComponent
  }

  /// What `create` and `refresh` did, file by file.
  public struct Outcome: Sendable, Equatable {
    /// Chapter files written (new, or replaced because the learner had not edited them).
    public var written: [String] = []
    /// Chapter files left alone because the learner edited them.
    public var keptEdited: [String] = []
    /// Chapter files left alone because they already were as the course ships them.
    public var unchanged: [String] = []
  }

  // MARK: Finding one

  /// The workspace whose folder is `start` or above it, if any.
  public static func find(above start: String) -> LearnerWorkspace? {
    var directory = URL(fileURLWithPath: start).standardizedFileURL.path
    while true {
      if let workspace = try? open(directory) { return workspace }
      let parent = (directory as NSString).deletingLastPathComponent
      if parent == directory || parent.isEmpty { return nil }
      directory = parent
    }
  }

  /// Opens the workspace in `directory`, reading its settings.
  public static func open(_ directory: String) throws(WorkspaceError) -> LearnerWorkspace {
    let absolute = Workspace.absolute(directory, from: FileManager.default.currentDirectoryPath)
    let settingsPath = absolute + "/.lenet-tutor/workspace.json"
    guard let data = FileManager.default.contents(atPath: settingsPath) else {
      throw .notALearnerWorkspace(directory)
    }
    guard let settings = try? JSONDecoder().decode(Settings.self, from: data),
      settings.version == 1, !settings.packageRoot.isEmpty
    else {
      throw .damagedLearnerWorkspace(settingsPath)
    }
    var workspace = LearnerWorkspace(directory: absolute, packageRoot: settings.packageRoot)
    workspace.hasSolutions = settings.solutions ?? true
    return workspace
  }

  /// The settings file's content.
  struct Settings: Codable {
    var version = 1
    var packageRoot: String
    /// `false` for a workspace made from a course without `Solutions/` (a student edition);
    /// absent in workspaces made before it was kept, which had the checkout's.
    var solutions: Bool?
  }

  // MARK: Making one

  /// Creates a workspace in `directory` from the chapter files `NN-slug.md` of `course` (a
  /// lessons folder, or a student edition's), compiled against `packageRoot`. Refuses when
  /// `directory` already holds a workspace or a `Lessons` folder. A `course` without a
  /// `Solutions` folder (a student edition) makes a workspace without solutions.
  public static func create(
    at directory: String, course: String, packageRoot: String
  ) throws(WorkspaceError) -> (LearnerWorkspace, Outcome) {
    let absolute = Workspace.absolute(directory, from: FileManager.default.currentDirectoryPath)
    var workspace = LearnerWorkspace(directory: absolute, packageRoot: packageRoot)
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    workspace.hasSolutions =
      manager.fileExists(atPath: course + "/Solutions", isDirectory: &isFolder)
      && isFolder.boolValue
    if manager.fileExists(atPath: workspace.stateDirectory)
      || manager.fileExists(atPath: workspace.lessonsDirectory)
    {
      throw .learnerWorkspaceExists(directory)
    }
    let chapters = try chapterFiles(in: course)
    do {
      try manager.createDirectory(
        atPath: workspace.courseDirectory, withIntermediateDirectories: true)
      try manager.createDirectory(
        atPath: workspace.lessonsDirectory, withIntermediateDirectories: true)
    } catch {
      throw .cannotWrite(directory, reason: FileProblem.describe(error))
    }
    var outcome = Outcome()
    for name in chapters {
      let text = try read(course + "/" + name)
      try write(text, to: workspace.courseDirectory + "/" + name)
      try write(text, to: workspace.lessonsDirectory + "/" + name)
      outcome.written.append(name)
    }
    let settings = Settings(
      packageRoot: packageRoot, solutions: workspace.hasSolutions ? nil : false)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(settings) else {
      throw .cannotWrite(workspace.settingsPath, reason: "the settings cannot be encoded")
    }
    try write(String(decoding: data, as: UTF8.self) + "\n", to: workspace.settingsPath)
    return (workspace, outcome)
  }

  /// Brings the workspace's chapters up to `course`: a chapter the learner has not edited (it
  /// is still the shipped copy) is replaced, with its shipped copy; one they edited is kept as it
  /// is, never overwritten; a new chapter is added.
  public func refresh(from course: String) throws(WorkspaceError) -> Outcome {
    var outcome = Outcome()
    for name in try Self.chapterFiles(in: course) {
      let text = try Self.read(course + "/" + name)
      let learnerPath = lessonsDirectory + "/" + name
      let shippedPath = courseDirectory + "/" + name
      let learnerText = try? Self.read(learnerPath)
      let shippedText = try? Self.read(shippedPath)
      if learnerText == text && shippedText == text {
        outcome.unchanged.append(name)
        continue
      }
      if let learnerText, learnerText != shippedText {
        outcome.keptEdited.append(name)
        // The course copy still moves on, so checks and resets follow the new course.
        try Self.write(text, to: shippedPath)
        continue
      }
      try Self.write(text, to: shippedPath)
      try Self.write(text, to: learnerPath)
      outcome.written.append(name)
    }
    return outcome
  }

  // MARK: Files

  /// The `NN-slug.md` names in `folder`, sorted; an error when there are none.
  static func chapterFiles(in folder: String) throws(WorkspaceError) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw .noCourse(folder)
    }
    let chapters = names.filter { $0.hasSuffix(".md") && Catalog.number(ofFile: $0) != nil }
      .sorted()
    guard !chapters.isEmpty else { throw .noCourse(folder) }
    return chapters
  }

  static func read(_ path: String) throws(WorkspaceError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .cannotRead(path)
    }
    return String(decoding: data, as: UTF8.self)
  }

  static func write(_ text: String, to path: String) throws(WorkspaceError) {
    do {
      try AtomicFile.write(Array(text.utf8), to: URL(fileURLWithPath: path))
    } catch {
      throw .cannotWrite(path, reason: error.message)
    }
  }
}

/// The student edition of a course: the chapter files only, for a teacher to publish. Reference
/// solutions and hidden checks stay behind; `lenet-tutor init --from DIR` starts a workspace
/// from it.
public enum StudentEdition {
  /// Writes the chapters of `course` (a lessons folder) into `directory/Lessons`, with a README
  /// saying how to start; refuses when `directory/Lessons` exists. Returns the file names.
  public static func write(course: String, to directory: String) throws(WorkspaceError)
    -> [String]
  {
    let lessons = directory + "/Lessons"
    guard !FileManager.default.fileExists(atPath: lessons) else {
      throw .editionExists(directory)
    }
    let chapters = try LearnerWorkspace.chapterFiles(in: course)
    for name in chapters {
      try LearnerWorkspace.write(
        try LearnerWorkspace.read(course + "/" + name), to: lessons + "/" + name)
    }
    try LearnerWorkspace.write(readme(chapterCount: chapters.count), to: directory + "/README.md")
    return chapters
  }

  static func readme(chapterCount: Int) -> String {
    """
    # LeNet-5 from scratch: the student edition

    \(chapterCount) chapters of the lenet-tutor course, without reference solutions or hidden
    checks. Start your own workspace from this folder with a lenet-tutor checkout:

    ```sh
    lenet-tutor init --from <this folder>
    cd lenet-course
    lenet-tutor lesson 0
    ```

    """
  }
}
