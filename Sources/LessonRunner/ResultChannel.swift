import Foundation
import LeNetKit

/// The chapter program's result protocol, both ends: the records the prelude writes and the
/// incremental parser that reads them and splits the printed output by cell.
///
/// The program has two channels. Its standard output and error (one pipe, so a crash message
/// stays in order with what the cell printed) carry only text: nothing printed there is ever
/// taken for a result. Results travel on descriptor 3, one record per line:
/// `KEY ␟ kind ␟ field…` (␟ is U+001F), where KEY is a random key made for this run and given
/// to the prelude on descriptor 4 before any cell runs. The prelude, a module of its own, keeps
/// it in a `private` variable, which no chapter code can name, so a learner's cell cannot write
/// a record that counts: one without the key is kept as a forgery and reported as tampering.
///
/// After each record the prelude waits for one byte on descriptor 4; the runner sends it once it
/// has read every byte printed before the record, so each cell's text lands in that cell even
/// though the two pipes are read separately.
///
/// Records: `cell ␟ N` (program unit N starts; units come in order), `check ␟ pass|fail ␟ label
/// ␟ expected ␟ actual ␟ file ␟ line ␟ type` (type: the compared values' type, for `equals`),
/// `picture ␟ gray|svg ␟ caption ␟ width ␟ height ␟ base64 data ␟ drawing bytes` (a `show(…)`:
/// the drawing it printed for the terminal is the last `drawing bytes` of the output so far),
/// and `end` (the program reached its end). A picture carries no verdict: it is only shown.
struct ResultChannel: Sendable {
  /// A cell's output beyond this many bytes is dropped (and counted), so a cell that prints in a
  /// loop can neither fill memory nor hide the records of later cells.
  static let cellOutputLimit = 16 << 20
  /// The field separator of a record.
  static let separator: UInt8 = 0x1F
  /// The descriptor the program writes records to.
  static let resultDescriptor: Int32 = 3
  /// The descriptor the program reads its key, limits and acknowledgements from.
  static let controlDescriptor: Int32 = 4

  /// What one program unit (a cell, or an exercise's hidden checks) left.
  struct Unit: Sendable {
    var output: [UInt8] = []
    /// Bytes printed beyond `cellOutputLimit` and dropped.
    var droppedBytes = 0
    var checks: [ChapterReport.Check] = []
    /// The pictures it showed; their drawings' places are offsets into `output`.
    var pictures: [Picture] = []
    var started = false
  }

  /// This run's key, as hexadecimal digits.
  let key: String
  private let keyBytes: [UInt8]
  private(set) var units: [Unit]
  /// The unit running now (its successor's record has not arrived), nil before the first.
  private(set) var current: Int?
  /// Whether the `end` record arrived.
  private(set) var reachedEnd = false
  /// What was printed before the first cell started (a program that failed to load).
  private(set) var preamble: [UInt8] = []
  /// Records that did not carry the key or came out of order, as the text they held.
  private(set) var forgeries: [String] = []
  /// The bytes of a record whose newline has not arrived yet.
  private var partialRecord: [UInt8] = []

  init(unitCount: Int, key: String = ResultChannel.newKey()) {
    self.key = key
    keyBytes = Array(key.utf8)
    units = Array(repeating: Unit(), count: unitCount)
  }

