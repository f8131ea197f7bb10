/// The small argument parser behind every command: each command declares its positional
/// arguments and options once, and the same declaration parses the command line, rejects what
/// it does not know, and writes the `--help` text.
struct CommandSpec: Sendable {
  /// The word after `lenet-tutor` (`summary`, `lesson` …).
  var name: String
  /// One line for the command list and the help's OVERVIEW.
  var abstract: String
  /// Positional arguments, in order.
  var arguments: [ArgumentSpec] = []
  /// Named options and flags.
  var options: [OptionSpec] = []
  /// Extra help paragraphs after the options (examples, notes).
  var discussion: String = ""

  /// `USAGE: lenet-tutor summary [--model <name>]`.
  var usage: String {
    var words = ["lenet-tutor", name]
    for option in options {
      let word = option.name + (option.valueName.map { " <\($0)>" } ?? "")
      words.append(option.isRequired ? word : "[\(word)]")
    }
    for argument in arguments {
      let word = "<\(argument.name)>" + (argument.isRepeated ? " ..." : "")
      words.append(argument.isOptional ? "[\(word)]" : word)
    }
    return words.joined(separator: " ")
  }

  /// The full `--help` text.
  var help: String {
    var lines = ["OVERVIEW: \(abstract)", "", "USAGE: \(usage)", ""]
    if !arguments.isEmpty {
      lines.append("ARGUMENTS:")
      for argument in arguments { lines.append(helpLine("<\(argument.name)>", argument.help)) }
      lines.append("")
    }
    lines.append("OPTIONS:")
    for option in options {
      let left = option.name + (option.valueName.map { " <\($0)>" } ?? "")
      let notes = [option.accepts, option.defaultValue.map { "default: \($0)" }].compactMap { $0 }
      let suffix = notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
      lines.append(helpLine(left, option.help + suffix))
    }
    lines.append(helpLine("-h, --help", "Show help information."))
    if !discussion.isEmpty { lines += ["", discussion] }
    return lines.joined(separator: "\n")
  }

  /// Parses the words after the command name.
  func parse(_ words: [String]) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
    parsed.command = self
    var index = 0
    while index < words.count {
      let word = words[index]
      index += 1
      if word == "-h" || word == "--help" {
        parsed.wantsHelp = true
        continue
      }
      if word.hasPrefix("-") && word.count > 1 && Double(word) == nil {
        let (name, inlineValue) = splitInlineValue(word)
        guard let option = options.first(where: { $0.name == name }) else {
          throw UsageError(
            "unknown option '\(name)'" + didYouMean(name, among: options.map(\.name)),
            command: self)
        }
        if option.valueName == nil {
          guard inlineValue == nil else {
            throw UsageError("'\(name)' is a flag and takes no value", command: self)
          }
          parsed.flags.insert(name)
          continue
        }
        if let inlineValue {
          parsed.values[name] = inlineValue
        } else if index < words.count {
          parsed.values[name] = words[index]
          index += 1
        } else {
          throw UsageError(
            "'\(name)' needs a value <\(option.valueName ?? "value")>", command: self)
        }
        continue
      }
      parsed.positionals.append(word)
    }
    if parsed.wantsHelp { return parsed }
    let maximum = arguments.contains(where: \.isRepeated) ? Int.max : arguments.count
    if parsed.positionals.count > maximum {
      throw UsageError("unexpected argument '\(parsed.positionals[maximum])'", command: self)
    }
    let required = arguments.filter { !$0.isOptional }.count
    if parsed.positionals.count < required {
      let missing = arguments[parsed.positionals.count]
      throw UsageError("missing argument <\(missing.name)>", command: self)
    }
    return parsed
  }

  private func splitInlineValue(_ word: String) -> (String, String?) {
    guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
    return (String(word[..<equals]), String(word[word.index(after: equals)...]))
  }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
  var name: String
  var help: String
  var isOptional = false
  var isRepeated = false
}

/// A named option (`--model <name>`) or, without `valueName`, a flag (`--no-pause`).
struct OptionSpec: Sendable {
  var name: String
  var valueName: String?
  var help: String
  var defaultValue: String?
  /// What values it takes, for the help (`1 to 1000`), when not any text.
  var accepts: String? = nil
  /// Whether the command cannot run without it (`--checkpoint`): the usage shows it without
  /// brackets. The command still reports it missing, as it may be optional in some uses.
  var isRequired = false
}

