import Foundation
import Testing

@testable import LessonRunner

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
      try Data("#!/bin/sh\necho started >> '\(calls)'\necho 'Swift version 0.0-test'\n".utf8)
        .write(to: URL(fileURLWithPath: path))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
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

  /// A cache folder `library/` holding fake entries (64 hexadecimal digits each) last used
  /// the given seconds ago, and a build in progress (`tmp-…`); returns the folder and names.
  func libraryFolder(usedSecondsAgo ages: [Double]) throws -> (base: String, names: [String]) {
    let base = try temporaryDirectory() + "/library"
    let manager = FileManager.default
    try manager.createDirectory(atPath: base + "/tmp-build", withIntermediateDirectories: true)
    let names = ages.indices.map { String(repeating: String(format: "%x", $0 + 1), count: 64) }
    for (name, age) in zip(names, ages) {
      try manager.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: base + "/" + name + "/libLeNetKit.so"))
      try manager.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: base + "/" + name)
    }
    return (base, names)
  }

  @Test func theLibraryCacheKeepsTheFewMostRecentlyUsedEntries() throws {
    let hour = 3600.0
    // Six entries used 2 to 7 hours ago, listed out of order.
    let folder = try libraryFolder(usedSecondsAgo: [5, 2, 7, 3, 6, 4].map { $0 * hour })
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    compiler.pruneLibraries(in: folder.base, now: Date())
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.base))
    // The four used 2, 3, 4 and 5 hours ago stay; a build in progress is not touched.
    #expect(
      left
        == Set(
          [folder.names[1], folder.names[3], folder.names[5], folder.names[0]] + ["tmp-build"]))
  }

  @Test func aLibraryUsedWithinTheHourIsKeptBeyondTheFew() throws {
    // Six entries used 1 to 6 minutes ago: a run may still be using any of them.
    let folder = try libraryFolder(usedSecondsAgo: [1, 2, 3, 4, 5, 6].map { $0 * 60.0 })
    let compiler = ChapterCompiler(workspace: try testWorkspace(), status: { _ in })
    compiler.pruneLibraries(in: folder.base, now: Date())
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.base))
    #expect(left == Set(folder.names + ["tmp-build"]))
    // An hour later, the two least recently used go.
    compiler.pruneLibraries(in: folder.base, now: Date().addingTimeInterval(2 * 3600))
    let later = Set(try FileManager.default.contentsOfDirectory(atPath: folder.base))
    #expect(later == Set(folder.names.prefix(4) + ["tmp-build"]))
  }
}
