import Foundation
import LeNetKit

/// Where things are: the package whose LeNetKit the chapters compile against, the compiler, the
/// compile cache, the progress file and MNIST. Each can be set by an environment variable.
public struct Workspace: Sendable {
  /// The package root: the folder with `Package.swift` and `Sources/LeNetKit`.
  public var root: String
  /// The `swiftc` to compile with.
  public var swiftc: String
  /// The folder of compiled libraries and chapters.
  public var cacheDirectory: String
  /// The progress file.
  public var progressPath: String
  /// The folder with MNIST's four `.gz` files, if it exists.
  public var mnistDirectory: String?
  /// Why `mnistDirectory` is nil: what `MNIST.locate` said, with its fix.
  public var mnistProblem: DataError?
  /// The environment the chapter programs run with.
  public var environment: [String: String]
  /// The folder of the chapters the commands read: the learner workspace's `Lessons`, else
  /// `<root>/Lessons` (the course itself).
  public var lessonsDirectory: String
  /// The learner's workspace, when the commands run in one (`lenet-tutor init` made it).
  public var learner: LearnerWorkspace?
  /// The package's own build of LeNetKit, which the chapters link instead of compiling the
  /// library a second time (`ChapterCompiler`): the SwiftPM products folder that holds the
  /// running program. Nil for a program installed elsewhere; the chapters then compile
  /// LeNetKit from the sources once.
  public var packageBuild: PackageBuild?
  /// Whether the chapters that train or ask for speed (`ChapterRunner.needsFastLibrary`) get
  /// LeNetKit compiled whole-module from the sources, as by default, or run on the package
  /// build like the others (`LENET_TUTOR_FAST_LIBRARY=no`): their training is about a third
  /// slower, but LeNetKit is not compiled a second time (some 40 CPU-seconds), which is what a
  /// test that runs such a chapter for anything but its speed wants.
  public var compilesFastLibrary = true

  /// The four files a `needs-mnist` chapter reads.
  public static let mnistFiles = [
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ]

  /// Creates a workspace from explicit parts (tests use this); the package build is the one
  /// beside the running program, if any.
  public init(
    root: String, swiftc: String, cacheDirectory: String, progressPath: String,
    mnistDirectory: String?, environment: [String: String]
  ) {
    self.root = root
    self.swiftc = swiftc
    self.cacheDirectory = cacheDirectory
    self.progressPath = progressPath
    self.mnistDirectory = mnistDirectory
    self.environment = environment
    self.lessonsDirectory = root + "/Lessons"
    self.packageBuild = PackageBuild.find(besideExecutable: PackageBuild.runningExecutable())
  }

  /// Looks MNIST up as every command does (`MNIST.locate`: `LENET_TUTOR_DATA`, else the
  /// download cache), filling `mnistDirectory` or `mnistProblem`; the lesson commands take no
  /// `--data`, so the advice does not offer it.
  mutating func locateMNIST() {
    do {
      mnistDirectory =
        try MNIST.locate(dataOption: nil, environment: environment, offersDataOption: false).path
      mnistProblem = nil
    } catch {
      mnistDirectory = nil
      mnistProblem = error
    }
  }

