import Foundation
import LessonRunner

/// `lenet-tutor quiz 3`: asks a chapter's quiz questions, records the answers, explains them.
enum QuizCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "quiz",
    abstract: "Answer a lesson's quiz questions; answers are kept in your progress.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson number or a chapter file.")],
    options: [LessonSupport.workspaceOption.spec],
    discussion: """
      Answer a choice question with its number (1, 2 …) or letter (a, b …), a number question
      with the number; q stops. The closing count is of the recorded answers: this time's, and
      for a question not answered this time, the one from before (said so). Exit status: 0 when
      every question's answer is right, 1 otherwise.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (support, chapter) = try LessonSupport.open(arguments, context: context)
    let output = context.output
    let terminal = context.terminal
    let renderer = MarkdownRenderer(terminal: terminal)
    let number = chapter.frontMatter.number
    guard !chapter.quizzes.isEmpty else {
      output.line("Lesson \(number) has no quiz questions.")
      return 0
    }
    output.line(
      terminal.styled("Quiz for lesson \(number): \(chapter.frontMatter.title)", .bold)
        + " (\(counted(chapter.quizzes.count, "question")))")
    // This time's answers, by question id: whether each was right.
    var answeredNow: [String: Bool] = [:]
    questions: for (index, quiz) in chapter.quizzes.enumerated() {
      output.line()
      output.line("\(index + 1). " + renderer.render(quiz.question))
      var prompt = "Your answer (a number, or q to stop): "
      if case .choice(let options, _) = quiz.answer {
        for (choice, option) in options.enumerated() { output.line("   \(choice + 1)) \(option)") }
        prompt = "Your answer (1-\(options.count), or q to stop): "
      }
      while true {
        output.write(prompt)
        guard let response = context.readLine(), response.lowercased() != "q" else {
          output.line()
          break questions
        }
        guard let correct = quiz.grade(response) else {
          output.line("'\(response)' is not an answer to this question.")
          continue
        }
        answeredNow[quiz.id] = correct
        if correct {
          output.line(terminal.verdict(true) + " Right. " + quiz.explanation)
        } else {
          output.line(
            terminal.verdict(false) + " Not quite: the answer is \(answerText(quiz)). "
              + quiz.explanation)
        }
        let answer = response.trimmingCharacters(in: .whitespaces)
        if support.recordsProgress(chapter) {
          support.updateProgress {
            $0.record(answer: answer, correct: correct, quiz: quiz.id, chapter: chapter.stem)
          }
        }
        break
      }
    }
    // A question skipped this time keeps its recorded answer, as `list` and `check` count it.
    let before =
      support.recordsProgress(chapter)
      ? support.loadProgress()?.chapters[chapter.stem]?.quizzes ?? [:] : [:]
    var right = 0
    var fromBefore = 0
    var unanswered = 0
    for quiz in chapter.quizzes {
      if let correct = answeredNow[quiz.id] {
        if correct { right += 1 }
      } else if let earlier = before[quiz.id] {
        fromBefore += 1
        if earlier.correct { right += 1 }
      } else {
        unanswered += 1
      }
    }
    output.line()
    output.line(
      "\(right) of \(chapter.quizzes.count) right"
        + (fromBefore > 0 ? " (\(fromBefore) answered before)" : "")
        + (unanswered > 0 ? ", \(unanswered) not answered" : ""))
    return right == chapter.quizzes.count ? 0 : 1
  }

  private static func answerText(_ quiz: Quiz) -> String {
    switch quiz.answer {
    case .choice(let options, let correct): "\(correct + 1)) \(options[correct])"
    case .number: quiz.correctResponse
    }
  }
}
