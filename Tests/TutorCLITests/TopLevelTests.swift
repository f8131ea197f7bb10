import TerminalKit
import Testing
import TutorCLI

/// `lenet-tutor` itself: help, and the errors for what it does not know.
@Suite struct TopLevelTests {
  static let help = """
    OVERVIEW: Learn LeNet-5 (LeCun et al. 1998) by building it from scratch: lessons with live
    Swift cells, exercises and quizzes, then training it on MNIST.

    USAGE: lenet-tutor <command> [options]

    COMMANDS:
      init        Make your own workspace: a copy of the chapters to solve the exercises in.
      list        List the lessons with your progress (the default command).
      next        Open the first lesson you have not passed yet.
      lesson      Read a lesson step by step; its Swift cells run and are checked.
      check       Run chapters' cells and checks without the prose; one line per check.
      quiz        Answer a lesson's quiz questions; answers are kept in your progress.
      hint        Show the next hint of a lesson's first unsolved exercise.
      solution    Show the reference solution of an exercise you have passed.
      reset       Put a lesson's exercise cells back as shipped (your version is backed up).
      watch       Run a lesson's checks again each time you save its file.
      release     Write the student edition of the course (chapters only) for a class.
      grade       Grade a class: every student's exercises, with the hidden checks; a gradebook.
      summary     Print a model's layers with their parameters and connections.
      data        Download, verify or describe the MNIST data.
      train       Train a LeNet-5 on MNIST, with SGD or the paper's SDLM; write history and weights.
      evaluate    Test a trained checkpoint on the 10,000 MNIST test images.
      predict     Classify digit images with a trained checkpoint: the top 3 digits.
      bench       Measure training and inference speed (images/s) on synthetic data.
      book        Write the course as a static HTML site, every chapter run, with its pictures.

    See 'lenet-tutor help <command>' (or 'lenet-tutor <command> --help') for a command's
    options, and 'lenet-tutor --version' for the version.

    """

  @Test func helpListsCommands() {
    let result = run("--help")
    #expect(result.status == 0)
    #expect(result.errors == "")
    #expect(result.output == Self.help)
  }

  @Test(arguments: [["-h"], ["help"]])
  func otherWaysToAskForHelp(arguments: [String]) {
    let output = run(arguments)
    #expect(output.status == 0)
    #expect(output.output == Self.help)
  }

  @Test func helpWithACommandPrintsThatCommandsHelp() {
    let viaHelp = run(["help", "train"])
    let viaFlag = run(["train", "--help"])
    #expect(viaHelp.status == 0)
    #expect(viaHelp.output.hasPrefix("OVERVIEW: Train a LeNet-5"))
    #expect(viaHelp.output == viaFlag.output)
  }

  @Test func helpWithAnUnknownCommandIsAUsageError() {
    let result = run(["help", "frobnicate"])
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("error: unknown command 'frobnicate'\n"))
  }

  @Test(arguments: [["--version"], ["version"]])
  func versionIsPrinted(arguments: [String]) {
    let result = run(arguments)
    #expect(result.status == 0)
    #expect(result.output == "lenet-tutor 0.3.0\n")
  }

  @Test func unknownCommandIsAUsageError() {
    let result = run("frobnicate")
    #expect(result.status == 2)
    #expect(result.output == "")
    #expect(
      result.errors == """
        error: unknown command 'frobnicate'
        Usage: lenet-tutor <command> [options]
        See 'lenet-tutor --help'.

        """)
  }

  /// A slip of one or two letters (a swapped pair counts as one) names the command meant.
  @Test(arguments: [
    ("lesso", "lesson"), ("lessons", "lesson"), ("chek", "check"), ("trian", "train"),
    ("sumary", "summary"), ("evalute", "evaluate"),
  ])
  func aMisspelledCommandSuggestsTheNearestOne(typed: String, meant: String) {
    let result = run(typed)
    #expect(result.status == 2)
    #expect(result.output == "")
    #expect(
      result.errors == """
        error: unknown command '\(typed)'; did you mean '\(meant)'?
        Usage: lenet-tutor <command> [options]
        See 'lenet-tutor --help'.

        """)
  }

  @Test func aWordNearTwoCommandsSuggestsNeither() {
    // 'int' is one letter from both 'init' and 'hint'.
    let result = run("int")
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("error: unknown command 'int'\n"))
  }

  @Test func unknownTopLevelFlagIsAUsageError() {
    let result = run("--verbose")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: unknown option '--verbose'
        Usage: lenet-tutor <command> [options]
        See 'lenet-tutor --help'.

        """)
  }

  /// Errors are styled by their own stream: `lenet-tutor lesso 2> errors.log` on a terminal
  /// writes plain text into the log, and a terminal on standard error alone gets the colors.
  @Test func errorsAreStyledOnlyWhenStandardErrorIsATerminal() {
    func errors(outputColored: Bool, errorsColored: Bool) -> String {
      let errors = StringSink()
      let context = Context(
        output: StringSink(), errors: errors,
        terminal: Terminal(isInteractive: outputColored, usesColor: outputColored),
        errorTerminal: Terminal(isInteractive: errorsColored, usesColor: errorsColored),
        environment: [:], readLine: { nil })
      #expect(LeNetTutor.run(["frobnicate"], context: context) == 2)
      return errors.text
    }
    #expect(errors(outputColored: true, errorsColored: false).hasPrefix("error: unknown command"))
    #expect(
      errors(outputColored: false, errorsColored: true)
        .hasPrefix("\u{1B}[31;1merror:\u{1B}[0m unknown command"))
  }
}
