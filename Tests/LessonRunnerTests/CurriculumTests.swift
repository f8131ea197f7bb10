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
  /// optimized LeNetKit the runner links (chapters that train on MNIST get 60 s).
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

  @Test func courseHasChaptersZeroToEleven() {
    // Issue 6's course is twelve chapters. Until 09-11 land this is a known issue; once all
    // three exist the condition is false and the expectation is enforced like any other.
    let numbers = Self.catalog.entries.map(\.number)
    withKnownIssue("chapters 09-11 (training, evaluation, paper vs Keras) have not landed yet") {
      #expect(numbers == Array(0...11), "chapter numbers in Lessons/: \(numbers)")
    } when: {
      !Set(9...11).isSubset(of: numbers)
    }
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

  @Test(arguments: paths)
  func chapterPassesWithSolutionsWithinItsTimeBudget(path: String) throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    let workspace = try testWorkspace()
    if chapter.frontMatter.needsMNIST && workspace.mnistDirectory == nil {
      Issue.record("\(path) needs MNIST: set LENET_TUTOR_DATA to the folder with its .gz files")
      return
    }
    let report = try ChapterRunner(workspace: workspace, status: { _ in })
      .run(chapter, solutions: true)
    #expect(report.compileErrors == nil, "\(report.compileErrors ?? "")")
    for verdict in report.verdicts where verdict.status != .passed {
      Issue.record("\(verdict.location.map { "\($0): " } ?? "")\(verdict.text)")
    }
    let budget = chapter.frontMatter.needsMNIST ? Self.runBudget.needsMNIST : Self.runBudget.plain
    let seconds = try #require(report.runSeconds)
    #expect(seconds < budget, "\(path) ran \(seconds) s; its budget is \(budget) s")
  }

  @Test(arguments: paths)
  func exercisesShipWithATodoAndFailARealCheck(path: String) throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    let workspace = try testWorkspace()
    guard !chapter.exercises.isEmpty,
      !(chapter.frontMatter.needsMNIST && workspace.mnistDirectory == nil)
    else { return }
    let report = try ChapterRunner(workspace: workspace, status: { _ in })
      .run(chapter, solutions: false)
    try #require(report.compileErrors == nil, "the starter code must compile")
    for exercise in chapter.exercises {
      let id = exercise.exerciseID ?? ""
      let range = try #require(chapter.exerciseRange(id))
      #expect(
        exercise.code.contains("TODO"), "exercise '\(id)' at line \(exercise.line) has no TODO")
      #expect(!report.exercisePassed(id), "exercise '\(id)' already passes as shipped")
      // Failing means a check or output that names what was expected and what came out, not a
      // crash: every cell of the exercise runs to its end.
      #expect(
        range.allSatisfy { report.cells[$0].status == .completed },
        "exercise '\(id)' crashes or stops as shipped: \(range.map { report.cells[$0].status })")
      let failures = range.flatMap { report.verdicts(forCell: $0) }.filter {
        $0.status == .notStarted
      }
      #expect(
        failures.contains { $0.text.contains("expected") },
        "exercise '\(id)' as shipped fails no check with an expected value: \(failures)")
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
        let resolved = (packageRoot + "/" + folder + "/" + target as NSString).standardizingPath
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
