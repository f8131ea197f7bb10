import Testing

/// The lesson commands' help, verbatim: it is their documentation.
@Suite struct LessonHelpTests {
  @Test func checkHelp() {
    let result = run("check", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Run chapters' cells and checks without the prose; one line per check.

        USAGE: lenet-tutor check [--solutions] [--workspace <dir>] [<lesson> ...]

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file (default: every lesson).

        OPTIONS:
          --solutions             Replace exercise cells by their reference solutions.
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        Ends with the line 'N passed, N failed' (', N not started' for checks of exercises still
        as shipped, ', N skipped' when a chapter that needs MNIST was skipped, ', N not answered'
        for quiz questions not yet answered), as 'lesson' does. With --solutions the hidden checks
        (Lessons/Grading/) run too. Exit status: 0 when everything passed, 1 when a check failed
        or is not started, 2 when a chapter cannot be read, 130 when Ctrl-C stopped a chapter.

        """)
  }

  @Test func lessonWithoutArgumentIsAUsageError() {
    let result = run("lesson")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: missing argument <lesson>
        Usage: lenet-tutor lesson [--no-pause] [--solutions] [--workspace <dir>] <lesson>
        See 'lenet-tutor lesson --help'.

        """)
  }

  @Test func quizUnknownOptionIsAUsageError() {
    let result = run("quiz", "3", "--all")
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("error: unknown option '--all'\n"))
  }

  @Test func nextHelp() {
    let result = run("next", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Open the first lesson you have not passed yet.

        USAGE: lenet-tutor next [--no-pause] [--workspace <dir>]

        OPTIONS:
          --no-pause              Run straight through without waiting for Enter.
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        A lesson counts as passed once 'lenet-tutor lesson N' or 'lenet-tutor check N' passed
        every one of its checks and every quiz question is answered right ('lenet-tutor quiz N');
        'lenet-tutor list' shows where you are.

        """)
  }

  @Test func hintHelp() {
    let result = run("hint", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Show the next hint of a lesson's first unsolved exercise.

        USAGE: lenet-tutor hint [--exercise <id>] [--workspace <dir>] <lesson>

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file.

        OPTIONS:
          --exercise <id>         The exercise to hint. (default: the first not yet passed)
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        Each call reveals one more hint; how many you have seen is kept in your progress. An
        exercise counts as passed once 'lenet-tutor check N' (or 'lesson N') has passed it.

        """)
  }

  @Test func solutionHelp() {
    let result = run("solution", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Show the reference solution of an exercise you have passed.

        USAGE: lenet-tutor solution [--exercise <id>] [--force] [--workspace <dir>] <lesson>

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file.

        OPTIONS:
          --exercise <id>         One exercise. (default: every exercise you have passed)
          --force                 Show it even though you have not passed the exercise yet.
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        An exercise counts as passed once 'lenet-tutor check N' (or 'lesson N') has passed it.
        Without --exercise, shows the solutions of the exercises you have passed and names the
        ones still locked. A locked solution is shown only with --force (then the first locked
        one): try 'lenet-tutor hint N' first. A workspace made from a student edition ('init
        --from') has no solutions: there it says so.

        """)
  }

  @Test func resetHelp() {
    let result = run("reset", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Put a lesson's exercise cells back as shipped (your version is backed up).

        USAGE: lenet-tutor reset [--yes] [--exercise <id>] [--workspace <dir>] <lesson>

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file.

        OPTIONS:
          --yes                   Do not ask before resetting (needed when not on a terminal).
          --exercise <id>         Reset only this exercise. (default: every exercise)
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        Works in your workspace ('lenet-tutor init' makes one): the shipped code is the course's
        copy that init kept in .lenet-tutor/course/, so no git is needed. Only the code of
        exercise cells changes; your prose notes and other cells stay. The whole file is first
        saved to .lenet-tutor/backups/, and the path is printed, so nothing you wrote is lost.

        """)
  }

  @Test func watchHelp() {
    let result = run("watch", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Run a lesson's checks again each time you save its file.

        USAGE: lenet-tutor watch [--workspace <dir>] <lesson>

        ARGUMENTS:
          <lesson>                A lesson number or a chapter file.

        OPTIONS:
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        Looks at the file twice a second (no file-system events, no dependencies) and runs the
        checks whenever its content changed, as 'lenet-tutor check N' does; a compile error or a
        crash is shown and watching goes on. q and Enter, the end of input, or Ctrl-C stops.
        Exit status: that of the last run (0 passed, 1 failed, 2 the chapter cannot be read).

        """)
  }
}
