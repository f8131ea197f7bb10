import Foundation
import TerminalKit
import TutorCLI

let environment = ProcessInfo.processInfo.environment
let context = Context(
  output: FileSink.standardOutput, errors: FileSink.standardError,
  terminal: .standardOutput(environment: environment),
  errorTerminal: .standardError(environment: environment), environment: environment)
exit(LeNetTutor.run(Array(CommandLine.arguments.dropFirst()), context: context))