  /// Finds everything from `environment`:
  /// - root: `LENET_TUTOR_ROOT`, else the nearest folder above `start` (then the working
  ///   directory) holding `Package.swift` and `Sources/LeNetKit`;
  /// - compiler: `SWIFTC`, else `swiftc` on `PATH`;
  /// - cache: `LENET_TUTOR_CACHE`, else `$XDG_CACHE_HOME/lenet-tutor`, else
  ///   `~/.cache/lenet-tutor`;
  /// - progress: `LENET_TUTOR_PROGRESS`, else `<root>/.lenet-tutor/progress.json`;
  /// - MNIST: `MNIST.locate`, as every command finds it (`LENET_TUTOR_DATA`, else the download
  ///   cache);
  /// - the package build of LeNetKit: `LENET_TUTOR_PACKAGE_BUILD` (a SwiftPM products folder,
  ///   or `none` to compile LeNetKit from the sources), else the products folder holding the
  ///   running program, if it holds one;
  /// - the whole-module LeNetKit of the chapters that train: compiled unless
  ///   `LENET_TUTOR_FAST_LIBRARY` is `no` (`compilesFastLibrary`).
  ///
  /// A learner workspace (`lenet-tutor init`) is `learnerDirectory` when given (`--workspace`),
  /// else the nearest one above `start` or the working directory. In one, the chapters are its
  /// `Lessons`, the progress is its `.lenet-tutor/progress.json`, and the root is the checkout it
  /// was made from (unless `LENET_TUTOR_ROOT` says otherwise).
  public static func locate(
    environment: [String: String], start: String? = nil, learnerDirectory: String? = nil
  ) throws(WorkspaceError) -> Workspace {
    let current = FileManager.default.currentDirectoryPath
    let learner: LearnerWorkspace?
    if let learnerDirectory {
      learner = try LearnerWorkspace.open(learnerDirectory)
    } else {
      learner =
        [start, current].compactMap { $0 }.lazy.compactMap {
          LearnerWorkspace.find(above: absolute($0, from: current))
        }.first
    }
    let root: String
    if let given = environment["LENET_TUTOR_ROOT"], !given.isEmpty {
      guard isPackageRoot(given) else { throw .notAPackageRoot(given) }
      root = absolute(given, from: current)
    } else if let learner {
      guard isPackageRoot(learner.packageRoot) else {
        throw .learnerWorkspaceLostItsCourse(
          workspace: learner.directory, packageRoot: learner.packageRoot)
      }
      root = learner.packageRoot
    } else if let found = [start, current].compactMap({ $0 }).lazy.compactMap({
      findRoot(above: absolute($0, from: current))
    }).first {
      root = found
    } else {
      throw .noPackageRoot(start: start ?? current)
    }
    let swiftcName = environment["SWIFTC"].flatMap { $0.isEmpty ? nil : $0 } ?? "swiftc"
    guard let swiftc = Subprocess.find(swiftcName, path: environment["PATH"]) else {
      throw .noCompiler(swiftcName)
    }
    let cache: String
    if let given = environment["LENET_TUTOR_CACHE"], !given.isEmpty {
      cache = absolute(given, from: current)
    } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
      cache = xdg + "/lenet-tutor"
    } else {
      cache = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/lenet-tutor"
    }
    let progress =
      environment["LENET_TUTOR_PROGRESS"].flatMap { $0.isEmpty ? nil : $0 }
      .map { absolute($0, from: current) } ?? learner?.progressPath
      ?? root + "/.lenet-tutor/progress.json"
    var workspace = Workspace(
      root: root, swiftc: swiftc, cacheDirectory: cache, progressPath: progress,
      mnistDirectory: nil, environment: environment)
    workspace.locateMNIST()
    switch environment["LENET_TUTOR_PACKAGE_BUILD"] {
    case "none"?: workspace.packageBuild = nil
    case let folder? where !folder.isEmpty:
      workspace.packageBuild = PackageBuild(directory: absolute(folder, from: current))
    default: break
    }
    workspace.compilesFastLibrary = environment["LENET_TUTOR_FAST_LIBRARY"] != "no"
    if let learner {
      workspace.learner = learner
      workspace.lessonsDirectory = learner.lessonsDirectory
    }
    return workspace
  }

  /// Why a `needs-mnist` chapter cannot run here, with what to do: nil when MNIST was found.
  public var mnistSkipReason: (message: String, fix: String)? {
    guard mnistDirectory == nil else { return nil }
    let problem = mnistProblem?.description ?? "MNIST was not found"
    return (
      "this chapter needs MNIST (\(problem))",
      mnistProblem?.fix ?? MNIST.downloadAdvice
    )
  }

  /// The course's own chapters, `<root>/Lessons`, with its solutions and hidden checks.
  public var courseLessonsDirectory: String { root + "/Lessons" }

  /// The chapter as shipped for the learner's chapter at `path`: in a learner workspace its
  /// copy in `.lenet-tutor/course`; nil in the course itself (a chapter is its own course).
  public func shippedChapterPath(for path: String) -> String? {
    learner.map { $0.shippedPath(ofChapter: path) }
  }

  /// Where the reference solution of exercise `id` of `chapter` is: beside the course's
  /// own chapter of the same name (a learner workspace has none of its own).
  public func solutionPath(for chapter: Chapter, exerciseID id: String) -> String {
    guard learner != nil else {
      return ChapterProgram.solutionPath(chapter: chapter, exerciseID: id)
    }
    return courseLessonsDirectory + "/Solutions/\(chapter.stem)/\(id).swift"
  }

  /// The LeNetKit sources, sorted, as paths relative to the root.
  func librarySources() -> [String] {
    let base = URL(fileURLWithPath: root + "/Sources/LeNetKit").resolvingSymlinksInPath().path
    let enumerator = FileManager.default.enumerator(atPath: base)
    var paths: [String] = []
    while let path = enumerator?.nextObject() as? String {
      if path.hasSuffix(".swift") { paths.append("Sources/LeNetKit/" + path) }
    }
    return paths.sorted()
  }

  static func isPackageRoot(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path + "/Package.swift")
      && FileManager.default.fileExists(
        atPath: path + "/Sources/LeNetKit", isDirectory: &isDirectory)
      && isDirectory.boolValue
  }

  private static func findRoot(above path: String) -> String? {
    var directory = URL(fileURLWithPath: path).standardizedFileURL.path
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
      || !isDirectory.boolValue
    {
      directory = (directory as NSString).deletingLastPathComponent
    }
    while true {
      if isPackageRoot(directory) { return directory }
      let parent = (directory as NSString).deletingLastPathComponent
      if parent == directory || parent.isEmpty { return nil }
      directory = parent
    }
  }

  public static func absolute(_ path: String, from base: String) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }
}

