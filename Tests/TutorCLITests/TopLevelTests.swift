import Testing

/// `lenet-tutor` itself: help, and the errors for what it does not know.
@Suite struct TopLevelTests {
  static let help = """
    OVERVIEW: Learn LeNet-5 (LeCun et al. 1998) by building it from scratch: lessons with live
    Swift cells, exercises and quizzes, then training it on MNIST.

    USAGE: lenet-tutor <command> [options]

    COMMANDS:
      list       List the lessons with your progress (the default command).
      lesson     Read a lesson step by step; its Swift cells run and are checked.
      check      Run chapters' cells and checks without the prose; one line per check.
      quiz       Answer a lesson's quiz questions; answers are kept in your progress.
      summary    Print a model's layers with their parameters and connections.
      data       Download, verify or describe the MNIST data.

    See 'lenet-tutor <command> --help' for a command's options.

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
}
