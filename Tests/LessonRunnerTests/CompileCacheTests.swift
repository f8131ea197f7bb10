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
}
