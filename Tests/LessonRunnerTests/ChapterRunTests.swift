import Foundation
import LessonRunner
import Testing

/// Compiles and runs small generated chapters against this package's LeNetKit. The library is
/// compiled once into the shared test cache; each chapter is a few seconds at most.
@Suite("Compiling and running chapters")
struct ChapterRunTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  func run(_ body: String, extra: String = "", solutions: Bool = false) throws -> ChapterReport {
    let path = try writeChapter(frontMatter(extra: extra) + body)
    return try runner.run(try ChapterParser.parse(contentsOf: path), solutions: solutions)
  }

  @Test func cellsShareStateAndChecksPass() throws {
    let report = try run(
      """
      ```swift
      let c3 = Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5,
                      connectionTable: .lecun1998)
      print("links:", ConnectionTable.lecun1998.linkCount)
      ```

      ```output
      links: 60
      ```

      ```swift
      check("C3 parameters", c3.parameterCount, equals: 1_516)
      check("C3 connections", c3.connectionCount(for: [6, 14, 14]), equals: 151_600)
      ```
      """)
    #expect(report.compileErrors == nil)
    #expect(report.cells.map(\.status) == [.completed, .completed])
    #expect(report.cells[0].output == "links: 60\n")
    // 1,516 and 151,600: LeCun et al. 1998, section II.B (C3).
    #expect(
      report.verdicts.map(\.text) == [
        "output of the cell at line 7 matches", "C3 parameters: 1516", "C3 connections: 151600",
      ])
    #expect(report.passed)
  }
}
