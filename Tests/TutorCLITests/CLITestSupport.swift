import TerminalKit
import TutorCLI

/// What one in-process run of `lenet-tutor` printed and returned.
struct RunResult {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs `lenet-tutor arguments…` in-process on a plain (non-TTY, uncolored) terminal.
func run(_ arguments: String...) -> RunResult { run(arguments) }

/// Runs `lenet-tutor` with an argument list.
func run(_ arguments: [String]) -> RunResult {
  let output = StringSink()
  let errors = StringSink()
  let context = Context(
    output: output, errors: errors, terminal: Terminal(isInteractive: false, usesColor: false),
    environment: [:], readLine: { nil })
  let status = LeNetTutor.run(arguments, context: context)
  return RunResult(status: status, output: output.text, errors: errors.text)
}
