import Foundation

/// Reads a chapter file into a `Chapter`, rejecting malformed ones with a located `ChapterError`.
public enum ChapterParser {
  /// Reads and parses the chapter at `path` (shown in messages as given).
  public static func parse(contentsOf path: String) throws(ChapterError) -> Chapter {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason =
        FileManager.default.fileExists(atPath: path) ? "the file is not readable" : "no such file"
      throw .unreadable(path: path, reason: reason)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .unreadable(path: path, reason: "the file is not UTF-8 text")
    }
    return try parse(text, path: path)
  }

  /// Parses chapter `text`; `path` names the file in messages and gives the `NN-` number.
  public static func parse(_ text: String, path: String) throws(ChapterError) -> Chapter {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    let (frontMatter, bodyStart) = try parseFrontMatter(lines, path: path)
    var chapter = Chapter(path: path, frontMatter: frontMatter, blocks: [], cells: [], quizzes: [])
    var ids: [String: Int] = [:]
    var prose: [String] = []
    var proseLine = bodyStart + 1
    var lastCell: Int?
    var lastExercise: Int?

    func flushProse(nextLine: Int) {
      let text = prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      let blankLines = prose.prefix { $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
      if !text.isEmpty { chapter.blocks.append(.prose(text, line: proseLine + blankLines)) }
      prose = []
      proseLine = nextLine
    }

    var index = bodyStart
    while index < lines.count {
      let lineNumber = index + 1
      guard let fence = Fence(lines[index]) else {
        prose.append(lines[index])
        index += 1
        continue
      }
      // Find the closing fence: the same character, at least as long, nothing after it.
      var closing = index + 1
      while closing < lines.count && !fence.isClosed(by: lines[closing]) { closing += 1 }
      guard closing < lines.count else {
        throw .unclosedFence(info: fence.info, SourceLocation(path: path, line: lineNumber))
      }
      let body = Array(lines[(index + 1)..<closing])
      let bodyText = body.joined(separator: "\n")
      flushProse(nextLine: closing + 2)
      let words = fence.words
      let location = { (word: Int) in
        SourceLocation(path: path, line: lineNumber, column: fence.column(ofWord: word))
      }

      switch words.first ?? "" {
      case "swift":
        var exerciseID: String?
        if words.count > 1 {
          switch words[1] {
          case "show":
            if words.count > 2 {
              throw .unknownBlockWord(word: words[2], kind: "swift show", location(2))
            }
            chapter.blocks.append(.code(bodyText, language: "swift", line: lineNumber))
            index = closing + 1
            continue
          case "exercise":
            let options = try parseOptions(
              words.dropFirst(2), allowed: ["id"], kind: "swift exercise", location: location)
            let id = try checkID(
              options["id"], kind: "exercise", location: location(options["id"] == nil ? 1 : 2))
            if let first = ids[id] { throw .duplicateID(id, firstLine: first, location(2)) }
            ids[id] = lineNumber
            exerciseID = id
          default:
            throw .unknownBlockWord(word: words[1], kind: "swift", location(1))
          }
        }
        let cell = Cell(
          index: chapter.cells.count, exerciseID: exerciseID, code: bodyText, line: lineNumber,
          reference: nil, hints: [])
        chapter.cells.append(cell)
        chapter.blocks.append(.cell(cell.index))
        lastCell = cell.index
        if exerciseID != nil { lastExercise = cell.index }
      case "output":
        let options = try parseOptions(
          words.dropFirst(), allowed: ["tolerance", "absolute"], kind: "output", location: location)
        guard let cellIndex = lastCell else {
          throw .outputWithoutCell(SourceLocation(path: path, line: lineNumber))
        }
        if chapter.cells[cellIndex].reference != nil {
          throw .secondOutput(
            cellLine: chapter.cells[cellIndex].line, SourceLocation(path: path, line: lineNumber))
        }
        var tolerance = Tolerance.standard
        for (name, value) in options {
          guard let number = Double(value), number >= 0 else {
            throw .unknownBlockWord(word: "\(name)=\(value)", kind: "output", location(1))
          }
          if name == "tolerance" {
            tolerance.relative = number
          } else {
            tolerance.absolute = number
          }
        }
        chapter.cells[cellIndex].reference = ReferenceOutput(
          text: bodyText, line: lineNumber, tolerance: tolerance)
        chapter.blocks.append(.output(cell: cellIndex))
      case "hint":
        if words.count > 1 { throw .unknownBlockWord(word: words[1], kind: "hint", location(1)) }
        guard let exercise = lastExercise else {
          throw .hintWithoutExercise(SourceLocation(path: path, line: lineNumber))
        }
        chapter.cells[exercise].hints.append(bodyText)
        chapter.blocks.append(
          .hint(cell: exercise, hint: chapter.cells[exercise].hints.count - 1))
      case "quiz":
        let options = try parseOptions(
          words.dropFirst(), allowed: ["id"], kind: "quiz", location: location)
        let id = try checkID(options["id"], kind: "quiz", location: location(1))
        if let first = ids[id] { throw .duplicateID(id, firstLine: first, location(1)) }
        ids[id] = lineNumber
        let quiz = try Quiz.parse(id: id, body: body, fenceLine: lineNumber, path: path)
        chapter.quizzes.append(quiz)
        chapter.blocks.append(.quiz(chapter.quizzes.count - 1))
      default:
        chapter.blocks.append(.code(bodyText, language: words.first ?? "", line: lineNumber))
      }
      index = closing + 1
    }
    flushProse(nextLine: lines.count + 1)
    let exerciseIDs = Set(chapter.exercises.compactMap(\.exerciseID))
    if let unknown = chapter.frontMatter.points.keys.sorted().first(where: {
      !exerciseIDs.contains($0)
    }) {
      let line = lines.firstIndex { $0.hasPrefix("points:") }.map { $0 + 1 } ?? 1
      throw .invalidFrontMatterValue(
        field: "points", value: unknown,
        expected: "the id of one of this chapter's exercises ("
          + exerciseIDs.sorted().joined(separator: ", ") + ")",
        SourceLocation(path: path, line: line))
    }
    return chapter
  }

  // MARK: - Front matter

  private static func parseFrontMatter(_ lines: [String], path: String) throws(ChapterError)
    -> (FrontMatter, bodyStart: Int)
  {
    guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
      throw .missingFrontMatter(SourceLocation(path: path, line: 1))
    }
    guard
      let end = lines.dropFirst().firstIndex(where: {
        $0.trimmingCharacters(in: .whitespaces) == "---"
      })
    else {
      throw .unclosedFrontMatter(SourceLocation(path: path, line: 1))
    }
    var values: [String: (value: String, line: Int, column: Int)] = [:]
    var goals: [String]?
    for index in 1..<end {
      let line = lines[index]
      let lineNumber = index + 1
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      if trimmed.hasPrefix("- "), goals != nil, line.first == " " {
        goals?.append(String(trimmed.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        continue
      }
      guard let colon = line.firstIndex(of: ":"), line.first != " " else {
        throw .unknownFrontMatterField(trimmed, SourceLocation(path: path, line: lineNumber))
      }
      let key = String(line[..<colon])
      let rawValue = line[line.index(after: colon)...]
      let value = rawValue.trimmingCharacters(in: .whitespaces)
      let column =
        line.distance(from: line.startIndex, to: colon) + 2
        + (rawValue.count - rawValue.drop(while: { $0 == " " }).count)
      guard
        [
          "number", "title", "goals", "minutes", "needs-mnist", "timeout", "memory", "points",
          "optimize",
        ].contains(key)
      else {
        throw .unknownFrontMatterField(key, SourceLocation(path: path, line: lineNumber))
      }
      if key == "goals" {
        goals = value.isEmpty ? [] : [value]
      } else {
        values[key] = (value, lineNumber, column)
      }
    }
    let header = SourceLocation(path: path, line: 1)
    func integer(_ key: String, _ range: ClosedRange<Int>) throws(ChapterError) -> Int? {
      guard let entry = values[key] else { return nil }
      guard let number = Int(entry.value), range.contains(number) else {
        throw .invalidFrontMatterValue(
          field: key, value: entry.value,
          expected: "a whole number from \(range.lowerBound) to \(range.upperBound)",
          SourceLocation(path: path, line: entry.line, column: entry.column))
      }
      return number
    }
    guard values["number"] != nil else { throw .missingFrontMatterField("number", header) }
    guard let number = try integer("number", 0...99) else {
      throw .missingFrontMatterField("number", header)
    }
    guard let title = values["title"]?.value, !title.isEmpty else {
      throw .missingFrontMatterField("title", header)
    }
    guard let goals, !goals.isEmpty else { throw .missingFrontMatterField("goals", header) }
    func boolean(_ key: String) throws(ChapterError) -> Bool {
      guard let entry = values[key] else { return false }
      guard entry.value == "true" || entry.value == "false" else {
        throw .invalidFrontMatterValue(
          field: key, value: entry.value, expected: "true or false",
          SourceLocation(path: path, line: entry.line, column: entry.column))
      }
      return entry.value == "true"
    }
    var points: [String: Int] = [:]
    if let entry = values["points"] {
      // `points: table-one=2 conv-backward=3`: an exercise's weight in `grade` (1 when absent).
      for word in entry.value.split(separator: " ") {
        let parts = word.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]),
          (0...100).contains(value)
        else {
          throw .invalidFrontMatterValue(
            field: "points", value: entry.value,
            expected: "exercise ids with their points, as 'table-one=2 conv-backward=3' (0 to 100)",
            SourceLocation(path: path, line: entry.line, column: entry.column))
        }
        points[String(parts[0])] = value
      }
    }
    var frontMatter = FrontMatter(
      number: number, title: title, goals: goals, minutes: try integer("minutes", 1...600),
      needsMNIST: try boolean("needs-mnist"), timeout: try integer("timeout", 1...86_400) ?? 60,
      memory: try integer("memory", 1...1_024).map(Double.init), optimize: try boolean("optimize"))
    frontMatter.points = points
    let fileName = path.split(separator: "/").last.map(String.init) ?? path
    if let fileNumber = Int(fileName.prefix(while: \.isNumber)), fileNumber != number,
      let entry = values["number"]
    {
      throw .numberDisagreesWithFileName(
        number: number, fileNumber: fileNumber,
        SourceLocation(path: path, line: entry.line, column: entry.column))
    }
    return (frontMatter, end + 1)
  }

  // MARK: - Fence info strings

  /// Reads `name=value` words; anything else is an unknown word.
  private static func parseOptions(
    _ words: ArraySlice<String>, allowed: Set<String>, kind: String,
    location: (Int) -> SourceLocation
  ) throws(ChapterError) -> [String: String] {
    var options: [String: String] = [:]
    for (offset, word) in zip(words.indices, words) {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, allowed.contains(parts[0]) else {
        throw .unknownBlockWord(word: word, kind: kind, location(offset))
      }
      options[parts[0]] = parts[1]
    }
    return options
  }

  private static func checkID(_ id: String?, kind: String, location: SourceLocation)
    throws(ChapterError) -> String
  {
    guard let id else { throw .invalidID(kind: kind, id: nil, location) }
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
    guard !id.isEmpty, id.allSatisfy(allowed.contains), id.first != "-" else {
      throw .invalidID(kind: kind, id: id, location)
    }
    return id
  }
}

