import Foundation
import LessonRunner
import Testing

/// The curriculum checks itself (rustlings' `dev check`): every chapter in Lessons/ parses, runs
/// with its reference solutions without a failed check, and every exercise as shipped has a TODO
/// and fails. Run it alone with `swift test --filter CurriculumTests`.
@Suite("Curriculum")
struct CurriculumTests {
  let catalog = Catalog(directory: packageRoot + "/Lessons")

  @Test func lessonsFolderHasChapters() {
    // Until the first chapter lands this fails on purpose: an empty curriculum is not a pass.
    #expect(
      !catalog.entries.isEmpty,
      "Lessons/ has no NN-slug.md chapters yet, so no chapter was checked")
  }

  @Test(arguments: Catalog(directory: packageRoot + "/Lessons").entries.map(\.path))
  func chapterPassesWithSolutions(path: String) throws {
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
  }

  @Test(arguments: Catalog(directory: packageRoot + "/Lessons").entries.map(\.path))
  func exercisesShipWithATodoAndFail(path: String) throws {
    let chapter = try ChapterParser.parse(contentsOf: path)
    let workspace = try testWorkspace()
    guard !chapter.exercises.isEmpty,
      !(chapter.frontMatter.needsMNIST && workspace.mnistDirectory == nil)
    else { return }
    let report = try ChapterRunner(workspace: workspace, status: { _ in })
      .run(chapter, solutions: false)
    #expect(report.compileErrors == nil, "the starter code must compile")
    for exercise in chapter.exercises {
      let id = exercise.exerciseID ?? ""
      #expect(
        exercise.code.contains("TODO"), "exercise '\(id)' at line \(exercise.line) has no TODO")
      #expect(!report.exercisePassed(id), "exercise '\(id)' already passes as shipped")
    }
  }

  @Test(arguments: Catalog(directory: packageRoot + "/Lessons").entries.map(\.path))
  func quizAnswerKeysAcceptTheirOwnAnswer(path: String) throws {
    // Parsing already demands one [x] and an explanation; this closes the loop through grading.
    for quiz in try ChapterParser.parse(contentsOf: path).quizzes {
      #expect(quiz.grade(quiz.correctResponse) == true, "quiz '\(quiz.id)' at line \(quiz.line)")
    }
  }
}
