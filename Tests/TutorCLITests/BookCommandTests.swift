import Foundation
import LeNetKit
import LeNetTestSupport
import LessonRunner
import Testing

/// `book`: the course as a static site, without a browser (BookBrowserTests loads it in one).
@Suite("The book command")
struct BookCommandTests {
  /// A chapter that shows a picture, links to chapter 3, and asks a quiz.
  static let pictureChapter = """
    ---
    number: 4
    title: Pictures
    goals:
      - See a ramp
    minutes: 5
    ---

    # A ramp

    Back to [the loop](03-loop.md) and on to *emphasis with `code` inside*.

    | a | b |
    |---|---|
    | 1 | 2 |

    ```swift
    show(Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]), caption: "a ramp")
    check("six values", 6, equals: 6)
    ```

    ```quiz id=darkest
    Which value is darkest?
    - [ ] 0
    - [x] 5
    explain: Larger values are darker.
    ```

    """

  func checkout() throws -> Checkout {
    let checkout = try loopCheckout()
    try checkout.write("Lessons/04-pictures.md", Self.pictureChapter)
    // A solution the book must never show.
    try checkout.write(
      "Lessons/Solutions/03-loop/double.swift",
      "func double(_ x: Int) -> Int {\n  // SOLUTION-MARKER\n  2 * x\n}\n")
    return checkout
  }

