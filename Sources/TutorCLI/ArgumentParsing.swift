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
      words.append(option.valueName.map { "[\(option.name) <\($0)>]" } ?? "[\(option.name)]")
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
      let suffix = option.defaultValue.map { " (default: \($0))" } ?? ""
      lines.append(helpLine(left, option.help + suffix))
    }
    lines.append(helpLine("-h, --help", "Show help information."))
    if !discussion.isEmpty { lines += ["", discussion] }
    return lines.joined(separator: "\n")
  }

  /// Parses the words after the command name.
  func parse(_ words: [String]) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
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
          throw UsageError("unknown option '\(name)'", command: self)
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

  /// An option that takes a value.
  static func option(
    _ name: String, _ valueName: String, _ help: String, default defaultValue: String? = nil
  )
    -> OptionSpec
  {
    OptionSpec(name: name, valueName: valueName, help: help, defaultValue: defaultValue)
  }

  /// A flag, on when present.
  static func flag(_ name: String, _ help: String) -> OptionSpec {
    OptionSpec(name: name, valueName: nil, help: help, defaultValue: nil)
  }
}

/// What the parser found, with typed accessors that report bad values as usage errors.
struct ParsedArguments: Sendable {
  var values: [String: String] = [:]
  var flags: Set<String> = []
  var positionals: [String] = []
  var wantsHelp = false

  func flag(_ name: String) -> Bool { flags.contains(name) }

  func string(_ name: String) -> String? { values[name] }

  func integer(_ name: String, in range: ClosedRange<Int>, command: CommandSpec) throws(UsageError)
    -> Int?
  {
    guard let text = values[name] else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw UsageError(
        "'\(name)' needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'",
        command: command)
    }
    return value
  }

  func number(_ name: String, in range: ClosedRange<Float>, command: CommandSpec) throws(UsageError)
    -> Float?
  {
    guard let text = values[name] else { return nil }
    guard let value = Float(text), range.contains(value) else {
      throw UsageError(
        "'\(name)' needs a number from \(range.lowerBound) to \(range.upperBound), got '\(text)'",
        command: command)
    }
    return value
  }

  func choice(_ name: String, from allowed: [String], command: CommandSpec) throws(UsageError)
    -> String?
  {
    guard let text = values[name] else { return nil }
    guard allowed.contains(text) else {
      throw UsageError(
        "'\(name)' must be one of \(allowed.joined(separator: ", ")), got '\(text)'",
        command: command)
    }
    return text
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

private func helpLine(_ left: String, _ right: String) -> String {
  let padded = "  " + left
  if padded.count >= 26 { return padded + "\n" + String(repeating: " ", count: 26) + right }
  return padded + String(repeating: " ", count: 26 - padded.count) + right
}
