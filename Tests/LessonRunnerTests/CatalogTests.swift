import Foundation
import Testing

@testable import LessonRunner

@Suite("The catalog of chapter files")
struct CatalogTests {
  @Test func chapterFilesAreListedInNumberOrderWithoutBeingParsed() throws {
    let folder = try temporaryDirectory()
    // Whatever order the folder lists them in, by number; a file that is not a chapter at all
    // is still listed, because nothing is parsed; README.md, names without a two-digit prefix
    // and files that are not Markdown are not.
    let names = [
      "10-last.md", "02-second.md", "01-first.md", "README.md", "3-short.md", "04-x.txt",
    ]
    for name in names {
      try Data("not a chapter".utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
    let files = Catalog.files(in: folder)
    #expect(files.map(\.number) == [1, 2, 10])
    #expect(
      files.map { ($0.path as NSString).lastPathComponent } == [
        "01-first.md", "02-second.md", "10-last.md",
      ])
  }
}