/// An option declared once: its name, help, default and the values it accepts feed both the
/// `--help` text and the lookup (`arguments.value(of:)`), so they cannot disagree, and a
/// command reads it through this value, never through a name it could misspell.
///
/// `Value` is the type a command gets: `Option<Int>` has a default, `Option<Int?>` does not
/// (absent means nil).
struct Option<Value: Sendable>: Sendable {
  let spec: OptionSpec
  let defaultValue: Value
  /// The value of a command-line word, or nil when the word is not acceptable.
  let parse: @Sendable (String) -> Value?

  /// What a bad value's error says is needed (`a whole number from 1 to 1000`).
  let expectation: String
}

extension Option {
  /// A whole number in `range`.
  static func integer(
    _ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Int>,
    default value: Int
  ) -> Option<Int> where Value == Int {
    Option<Int>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: String(value),
        accepts: "\(range.lowerBound) to \(range.upperBound)"),
      defaultValue: value, parse: { Int($0).flatMap { range.contains($0) ? $0 : nil } },
      expectation: "a whole number from \(range.lowerBound) to \(range.upperBound)")
  }

  /// A whole number in `range`, nil when not given (`defaultText` says what happens then).
  static func integer(
    _ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Int>,
    defaultText: String? = nil
  ) -> Option<Int?> where Value == Int? {
    Option<Int?>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: defaultText,
        accepts: "\(range.lowerBound) to \(range.upperBound)"),
      defaultValue: nil, parse: { Int($0).flatMap { range.contains($0) ? .some($0) : nil } },
      expectation: "a whole number from \(range.lowerBound) to \(range.upperBound)")
  }

  /// A number in `range`.
  static func number(
    _ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Float>,
    default value: Float
  ) -> Option<Float> where Value == Float {
    Option<Float>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: "\(value)".trimmedZero,
        accepts: "\("\(range.lowerBound)".trimmedZero) to \("\(range.upperBound)".trimmedZero)"),
      defaultValue: value,
      parse: { Float($0).flatMap { range.contains($0) ? $0 : nil } },
      expectation: "a number from \(range.lowerBound) to \(range.upperBound)")
  }

  /// One of `choices`.
  static func choice(
    _ name: String, _ valueName: String, _ help: String, from choices: [String],
    default value: String
  ) -> Option<String> where Value == String {
    Option<String>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: value,
        accepts: choices.joined(separator: ", ")),
      defaultValue: value, parse: { choices.contains($0) ? $0 : nil },
      expectation: "one of " + choices.joined(separator: ", "))
  }

  /// One of `choices`, nil when not given (`defaultText` says what happens then).
  static func choice(
    _ name: String, _ valueName: String, _ help: String, from choices: [String],
    defaultText: String
  ) -> Option<String?> where Value == String? {
    Option<String?>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: defaultText,
        accepts: choices.joined(separator: ", ")),
      defaultValue: nil, parse: { choices.contains($0) ? .some($0) : nil },
      expectation: "one of " + choices.joined(separator: ", "))
  }

  /// Any non-empty text (a path, an id), with a default; a bad value's error says it needs
  /// `expecting` (`a folder name`).
  static func text(
    _ name: String, _ valueName: String, _ help: String, default value: String,
    expecting: String = "a non-empty value"
  ) -> Option<String> where Value == String {
    Option<String>(
      spec: OptionSpec(name: name, valueName: valueName, help: help, defaultValue: value),
      defaultValue: value, parse: { $0.isEmpty ? nil : $0 }, expectation: expecting)
  }

  /// Any non-empty text, nil when not given (`defaultText` says what happens then); a
  /// `required` one is shown without brackets in the usage.
  static func text(
    _ name: String, _ valueName: String, _ help: String, defaultText: String? = nil,
    expecting: String = "a non-empty value", required: Bool = false
  ) -> Option<String?> where Value == String? {
    Option<String?>(
      spec: OptionSpec(
        name: name, valueName: valueName, help: help, defaultValue: defaultText,
        isRequired: required),
      defaultValue: nil, parse: { $0.isEmpty ? nil : .some($0) }, expectation: expecting)
  }
}

/// A flag, declared once like `Option`: on when present.
struct Flag: Sendable {
  let spec: OptionSpec

