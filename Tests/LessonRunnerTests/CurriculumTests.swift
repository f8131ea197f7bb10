import Foundation
import LessonRunner
import Testing

/// The curriculum checks itself (rustlings' `dev check`): the chapters in Lessons/ are numbered
/// without gaps and titled uniquely, each parses, runs with its reference solutions without a
/// failed check and within its time budget, every exercise as shipped has a TODO, hints and a
/// solution and fails a real check, every quiz's key is consistent, and relative links in the
/// course's Markdown resolve. Run it alone with `swift test --filter CurriculumTests`.
@Suite("Curriculum")
struct CurriculumTests {
  static let catalog = Catalog(directory: packageRoot + "/Lessons")
  static let paths = catalog.entries.map(\.path)

  /// Seconds a chapter's program may run once compiled: issue 6's budget, measured against the
  /// optimized LeNetKit the runner links (chapters that train on MNIST get 60 s, or the larger
  /// `timeout:` their front matter states).
  static let runBudget = (plain: 10.0, needsMNIST: 60.0)

  @Test func lessonsFolderHasChapters() {
    // An empty curriculum is not a pass.
    #expect(
      !Self.catalog.entries.isEmpty,
      "Lessons/ has no NN-slug.md chapters yet, so no chapter was checked")
  }

  @Test func chaptersAreNumberedFromZeroWithoutGaps() {
    let numbers = Self.catalog.entries.map(\.number)
    #expect(numbers == Array(0..<numbers.count), "chapter numbers in Lessons/: \(numbers)")
  }

  @Test func courseHasChaptersZeroToThirteen() {
    // Issue 6's twelve chapters, issue 12's capstone, chapter 12 "Your own LeNet-5", then
    // issue 14's chapter 13 "Training as in 1998".
    let numbers = Self.catalog.entries.map(\.number)
    #expect(numbers == Array(0...13), "chapter numbers in Lessons/: \(numbers)")
  }

  @Test func titlesAreUnique() throws {
    var seen: [String: String] = [:]
    for entry in Self.catalog.entries {
      let title = try entry.chapter.get().frontMatter.title
      #expect(seen[title] == nil, "\(entry.path) has the title of \(seen[title] ?? "")")
      seen[title] = entry.path
    }
  }

  @Test(arguments: paths)
  func chapterHasAnExerciseAndThreeQuizQuestions(path: String) throws {
    // Issue 6: at least one exercise and a quiz of at least three questions per chapter.
    let chapter = try ChapterParser.parse(contentsOf: path)
    #expect(!chapter.exercises.isEmpty, "\(path) has no exercise")
    #expect(chapter.quizzes.count >= 3, "\(path) has \(chapter.quizzes.count) quiz questions")
  }

  @Test(arguments: paths)
  func everyExerciseHasAHintAndASolutionFile(path: String) throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    for exercise in chapter.exercises {
      let id = exercise.exerciseID ?? ""
      #expect(!exercise.hints.isEmpty, "exercise '\(id)' at \(path):\(exercise.line) has no hint")
      let solution = ChapterProgram.solutionPath(chapter: chapter, exerciseID: id)
      #expect(
        FileManager.default.fileExists(atPath: solution),
        "exercise '\(id)' at \(path):\(exercise.line) has no solution at \(solution)")
    }
  }

  /// The chapters that need MNIST, and the others: the first are skipped (Swift Testing's skip,
  /// with the reason and the command that fetches the data) when MNIST is not found, never failed
  /// and never passed.
  static let mnistPaths = catalog.entries.filter(needsMNIST).map(\.path)
  static let plainPaths = catalog.entries.filter { !needsMNIST($0) }.map(\.path)
  static func needsMNIST(_ entry: Catalog.Entry) -> Bool {
    (try? entry.chapter.get().frontMatter.needsMNIST) ?? false
  }
  /// Why the MNIST chapters are skipped here; nil when MNIST was found (`MNIST.locate`).
  static let mnistSkipReason: String? = (try? testWorkspace())?.mnistSkipReason.map {
    "\($0.message) (fix: \($0.fix))"
  }

  @Test(arguments: plainPaths)
  func chapterPassesWithSolutionsWithinItsTimeBudget(path: String) async throws {
    try await expectPassesWithSolutions(path: path, budget: Self.runBudget.plain)
  }

  @Test(
    .enabled(if: mnistSkipReason == nil, Comment(rawValue: mnistSkipReason ?? "")),
    arguments: mnistPaths)
  func mnistChapterPassesWithSolutionsWithinItsTimeBudget(path: String) async throws {
    // A chapter that states a larger `timeout:` (the capstone, chapter 12, trains on the
    // learner's own loops) is held to that stated, measured figure instead.
    let stated = try ChapterParser.parse(contentsOf: path).frontMatter.timeout
    try await expectPassesWithSolutions(
      path: path, budget: max(Self.runBudget.needsMNIST, Double(stated)))
  }

  @Test(arguments: plainPaths)
  func exercisesShipWithATodoAndFailARealCheck(path: String) async throws {
    try await expectStartersFailARealCheck(path: path)
  }

  @Test(
    .enabled(if: mnistSkipReason == nil, Comment(rawValue: mnistSkipReason ?? "")),
    arguments: mnistPaths)
  func mnistExercisesShipWithATodoAndFailARealCheck(path: String) async throws {
    try await expectStartersFailARealCheck(path: path)
  }

  /// Runs the chapter with its reference solutions and the teacher's hidden checks: every check
  /// passes, one readable line per problem, within `budget` seconds.
  func expectPassesWithSolutions(path: String, budget: Double) async throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    let report = try await ChapterRunner(workspace: try testWorkspace(), status: { _ in })
      .runAsChapterWork(chapter, solutions: true, hiddenChecks: true)
    if let errors = report.compileErrors { Issue.record("\(path) does not compile:\n\(errors)") }
    for verdict in report.verdicts where verdict.status != .passed && verdict.status != .note {
      Issue.record("\(verdict.location.map { "\($0): " } ?? "")\(verdict.text)")
    }
    let seconds = try #require(report.runSeconds, "\(path) did not run")
    let withinBudget = seconds < budget
    #expect(withinBudget, "\(path) ran \(seconds) s; its budget is \(budget) s")
  }

  /// Runs the chapter as shipped: every exercise has a TODO, and each fails a real check (one
  /// with an expected value) with every cell run to its end. Problems are one line each (the
  /// report is never dumped).
  func expectStartersFailARealCheck(path: String) async throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    guard !chapter.exercises.isEmpty else { return }
    let report = try await ChapterRunner(workspace: try testWorkspace(), status: { _ in })
      .runAsChapterWork(chapter, solutions: false)
    if let errors = report.compileErrors {
      Issue.record("\(path): the starter code must compile:\n\(errors)")
      return
    }
    for exercise in chapter.exercises {
      let id = exercise.exerciseID ?? ""
      let place = "exercise '\(id)' at \(path):\(exercise.line)"
      guard let range = chapter.exerciseRange(id) else {
        Issue.record("\(place): no cells found for it")
        continue
      }
      if !exercise.code.contains("TODO") { Issue.record("\(place) has no TODO") }
      if report.exercisePassed(id) { Issue.record("\(place) already passes as shipped") }
      // Failing means a check or output that names what was expected and what came out, not a
      // crash: every cell of the exercise runs to its end.
      let stopped = range.filter { report.cells[$0].status != .completed }
      if !stopped.isEmpty {
        let statuses = stopped.map { "cell \($0): \(report.cells[$0].status)" }
        Issue.record("\(place) crashes or stops as shipped: \(statuses.joined(separator: "; "))")
      }
      let failures = range.flatMap { report.verdictLines(forCell: $0).map(\.verdict) }.filter {
        $0.status == .notStarted
      }
      if !failures.contains(where: { $0.text.contains("expected") }) {
        let seen = failures.isEmpty ? "none" : failures.map(\.text).joined(separator: "; ")
        Issue.record(
          "\(place) as shipped fails no check with an expected value; its failures: \(seen)")
      }
    }
  }

  @Test(arguments: paths)
  func quizAnswerKeysAreConsistent(path: String) throws {
    // Parsing already demands one [x] and an explanation; this closes the loop through grading:
    // the key's own answer is right, and every other choice is wrong.
    for quiz in try ChapterParser.parse(contentsOf: path).quizzes {
      #expect(quiz.grade(quiz.correctResponse) == true, "quiz '\(quiz.id)' at line \(quiz.line)")
      if case .choice(let options, let correct) = quiz.answer {
        for choice in options.indices where choice != correct {
          #expect(
            quiz.grade(String(choice + 1)) == false,
            "quiz '\(quiz.id)' at line \(quiz.line) accepts choice \(choice + 1)")
        }
        #expect(Set(options).count == options.count, "quiz '\(quiz.id)' repeats a choice")
      }
    }
  }

  @Test func relativeLinksInTheCourseResolve() throws {
    let manager = FileManager.default
    var files = ["README.md"]
    for folder in ["Lessons", "Docs"] {
      for name in try manager.contentsOfDirectory(atPath: packageRoot + "/" + folder)
      where name.hasSuffix(".md") {
        files.append(folder + "/" + name)
      }
    }
    var checked = 0
    for file in files {
      let text = try String(contentsOfFile: packageRoot + "/" + file, encoding: .utf8)
      let folder = (file as NSString).deletingLastPathComponent
      for (line, target) in MarkdownLinks.relativeTargets(in: text) {
        checked += 1
        let joined: String = packageRoot + "/" + folder + "/" + target
        let resolved = (joined as NSString).standardizingPath
        #expect(
          manager.fileExists(atPath: resolved),
          "\(file):\(line): the link '\(target)' points at nothing")
      }
    }
    #expect(checked > 0, "no relative link was found, so none was checked")
  }
}

