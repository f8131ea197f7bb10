import Foundation

/// A compiler's message at a place in a chapter or solution file, shown with the learner's own
/// lines and line numbers: generated code never appears in it.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
  public var location: SourceLocation
  /// `error`, `warning` or `note`.
  public var severity: String
  public var message: String
  /// The lines at and before it, each with its line number, and a caret under the column.
  public var excerpt: String

  public init(
    location: SourceLocation, severity: String = "error", message: String, excerpt: String = ""
  ) {
    self.location = location
    self.severity = severity
    self.message = message
    self.excerpt = excerpt
  }

  /// `path:line:column: error: message`, then the excerpt.
  public var description: String {
    "\(location): \(severity): \(message)" + (excerpt.isEmpty ? "" : "\n" + excerpt)
  }

  /// The errors in `output` (swiftc's `path:line:column: error: message` lines) that point into
  /// `units`' code, each moved inside its unit (a missing `}` is reported past the cell's end)
  /// and given an excerpt; a `note:` that follows an error is added to its message. Messages
  /// about `generatedFile` (a cell parsed alone) belong to the one unit given.
  static func parse(_ output: String, units: [ChapterProgram.Unit], generatedFile: String? = nil)
    -> [Diagnostic]
  {
    var diagnostics: [Diagnostic] = []
    for line in output.split(separator: "\n") {
      guard let header = Header(line) else { continue }
      var unit = units.last { $0.location.path == header.path && $0.location.line <= header.line }
      var position = (line: header.line, column: header.column)
      if header.path == generatedFile, let only = units.first {
        // Past the end of the cell alone: the end of its last line.
        unit = only
        position = (Int.max, 1)
      }
      guard let unit else { continue }
      let lines = unit.code.split(separator: "\n", omittingEmptySubsequences: false).map(
        String.init)
      let codeLines = lines.last == "" ? lines.dropLast() : lines[...]
      let last = unit.location.line + max(0, codeLines.count - 1)
      if position.line > last {
        position = (last, (codeLines.last?.count ?? 0) + 1)
      }
      if header.severity == "note" {
        if var previous = diagnostics.popLast() {
          previous.message += " (note: \(header.message), at line \(position.line))"
          diagnostics.append(previous)
        }
        continue
      }
      guard header.severity == "error" else { continue }
      let location = SourceLocation(
        path: unit.location.path, line: position.line, column: position.column)
      guard
        !diagnostics.contains(where: { $0.location == location && $0.message == header.message })
      else { continue }
      diagnostics.append(
        Diagnostic(
          location: location, message: header.message,
          excerpt: excerpt(codeLines, firstLine: unit.location.line, at: location)))
    }
    return diagnostics
  }

  /// The line before `location` and its line, numbered, then a caret under its column.
  static func excerpt(_ lines: ArraySlice<String>, firstLine: Int, at location: SourceLocation)
    -> String
  {
    let shown = max(firstLine, location.line - 1)...location.line
    let width = String(location.line).count
    var text = ""
    for number in shown {
      let index = lines.startIndex + number - firstLine
      guard lines.indices.contains(index) else { continue }
      let label = String(number)
      text +=
        String(repeating: " ", count: width - label.count) + label + " | " + lines[index] + "\n"
    }
    text +=
      String(repeating: " ", count: width) + " | "
      + String(repeating: " ", count: max(0, location.column - 1)) + "^"
    return text
  }

  /// One `path:line:column: severity: message` line.
  private struct Header {
    var path: String
    var line: Int
    var column: Int
    var severity: String
    var message: String

    init?(_ text: Substring) {
      for severity in ["error", "warning", "note"] {
        guard let range = text.range(of: ": \(severity): ") else { continue }
        let place = text[..<range.lowerBound].split(
          separator: ":", omittingEmptySubsequences: false)
        guard place.count >= 3, let line = Int(place[place.count - 2]),
          let column = Int(place[place.count - 1])
        else { return nil }
        path = place.dropLast(2).joined(separator: ":")
        self.line = line
        self.column = column
        self.severity = severity
        message = String(text[range.upperBound...])
        return
      }
      return nil
    }
  }
}
