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
      with the number; q stops. Exit status: 0 when every answer was right, 1 otherwise.
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
    var wrong = 0
    var unanswered = 0
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
          unanswered = chapter.quizzes.count - index
          break questions
        }
        guard let correct = quiz.grade(response) else {
          output.line("'\(response)' is not an answer to this question.")
          continue
        }
        if correct {
          output.line(terminal.verdict(true) + " Right. " + quiz.explanation)
        } else {
          wrong += 1
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
    let answered = chapter.quizzes.count - unanswered
    output.line()
    output.line(
      "\(answered - wrong) of \(chapter.quizzes.count) right"
        + (unanswered > 0 ? ", \(unanswered) not answered" : ""))
    return wrong == 0 && unanswered == 0 ? 0 : 1
  }

  private static func answerText(_ quiz: Quiz) -> String {
    switch quiz.answer {
    case .choice(let options, let correct): "\(correct + 1)) \(options[correct])"
    case .number: quiz.correctResponse
    }
  }
}
