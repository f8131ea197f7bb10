import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

@testable import LessonRunner

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the compile cache spares: work done once per process or per content, not once per test
/// or per runner.
@Suite("The compile cache")
struct CompileCacheTests {
  /// A stand-in `swiftc` that appends a line to `calls` each time it starts and prints a
  /// version: the count of its lines is the count of compiler starts.
  struct CountingCompiler {
    let path: String
    let calls: String

    init() throws {
      let folder = try temporaryDirectory()
      path = folder + "/swiftc"
      calls = folder + "/calls"
      try writeStandInProgram(
        "#!/bin/sh\necho started >> '\(calls)'\necho 'Swift version 0.0-test'\n", to: path)
    }

    var starts: Int {
      let text = (try? String(contentsOfFile: calls, encoding: .utf8)) ?? ""
      return text.split(separator: "\n").count
    }
  }

  @Test func theCompilerVersionIsAskedOncePerProcessNotOncePerRunner() throws {
    let compiler = try CountingCompiler()
    var workspace = try testWorkspace()
    workspace.swiftc = compiler.path
    workspace.cacheDirectory = try temporaryDirectory()
    for _ in 0..<3 {
      let version = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
      #expect(version == "Swift version 0.0-test\n")
    }
    #expect(compiler.starts == 1)
    // A compiler installed over the old one (another time) is asked again.
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: compiler.path)
    _ = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
    #expect(compiler.starts == 2)
  }

  /// A workspace whose compiler is `compiler` and whose cache is a new empty folder, with the
  /// path of the compiler's version record in it.
  func workspace(for compiler: CountingCompiler) throws -> (workspace: Workspace, record: String) {
    var workspace = try testWorkspace()
    workspace.swiftc = compiler.path
    workspace.cacheDirectory = try temporaryDirectory()
    let identity = ChapterCompiler.fileIdentity(compiler.path)
    let record =
      workspace.cacheDirectory + "/compilers/" + SHA256.hexadecimal(of: Array(identity.utf8))
    return (workspace, record)
  }

  @Test func theCompilerVersionIsKeptInTheCacheForTheNextProcess() throws {
    let compiler = try CountingCompiler()
    let (workspace, record) = try workspace(for: compiler)
    _ = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
    #expect(compiler.starts == 1)
    let text = try String(contentsOfFile: record, encoding: .utf8)
    #expect(text == ChapterCompiler.fileIdentity(compiler.path) + "\nSwift version 0.0-test\n")
  }

  @Test func aNewProcessReadsTheVersionFromTheCacheWithoutStartingTheCompiler() throws {
    let compiler = try CountingCompiler()
    let (workspace, record) = try workspace(for: compiler)
    // What an earlier process wrote; this process has not asked this compiler yet.
    ChapterCompiler.storeVersion(
      "Swift version 9.9-kept\n", of: ChapterCompiler.fileIdentity(compiler.path), in: record)
    let version = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
    #expect(version == "Swift version 9.9-kept\n")
    #expect(compiler.starts == 0)
  }

  @Test func aVersionRecordOfAnotherCompilerIsNotUsed() throws {
    let compiler = try CountingCompiler()
    let (workspace, record) = try workspace(for: compiler)
    // A record at this compiler's name that names another file (or another time of it).
    ChapterCompiler.storeVersion(
      "Swift version 9.9-other\n", of: "/elsewhere/swiftc 1 2", in: record)
    let version = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
    #expect(version == "Swift version 0.0-test\n")
    #expect(compiler.starts == 1)
  }

  @Test func aProxyThatPicksAToolchainWhenItRunsIsAskedInEachProcess() throws {
    let compiler = try CountingCompiler()
    // swiftly's layout: `swiftc` is a link to the `swiftly` program, which runs the toolchain
    // chosen by `swiftly use`, so the same file can answer another version tomorrow.
    let folder = try temporaryDirectory()
    let proxy = folder + "/swiftly"
    // Copied as a stand-in program, not with `copyItem`: a write handle in this process can
    // make running it fail with "Text file busy" (`writeStandInProgram`).
    try writeStandInProgram(String(contentsOfFile: compiler.path, encoding: .utf8), to: proxy)
    let link = folder + "/swiftc"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: proxy)
    #expect(!ChapterCompiler.isDriver(link))
    #expect(ChapterCompiler.isDriver(compiler.path))
    var workspace = try testWorkspace()
    workspace.swiftc = link
    workspace.cacheDirectory = try temporaryDirectory()
    _ = try ChapterCompiler(workspace: workspace, status: { _ in }).compilerVersion()
    #expect(compiler.starts == 1)
    let records = try? FileManager.default.contentsOfDirectory(
      atPath: workspace.cacheDirectory + "/compilers")
    #expect((records ?? []).isEmpty, "a proxy's version is not kept for the next process")
  }

  @Test func programsLinkWithLLDOnlyWhenTheToolchainShipsItBesideSwiftc() throws {
    // A toolchain's layout: `swiftc` a link to `swift-driver`, and `PATH` naming a folder of
    // links into it.
    let toolchain = try temporaryDirectory()
    try writeStandInProgram("#!/bin/sh\n", to: toolchain + "/swift-driver")
    try FileManager.default.createSymbolicLink(
      atPath: toolchain + "/swiftc", withDestinationPath: toolchain + "/swift-driver")
    let onPath = try temporaryDirectory() + "/swiftc"
    try FileManager.default.createSymbolicLink(
      atPath: onPath, withDestinationPath: toolchain + "/swiftc")
    #expect(ChapterCompiler.linkerFlags(besides: onPath) == [], "no ld.lld: the default linker")
    try FileManager.default.createSymbolicLink(
      atPath: toolchain + "/ld.lld", withDestinationPath: toolchain + "/missing")
    #expect(ChapterCompiler.linkerFlags(besides: onPath) == [], "a link to nothing")
    try FileManager.default.removeItem(atPath: toolchain + "/ld.lld")
    try Data().write(to: URL(fileURLWithPath: toolchain + "/ld.lld"))
    #expect(ChapterCompiler.linkerFlags(besides: onPath) == [], "an ld.lld that cannot run")
    try FileManager.default.removeItem(atPath: toolchain + "/ld.lld")
    try writeStandInProgram("#!/bin/sh\n", to: toolchain + "/ld.lld")
    #if os(Linux)
      #expect(ChapterCompiler.linkerFlags(besides: onPath) == ["-use-ld=lld"])
    #else
      #expect(ChapterCompiler.linkerFlags(besides: onPath) == [], "lld is asked for on Linux only")
    #endif
  }

  /// A cache folder (`library/`, `prelude/` or `chapters/`) holding fake entries (64
  /// hexadecimal digits each) last used the given seconds ago, and a build in progress
  /// (`tmp-…`); returns the folder and names.
  func cacheFolder(_ kind: String = "library", usedSecondsAgo ages: [Double]) throws -> (
    base: String, names: [String]
  ) {
    let base = try temporaryDirectory() + "/" + kind
    let manager = FileManager.default
    try manager.createDirectory(atPath: base + "/tmp-build", withIntermediateDirectories: true)
    let names = ages.indices.map { String(repeating: String(format: "%x", $0 + 1), count: 64) }
    for (name, age) in zip(names, ages) {
      try manager.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: base + "/" + name + "/libLeNetKit.so"))
      try setUsed(base + "/" + name, secondsAgo: age)
    }
    return (base, names)
  }

  /// Sets the folder's time, which the cache reads as when it was last used.
  func setUsed(_ path: String, secondsAgo age: Double) throws {
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
  }

  func contents(_ base: String) throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: base))
  }

  @Test func theCacheKeepsTheFewMostRecentlyUsedEntries() throws {
    let hour = 3600.0
    // Six entries used 2 to 7 hours ago, listed out of order.
    let folder = try cacheFolder(usedSecondsAgo: [5, 2, 7, 3, 6, 4].map { $0 * hour })
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    compiler.prune(in: folder.base, keeping: 4, now: Date())
    // The four used 2, 3, 4 and 5 hours ago stay; a build in progress is not touched.
    #expect(
      try contents(folder.base)
        == Set(
          [folder.names[1], folder.names[3], folder.names[5], folder.names[0]] + ["tmp-build"]))
  }

  @Test func anEntryUsedWithinTheHourIsKeptBeyondTheFew() throws {
    // Six entries used 1 to 6 minutes ago: a run may still be using any of them.
    let folder = try cacheFolder(usedSecondsAgo: [1, 2, 3, 4, 5, 6].map { $0 * 60.0 })
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    compiler.prune(in: folder.base, keeping: 4, now: Date())
    #expect(try contents(folder.base) == Set(folder.names + ["tmp-build"]))
    // Two hours later, the two least recently used go, and so does the build, left by a run
    // that must have stopped.
    compiler.prune(in: folder.base, keeping: 4, now: Date().addingTimeInterval(2 * 3600))
    #expect(try contents(folder.base) == Set(folder.names.prefix(4)))
  }

  @Test func anEntryInUseIsNeverPruned() throws {
    // Three entries used 3, 4 and 5 hours ago, none kept by the count: the one just published
    // (`inUse`) and the one a run has just found (marked used) stay, the third goes.
    let folder = try cacheFolder(usedSecondsAgo: [3, 4, 5].map { $0 * 3600.0 })
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    ChapterCompiler.markUsed(folder.base + "/" + folder.names[2])
    compiler.prune(
      in: folder.base, keeping: 0, now: Date(), inUse: folder.names[1])
    #expect(try contents(folder.base) == [folder.names[1], folder.names[2], "tmp-build"])
  }

  @Test func leftoversOfStoppedRunsGoAfterTheHour() throws {
    // A build and two entries set aside, left two hours ago by runs that stopped; a build
    // still in progress (`tmp-build`, made now) and the lock files stay.
    let folder = try cacheFolder("chapters", usedSecondsAgo: [])
    let manager = FileManager.default
    for name in ["tmp-stopped", "damaged-stopped", "pruned-stopped"] {
      try manager.createDirectory(
        atPath: folder.base + "/" + name, withIntermediateDirectories: true)
      try setUsed(folder.base + "/" + name, secondsAgo: 2 * 3600)
    }
    for name in [".lock-00", ".prune-lock"] {
      try Data().write(to: URL(fileURLWithPath: folder.base + "/" + name))
      try setUsed(folder.base + "/" + name, secondsAgo: 2 * 3600)
    }
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    compiler.prune(in: folder.base, keeping: 4, now: Date())
    #expect(try contents(folder.base) == ["tmp-build", ".lock-00", ".prune-lock"])
  }

  /// A stand-in `swiftc` that writes a file where `-o` and `-emit-module-path` point, as if it
  /// compiled.
  static func writingCompiler() throws -> String {
    let path = try temporaryDirectory() + "/swiftc"
    let script = """
      #!/bin/sh
      while [ $# -gt 0 ]; do
        case "$1" in -o|-emit-module-path) echo built > "$2"; shift;; esac
        shift
      done
      echo 'Swift version 0.0-test'

      """
    try writeStandInProgram(script, to: path)
    return path
  }

  @Test func publishingAChapterOrAPreludePrunesItsFolderByTheSameRule() throws {
    // A cache whose `chapters/` and `prelude/` hold more entries than kept, all used two hours
    // ago and more: compiling one new program prunes `chapters/` to the kept count (the new
    // entry among them); building a new prelude prunes `prelude/` the same way.
    let cache = try temporaryDirectory()
    var workspace = try testWorkspace()
    workspace.cacheDirectory = cache
    workspace.swiftc = try Self.writingCompiler()
    let compiler = ChapterCompiler(workspace: workspace, status: { _ in })
    let manager = FileManager.default
    for (kind, kept) in [
      ("chapters", ChapterCompiler.keptChapters), ("prelude", ChapterCompiler.keptPreludes),
    ] {
      for number in 0..<(kept + 3) {
        let entry = cache + "/" + kind + "/" + String(format: "%064x", number)
        try manager.createDirectory(atPath: entry, withIntermediateDirectories: true)
        try setUsed(entry, secondsAgo: Double(2 * 3600 + number))
      }
    }
    let chapter = try ChapterParser.parse(
      contentsOf: try writeChapter(frontMatter() + "```swift\nprint(1)\n```\n"))
    let library = ChapterCompiler.Library(
      directory: cache + "/library/" + String(repeating: "a", count: 64),
      hash: String(repeating: "a", count: 64), compiledNow: false)
    let executable = try compiler.compile(
      try ChapterProgram(chapter: chapter, solutions: false), library: library)
    let chapters = try contents(cache + "/chapters").filter { !$0.hasPrefix(".") }
    let newEntry = URL(fileURLWithPath: executable.path).deletingLastPathComponent()
      .lastPathComponent
    #expect(chapters.count == ChapterCompiler.keptChapters)
    #expect(chapters.contains(newEntry))
    // The most recently used old entries stay: number 0 (used two hours ago) is kept; the
    // oldest four (the three beyond the count, and the one the new entry displaced) go.
    #expect(chapters.contains(String(format: "%064x", 0)))
    #expect(!chapters.contains(String(format: "%064x", ChapterCompiler.keptChapters - 1)))

    _ = try compiler.library(forSpeed: false)
    let preludes = try contents(cache + "/prelude").filter { !$0.hasPrefix(".") }
    #expect(preludes.count == ChapterCompiler.keptPreludes)
    #expect(preludes.contains(String(format: "%064x", 0)))
  }

  /// An entry folder holding one file, `chapter`, of `bytes`, with the manifest line the cache
  /// writes for it (name, size, SHA-256), as `writeManifest` would.
  static func entry(_ bytes: [UInt8]) throws -> String {
    let folder = try temporaryDirectory()
    try Data(bytes).write(to: URL(fileURLWithPath: folder + "/chapter"))
    let line = "chapter \(bytes.count) \(SHA256.hexadecimal(of: bytes))\n"
    try Data(line.utf8).write(to: URL(fileURLWithPath: folder + "/manifest"))
    return folder
  }

  @Test func aFileVerifiedInThisProcessIsNotHashedAgainWhileUnchanged() throws {
    let folder = try Self.entry([UInt8](repeating: 7, count: 4096))
    let verified = ChapterCompiler.VerifiedFiles()
    for _ in 0..<3 {
      #expect(ChapterCompiler.isIntact(folder, files: ["chapter"], verified: verified))
    }
    #expect(verified.verifications == 1)
  }

  /// The access and modification times of the file at `path`, to the nanosecond.
  static func times(_ path: String) throws -> [timespec] {
    var status = stat()
    try #require(stat(path, &status) == 0, "stat \(path)")
    #if canImport(Darwin)
      return [status.st_atimespec, status.st_mtimespec]
    #else
      return [status.st_atim, status.st_mtim]
    #endif
  }

  /// Sets the access and modification times of the file at `path` (`utimensat(2)`); the kernel
  /// sets its change time to now.
  static func setTimes(_ path: String, _ times: [timespec]) throws {
    try #require(utimensat(AT_FDCWD, path, times, 0) == 0, "utimensat \(path)")
  }

  @Test func aFileDamagedAfterItWasVerifiedIsStillFound() throws {
    let verified = ChapterCompiler.VerifiedFiles()
    let original = [UInt8](repeating: 7, count: 4096)
    var damaged = original
    damaged[100] = 8

    // Written over in place, as the same size, at another time (a copy over it).
    let inPlace = try Self.entry(original)
    #expect(ChapterCompiler.isIntact(inPlace, files: ["chapter"], verified: verified))
    let handle = try #require(FileHandle(forWritingAtPath: inPlace + "/chapter"))
    try handle.seek(toOffset: 100)
    try handle.write(contentsOf: [8])
    try handle.close()
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: inPlace + "/chapter")
    #expect(!ChapterCompiler.isIntact(inPlace, files: ["chapter"], verified: verified))

    // Written over in place, as the same size, with its modification time set back to the
    // verified one to the nanosecond: size, modification time and inode are the verified ones,
    // and only the change time, which the kernel sets and no call sets back, tells.
    let timeSetBack = try Self.entry(original)
    #expect(ChapterCompiler.isIntact(timeSetBack, files: ["chapter"], verified: verified))
    let verifiedTimes = try Self.times(timeSetBack + "/chapter")
    let overwriter = try #require(FileHandle(forWritingAtPath: timeSetBack + "/chapter"))
    try overwriter.seek(toOffset: 100)
    try overwriter.write(contentsOf: [8])
    try overwriter.close()
    try Self.setTimes(timeSetBack + "/chapter", verifiedTimes)
    #expect(try Self.times(timeSetBack + "/chapter")[1].tv_nsec == verifiedTimes[1].tv_nsec)
    #expect(!ChapterCompiler.isIntact(timeSetBack, files: ["chapter"], verified: verified))

    // Replaced by another file of the same size (a new inode) given the old file's
    // modification time: the inode tells, and so does the change time (each alone).
    let replaced = try Self.entry(original)
    #expect(ChapterCompiler.isIntact(replaced, files: ["chapter"], verified: verified))
    let replacedTimes = try Self.times(replaced + "/chapter")
    try Data(damaged).write(to: URL(fileURLWithPath: replaced + "/chapter"), options: .atomic)
    try Self.setTimes(replaced + "/chapter", replacedTimes)
    #expect(!ChapterCompiler.isIntact(replaced, files: ["chapter"], verified: verified))

    // Truncated: found by the size check before the memo is looked at.
    let truncated = try Self.entry(original)
    #expect(ChapterCompiler.isIntact(truncated, files: ["chapter"], verified: verified))
    try CacheIntegrityTests.truncate(truncated + "/chapter")
    #expect(!ChapterCompiler.isIntact(truncated, files: ["chapter"], verified: verified))
    // Each entry was hashed once when intact; the changed files were hashed again (or,
    // truncated, found by their size) and never passed.
    #expect(verified.verifications == 4)
  }
}
