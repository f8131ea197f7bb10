import Foundation
import LeNetKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Puts LeNetKit once into a cache as a shared library, then compiles chapter programs against
/// it, each cached by the hash of its content so an unchanged chapter starts at once.
///
/// The library is the package's own build (`Workspace.packageBuild`: the objects `swift build`
/// compiled, linked in about a second) when there is one of the current sources; otherwise
/// (an installed binary, a library edited and not built again) it is compiled from the
/// sources, which takes 10 to 20 s.
///
/// Cache layout (`Workspace.cacheDirectory`):
/// ```
/// library/<hash>/libLeNetKit.so, LeNetKit.swiftmodule   hash: the package build's files (size,
///                                                       time) or LeNetKit's sources; swiftc
/// prelude/<hash>/libLessonPrelude.so, …swiftmodule      hash: Prelude.source + library hash
/// chapters/<hash>/chapter                               hash: program + prelude + library hash
/// compilers/<hash>                                      hash: swiftc's path, size and time;
///                                                       holds its `--version`
/// ```
/// Each of the first three folders is pruned whenever a new entry is published into it (`publish`): the few most
/// recently used entries stay (`keptLibraries`, `keptPreludes`, `keptChapters`), and so does
/// every entry used within the hour (`gracePeriod`).
/// Every entry is built in a fresh temporary folder and renamed into place, which is atomic, so
/// parallel runs never see half an entry; the library build also holds a lock file so that
/// parallel first runs compile it once, not once each. Each entry holds a `manifest` with the
/// size and SHA-256 of the files it provides, written before the rename and checked before each
/// use (hashed once per process while a file's size, times and inode stay the same:
/// `isIntact`): an entry changed since (a truncated binary, a file written over or replaced) is
/// set aside and built again, by itself. A `compilers/` record is one small file, written
/// whole and renamed into place, and used only if its first line names the compiler asked
/// about; it has no manifest and is not pruned (one per toolchain).
public final class ChapterCompiler: @unchecked Sendable {
  /// The compiled library: its folder and whether this call compiled it (false: from cache).
  public struct Library: Sendable {
    public var directory: String
    public var hash: String
    public var compiledNow: Bool
    /// The folder of the prelude module (`LessonPrelude`) built against it.
    public var preludeDirectory: String = ""
    /// Whether it is the package's own build, linked (`Workspace.packageBuild`), rather than
    /// compiled from the sources.
    public var fromPackageBuild = false
  }

  /// A compiled chapter program.
  public struct Executable: Sendable {
    public var path: String
    /// Whether this call compiled it (false: it came from the cache).
    public var compiledNow: Bool
  }

  /// Flags of the LeNetKit build. `-assert-config Debug` keeps precondition messages in the
  /// optimized build, so a learner whose cell misuses a layer reads why it stopped.
  static let libraryFlags =
    [
      "-emit-library", "-emit-module", "-module-name", "LeNetKit", "-parse-as-library", "-O",
      "-assert-config", "Debug", "-wmo", "-swift-version", "6",
    ] + targetCPUFlags
  /// The CPU that Package.swift builds LeNetKit for (see Docs/training.md): the kernels need
  /// AVX2 and FMA to be fast, and the chapters should run the code the tool runs.
  static var targetCPUFlags: [String] {
    #if arch(x86_64)
      ["-target-cpu", "haswell"]
    #else
      []
    #endif
  }
  /// Flags of a chapter program. Language mode 5 lets top-level functions read top-level
  /// variables, as a notebook's cells expect (mode 6 isolates them to the main actor); `-Onone`
  /// compiles in about a second; `-gline-tables-only` gives a crash's backtrace the chapter's
  /// lines and columns, which is all the runner reads (full `-g` adds the types and variables
  /// for a debugger, and two more compiler jobs, one of which type-checks the program a second
  /// time: a quarter of a chapter's compile); the LLVM diagnostic style prints one
  /// `path:line:column: error:` line per message, which the runner turns into the learner's own
  /// lines.
  static let chapterFlags = [
    "-swift-version", "5", "-Onone", debugInformationFlag, "-module-name", "LessonChapter",
    "-diagnostic-style=llvm",
  ]
  /// The debug information of chapter programs: line tables, for the crash's line.
  static let debugInformationFlag = "-gline-tables-only"
  /// Flags of a chapter with `optimize: true`: its loops run about 20 times faster, for a few
  /// more seconds of compiling.
  static let optimizedChapterFlags =
    [
      "-swift-version", "5", "-O", debugInformationFlag, "-module-name", "LessonChapter",
      "-diagnostic-style=llvm",
    ] + targetCPUFlags