  /// 32 random hexadecimal digits from the system's generator.
  static func newKey() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in
      let value = generator.next() as UInt64
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }.joined()
  }

  /// The line the prelude reads on descriptor 4 before any cell: the key, the memory limit and
  /// the file size limit in bytes (0: none), and the working folder (the rest of the line).
  func greeting(memoryLimit: UInt64, fileSizeLimit: UInt64, workingDirectory: String) -> [UInt8] {
    Array("\(key) \(memoryLimit) \(fileSizeLimit) \(workingDirectory)\n".utf8)
  }

  /// The units that are over: every unit before the current one, and all of them after `end`.
  var finishedUnits: Int {
    reachedEnd ? units.count : (current ?? 0)
  }

  /// Takes text the program printed; it belongs to the unit running now.
  mutating func receiveOutput(_ bytes: [UInt8]) {
    guard let current else {
      if preamble.count < Self.cellOutputLimit {
        preamble += bytes.prefix(Self.cellOutputLimit - preamble.count)
      }
      return
    }
    let room = max(0, Self.cellOutputLimit - units[current].output.count)
    if bytes.count <= room {
      units[current].output += bytes
    } else {
      units[current].output += bytes.prefix(room)
      units[current].droppedBytes += bytes.count - room
    }
  }

  /// Takes bytes from the result descriptor; returns how many complete records they ended (one
  /// acknowledgement is owed for each).
  mutating func receiveRecords(_ bytes: [UInt8]) -> Int {
    var count = 0
    var start = bytes.startIndex
    while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
      let line = partialRecord + bytes[start..<newline]
      partialRecord = []
      parse(record: line)
      count += 1
      start = newline + 1
    }
    partialRecord += bytes[start...]
    return count
  }

  private mutating func parse(record line: [UInt8]) {
    let fields = line.split(separator: Self.separator, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    guard line.starts(with: keyBytes), fields.count >= 2, fields[0].utf8.count == keyBytes.count
    else {
      forgeries.append(String(decoding: line.prefix(120), as: UTF8.self))
      return
    }
    let next = current.map { $0 + 1 } ?? 0
    switch fields[1] {
    case "cell" where fields.count == 3 && Int(fields[2]) == next && next < units.count:
      current = next
      units[next].started = true
    case "check" where fields.count == 9 && current != nil && !reachedEnd:
      guard let current else { return }
      units[current].checks.append(
        ChapterReport.Check(
          label: fields[3], passed: fields[2] == "pass", expected: fields[4], actual: fields[5],
          location: Int(fields[7]).map { SourceLocation(path: fields[6], line: $0) },
          typeName: fields[8]))
    case "picture" where fields.count == 8 && current != nil && !reachedEnd:
      guard let current, let picture = Self.picture(fields, outputSize: units[current].output.count)
      else {
        forgeries.append(String(decoding: line.prefix(120), as: UTF8.self))
        return
      }
      units[current].pictures.append(picture)
    case "end" where fields.count == 2 && next == units.count && !reachedEnd:
      reachedEnd = true
    default:
      // A keyed record out of order: only the prelude has the key, so a learner reached it
      // (`_lesson…` names are refused in exercise code), or the program is broken.
      forgeries.append(
        String(decoding: line.dropFirst(keyBytes.count + 1).prefix(120), as: UTF8.self))
    }
  }

  /// The picture a `picture` record describes; nil when its fields do not fit together.
  static func picture(_ fields: [String], outputSize: Int) -> Picture? {
    guard let width = Int(fields[4]), let height = Int(fields[5]),
      let data = Data(base64Encoded: fields[6]), let printed = Int(fields[7]), printed >= 0
    else { return nil }
    let drawing = max(0, outputSize - printed)..<outputSize
    switch fields[2] {
    case "gray":
      guard width > 0, height > 0, width <= 1 << 14, height <= 1 << 14,
        data.count == width * height
      else { return nil }
      let image = GrayImage(width: width, height: height, pixels: Array(data))
      return Picture(caption: fields[3], content: .gray(image), drawing: drawing)
    case "svg":
      return Picture(
        caption: fields[3], content: .svg(String(decoding: data, as: UTF8.self)), drawing: drawing)
    default:
      return nil
    }
  }

  /// The text a unit printed, with a note when some was dropped.
  func outputText(ofUnit index: Int) -> String {
    let unit = units[index]
    var text = String(decoding: unit.output, as: UTF8.self)
    if unit.droppedBytes > 0 {
      if !text.hasSuffix("\n") && !text.isEmpty { text += "\n" }
      text +=
        "[printed more than \(Self.cellOutputLimit >> 20) MB; the rest"
        + " (\(unit.droppedBytes) bytes) is dropped]\n"
    }
    return text
  }
}