/// An opening code fence: up to three spaces, three or more backticks or tildes, an info string.
private struct Fence {
  let indent: Int
  let marker: Character
  let length: Int
  let info: String
  let line: String

  init?(_ line: String) {
    let indent = line.prefix(while: { $0 == " " }).count
    guard indent <= 3 else { return nil }
    let rest = line.dropFirst(indent)
    guard let marker = rest.first, marker == "`" || marker == "~" else { return nil }
    let length = rest.prefix(while: { $0 == marker }).count
    guard length >= 3 else { return nil }
    let info = rest.dropFirst(length).trimmingCharacters(in: .whitespaces)
    if marker == "`" && info.contains("`") { return nil }
    self.indent = indent
    self.marker = marker
    self.length = length
    self.info = info
    self.line = line
  }

  /// The info string's words: `swift exercise id=x` → ["swift", "exercise", "id=x"].
  var words: [String] { info.split(whereSeparator: \.isWhitespace).map(String.init) }

  /// The 1-based column where word `index` of the info string starts.
  func column(ofWord index: Int) -> Int {
    var column = 1
    var wordIndex = -1
    var previousWasSpace = true
    for (offset, character) in line.enumerated() {
      let isSpace = character.isWhitespace || (offset < indent + length)
      if !isSpace && previousWasSpace {
        wordIndex += 1
        if wordIndex == index { return offset + 1 }
      }
      previousWasSpace = isSpace
      column = offset + 1
    }
    return column
  }

  func isClosed(by line: String) -> Bool {
    let indent = line.prefix(while: { $0 == " " }).count
    guard indent <= 3 else { return false }
    let rest = line.dropFirst(indent)
    let count = rest.prefix(while: { $0 == marker }).count
    return count >= length && rest.dropFirst(count).allSatisfy(\.isWhitespace)
  }
}