  init(_ name: String, _ help: String) {
    spec = OptionSpec(name: name, valueName: nil, help: help, defaultValue: nil)
  }
}

extension String {
  /// `10.0` as `10`, for help texts.
  fileprivate var trimmedZero: String { hasSuffix(".0") ? String(dropLast(2)) : self }
}

/// What the parser found, with typed accessors that report bad values as usage errors.
struct ParsedArguments: Sendable {
  var values: [String: String] = [:]
  var flags: Set<String> = []
  var positionals: [String] = []
  var wantsHelp = false
  /// The command whose declaration parsed these words (for usage errors).
  var command: CommandSpec?

  /// The value of `option`: its default when absent, a usage error when not acceptable.
  func value<Value>(of option: Option<Value>) throws(UsageError) -> Value {
    assert(
      command?.options.contains { $0.name == option.spec.name } ?? true,
      "\(option.spec.name) is read but not declared in the command's options")
    guard let text = values[option.spec.name] else { return option.defaultValue }
    guard let value = option.parse(text) else {
      let message = "'\(option.spec.name)' needs \(option.expectation), got '\(text)'"
      if let command { throw UsageError(message, command: command) }
      throw UsageError(message, usage: "lenet-tutor", helpCommand: "lenet-tutor --help")
    }
    return value
  }

  /// Whether `option` was given on the command line (its default does not count).
  func isGiven<Value>(_ option: Option<Value>) -> Bool { values[option.spec.name] != nil }

  /// Whether `flag` was given.
  func isSet(_ flag: Flag) -> Bool {
    assert(
      command?.options.contains { $0.name == flag.spec.name } ?? true,
      "\(flag.spec.name) is read but not declared in the command's options")
    return flags.contains(flag.spec.name)
  }
}

/// A mistake in the command line: exit status 2, the message, the usage, and where to read more.
struct UsageError: Error, Sendable {
  var message: String
  var usage: String
  var helpCommand: String

  init(_ message: String, command: CommandSpec) {
    self.message = message
    usage = command.usage
    helpCommand = "lenet-tutor \(command.name) --help"
  }

  init(_ message: String, usage: String, helpCommand: String) {
    self.message = message
    self.usage = usage
    self.helpCommand = helpCommand
  }
}

/// A failure while running a valid command (unreadable file, missing data): the message, what
/// to do about it, and the exit status.
public struct ToolError: Error, Sendable {
  /// What went wrong and where (`Lessons/03.md:41: …`).
  public var message: String
  /// What the user can do about it, when there is something.
  public var fix: String?
  /// The exit status: 1 for a failure, 2 for input that cannot be read.
  public var exitCode: Int32

  /// Creates an error.
  public init(_ message: String, fix: String? = nil, exitCode: Int32 = 1) {
    self.message = message
    self.fix = fix
    self.exitCode = exitCode
  }
}

/// `; did you mean 'lesson'?` when exactly one of `candidates` is a likely misspelling of
/// `word` (one edit away, or two for words of five letters or more), else the empty text.
func didYouMean(_ word: String, among candidates: [String]) -> String {
  let allowed = word.count >= 5 ? 2 : 1
  let near = candidates.filter { editDistance(word, $0) <= allowed }
  guard near.count == 1, let only = near.first else { return "" }
  return "; did you mean '\(only)'?"
}

/// The number of single-character insertions, deletions, substitutions and swaps of two
/// neighbours that turn `first` into `second` (optimal string alignment distance), so that a
/// swapped pair (`trian`) counts as one slip.
func editDistance(_ first: String, _ second: String) -> Int {
  let a = Array(first)
  let b = Array(second)
  guard !a.isEmpty else { return b.count }
  guard !b.isEmpty else { return a.count }
  // distance[i][j]: between the first i characters of a and the first j of b.
  var distance = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { distance[i][0] = i }
  for j in 0...b.count { distance[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      let substitution = a[i - 1] == b[j - 1] ? 0 : 1
      distance[i][j] = min(
        distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + substitution)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        distance[i][j] = min(distance[i][j], distance[i - 2][j - 2] + 1)
      }
    }
  }
  return distance[a.count][b.count]
}

private func helpLine(_ left: String, _ right: String) -> String {
  let padded = "  " + left
  if padded.count >= 26 { return padded + "\n" + String(repeating: " ", count: 26) + right }
  return padded + String(repeating: " ", count: 26 - padded.count) + right
}
