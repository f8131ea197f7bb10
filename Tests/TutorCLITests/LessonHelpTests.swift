import Testing

/// The lesson commands' help, verbatim: it is their documentation.
@Suite struct LessonHelpTests {
  @Test func checkHelp() {
    let result = run("check", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Run chapters' cells and checks without the prose; one line per check.

        USAGE: lenet-tutor check [--solutions] [<lesson> ...]

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file (default: every lesson).

        OPTIONS:
          --solutions             Replace exercise cells by their reference solutions.
          -h, --help              Show help information.

        Ends with the line 'N passed, N failed' (', N skipped' when a chapter that needs MNIST
        was skipped, ', N not answered' for quiz questions not yet answered). Exit status: 0 when
        nothing failed, 1 when a check failed, 2 when a chapter cannot be read.

        """)
  }

  @Test func lessonWithoutArgumentIsAUsageError() {
    let result = run("lesson")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: missing argument <lesson>
        Usage: lenet-tutor lesson [--no-pause] [--solutions] <lesson>
        See 'lenet-tutor lesson --help'.

        """)
  }

  @Test func quizUnknownOptionIsAUsageError() {
    let result = run("quiz", "3", "--all")
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("error: unknown option '--all'\n"))
  }
}