  /// The flags `program` is compiled with.
  static func flags(for program: ChapterProgram) -> [String] {
    program.optimize ? optimizedChapterFlags : chapterFlags
  }

  private let workspace: Workspace
  private let status: (String) -> Void

  /// Creates a compiler; `status` receives one-line messages about slow steps.
  public init(workspace: Workspace, status: @escaping (String) -> Void) {
    self.workspace = workspace
    self.status = status
  }

  /// The output of `swiftc --version`, part of every cache key. Asked once per compiler file,
  /// however many compilers (runners, tests) a process makes: each ask starts the driver, 0.1
  /// to 0.2 s, half of a warm `lesson 3`. The answer is kept in the process under the
  /// compiler's path, size and time, so a toolchain installed over the old one is asked again;
  /// and in the cache (`compilers/`) for the next processes, when the compiler is the driver
  /// itself (`isDriver`).
  func compilerVersion() throws(CompileError) -> String {
    let identity = Self.fileIdentity(workspace.swiftc)
    let record =
      Self.isDriver(workspace.swiftc)
      ? workspace.cacheDirectory + "/compilers/" + SHA256.hexadecimal(of: Array(identity.utf8))
      : nil
    // Looked up, asked and stored under one lock, so runners that start together still ask once.
    return try Self.versions.withLock { (versions) throws(CompileError) -> String in
      if let known = versions[identity] { return known }
      if let record, let stored = Self.storedVersion(of: identity, in: record) {
        versions[identity] = stored
        return stored
      }
      let result = try run(["--version"])
      guard result.termination == .exited(0) else {
        throw .compilerFailed(command: "\(workspace.swiftc) --version", output: result.output)
      }
      versions[identity] = result.output
      if let record { Self.storeVersion(result.output, of: identity, in: record) }
      return result.output
    }
  }

  /// Whether `path`, its links followed, is the Swift driver itself (`swiftc`, `swift-driver`,
  /// `swift-frontend`), whose version its size and time pin down. A proxy that picks a toolchain
  /// each time it runs answers differently from the same file: swiftly's `swiftc` is a link to
  /// `swiftly` (`swiftly use` switches), and macOS's `/usr/bin/swiftc` asks `xcrun`, which reads
  /// `DEVELOPER_DIR`, `TOOLCHAINS` and `xcode-select`. Their answers are kept for the process
  /// only.
  static func isDriver(_ path: String) -> Bool {
    let target = PackageBuild.resolved(path)
    let name = (target as NSString).lastPathComponent
    #if os(macOS)
      if target.hasPrefix("/usr/bin/") { return false }
    #endif
    return ["swiftc", "swift-driver", "swift-frontend"].contains(name)
  }

  /// The version kept in `record` for the compiler `identity`, if the record names it on its
  /// first line (a record of another compiler, or a damaged one, is not used).
  static func storedVersion(of identity: String, in record: String) -> String? {
    guard let text = try? String(contentsOfFile: record, encoding: .utf8),
      text.hasPrefix(identity + "\n")
    else { return nil }
    let version = String(text.dropFirst(identity.count + 1))
    return version.isEmpty ? nil : version
  }