/// Finds the relative link targets of Markdown text, outside code.
enum MarkdownLinks {
  /// `(line, target)` for each `[text](target)` whose target is a relative path (no scheme, not
  /// only an `#anchor`), with any `#anchor` removed; fenced blocks and inline code are skipped.
  static func relativeTargets(in text: String) -> [(Int, String)] {
    var targets: [(Int, String)] = []
    var fence: String?
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if let open = fence {
        if trimmed.hasPrefix(open) && trimmed.allSatisfy({ $0 == open.first }) { fence = nil }
        continue
      }
      if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
        fence = String(trimmed.prefix { $0 == trimmed.first })
        continue
      }
      // Inline code spans may hold brackets that are not links.
      let prose = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
        .filter { $0.offset.isMultiple(of: 2) }.map(\.element).joined(separator: " ")
      var rest = Substring(prose)
      while let close = rest.range(of: "](") {
        rest = rest[close.upperBound...]
        guard let end = rest.firstIndex(of: ")") else { break }
        var target = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }
        rest = rest[end...]
        if target.contains("://") || target.hasPrefix("mailto:") || target.hasPrefix("#") {
          continue
        }
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if !target.isEmpty { targets.append((index + 1, target)) }
      }
    }
    return targets
  }
}

/// The link finder the curriculum's link check relies on.
@Suite("Finding Markdown links")
struct MarkdownLinksTests {
  @Test func findsRelativeTargetsOutsideCodeWithoutAnchors() {
    let text = """
      See [the format](Docs/lesson-format.md#cells) and [Keras](https://keras.io).
      Jump [down](#quiz); `[not](a-link.md)` is code.
      ```swift
      let x = [a](b)
      ```
      Two on a line: [one](one.md) and [two](../two.md "title").
      """
    let targets = MarkdownLinks.relativeTargets(in: text)
    #expect(targets.map(\.0) == [1, 6, 6])
    #expect(targets.map(\.1) == ["Docs/lesson-format.md", "one.md", "../two.md"])
  }
}
