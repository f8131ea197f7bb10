import Foundation

/// The chapters of a lessons folder: every `NN-slug.md` file, by number.
public struct Catalog: Sendable {
  /// A chapter file found in the folder, parsed or not.
  public struct Entry: Sendable {
    /// The number from the file name's `NN-` prefix.
    public var number: Int
    /// The file's path.
    public var path: String
    /// The parsed chapter, or why it cannot be parsed.
    public var chapter: Result<Chapter, ChapterError>
  }

  /// The chapters in number order.
  public var entries: [Entry]

  /// A chapter file's number and path, before it is parsed.
  public struct File: Sendable, Equatable {
    public var number: Int
    public var path: String
  }

  /// Reads every `NN-*.md` file in `directory` (other files, such as README.md, are ignored);
  /// paths are shown relative to the working directory when inside it.
  public init(directory: String) {
    self.init(files: Catalog.files(in: directory))
  }

  /// Parses the given chapter files, kept in their order.
  public init(files: [File]) {
    entries = files.map { file in
      let chapter = Result { () throws(ChapterError) in
        try ChapterParser.parse(contentsOf: file.path)
      }
      return Entry(number: file.number, path: file.path, chapter: chapter)
    }
  }

  /// Every `NN-*.md` file in `directory` in number order, not parsed: what finding a chapter
  /// by its number needs (parsing all twelve is a quarter of a warm `lesson 3`).
  public static func files(in directory: String) -> [File] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.compactMap { name -> File? in
      guard name.hasSuffix(".md"), let number = Catalog.number(ofFile: name) else { return nil }
      return File(number: number, path: Catalog.displayPath(directory + "/" + name))
    }.sorted { ($0.number, $0.path) < ($1.number, $1.path) }
  }

  /// The number in a chapter file name `NN-slug.md`, or nil for other files.
  public static func number(ofFile name: String) -> Int? {
    let digits = name.prefix(while: \.isNumber)
    guard digits.count == 2, name.dropFirst(2).first == "-" else { return nil }
    return Int(digits)
  }

  /// `path` relative to the working directory when it is inside it, so messages are short and
  /// still valid from where the command runs; otherwise absolute.
  public static func displayPath(_ path: String) -> String {
    let current = FileManager.default.currentDirectoryPath
    let absolute = Workspace.absolute(path, from: current)
    let prefix = current.hasSuffix("/") ? current : current + "/"
    return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
  }
}