  /// Writes the record through a temporary file renamed into place, so a run that reads it
  /// sees all of it or none. A cache that cannot be written only costs the next run an ask.
  static func storeVersion(_ version: String, of identity: String, in record: String) {
    let folder = (record as NSString).deletingLastPathComponent
    let temporary = folder + "/tmp-\(getpid())-\(UUID().uuidString)"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try Data((identity + "\n" + version).utf8).write(to: URL(fileURLWithPath: temporary))
      if rename(temporary, record) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
    }
  }

  /// `swiftc --version` by `fileIdentity` of the compiler, for the whole process.
  private static let versions = LockedDictionary()

  /// A file's path with its size and modification time after symbolic links are resolved
  /// (the toolchain's `swiftc` is a link to `swift-driver`).
  static func fileIdentity(_ path: String) -> String {
    let target = PackageBuild.resolved(path)
    return "\(path) \(target) \(fileStamp(target))"
  }

  /// "size time" of a file (-1 for what cannot be read): cheap, and changed by any rewrite.
  static func fileStamp(_ path: String) -> String {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
    let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
    return "\(size) \(time)"
  }

  /// A dictionary behind a lock, shared by threads.
  final class LockedDictionary: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    func withLock<Result, Failure: Error>(
      _ body: (inout [String: String]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
      lock.lock()
      defer { lock.unlock() }
      return try body(&values)
    }
  }

  /// The compiled LeNetKit and the prelude module, compiling them first if the cache has no
  /// build of these sources. `forSpeed`: a library compiled whole-module from the sources
  /// even when there is a package build (see `ChapterRunner.needsFastLibrary`), unless the
  /// workspace says not to (`Workspace.compilesFastLibrary`).
  public func library(forSpeed: Bool = false) throws(CompileError) -> Library {
    let wholeModule = forSpeed && workspace.compilesFastLibrary
    var library = try wholeModule ? compiledLibrary() : leNetKit()
    library.preludeDirectory = try prelude(library)
    return library
  }

  /// The prelude (`Prelude.source`) as a module of its own, `LessonPrelude`, cached by the
  /// library's hash and its source. A module of its own so that nothing a chapter declares can
  /// change what the checks call: inside it, `abs`, `<=` or `==` can only mean the standard
  /// library's, and its key is private to it.
  private func prelude(_ library: Library) throws(CompileError) -> String {
    var hasher = CacheKey()
    hasher.update(field: "lenet-tutor prelude v1")
    hasher.update(field: library.hash)
    for flag in Self.preludeFlags { hasher.update(field: flag) }
    hasher.update(field: Prelude.source)
    let base = workspace.cacheDirectory + "/prelude"
    let hash = hasher.hexDigest()
    let directory = base + "/" + hash
    let files = ["libLessonPrelude.so", "LessonPrelude.swiftmodule"]
    if Self.isIntact(directory, files: files) {
      Self.markUsed(directory)
      return directory
    }
    try makeDirectory(base)
    if FileManager.default.fileExists(atPath: directory) {
      discard(directory, in: base, as: .damaged)
    }
    let temporary = try makeTemporaryDirectory(in: base)
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    do {
      try Data(Prelude.source.utf8).write(to: URL(fileURLWithPath: temporary + "/Prelude.swift"))
    } catch {
      throw .cacheUnwritable(temporary, "\(error)")
    }
    let result = try link(
      Self.preludeFlags + [
        "-I", library.directory, "-I", workspace.root + "/Sources/CZlib",
        "-L", library.directory, "-lLeNetKit",
        "-Xlinker", "-rpath", "-Xlinker", library.directory,
        "-o", temporary + "/libLessonPrelude.so",
        "-emit-module-path", temporary + "/LessonPrelude.swiftmodule",
        temporary + "/Prelude.swift",
      ])
    guard result.termination == .exited(0) else {
      throw .compilerFailed(command: "swiftc (LessonPrelude)", output: result.output)
    }
    try writeManifest(temporary, files: files)
    try publish(temporary, as: hash, in: base, keeping: Self.keptPreludes)
    return directory
  }

  /// Flags of the prelude module.
  static let preludeFlags = [
    "-emit-library", "-emit-module", "-module-name", "LessonPrelude", "-parse-as-library",
    "-swift-version", "5", "-Onone",
  ]

  /// LeNetKit as a shared library: the package's own build linked into one (about a second),
  /// when the workspace has a package build of these very sources; otherwise compiled from
  /// the sources (about 20 s: an installed binary, or a library edited and not built again).
  private func leNetKit() throws(CompileError) -> Library {
    let sources = try librarySources()
    if let build = workspace.packageBuild, let module = build.modulePath,
      let objects = build.objects(of: sources.map { workspace.root + "/" + $0 })
    {
      do {
        return try linkedLibrary(module: module, objects: objects)
      } catch {
        status(
          "Could not link the package's LeNetKit build at \(build.directory) (\(error));"
            + " compiling LeNetKit from the sources instead.")
      }
    }
    return try compiledLibrary(sources: sources)
  }

  /// The LeNetKit sources, relative to the root; there must be some.
  private func librarySources() throws(CompileError) -> [String] {
    let sources = workspace.librarySources()
    guard !sources.isEmpty else { throw .noLibrarySources(workspace.root + "/Sources/LeNetKit") }
    return sources
  }

  /// Flags that link the package build's LeNetKit objects into a shared library.
  static let linkFlags = ["-emit-library", "-module-name", "LeNetKit"]

  /// The package build's LeNetKit, linked into the cache: the module is copied and the objects
  /// linked, so a later `swift build` cannot change an entry in use. Keyed by the size and time
  /// of each file it copies (hashing 8 MB of objects on every start would cost more than the
  /// link saves on a warm one), so a rebuilt library is a new entry.
  private func linkedLibrary(module: String, objects: [String]) throws(CompileError) -> Library {
    func key() throws(CompileError) -> String {
      var hasher = CacheKey()
      hasher.update(field: "lenet-tutor package library v1")
      hasher.update(field: try compilerVersion())
      for flag in Self.linkFlags { hasher.update(field: flag) }
      for path in [module] + objects {
        hasher.update(field: "\(path) \(Self.fileStamp(path))")
      }
      return hasher.hexDigest()
    }
    let hash = try key()
    var library = try cachedLibrary(hash: hash) { temporary throws(CompileError) in
      do {
        try FileManager.default.copyItem(
          atPath: module, toPath: temporary + "/LeNetKit.swiftmodule")
      } catch {
        throw .cacheUnwritable(temporary, "\(error)")
      }
      let result = try link(
        Self.linkFlags + ["-o", temporary + "/libLeNetKit.so"] + objects + ["-lz"])
      guard result.termination == .exited(0) else {
        throw .compilerFailed(command: "swiftc (linking LeNetKit)", output: result.output)
      }
      // A `swift build` that rewrote the objects meanwhile may have left a mixed library.
      guard try key() == hash else {
        throw .compilerFailed(
          command: "swiftc (linking LeNetKit)", output: "the package build changed while linking")
      }
    }
    library.fromPackageBuild = true
    return library
  }

  /// LeNetKit compiled from the sources into the cache, with the package's optimization.
  private func compiledLibrary(sources given: [String]? = nil) throws(CompileError) -> Library {
    let sources: [String]
    if let given { sources = given } else { sources = try librarySources() }
    var hasher = CacheKey()
    hasher.update(field: "lenet-tutor library v2")
    hasher.update(field: try compilerVersion())
    for flag in Self.libraryFlags { hasher.update(field: flag) }
    for path in sources + ["Sources/CZlib/module.modulemap", "Sources/CZlib/shim.h"] {
      hasher.update(field: path)
      hasher.update(
        [UInt8](FileManager.default.contents(atPath: workspace.root + "/" + path) ?? Data()))
    }
    return try cachedLibrary(hash: hasher.hexDigest()) { temporary throws(CompileError) in
      // One swiftc process on one core: 36 s of CPU on the 2-core machine the course is tested
      // on (34-38 s wall at load 2-3), so "about 10 s" was a promise it did not keep.
      status(
        "Compiling LeNetKit for the lessons (once per change to the library; 30 s to a minute)…")
      let result = try link(
        Self.libraryFlags + [
          "-I", workspace.root + "/Sources/CZlib",
          "-o", temporary + "/libLeNetKit.so",
          "-emit-module-path", temporary + "/LeNetKit.swiftmodule",
        ] + sources.map { workspace.root + "/" + $0 } + ["-lz"])
      guard result.termination == .exited(0) else {
        throw .compilerFailed(command: "swiftc (LeNetKit)", output: result.output)
      }
    }
  }

  /// The library entry `library/<hash>`, made by `build` (which writes `libLeNetKit.so` and
  /// `LeNetKit.swiftmodule` into the folder it is given) when the cache has no intact one.
  /// A lock file makes parallel first runs build it once, not once each.
  private func cachedLibrary(
    hash: String, build: (String) throws(CompileError) -> Void
  ) throws(CompileError) -> Library {
    let base = workspace.cacheDirectory + "/library"
    let directory = base + "/" + hash
    let files = ["libLeNetKit.so", "LeNetKit.swiftmodule"]
    let isComplete = { Self.isIntact(directory, files: files) }
    if isComplete() {
      Self.markUsed(directory)
      return Library(directory: directory, hash: hash, compiledNow: false)
    }

    try makeDirectory(base)
    let lockDescriptor = try lock(base + "/.lock")
    defer { close(lockDescriptor) }
    if isComplete() {
      Self.markUsed(directory)
      return Library(directory: directory, hash: hash, compiledNow: false)
    }
    if FileManager.default.fileExists(atPath: directory) {
      status("The cached LeNetKit build at \(directory) is damaged; building it again.")
      discard(directory, in: base, as: .damaged)
    }
    let temporary = try makeTemporaryDirectory(in: base)
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    try build(temporary)
    try writeManifest(temporary, files: files)
    try publish(temporary, as: hash, in: base, keeping: Self.keptLibraries)
    return Library(directory: directory, hash: hash, compiledNow: true)
  }

  /// How many library entries the cache keeps: each is 5 to 10 MB, and every edit of LeNetKit
  /// (or `swift build` of an edit) makes a new one, so an unpruned cache grows without end.
  /// A few cover switching between branches and the whole-module library beside the package's.
  static let keptLibraries = 4

  /// How many prelude entries the cache keeps: one is built for each library (and each change
  /// of `Prelude.source`), so as many as the libraries kept.
  static let keptPreludes = keptLibraries

  /// How many chapter programs the cache keeps: each is about 100 KB, and every edit of an
  /// exercise makes a new one. Enough for every chapter of the course as shipped, with the
  /// solutions, and a learner's versions of each, across a few libraries.
  static let keptChapters = 256

  /// How recently an entry beyond the most recently used ones must have been used to be kept:
  /// a run that is still using it (a long lesson, a class being graded) never loses it.
  static let gracePeriod: TimeInterval = 3600

  /// Records that the entry at `directory` was used now, in its folder's time, which is what
  /// `prune` ranks entries by.
  static func markUsed(_ directory: String) {
    try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: directory)
  }

  /// Deletes the entries in `base` beyond the `count` most recently used, except those used
  /// within `gracePeriod` of `now` and the one named `inUse` (the caller's own), and
  /// the leftovers of runs that stopped (a build's `tmp-…`, an entry set aside and not deleted)
  /// older than `gracePeriod`. Each entry is renamed aside before it is deleted (`discard`), so
  /// a run never finds one half-deleted, and a run that looks for a pruned entry builds it
  /// again. The caller holds the folder's prune lock, so two runs never prune one folder at
  /// once.
  func prune(in base: String, keeping count: Int, now: Date, inUse: String? = nil) {
    let manager = FileManager.default
    var entries: [(name: String, used: Date)] = []
    for name in (try? manager.contentsOfDirectory(atPath: base)) ?? [] {
      let used = PackageBuild.modificationTime(base + "/" + name) ?? .distantPast
      if name.count == 64 && name.allSatisfy(\.isHexDigit) {
        entries.append((name, used))
      } else if Self.leftoverPrefixes.contains(where: name.hasPrefix),
        now.timeIntervalSince(used) > Self.gracePeriod
      {
        try? manager.removeItem(atPath: base + "/" + name)
      }
    }
    entries.sort { $0.used > $1.used }
    for entry in entries.dropFirst(count)
    where now.timeIntervalSince(entry.used) > Self.gracePeriod && entry.name != inUse {
      discard(base + "/" + entry.name, in: base, as: .pruned)
    }
  }

  /// The names of folders a run leaves only when it stops half-way: a build in progress, an
  /// entry set aside to be deleted.
  static let leftoverPrefixes = ["tmp-"] + Discarded.allCases.map { $0.rawValue + "-" }

  /// Compiles `program` against the library, or finds it in the cache. Compile errors are a
  /// `.chapterDoesNotCompile` error carrying the compiler's messages (they name the chapter).
  public func compile(_ program: ChapterProgram, library: Library) throws(CompileError)
    -> Executable
  {
    var hasher = CacheKey()
    hasher.update(field: "lenet-tutor chapter v2")
    hasher.update(field: library.hash)
    hasher.update(field: library.preludeDirectory)
    for flag in Self.flags(for: program) { hasher.update(field: flag) }
    hasher.update(field: program.main)
    let base = workspace.cacheDirectory + "/chapters"
    let hash = hasher.hexDigest()
    let directory = base + "/" + hash
    let executable = directory + "/chapter"
    if Self.isIntact(directory, files: ["chapter"]) {
      Self.markUsed(directory)
      return Executable(path: executable, compiledNow: false)
    }
    try makeDirectory(base)
    // Runs that need the same program at once (the tests, a class's identical submissions)
    // compile it once: the others wait, then find it. One lock per first two digits of the
    // hash keeps the lock files few; two different programs rarely share one.
    let lockDescriptor = try lock(base + "/.lock-" + hash.prefix(2))
    defer { close(lockDescriptor) }
    if Self.isIntact(directory, files: ["chapter"]) {
      Self.markUsed(directory)
      return Executable(path: executable, compiledNow: false)
    }
    if FileManager.default.fileExists(atPath: directory) {
      discard(directory, in: base, as: .damaged)
    }
    let temporary = try makeTemporaryDirectory(in: base)
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    do {
      try Data(program.main.utf8).write(to: URL(fileURLWithPath: temporary + "/main.swift"))
    } catch {
      throw .cacheUnwritable(temporary, "\(error)")
    }
    let result = try link(
      Self.flags(for: program) + [
        "-I", library.directory, "-I", workspace.root + "/Sources/CZlib",
        "-I", library.preludeDirectory,
        "-L", library.directory, "-lLeNetKit", "-L", library.preludeDirectory, "-lLessonPrelude",
        "-Xlinker", "-rpath", "-Xlinker", library.directory,
        "-Xlinker", "-rpath", "-Xlinker", library.preludeDirectory,
        temporary + "/main.swift",
        "-o", temporary + "/chapter",
      ])
    guard result.termination == .exited(0) else {
      // Errors outside any cell name the generated file, which is about to be deleted.
      let output = result.output.replacingOccurrences(
        of: temporary + "/", with: "<chapter program>/")
      throw .chapterDoesNotCompile(output)
    }
    try writeManifest(temporary, files: ["chapter"])
    try publish(temporary, as: hash, in: base, keeping: Self.keptChapters)
    return Executable(path: executable, compiledNow: true)
  }

  /// The compiler's messages for one unit's code parsed alone (empty when it parses): a syntax
  /// error such as a missing `}` is then reported inside that unit, not at the end of the
  /// program it would swallow. Messages past the code's end name `ChapterCompiler.alone`.
  func parseAlone(_ unit: ChapterProgram.Unit) throws(CompileError) -> String {
    let base = workspace.cacheDirectory + "/chapters"
    try makeDirectory(base)
    let temporary = try makeTemporaryDirectory(in: base)
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let file = temporary + "/main.swift"
    let source =
      "#sourceLocation(file: \"\(ChapterProgram.escaped(unit.location.path))\","
      + " line: \(unit.location.line))\n\(unit.code)\n"
    do {
      try Data(source.utf8).write(to: URL(fileURLWithPath: file))
    } catch {
      throw .cacheUnwritable(temporary, "\(error)")
    }
    let result = try run(["-parse", "-diagnostic-style=llvm", file])
    if result.termination == .exited(0) { return "" }
    return result.output.replacingOccurrences(of: file, with: Self.alone)
  }

  /// The name that `parseAlone` gives its generated file in messages.
  static let alone = "<cell parsed alone>"

  /// Runs the compiler to build a library or a program: `run` with `linkerFlags`.
  private func link(_ arguments: [String]) throws(CompileError) -> Subprocess.Result {
    try run(Self.linkerFlags(besides: workspace.swiftc) + arguments)
  }

  /// `-use-ld=lld` when the toolchain of `swiftc` (its links followed) ships `ld.lld` beside it,
  /// as Swift's Linux toolchains do; otherwise nothing, and the driver's default linker (gold).
  /// With lld a small chapter compiles in 0.26 s where gold takes 0.31 (Docs/training.md, issue
  /// 13), and the tests compile a hundred. Asking the toolchain, not trying lld and falling back
  /// to gold, keeps one link per program. The linker is not part of the cache keys: the two
  /// link the same objects into programs that behave the same, and a new key would make every
  /// learner compile every chapter again.
  static func linkerFlags(besides swiftc: String) -> [String] {
    #if os(Linux)
      let directory = (PackageBuild.resolved(swiftc) as NSString).deletingLastPathComponent
      return FileManager.default.isExecutableFile(atPath: directory + "/ld.lld")
        ? ["-use-ld=lld"] : []
    #else
      return []
    #endif
  }

  private func run(_ arguments: [String]) throws(CompileError) -> Subprocess.Result {
    do {
      return try Subprocess.run(
        workspace.swiftc, arguments, environment: ProcessInfo.processInfo.environment)
    } catch {
      throw .compilerFailed(command: workspace.swiftc, output: error.reason)
    }
  }

  private func makeDirectory(_ path: String) throws(CompileError) {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw .cacheUnwritable(path, "\(error.localizedDescription)")
    }
  }

  /// Takes the exclusive lock on the file at `path` (made if needed), waiting for another run
  /// or thread that holds it; closing the returned descriptor releases it.
  private func lock(_ path: String) throws(CompileError) -> Int32 {
    let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .cacheUnwritable(path, String(cString: strerror(errno)))
    }
    while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    return descriptor
  }

  /// The exclusive lock on the file at `path` if no one holds it, else nil (never waits); closing
  /// the returned descriptor releases it.
  private func lockIfFree(_ path: String) -> Int32? {
    let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return nil }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      return nil
    }
    return descriptor
  }

  private func makeTemporaryDirectory(in base: String) throws(CompileError) -> String {
    let path = base + "/tmp-" + UUID().uuidString
    try makeDirectory(path)
    return path
  }

  /// The name of an entry's manifest: one `name size sha256` line per file it provides.
  static let manifestName = "manifest"

  /// The manifest line of the file at `path`, nil when it cannot be read.
  private static func manifestLine(name: String, path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return "\(name) \(data.count) \(SHA256.hexadecimal(of: [UInt8](data)))"
  }

  /// Writes the manifest of `files` in `folder` (before it is published).
  private func writeManifest(_ folder: String, files: [String]) throws(CompileError) {
    var lines: [String] = []
    for name in files {
      guard let line = Self.manifestLine(name: name, path: folder + "/" + name) else {
        throw .cacheUnwritable(folder + "/" + name, "the compiler did not write it")
      }
      lines.append(line)
    }
    do {
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(
        to: URL(fileURLWithPath: folder + "/" + Self.manifestName))
    } catch {
      throw .cacheUnwritable(folder, "\(error)")
    }
  }

  /// Whether `folder` is a published entry whose `files` still have the size and hash its
  /// manifest recorded. A file `verified` already hashed to its manifest line in this process
  /// is not hashed again while its stamp (`VerifiedFiles.stamp`: size, modification and change
  /// times, inode) is unchanged: the library's 4 MB file was hashed once per chapter compile or
  /// run, which the processes that compile or run many chapters (the tests, `grade`, `book`,
  /// `watch`) repeated; a `lesson` or `check` of one chapter hashes it once either way. A
  /// change made through the file system (a truncation, a write over the file even with its
  /// modification time set back, an entry built again in its place) changes the stamp, so it
  /// is still found; bytes that change on the disk without a write (silent corruption) keep
  /// it, and are found by the next process, which hashes every file once.
  static func isIntact(
    _ folder: String, files: [String], verified: VerifiedFiles = .inThisProcess
  ) -> Bool {
    guard let data = FileManager.default.contents(atPath: folder + "/" + manifestName) else {
      return false
    }
    let recorded = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    guard recorded.count == files.count else { return false }
    for (name, line) in zip(files, recorded) {
      // The size first: a truncated file is found without reading it.
      let path = folder + "/" + name
      let fields = line.split(separator: " ")
      guard fields.count == 3, fields[0] == name, let stamp = VerifiedFiles.stamp(path),
        stamp.size == Int(fields[1])
      else { return false }
      if verified.matches(path, line: line, stamp: stamp.text) { continue }
      guard manifestLine(name: name, path: path) == line else {
        verified.forget(path)
        return false
      }
      verified.record(path, line: line, stamp: stamp.text)
    }
    return true
  }

  /// The cache files found intact by hashing (`isIntact`), by path: the manifest line each
  /// matched and the file's stamp when it was hashed.
  final class VerifiedFiles: @unchecked Sendable {
    /// The memo of the whole process, which every compiler shares.
    static let inThisProcess = VerifiedFiles()

    private let lock = NSLock()
    private var entries: [String: (line: String, stamp: String)] = [:]
    private var recordedCount = 0

    /// How many times a file was hashed and found to match its manifest line: what the tests
    /// count.
    var verifications: Int { lock.withLock { recordedCount } }

    /// The size of the file at `path` and its stamp, "size modified changed inode device"
    /// (times in seconds and nanoseconds), from `stat(2)`, taken before it is hashed; nil when
    /// it cannot be read. The change time (ctime) is the kernel's: every write and every
    /// `utimes` sets it to now, and no call sets it back, so a file written over with the same
    /// size and its modification time set back to the verified one still gets a new stamp.
    static func stamp(_ path: String) -> (size: Int, text: String)? {
      var status = stat()
      guard stat(path, &status) == 0 else { return nil }
      #if canImport(Darwin)
        let (modified, changed) = (status.st_mtimespec, status.st_ctimespec)
      #else
        let (modified, changed) = (status.st_mtim, status.st_ctim)
      #endif
      let text =
        "\(status.st_size) \(modified.tv_sec).\(modified.tv_nsec)"
        + " \(changed.tv_sec).\(changed.tv_nsec) \(status.st_ino) \(status.st_dev)"
      return (Int(status.st_size), text)
    }

    /// Whether `path` was hashed to `line` when its stamp was `stamp`.
    func matches(_ path: String, line: String, stamp: String) -> Bool {
      lock.withLock { entries[path].map { $0.line == line && $0.stamp == stamp } ?? false }
    }

    func record(_ path: String, line: String, stamp: String) {
      lock.withLock {
        entries[path] = (line, stamp)
        recordedCount += 1
      }
    }

    func forget(_ path: String) {
      _ = lock.withLock { entries.removeValue(forKey: path) }
    }
  }

  /// Why an entry is set aside, which names the folder it is renamed to (`damaged-…`).
  enum Discarded: String, CaseIterable {
    /// Its files no longer match its manifest.
    case damaged
    /// It is beyond the few most recently used (`prune`).
    case pruned
  }

  /// Sets an entry aside (renamed first, so no run picks it up half-deleted), then deletes it.
  private func discard(_ folder: String, in base: String, as reason: Discarded) {
    let aside = base + "/" + reason.rawValue + "-" + UUID().uuidString
    if rename(folder, aside) == 0 {
      try? FileManager.default.removeItem(atPath: aside)
    }
  }

  /// Renames `temporary` to the entry `name` in `base` (if another run published it first,
  /// keeps theirs) and marks it used, then prunes `base` to the `count` most recently used
  /// entries (`prune`), unless another run is pruning it right now: the one home of the keep
  /// rule, for the library, the prelude and the chapters alike.
  private func publish(_ temporary: String, as name: String, in base: String, keeping count: Int)
    throws(CompileError)
  {
    let final = base + "/" + name
    if rename(temporary, final) != 0 {
      let reason = String(cString: strerror(errno))
      guard FileManager.default.fileExists(atPath: final) else {
        throw .cacheUnwritable(final, reason)
      }
    }
    Self.markUsed(final)
    guard let pruneLock = lockIfFree(base + "/.prune-lock") else { return }
    defer { close(pruneLock) }
    prune(in: base, keeping: count, now: Date(), inUse: name)
  }
}

/// Compiling failed for a reason other than the chapter's own code, or the chapter's code does
/// not compile.
public enum CompileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The chapter's cells do not compile; the compiler's messages point at the chapter's lines.
  case chapterDoesNotCompile(String)
  /// LeNetKit or `swiftc --version` failed: the toolchain or the library is broken.
  case compilerFailed(command: String, output: String)
  /// There are no LeNetKit sources where the workspace says.
  case noLibrarySources(String)
  /// The cache folder cannot be written.
  case cacheUnwritable(String, String)

  public var description: String {
    switch self {
    case .chapterDoesNotCompile(let output): output
    case .compilerFailed(let command, let output):
      "\(command) failed (fix: check that `swift build` works in this checkout):\n\(output)"
    case .noLibrarySources(let path):
      "no Swift files in \(path) (fix: set LENET_TUTOR_ROOT to a lenet-tutor checkout)"
    case .cacheUnwritable(let path, let reason):
      "cannot write the compile cache at \(path): \(reason)"
        + " (fix: set LENET_TUTOR_CACHE to a writable folder)"
    }
  }
}
