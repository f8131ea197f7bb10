/// A parsed chapter: its front matter and its blocks in reading order (see Docs/lesson-format.md).
public struct Chapter: Sendable, Equatable {
  /// The path the chapter was read from, as given (it appears in every message).
  public var path: String
  /// The `---` header.
  public var frontMatter: FrontMatter
  /// Prose, cells, outputs, hints, quizzes and shown-only code, in file order.
  public var blocks: [Block]
  /// The runnable cells, in file order; `Block.cell(index)` points here.
  public var cells: [Cell]
  /// The quiz questions, in file order; `Block.quiz(index)` points here.
  public var quizzes: [Quiz]

  /// The file name without its directory and `.md`, e.g. `03-c3-partial-connections`: the key of
  /// the chapter's progress and of its solutions folder.
  public var stem: String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
  }

  /// The exercise cells, in file order.
  public var exercises: [Cell] { cells.filter { $0.exerciseID != nil } }

  /// The cells whose checks decide exercise `id`: from its cell to before the next exercise.
  public func exerciseRange(_ id: String) -> Range<Int>? {
    guard let start = cells.firstIndex(where: { $0.exerciseID == id }) else { return nil }
    let end = cells[(start + 1)...].firstIndex(where: { $0.exerciseID != nil }) ?? cells.count
    return start..<end
  }
}

/// The chapter's header between the two `---` lines.
public struct FrontMatter: Sendable, Equatable {
  /// The chapter number (0-99); `lenet-tutor lesson N` finds the chapter by it.
  public var number: Int
  /// The title shown by `list` and at the top of the lesson.
  public var title: String
  /// What the learner will be able to do afterwards, one line each.
  public var goals: [String]
  /// The expected reading time, if given.
  public var minutes: Int?
  /// Whether the chapter reads MNIST (it is skipped, and says so, when the data is missing).
  public var needsMNIST: Bool
  /// Seconds the whole chapter program may run before it is stopped.
  public var timeout: Int
  /// Gigabytes of memory the chapter program may use (`memory:`), when the default is not
  /// enough.
  public var memory: Double?
  /// Each exercise's points in `grade` (`points: table-one=2`); an exercise not named has 1.
  public var points: [String: Int] = [:]

  /// The points exercise `id` is worth.
  public func points(ofExercise id: String) -> Int { points[id] ?? 1 }
  /// Whether the chapter's own code is compiled with `-O` instead of `-Onone`: for a chapter
  /// whose plain loops must train a network (at `-Onone` they run about 20 times slower).
  public var optimize: Bool = false
}

/// One piece of a chapter in reading order.
public enum Block: Sendable, Equatable {
  /// Markdown prose starting at `line`.
  case prose(String, line: Int)
  /// A runnable cell: an index into `Chapter.cells`.
  case cell(Int)
  /// The reference output of the cell at this index into `Chapter.cells`.
  case output(cell: Int)
  /// Hint number `hint` (from 0) of the exercise cell at index `cell`.
  case hint(cell: Int, hint: Int)
  /// A quiz question: an index into `Chapter.quizzes`.
  case quiz(Int)
  /// A fenced block that is shown and never run (```text, ```sh, ```swift show …).
  case code(String, language: String, line: Int)
}

/// A Swift cell: top-level code compiled with the chapter's other cells as one program.
public struct Cell: Sendable, Equatable {
  /// The position among the chapter's cells, from 0.
  public var index: Int
  /// The exercise id for an exercise cell (```swift exercise id=…), nil for a plain cell.
  public var exerciseID: String?
  /// The cell's source, without its fences.
  public var code: String
  /// The line of the opening fence; the code starts on the next line.
  public var line: Int
  /// The output the cell must print, when an ```output block follows it.
  public var reference: ReferenceOutput?
  /// The hints of an exercise, revealed one at a time.
  public var hints: [String]
}

/// An ```output block: what a cell must print.
public struct ReferenceOutput: Sendable, Equatable {
  /// The expected text.
  public var text: String
  /// The line of the opening fence.
  public var line: Int
  /// How far numbers may differ.
  public var tolerance: Tolerance
}

/// A position in a chapter or solution file, printed like a compiler's: `path:line:column`.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var column: Int

  public init(path: String, line: Int, column: Int = 1) {
    self.path = path
    self.line = line
    self.column = column
  }

  public var description: String { "\(path):\(line):\(column)" }
}
