import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

@testable import LessonRunner

/// The chapters link the package's own build of LeNetKit when it is of the very sources the
/// workspace names, and compile the library from the sources otherwise.
@Suite("The package build of LeNetKit")
struct PackageBuildTests {
  /// A products folder as SwiftPM writes it (`Modules/LeNetKit.swiftmodule`,
  /// `LeNetKit.build/output-file-map.json`) for two sources, with files whose times are set:
  /// each source at `sourceAge` seconds ago, each object at `objectAge`, and the dependency
  /// records and diagnostics file of each compile at `recordAge` (`objectAge` when nil).
  struct FakeBuild {
    let build: PackageBuild
    let sources: [String]
    let objects: [String]
    /// The files besides the object that each compile writes, per source (or the one compile).
    let records: [[String]]

    init(
      sourceAge: Double = 100, objectAge: Double = 50, recordAge: Double? = nil,
      wholeModule: Bool = false
    ) throws {
      let root = try temporaryDirectory()
      let directory = root + "/.build/debug"
      let manager = FileManager.default
      try manager.createDirectory(
        atPath: directory + "/LeNetKit.build", withIntermediateDirectories: true)
      try manager.createDirectory(
        atPath: directory + "/Modules", withIntermediateDirectories: true)
      try manager.createDirectory(
        atPath: root + "/Sources/LeNetKit", withIntermediateDirectories: true)
      try Data("module".utf8).write(
        to: URL(fileURLWithPath: directory + "/Modules/LeNetKit.swiftmodule"))
      sources = ["A", "B"].map { root + "/Sources/LeNetKit/\($0).swift" }
      let compiles = wholeModule ? ["LeNetKit"] : ["A", "B"]
      let objects = compiles.map {
        directory + "/LeNetKit.build/\($0)" + (wholeModule ? ".o" : ".swift.o")
      }
      let records = compiles.map { name in
        [".swiftdeps", ".d", ".dia"].map { directory + "/LeNetKit.build/" + name + $0 }
      }
      self.objects = objects
      self.records = records
      func entry(_ compile: Int) -> [String: String] {
        [
          "object": objects[compile], "swift-dependencies": records[compile][0],
          "dependencies": records[compile][1], "diagnostics": records[compile][2],
        ]
      }
      var map: [String: [String: String]] = [:]
      for (index, source) in sources.enumerated() {
        map[source] = wholeModule ? [:] : entry(index)
      }
      map[""] = wholeModule ? entry(0) : [:]
      try JSONSerialization.data(withJSONObject: map).write(
        to: URL(fileURLWithPath: directory + "/LeNetKit.build/output-file-map.json"))
      let now = Date()
      for (paths, age) in [
        (sources, sourceAge), (objects, objectAge),
        (records.flatMap { $0 }, recordAge ?? objectAge),
      ] {
        for path in paths {
          try Data("x".utf8).write(to: URL(fileURLWithPath: path))
          try manager.setAttributes(
            [.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: path)
        }
      }
      build = PackageBuild(directory: directory)
    }
  }

  @Test func aBuildNewerThanItsSourcesGivesItsObjects() throws {
    let fake = try FakeBuild()
    #expect(fake.build.modulePath == fake.build.directory + "/Modules/LeNetKit.swiftmodule")
    #expect(fake.build.objects(of: fake.sources) == fake.objects)
    // The order is the sources' order, whatever the map's.
    #expect(fake.build.objects(of: fake.sources.reversed()) == fake.objects.reversed())
  }

  @Test func aSourceEditedSinceTheBuildMakesItStale() throws {
    let fake = try FakeBuild()
    try FileManager.default.setAttributes(
      [.modificationDate: Date()], ofItemAtPath: fake.sources[1])
    #expect(fake.build.objects(of: fake.sources) == nil)
  }

