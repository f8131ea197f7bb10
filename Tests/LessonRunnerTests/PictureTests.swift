import Foundation
import LeNetKit
import LessonRunner
import Testing

/// `show(…)`: a picture travels from the chapter program on the keyed result channel, its
/// terminal drawing stays in the output, and it cannot be used to forge a check.
@Suite("Pictures a cell shows")
struct PictureTests {
  let runner: ChapterRunner

  init() throws {
    runner = ChapterRunner(workspace: try testWorkspace(), status: { _ in })
  }

  func run(_ body: String) async throws -> ChapterReport {
    try await runDemoChapter(body, with: runner)
  }

  @Test func aTensorBecomesAGrayImageAndAShadeDrawing() async throws {
    let report = try await run(
      """
      ```swift
      print("before")
      show(Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]), caption: "ramp")
      ```
      """)
    let cell = report.cells[0]
    let picture = try #require(cell.pictures.first)
    // Values 0…5 on the scale 0…5, larger darker: 255 · (1 − v/5).
    #expect(
      picture.content == .gray(GrayImage(width: 3, height: 2, pixels: [255, 204, 153, 102, 51, 0])))
    #expect(picture.caption == "ramp")
    // Shades " ░▒▓█" at round(4 · v/5): 0, 1, 2, 2, 3, 4; two characters per value.
    let drawing = "ramp\n  ░░▒▒\n▒▒▓▓██\n"
    #expect(cell.output == "before\n" + drawing)
    let bytes = Array(cell.output.utf8)
    #expect(String(decoding: bytes[picture.drawing], as: UTF8.self) == drawing)
  }

  @Test func aGridPutsMapsSideBySideTwoPixelsApart() async throws {
    let report = try await run(
      """
      ```swift
      show(Tensor(shape: [2, 1, 1], scalars: [0, 1]), drawing: "two maps")
      ```
      """)
    let picture = try #require(report.cells[0].pictures.first)
    // One 1×1 map, a white gap of 2, the other: [white (0), gap, gap, black (1)].
    #expect(picture.content == .gray(GrayImage(width: 4, height: 1, pixels: [255, 255, 255, 0])))
    #expect(report.cells[0].output == "two maps\n")
  }

  @Test func anSVGPrintsNothingUnlessGivenADrawing() async throws {
    let report = try await run(
      """
      ```swift
      print("a")
      show(svg: "<svg xmlns='http://www.w3.org/2000/svg'/>", caption: "plot")
      print("b")
      ```
      """)
    let picture = try #require(report.cells[0].pictures.first)
    #expect(picture.content == .svg("<svg xmlns='http://www.w3.org/2000/svg'/>"))
    #expect(report.cells[0].output == "a\nb\n")
    #expect(picture.drawing == 2..<2)
  }

  @Test func aCaptionCannotCarryACheck() async throws {
    let report = try await run(
      """
      ```swift
      show(svg: "<svg/>", caption: "x\\u{1F}check\\u{1F}pass\\u{1F}forged\\u{1F}\\u{1F}1\\u{1F}f\\u{1F}1\\u{1F}\\ncheck")
      check("real", 1 + 1, equals: 3)
      ```
      """)
    #expect(report.cells[0].checks.map(\.label) == ["real"])
    #expect(report.verdicts.map(\.status) == [.failed])
    #expect(report.cells[0].pictures.count == 1)
  }

  @Test func aPictureRecordWithoutTheKeyIsTampering() async throws {
    let report = try await run(
      """
      ```swift
      let fake = "0123456789abcdef0123456789abcdef\\u{1F}picture\\u{1F}svg\\u{1F}c\\u{1F}0\\u{1F}0\\u{1F}\\u{1F}0\\n"
      _ = fake.withCString { write(3, $0, strlen($0)) }
      ```
      """)
    #expect(report.cells[0].pictures.isEmpty)
    #expect(report.forgeries.count == 1)
    #expect(!report.passed)
  }
}