  @Test func helpNamesTheOptions() {
    let result = run("book", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Write the course as a static HTML site, every chapter run, with its pictures.

        USAGE: lenet-tutor book [--out <dir>] [--chapters <list>] [--workspace <dir>]

        OPTIONS:
          --out <dir>             The folder to write the site into. (default: lenet-book)
          --chapters <list>       The chapters to include, as numbers and ranges: 0-3,10. (default: every chapter)
          --workspace <dir>       Your workspace from 'lenet-tutor init'. (default: the one you are in)
          -h, --help              Show help information.

        Runs each chapter and writes index.html, one page per chapter (prose, every cell with its
        output, pictures and checks, hints folded, quizzes to answer in the page) and the assets.
        The folder opens from disk and can be copied to any web host. Exercises show their
        starters, or your code with --workspace (never the reference solutions). A chapter that
        needs MNIST when it is missing says so on its page. Exit status: 0 when the site was
        written, 1 when it could not be written, 2 for a bad option or an unreadable chapter,
        130 when Ctrl-C stopped it.

        """)
  }

  /// Ctrl-C while a chapter runs stops the book (exit 130), instead of writing that chapter's
  /// page as 'stopped (Ctrl-C)' and an index as if the site were whole.
  @Test func ctrlCStopsTheBookAndWritesNoIndex() throws {
    // The loop first creates a file, so the test knows when the chapter's program runs
    // (compiling it first can take long on a loaded machine).
    let looping = NSTemporaryDirectory() + "lenet-tutor-looping-" + UUID().uuidString
    TemporaryFolders.removeAtExit(looping)
    let chapter = """
      ---
      number: 3
      title: A loop
      goals:
        - Wait
      ---

      ```swift
      FileManager.default.createFile(atPath: "\(looping)", contents: nil)
      while true { usleep(10_000) }
      ```

      """
    let checkout = try Checkout(chapters: ["03-loop.md": chapter])
    let tutor = try TutorProcess(
      ["book", "--out", checkout.root + "/site"], environment: checkout.environment)
    try #require(waitForFile(looping, seconds: 300), "the chapter never ran")
    let (status, _, _, errorText) = tutor.interrupt()
    #expect(status == 130, "\(errorText)")
    #expect(
      errorText.hasSuffix(
        "Stopped (Ctrl-C): \(checkout.root)/site/ holds only the chapter pages written before,"
          + " and no index.\n"), "\(errorText)")
    #expect(checkout.read("site/index.html") == nil)
    #expect(checkout.read("site/03-loop.html") == nil)
  }

  @Test func aChapterThatDoesNotExistIsAUsageError() throws {
    let checkout = try checkout()
    let result = checkout.run([
      "book", "--out", checkout.root + "/site", "--chapters", "3,7",
    ])
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix(
        "error: '--chapters' names chapter 7, which does not exist (the chapters are 3, 4)"),
      "\(result.errors)")
    let words = checkout.run(["book", "--chapters", "three"])
    #expect(words.status == 2)
    #expect(
      words.errors.hasPrefix(
        "error: '--chapters' needs chapter numbers such as 0-3,10, got 'three'"))
  }

  @Test func anOutputThatIsAFileIsAClearError() throws {
    let checkout = try checkout()
    try checkout.write("site", "not a folder")
    let result = checkout.run(["book", "--out", checkout.root + "/site"])
    #expect(result.status == 1)
    #expect(result.errors.contains("is a file, not a folder"), "\(result.errors)")
  }

  @Test func theCourseBookShowsStartersOutputsPicturesAndQuizzesButNoSolution() async throws {
    let checkout = try checkout()
    let site = checkout.root + "/site"
    let result = await checkout.runAsChapterWork(["book", "--out", site])
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.hasPrefix("Wrote 2 chapter pages and 1 picture to \(site)/ in"))
    let loop = try #require(checkout.read("site/03-loop.html"))
    #expect(!loop.contains("SOLUTION-MARKER"))
    #expect(loop.contains("<span class=\"comment\">// TODO: return twice x</span>"))
    #expect(
      loop.contains("<details class=\"hint\"><summary>Hint 1</summary><p>Multiply by two.</p>"))
    // The starter fails its check: shown as not started, with expected and actual.
    #expect(
      loop.contains(
        "<li class=\"not-started\"><span class=\"mark\">○</span> double 21"
          + " <span class=\"values\">(expected 42, got 0)</span></li>"))
    let pictures = try #require(checkout.read("site/04-pictures.html"))
    #expect(pictures.contains("<a href=\"03-loop.html\">the loop</a>"))
    #expect(pictures.contains("<em>emphasis with <code>code</code> inside</em>"))
    #expect(pictures.contains("<thead><tr><th>a</th><th>b</th></tr></thead>"))
    #expect(
      pictures.contains(
        "<li class=\"pass\"><span class=\"mark\">✓</span> six values"
          + " <span class=\"values\">(expected 6, got 6)</span></li>"))
    #expect(
      pictures.contains(
        "<form class=\"quiz\" id=\"quiz-darkest\" data-kind=\"choice\" data-answer=\"1\">"))
    #expect(
      pictures.contains(
        "<img class=\"picture gray\" src=\"images/04-pictures-cell1-1.png\" alt=\"a ramp\""))
    // The drawing the terminal shows is folded under the image, not printed beside it.
    #expect(
      pictures.contains(
        "<summary>As the terminal draws it</summary><pre>a ramp\n  ░░▒▒\n▒▒▓▓██\n</pre>"))
    let png = try [UInt8](
      Data(contentsOf: URL(fileURLWithPath: site + "/images/04-pictures-cell1-1.png")))
    // 255 · (1 − v/5) for v = 0…5, larger darker.
    #expect(try PNG.decode(png, file: "x.png").pixels == [255, 204, 153, 102, 51, 0])
    let index = try #require(checkout.read("site/index.html"))
    #expect(
      index.contains(
        "<a href=\"04-pictures.html\">Pictures</a> <span class=\"status\">· 5 min</span>"))
    #expect(!index.contains("exercises:"))
    let search = try #require(checkout.read("site/assets/search.js"))
    #expect(search.contains("\"title\":\"4. Pictures › A ramp\""))
    for asset in ["assets/book.css", "assets/book.js"] {
      #expect(checkout.read("site/" + asset) != nil, "\(asset)")
    }
  }

  @Test func aChapterWhoseProseOpensWithItsTitleShowsTheTitleOnce() async throws {
    let checkout = try checkout()
    try checkout.write(
      "Lessons/05-titled.md",
      "---\nnumber: 5\ntitle: Titled\ngoals:\n  - Read\n---\n\n# Titled\n\nSome prose.\n\n# Titled again\n"
    )
    let result = await checkout.runAsChapterWork(["book", "--out", checkout.root + "/site"])
    #expect(result.status == 0, "\(result.errors)")
    let page = try #require(checkout.read("site/05-titled.html"))
    #expect(
      page.components(separatedBy: ">Titled<").count == 1, "no heading that repeats the title")
    #expect(page.contains("<h1>5. Titled</h1>"))
    #expect(page.contains(">Titled again</h"), "a later heading is kept")
    // A first heading that is not the title stays (chapter 4 opens with "A ramp").
    let pictures = try #require(checkout.read("site/04-pictures.html"))
    #expect(pictures.contains(">A ramp</h"))
  }

  @Test func aChapterThatNeedsMNISTSaysHowToFetchItWhenItIsMissing() async throws {
    let checkout = try Checkout(chapters: [
      "09-data.md": """
      ---
      number: 9
      title: Data
      goals:
        - Load MNIST
      needs-mnist: true
      ---

      ```swift
      print("ran")
      ```

      """
    ])
    let result = await checkout.runAsChapterWork(["book", "--out", checkout.root + "/site"])
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output.hasPrefix("chapter 9: not run, it needs MNIST (fix: "), "\(result.output)")
    let page = try #require(checkout.read("site/09-data.html"))
    #expect(page.contains("The cells were not run: this chapter needs MNIST"))
    #expect(page.contains("lenet-tutor data download"))
    #expect(!page.contains("class=\"output\""))
  }

  @Test func aWorkspaceBookShowsTheLearnersCodeAndProgress() async throws {
    let learner = try loopCheckout().initWorkspace()
    try learner.write("Lessons/03-loop.md", solvingDouble(loopChapter))
    let site = learner.directory + "/site"
    let result = await learner.runAsChapterWork(["book", "--out", site])
    #expect(result.status == 0, "\(result.errors)")
    let page = try #require(learner.read("site/03-loop.html"))
    #expect(page.contains("  <span class=\"keyword\">return</span> x + x"))
    #expect(page.contains("Exercise <code>double</code> · passed"))
    let index = try #require(learner.read("site/index.html"))
    #expect(index.contains("exercises: 1 of 2 passed"))
  }

  /// Every reader of an exercise's status says the same thing: the book's page labels and its
  /// index line, and `lesson`'s "Your turn" list. Here `double` is not started (its starter) and
  /// `triple` is started but wrong (a comment added to its starter, which still returns 0), so
  /// none passed, one is the learner's turn and one failed; then `triple` is solved.
  @Test func theBookPageItsIndexAndLessonAgreeOnEachExercisesStatus() async throws {
    let learner = try loopCheckout().initWorkspace()
    let wrongTriple = loopChapter.replacingOccurrences(
      of: "  // TODO: return three times x\n", with: "  // TODO: return three times x\n  // tried\n"
    )
    for (text, passed, label) in [
      (wrongTriple, 0, "not passed yet"), (solvingTriple(loopChapter), 1, "passed"),
    ] {
      try learner.write("Lessons/03-loop.md", text)
      let site = learner.directory + "/site"
      #expect(await learner.runAsChapterWork(["book", "--out", site]).status == 0)
      let page = try #require(learner.read("site/03-loop.html"))
      #expect(page.contains("Exercise <code>double</code> · your turn: the starter is shown"))
      #expect(page.contains("Exercise <code>triple</code> · \(label)"), "\(label)")
      let index = try #require(learner.read("site/index.html"))
      #expect(index.contains("exercises: \(passed) of 2 passed"), "\(passed)")
      let lesson = await learner.runAsChapterWork(["lesson", "3", "--no-pause"])
      let turn = lesson.output.split(separator: "\n").filter { $0.hasPrefix("Your turn") }
      // Only `double`: `triple` is started, so it is never the learner's turn.
      #expect(
        turn.count == 1 && turn[0].hasPrefix("Your turn: exercise 'double' is not started. Edit "),
        "\(lesson.output)")
    }
  }
}
