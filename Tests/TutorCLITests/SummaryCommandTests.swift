import TerminalKit
import Testing
import TutorCLI

@Test func summaryShowsPaperTotals() {
  let output = StringSink()
  let errors = StringSink()
  let context = Context(
    output: output, errors: errors, terminal: Terminal(isInteractive: false, usesColor: false),
    environment: [:])
  #expect(LeNetTutor.run(["summary"], context: context) == 0)
  #expect(output.text.contains("151,600"))
}
