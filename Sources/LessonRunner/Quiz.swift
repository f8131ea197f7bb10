import Foundation

/// A quiz question: multiple choice with one right choice, or a number within a tolerance.
public struct Quiz: Sendable, Equatable {
  /// The kind of answer the question takes.
  public enum Answer: Sendable, Equatable {
    /// The choices in order; `correct` is the index of the one marked `[x]`.
    case choice(options: [String], correct: Int)
    /// A number, accepted when within `tolerance` of `value`.
    case number(value: Double, tolerance: Double)
  }

  /// The id from ```quiz id=…; answers are stored under it.
  public var id: String
  /// The question (Markdown).
  public var question: String
  /// The answer key.
  public var answer: Answer
  /// The one-line explanation shown after answering.
  public var explanation: String
  /// The line of the opening fence.
  public var line: Int

  /// Whether `response` answers the question correctly: a choice's number (1, 2 …) or letter
  /// (a, b …), or a number (`1,516` and `1516` are the same); nil when `response` is neither.
  public func grade(_ response: String) -> Bool? {
    let text = response.trimmingCharacters(in: .whitespaces).lowercased()
    switch answer {
    case .choice(let options, let correct):
      guard let index = Quiz.choiceIndex(text, count: options.count) else { return nil }
      return index == correct
    case .number(let value, let tolerance):
      guard let number = Double(text.replacingOccurrences(of: ",", with: "")) else { return nil }
      return abs(number - value) <= tolerance
    }
  }

  /// The right answer as a learner would type it.
  public var correctResponse: String {
    switch answer {
    case .choice(_, let correct): String(correct + 1)
    case .number(let value, _): Quiz.format(value)
    }
  }

  /// The choice letter `a`… or number `1`… as an index, if in range.
  static func choiceIndex(_ text: String, count: Int) -> Int? {
    if let number = Int(text), (1...count).contains(number) { return number - 1 }
    if text.count == 1, let scalar = text.unicodeScalars.first, ("a"..."z").contains(scalar) {
      let index = Int(scalar.value) - Int(("a" as Unicode.Scalar).value)
      return index < count ? index : nil
    }
    return nil
  }

  /// A number without a trailing `.0` when it is whole.
  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}

extension Quiz {
  /// Parses the body of a ```quiz block whose first body line is `firstLine`.
  static func parse(id: String, body: [String], fenceLine: Int, path: String) throws(ChapterError)
    -> Quiz
  {
    var questionLines: [String] = []
    var options: [String] = []
    var marked: [(line: Int, index: Int)] = []
    var number: Double?
    var tolerance: Double?
    var explanation: String?
    func fail(_ problem: String, _ fix: String, line: Int) -> ChapterError {
      .invalidQuiz(
        id: id, problem: problem, fix: fix, SourceLocation(path: path, line: line))
    }
    for (offset, rawLine) in body.enumerated() {
      let line = fenceLine + 1 + offset
      let text = rawLine.trimmingCharacters(in: .whitespaces)
      if let choice = Quiz.choice(text) {
        guard number == nil, explanation == nil else {
          throw fail(
            "a choice after 'answer:' or 'explain:'",
            "list the choices right after the question", line: line)
        }
        if choice.marked { marked.append((line, options.count)) }
        options.append(choice.text)
      } else if let value = Quiz.field("answer", text) {
        guard let parsed = Double(value.replacingOccurrences(of: ",", with: "")) else {
          throw fail("'answer: \(value)' is not a number", "write answer: 60", line: line)
        }
        number = parsed
      } else if let value = Quiz.field("tolerance", text) {
        guard let parsed = Double(value), parsed >= 0 else {
          throw fail(
            "'tolerance: \(value)' is not a number ≥ 0", "write tolerance: 0.01", line: line)
        }
        tolerance = parsed
      } else if let value = Quiz.field("explain", text) {
        explanation = value
      } else if let existing = explanation, !text.isEmpty {
        explanation = existing + " " + text
      } else if options.isEmpty && number == nil {
        questionLines.append(rawLine)
      } else if !text.isEmpty {
        throw fail(
          "unexpected line '\(text)' after the choices",
          "put the question first, then '- [ ]' choices or 'answer:', then 'explain:'", line: line)
      }
    }
    let lastLine = fenceLine + body.count
    let question = questionLines.joined(separator: "\n").trimmingCharacters(
      in: .whitespacesAndNewlines)
    guard !question.isEmpty else {
      throw fail(
        "no question", "write the question on the first line of the block", line: fenceLine)
    }
    let answer: Answer
    if let number {
      guard options.isEmpty else {
        throw fail(
          "both choices and 'answer:'", "keep either the '- [ ]' choices or 'answer:'",
          line: fenceLine)
      }
      answer = .number(value: number, tolerance: tolerance ?? 0)
    } else {
      guard tolerance == nil else {
        throw fail("'tolerance:' without 'answer:'", "add 'answer: NUMBER'", line: fenceLine)
      }
      guard options.count >= 2 else {
        throw fail(
          options.isEmpty ? "neither choices nor 'answer:'" : "only one choice",
          "list choices as '- [ ] wrong' and one '- [x] right', or write 'answer: NUMBER'",
          line: fenceLine)
      }
      guard let first = marked.first else {
        throw fail("no choice is marked [x]", "mark the right choice '- [x] …'", line: fenceLine)
      }
      guard marked.count == 1 else {
        throw fail(
          "more than one choice is marked [x] (lines \(first.line) and \(marked[1].line))",
          "mark exactly one choice '- [x]'", line: marked[1].line)
      }
      answer = .choice(options: options, correct: first.index)
    }
    guard let explanation, !explanation.isEmpty else {
      throw fail(
        "no 'explain:' line", "add 'explain: why the answer is right' as the last line",
        line: lastLine)
    }
    return Quiz(
      id: id, question: question, answer: answer, explanation: explanation, line: fenceLine)
  }

  private static func choice(_ text: String) -> (marked: Bool, text: String)? {
    for (prefix, marked) in [("- [ ] ", false), ("- [x] ", true), ("- [X] ", true)]
    where text.hasPrefix(prefix) {
      return (marked, String(text.dropFirst(prefix.count)))
    }
    return nil
  }

  private static func field(_ name: String, _ text: String) -> String? {
    guard text.hasPrefix(name + ":") else { return nil }
    return text.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
  }
}