/// A SwiftPM products folder (`.build/<triple>/debug` or `release`) with its build of LeNetKit:
/// the module `swift build` emitted and one object file per source (`LeNetKit.build`, mapped
/// by its `output-file-map.json`).
public struct PackageBuild: Sendable, Equatable {
  /// The products folder.
  public var directory: String

  public init(directory: String) {
    self.directory = directory
  }

  /// The program running now, symbolic links resolved; nil where the system does not say.
  static func runningExecutable() -> String? {
    Bundle.main.executableURL?.resolvingSymlinksInPath().path
  }

  /// The products folder holding `executable` (`lenet-tutor`, or the test bundle under
  /// `swift test`) if it holds a LeNetKit build; nil otherwise (an installed binary).
  static func find(besideExecutable executable: String?) -> PackageBuild? {
    guard let executable else { return nil }
    let build = PackageBuild(directory: (executable as NSString).deletingLastPathComponent)
    guard build.modulePath != nil,
      FileManager.default.fileExists(atPath: build.outputFileMapPath)
    else { return nil }
    return build
  }

  /// LeNetKit's module: `Modules/` since SwiftPM 6, the folder itself before.
  var modulePath: String? {
    [directory + "/Modules/LeNetKit.swiftmodule", directory + "/LeNetKit.swiftmodule"].first {
      FileManager.default.fileExists(atPath: $0)
    }
  }

  /// The compiler's map from each LeNetKit source to its object file.
  var outputFileMapPath: String { directory + "/LeNetKit.build/output-file-map.json" }

