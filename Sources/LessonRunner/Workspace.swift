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

  /// The four files a `needs-mnist` chapter reads.
  public static let mnistFiles = [
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ]

  /// Creates a workspace from explicit parts (tests use this).
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
  }

  /// Looks MNIST up as every command does (`MNIST.locate`: `LENET_TUTOR_DATA`, else the
  /// download cache), filling `mnistDirectory` or `mnistProblem`.
  mutating func locateMNIST() {
    do {
      mnistDirectory = try MNIST.locate(dataOption: nil, environment: environment).path
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
  ///   cache).
  public static func locate(environment: [String: String], start: String? = nil)
    throws(WorkspaceError) -> Workspace
  {
    let current = FileManager.default.currentDirectoryPath
    let root: String
    if let given = environment["LENET_TUTOR_ROOT"], !given.isEmpty {
      guard isPackageRoot(given) else { throw .notAPackageRoot(given) }
      root = absolute(given, from: current)
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
      .map { absolute($0, from: current) } ?? root + "/.lenet-tutor/progress.json"
    var workspace = Workspace(
      root: root, swiftc: swiftc, cacheDirectory: cache, progressPath: progress,
      mnistDirectory: nil, environment: environment)
    workspace.locateMNIST()
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

  /// The folder of chapters, `<root>/Lessons`.
  public var lessonsDirectory: String { root + "/Lessons" }

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

/// The runner cannot find what it needs to compile chapters.
public enum WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
  case notAPackageRoot(String)
  case noPackageRoot(start: String)
  case noCompiler(String)

  public var description: String {
    switch self {
    case .notAPackageRoot(let path):
      "LENET_TUTOR_ROOT=\(path) has no Package.swift with Sources/LeNetKit"
        + " (fix: point it at the lenet-tutor checkout)"
    case .noPackageRoot(let start):
      "no lenet-tutor package (Package.swift with Sources/LeNetKit) above \(start)"
        + " (fix: run from the checkout, or set LENET_TUTOR_ROOT to it)"
    case .noCompiler(let name):
      "cannot find the Swift compiler '\(name)' (fix: put swiftc on PATH or set SWIFTC to its path)"
    }
  }
}