  @Test func anEditThatLeftTheObjectUnchangedKeepsTheBuildCurrent() throws {
    // A comment edited (or the same text checked out again): the compile ran after the edit
    // and wrote its diagnostics and dependency records, but the object's content did not
    // change, so the compiler left it with its old time, older than the source.
    let fake = try FakeBuild(sourceAge: 100, objectAge: 200, recordAge: 50)
    #expect(fake.build.objects(of: fake.sources) == fake.objects)
    let whole = try FakeBuild(sourceAge: 100, objectAge: 200, recordAge: 50, wholeModule: true)
    #expect(whole.build.objects(of: whole.sources) == whole.objects)
  }

  @Test func aSourceNewerThanEveryOutputOfItsCompileIsStale() throws {
    // The build stopped before compiling it (another file's error), or it was never built
    // again: the object and all its compile's records are older than the edit.
    let fake = try FakeBuild(sourceAge: 100, objectAge: 300, recordAge: 200)
    #expect(fake.build.objects(of: fake.sources) == nil)
    // One source newer than its own compile is enough, though the other's compile is newer.
    let mixed = try FakeBuild(sourceAge: 100, objectAge: 200, recordAge: 50)
    for path in [mixed.objects[1]] + mixed.records[1] {
      try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-150)], ofItemAtPath: path)
    }
    #expect(mixed.build.objects(of: mixed.sources) == nil)
  }

  @Test func aBuildOfOtherSourcesIsNotUsed() throws {
    let fake = try FakeBuild()
    // A source added since the build, and a checkout with fewer files.
    #expect(fake.build.objects(of: fake.sources + [fake.sources[0] + ".new.swift"]) == nil)
    #expect(fake.build.objects(of: [fake.sources[0]]) == nil)
  }

  @Test func aMissingObjectMakesItUnusable() throws {
    let fake = try FakeBuild()
    try FileManager.default.removeItem(atPath: fake.objects[0])
    #expect(fake.build.objects(of: fake.sources) == nil)
  }

  @Test func aWholeModuleBuildGivesItsOneObject() throws {
    let fake = try FakeBuild(wholeModule: true)
    #expect(fake.build.objects(of: fake.sources) == fake.objects)
    let stale = try FakeBuild(sourceAge: 10, objectAge: 20, wholeModule: true)
    #expect(stale.build.objects(of: stale.sources) == nil)
  }

  @Test func aFolderWithoutALeNetKitBuildIsNoPackageBuild() throws {
    let folder = try temporaryDirectory()
    #expect(PackageBuild.find(besideExecutable: folder + "/lenet-tutor") == nil)
    #expect(PackageBuild.find(besideExecutable: nil) == nil)
    let fake = try FakeBuild()
    #expect(
      PackageBuild.find(besideExecutable: fake.build.directory + "/lenet-tutor") == fake.build)
  }

  @Test func theTestsRunChaptersOnThePackageBuild() async throws {
    // `swift test` runs from the products folder that holds this package's LeNetKit build.
    let workspace = try testWorkspace()
    let build = try #require(workspace.packageBuild)
    #expect(FileManager.default.fileExists(atPath: build.outputFileMapPath))
    let runner = ChapterRunner(workspace: workspace, status: { _ in })
    let library = try await chapterWork { try runner.compiler.library() }
    #expect(library.fromPackageBuild)
    let path = try writeChapter(
      frontMatter() + "```swift\ncheck(\"C1 parameters\", Conv2D(\"C1\", inputChannels: 1,"
        + " outputChannels: 6, kernelSize: 5).parameterCount, equals: 156)\n```\n")
    // 156 = 6 · (5 · 5 + 1): LeCun et al. 1998, section II.B (C1).
    let report = try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: path), solutions: false)
    #expect(report.verdicts.map(\.status) == [.passed], "\(report.verdicts.map(\.text))")
  }

  @Test func aCheckoutWhoseLibraryIsNotThePackageBuildsCompilesItFromItsSources() async throws {
    // Another checkout (an installed binary pointed at it through LENET_TUTOR_ROOT): its
    // LeNetKit is not what this package built, so it is compiled from its own sources. A
    // library of one small file keeps the compile to a second or two.
    let root = try temporaryDirectory()
    let manager = FileManager.default
    try manager.createDirectory(
      atPath: root + "/Sources/LeNetKit", withIntermediateDirectories: true)
    try manager.createSymbolicLink(
      atPath: root + "/Sources/CZlib", withDestinationPath: packageRoot + "/Sources/CZlib")
    try Data("// a test checkout\n".utf8).write(to: URL(fileURLWithPath: root + "/Package.swift"))
    try Data(
      """
      /// Just what the prelude's tensor check reads.
      public struct Tensor {
        public var shape: [Int]
        public var scalars: [Float]
        public var count: Int { scalars.count }
      }
      /// A function of this library alone, for the chapter to call.
      public func smallLibraryAnswer() -> Int { 42 }

      """.utf8
    ).write(to: URL(fileURLWithPath: root + "/Sources/LeNetKit/Tensor.swift"))
    var environment = ProcessInfo.processInfo.environment
    environment["LENET_TUTOR_ROOT"] = root
    environment["LENET_TUTOR_CACHE"] = root + "/cache"
    let workspace = try Workspace.locate(environment: environment)
    #expect(workspace.packageBuild != nil)
    var messages: [String] = []
    let runner = ChapterRunner(workspace: workspace, status: { messages.append($0) })
    let library = try await chapterWork { try runner.compiler.library() }
    #expect(!library.fromPackageBuild)
    // The estimate is what the whole library took on this project's 2-core machine, measured
    // with LENET_TUTOR_PACKAGE_BUILD=none and an empty cache (37 and 38 s wall, 36 s CPU).
    #expect(
      messages.first
        == "Compiling LeNetKit for the lessons (once per change to the library; 30 s to a minute)…")
    let path = try writeChapter(
      frontMatter() + "```swift\ncheck(\"answer\", smallLibraryAnswer(), equals: 42)\n```\n")
    let report = try await runner.runAsChapterWork(
      try ChapterParser.parse(contentsOf: path), solutions: false)
    #expect(report.verdicts.map(\.status) == [.passed], "\(report.verdicts.map(\.text))")
  }

  @Test func chaptersThatTrainOrAskForSpeedUseTheWholeModuleLibrary() throws {
    func needsFast(_ extra: String) throws -> Bool {
      let chapter = try ChapterParser.parse(
        contentsOf: try writeChapter(frontMatter(extra: extra) + "```swift\nprint(1)\n```\n"))
      let program = try ChapterProgram(chapter: chapter, solutions: false)
      return ChapterRunner.needsFastLibrary(course: chapter, program: program)
    }
    #expect(try !needsFast(""))
    #expect(try needsFast("needs-mnist: true\n"))
    #expect(try needsFast("optimize: true\n"))
  }

  @Test func fastLibraryNoRunsTheChaptersThatTrainOnThePackageBuild() throws {
    var environment = ProcessInfo.processInfo.environment
    environment["LENET_TUTOR_ROOT"] = packageRoot
    environment["LENET_TUTOR_CACHE"] = try testWorkspace().cacheDirectory
    environment["LENET_TUTOR_FAST_LIBRARY"] = nil
    #expect(try Workspace.locate(environment: environment).compilesFastLibrary)
    environment["LENET_TUTOR_FAST_LIBRARY"] = "no"
    let workspace = try Workspace.locate(environment: environment)
    #expect(!workspace.compilesFastLibrary)
    // Asked for speed, the compiler hands out the package build rather than compiling
    // LeNetKit whole-module (which the status line would announce).
    var messages: [String] = []
    let compiler = ChapterCompiler(workspace: workspace, status: { messages.append($0) })
    let library = try compiler.library(forSpeed: true)
    #expect(library.fromPackageBuild)
    #expect(messages.isEmpty, "\(messages)")
  }

  @Test func noneTurnsThePackageBuildOff() throws {
    var environment = ProcessInfo.processInfo.environment
    environment["LENET_TUTOR_ROOT"] = packageRoot
    environment["LENET_TUTOR_PACKAGE_BUILD"] = "none"
    #expect(try Workspace.locate(environment: environment).packageBuild == nil)
    environment["LENET_TUTOR_PACKAGE_BUILD"] = "/some/products"
    #expect(
      try Workspace.locate(environment: environment).packageBuild
        == PackageBuild(directory: "/some/products"))
  }
}