  /// The object files built from exactly `sources` (absolute paths), in their order; nil when
  /// this build is of other sources (another checkout, a file added or removed since) or is
  /// stale (a source changed after the compile that made its object: the library was edited
  /// and not built again). A build that puts the whole module in one object (whole-module
  /// optimization) maps it from the empty key.
  ///
  /// A source counts as built when the newest of the outputs its compile writes (the object,
  /// its dependency records and its diagnostics file, as the map lists them) is at least as new
  /// as the source, as SwiftPM's own incremental build judges it: the compiler leaves an output
  /// whose content did not change untouched, so after an edit that changes no code (a comment,
  /// a checkout of the same text) the object keeps its old time while the diagnostics file the
  /// same compile writes is new. A compile that failed deletes its object, and a compile that
  /// never ran (the build stopped at another file's error) leaves every output older.
  func objects(of sources: [String]) -> [String]? {
    guard let data = FileManager.default.contents(atPath: outputFileMapPath),
      let map = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    func outputs(_ key: String) -> [String: String] {
      (map[key] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
    }
    // Each source the build compiled (symbolic links resolved) and its outputs.
    var outputsOfSource: [String: [String: String]] = [:]
    for key in map.keys where !key.isEmpty {
      outputsOfSource[Self.resolved(key)] = outputs(key)
    }
    let resolvedSources = sources.map(Self.resolved)
    guard Set(outputsOfSource.keys) == Set(resolvedSources) else { return nil }
    let perSource = resolvedSources.compactMap { source in
      outputsOfSource[source].flatMap { files in
        files["object"].map { (source: source, object: $0, outputs: Array(files.values)) }
      }
    }
    if perSource.count == sources.count
      && perSource.allSatisfy({ FileManager.default.fileExists(atPath: $0.object) })
    {
      guard perSource.allSatisfy({ Self.isBuilt([$0.source], outputs: $0.outputs) }) else {
        return nil
      }
      return perSource.map(\.object)
    }
    let whole = outputs("")
    guard let object = whole["object"], FileManager.default.fileExists(atPath: object),
      Self.isBuilt(resolvedSources, outputs: Array(whole.values))
    else { return nil }
    return [object]
  }

  /// `path` with symbolic links resolved.
  static func resolved(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
  }

  /// The modification time of `path`, nil when it does not exist.
  static func modificationTime(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
  }

  /// Whether the newest of `outputs` (the files one compile of `sources` writes) was written
  /// no earlier than every one of `sources`.
  static func isBuilt(_ sources: [String], outputs: [String]) -> Bool {
    guard let built = outputs.compactMap(modificationTime).max() else { return false }
    return sources.allSatisfy { (modificationTime($0) ?? .distantFuture) <= built }
  }
}

/// The runner cannot find what it needs to compile chapters.
public enum WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
  case notAPackageRoot(String)
  case noPackageRoot(start: String)
  case noCompiler(String)
  case notALearnerWorkspace(String)
  case damagedLearnerWorkspace(String)
  case learnerWorkspaceExists(String)
  case learnerWorkspaceLostItsCourse(workspace: String, packageRoot: String)
  case noCourse(String)
  case cannotRead(String)
  case cannotWrite(String, reason: String)
  case editionExists(String)

  /// `message (fix: fix)`, on one line, as the runner's other errors read.
  public var description: String { "\(message) (fix: \(fix))" }

  /// What went wrong.
  public var message: String { parts.message }

  /// What to do about it.
  public var fix: String { parts.fix }

  private var parts: (message: String, fix: String) {
    switch self {
    case .notAPackageRoot(let path):
      (
        "LENET_TUTOR_ROOT=\(path) has no Package.swift with Sources/LeNetKit",
        "point it at the lenet-tutor checkout"
      )
    case .noPackageRoot(let start):
      (
        "no lenet-tutor package (Package.swift with Sources/LeNetKit) above \(start)",
        "run from the checkout, or set LENET_TUTOR_ROOT to it"
      )
    case .noCompiler(let name):
      (
        "cannot find the Swift compiler '\(name)'",
        "put swiftc on PATH or set SWIFTC to its path"
      )
    case .notALearnerWorkspace(let path):
      (
        "\(path) is not a lenet-tutor workspace (it has no .lenet-tutor/workspace.json)",
        "make one with 'lenet-tutor init \(path)', or name the folder 'init' made"
      )
    case .damagedLearnerWorkspace(let path):
      (
        "\(path) cannot be read as workspace settings",
        "restore it from a backup, or make a new workspace with 'lenet-tutor init'"
      )
    case .learnerWorkspaceExists(let path):
      (
        "\(path) already holds a workspace or a Lessons folder; nothing was overwritten",
        "'lenet-tutor init --force \(path)' brings the chapters you have not edited up"
          + " to date and never touches the ones you have; or choose another folder"
      )
    case .learnerWorkspaceLostItsCourse(let workspace, let packageRoot):
      (
        "the workspace \(workspace) was made from the lenet-tutor checkout \(packageRoot), which"
          + " is no longer there",
        "set LENET_TUTOR_ROOT to the checkout's new place"
      )
    case .noCourse(let path):
      (
        "\(path) has no chapter files (NN-slug.md)",
        "name a lessons folder, or a student edition written by 'lenet-tutor release'"
      )
    case .cannotRead(let path):
      ("cannot read \(path)", "check that it exists and is readable")
    case .editionExists(let path):
      (
        "\(path)/Lessons already exists; nothing was overwritten",
        "choose a new folder, or remove the old edition first"
      )
    case .cannotWrite(let path, let reason):
      ("cannot write \(path): \(reason)", "choose a folder you can write to")
    }
  }
}
