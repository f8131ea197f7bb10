import LessonRunner
import TerminalKit

/// A command of `lenet-tutor`: its declaration and what it does.
protocol TutorCommand: Sendable {
  static var spec: CommandSpec { get }
  /// Runs the command and returns its exit status; throws `ToolError` on failure.
  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32
}

/// Everything a command may touch: its streams, terminal, environment and standard input.
public final class Context {
  public let output: any TextSink
  public let errors: any TextSink
  public let terminal: Terminal
  /// The terminal of `errors`: its messages are styled only when that stream is a terminal.
  public let errorTerminal: Terminal
  public let environment: [String: String]
  /// Reads one line of standard input, or nil at its end.
  public let readLine: () -> String?

  /// Creates a context; tests pass string sinks and a scripted `readLine`. Without
  /// `errorTerminal`, errors are styled as `terminal` says.
  public init(
    output: any TextSink, errors: any TextSink, terminal: Terminal,
    errorTerminal: Terminal? = nil, environment: [String: String],
    readLine: @escaping () -> String? = { Swift.readLine() }
  ) {
    self.output = output
    self.errors = errors
    self.terminal = terminal
    self.errorTerminal = errorTerminal ?? terminal
    self.environment = environment
    self.readLine = readLine
  }
}

/// The `lenet-tutor` command line.
public enum LeNetTutor {
  /// Every command, in the order `--help` lists them.
  static let commands: [any TutorCommand.Type] = [
    InitCommand.self,
    ListCommand.self,
    NextCommand.self,
    LessonCommand.self,
    CheckCommand.self,
    QuizCommand.self,
    HintCommand.self,
    SolutionCommand.self,
    ResetCommand.self,
    WatchCommand.self,
    ReleaseCommand.self,
    GradeCommand.self,
    SummaryCommand.self,
    DataCommand.self,
    TrainCommand.self,
    EvaluateCommand.self,
    PredictCommand.self,
    BenchCommand.self,
    BookCommand.self,
  ]

  /// The version `lenet-tutor --version` prints.
  public static let version = "0.3.0"

  /// The top-level usage line.
  static let usage = "lenet-tutor <command> [options]"

  /// The top-level help text.
  static var help: String {
    let width = (commands.map { $0.spec.name.count }.max() ?? 0) + 4
    var lines = [
      "OVERVIEW: Learn LeNet-5 (LeCun et al. 1998) by building it from scratch: lessons with live",
      "Swift cells, exercises and quizzes, then training it on MNIST.",
      "",
      "USAGE: \(usage)",
      "",
      "COMMANDS:",
    ]
    for command in commands {
      let name = command.spec.name
      lines.append(
        "  " + name + String(repeating: " ", count: width - name.count) + command.spec.abstract)
    }
    lines += [
      "",
      "See 'lenet-tutor help <command>' (or 'lenet-tutor <command> --help') for a command's",
      "options, and 'lenet-tutor --version' for the version.",
    ]
    return lines.joined(separator: "\n")
  }

  /// Runs the command line `arguments` (without the program name) and returns the exit status.
  public static func run(_ arguments: [String], context: Context) -> Int32 {
    guard let first = arguments.first else { return run(["list"], context: context) }
    if first == "--version" || first == "version" {
      context.output.line("lenet-tutor \(version)")
      return 0
    }
    if first == "help", arguments.count > 1 {
      // `help train` is `train --help`.
      return run([arguments[1], "--help"], context: context)
    }
    if first == "-h" || first == "--help" || first == "help" {
      context.output.line(help)
      return 0
    }
    guard let command = commands.first(where: { $0.spec.name == first }) else {
      let message =
        first.hasPrefix("-")
        ? "unknown option '\(first)'"
        : "unknown command '\(first)'" + didYouMean(first, among: commands.map { $0.spec.name })
      report(UsageError(message, usage: usage, helpCommand: "lenet-tutor --help"), context: context)
      return 2
    }
    do {
      let parsed = try command.spec.parse(Array(arguments.dropFirst()))
      if parsed.wantsHelp {
        context.output.line(command.spec.help)
        return 0
      }
      return try command.run(parsed, context: context)
    } catch let error as UsageError {
      report(error, context: context)
      return 2
    } catch let error as ChapterError {
      // Already `Lessons/NN-….md:LINE:COL: error: … (fix: …)`, the compiler's own form.
      context.errors.line("\(error)")
      return 2
    } catch let error as ToolError {
      context.errors.line(context.errorTerminal.styled("error:", .red, .bold) + " " + error.message)
      if let fix = error.fix {
        context.errors.line(context.errorTerminal.styled("fix:", .bold) + " " + fix)
      }
      return error.exitCode
    } catch {
      context.errors.line(context.errorTerminal.styled("error:", .red, .bold) + " \(error)")
      return 1
    }
  }

  static func report(_ error: UsageError, context: Context) {
    context.errors.line(context.errorTerminal.styled("error:", .red, .bold) + " " + error.message)
    context.errors.line("Usage: " + error.usage)
    context.errors.line("See '\(error.helpCommand)'.")
  }
}
