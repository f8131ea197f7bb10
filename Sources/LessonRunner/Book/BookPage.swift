import Foundation
import LeNetKit

/// What running one chapter for the book came to.
public enum BookOutcome: Sendable {
  /// The chapter ran; its report has each cell's output, pictures and checks.
  case ran(ChapterReport)
  /// It was not run: it needs MNIST, which is missing (`message`), and `fix` fetches it.
  case skipped(message: String, fix: String)
  /// It could not be run (a toolchain or cache error), with why.
  case failed(String)
}

/// One chapter's page: its prose, cells with their outputs, pictures and checks, hints folded,
/// quizzes answerable in the page.
struct BookPage {
  /// The course's chapter (its cells ran) and the learner's copy (its exercise code is shown).
  var chapter: Chapter
  var learnerChapter: Chapter
  var outcome: BookOutcome
  /// The page's file name, `03-c3-partial-connections.html`.
  var fileName: String
  var markdown: HTMLMarkdown
  /// A file an image is written to: its name under `images/` and its bytes.
  var images: [(name: String, bytes: [UInt8])] = []
  /// The report's verdict lines, built once for the summary and every cell's checks.
  let verdictLines: [ChapterReport.VerdictLine]
  /// Each exercise's status, read from `verdictLines` once for the page's labels and the
  /// index's progress line (empty when the chapter did not run).
  let exercises: [ChapterReport.ExerciseResult]

  init(chapter: Chapter, learnerChapter: Chapter, outcome: BookOutcome, markdown: HTMLMarkdown) {
    self.chapter = chapter
    self.learnerChapter = learnerChapter
    self.outcome = outcome
    self.markdown = markdown
    fileName = Book.pageName(of: chapter)
    if case .ran(let report) = outcome {
      verdictLines = report.verdictLines
      exercises = report.exercises(lines: verdictLines)
    } else {
      verdictLines = []
      exercises = []
    }
  }

  var report: ChapterReport? {
    if case .ran(let report) = outcome { return report }
    return nil
  }

  /// The `<article>` of the page; fills `images` with the pictures' files.
  mutating func article() -> String {
    var html: [String] = []
    let front = chapter.frontMatter
    html.append("<h1>\(front.number). \(escape(front.title))</h1>")
    var meta: [String] = []
    if let minutes = front.minutes { meta.append("\(minutes) minutes") }
    if front.needsMNIST { meta.append("reads MNIST") }
    if !meta.isEmpty { html.append("<p class=\"meta\">\(meta.joined(separator: " · "))</p>") }
    html.append("<p class=\"meta\">After this chapter you can:</p><ul class=\"goals\">")
    html += front.goals.map { "<li>\(markdown.inline($0))</li>" }
    html.append("</ul>")
    html.append(summary())
    var isFirstProse = true
    for block in chapter.blocks {
      switch block {
      case .prose(let text, _):
        // The page's own heading already names the chapter: the prose's `# Title` would repeat it.
        html.append(markdown.render(isFirstProse ? Self.withoutTitle(front.title, text) : text))
        isFirstProse = false
      case .cell(let index):
        html.append(cell(index))
      case .output:
        // The cell's real output is shown with the cell; the comparison is among its checks.
        break
      case .hint(let cell, let hint):
        let text = chapter.cells[cell].hints[hint]
        html.append(
          "<details class=\"hint\"><summary>Hint \(hint + 1)</summary>\(markdown.render(text))"
            + "</details>")
      case .quiz(let index):
        html.append(quiz(chapter.quizzes[index]))
      case .code(let text, let language, _):
        let body = language == "swift" ? HTMLSwiftHighlighter.html(text) : escape(text)
        html.append("<pre class=\"code\"><code>\(body)</code></pre>")
      }
    }
    return "<article>\n" + html.joined(separator: "\n") + "\n</article>"
  }

  /// `prose` without its first line when that line is the heading `# title`.
  static func withoutTitle(_ title: String, _ prose: String) -> String {
    let lines = prose.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }),
      lines[first].trimmingCharacters(in: .whitespaces) == "# " + title
    else { return prose }
    return lines[(first + 1)...].joined(separator: "\n")
  }

  /// The line under the goals: how the run went, or why it did not happen.
  private func summary() -> String {
    switch outcome {
    case .skipped(let message, let fix):
      return
        "<div class=\"notice\" id=\"run-summary\"><p>The cells were not run: \(escape(message))."
        + " Fetch it with <code>\(escape(fix))</code>, then build the book again. The code is"
        + " shown without its outputs.</p></div>"
    case .failed(let reason):
      return "<div class=\"notice\" id=\"run-summary\"><p>The chapter could not be run:"
        + " \(escape(reason))</p></div>"
    case .ran(let report):
      var parts = ["<div class=\"run\" id=\"run-summary\"><p class=\"meta\">"]
      let lines = verdictLines
      let tally = ChapterReport.Tally(lines.map(\.verdict))
      parts.append("Run for this page: \(escape(tally.summary))")
      if let seconds = report.runSeconds { parts.append(String(format: " (%.1f s)", seconds)) }
      parts.append(".</p>")
      if let errors = report.compileErrors {
        parts.append("<div class=\"notice\"><p>The chapter does not compile:</p>")
        parts.append("<pre>\(escape(errors))</pre></div>")
      }
      // What concerns the whole chapter rather than one cell: tampering, edited cells, missing
      // or refused exercises, a program that stopped before its first cell.
      let general = lines.filter { $0.cell == nil && $0.verdict.status != .note }
        .map(\.verdict)
      if !general.isEmpty {
        parts.append("<ul class=\"checks\">")
        parts += general.map { verdictItem($0) }
        parts.append("</ul>")
      }
      parts.append("</div>")
      return parts.joined()
    }
  }

  /// A cell: its code (the learner's exercise code, or the starter), output with pictures in
  /// their drawings' places, and checks.
  private mutating func cell(_ index: Int) -> String {
    let cell = chapter.cells[index]
    var html: [String] = []
    let id = cell.exerciseID
    html.append("<section class=\"cell\(id == nil ? "" : " exercise")\" id=\"cell-\(index + 1)\">")
    var code = cell.code
    if let id {
      let status = exercises.first { $0.id == id }?.status
      let label = status.map { Self.statusText($0) } ?? ""
      html.append(
        "<p class=\"exercise-label\">Exercise <code>\(escape(id))</code>"
          + (label.isEmpty ? "" : " · \(escape(label))") + "</p>")
      if let mine = learnerChapter.exercises.first(where: { $0.exerciseID == id }) {
        code = mine.code
      }
    }
    html.append(
      "<pre class=\"code\"><code class=\"language-swift\">\(HTMLSwiftHighlighter.html(code))</code></pre>"
    )
    if let report, report.compileErrors == nil, report.cells.indices.contains(index) {
      let result = report.cells[index]
      if result.status == .notRun {
        html.append("<p class=\"meta\">Not run: an earlier cell stopped the chapter.</p>")
      } else {
        html.append(output(result, cell: index))
        // The cell's own lines, then its checks', as `verdictLines` orders them.
        let lines = verdictLines.filter { $0.cell == index }
        if !lines.isEmpty {
          html.append("<ul class=\"checks\">")
          html += lines.map { line in
            line.check.map { checkItem($0, line.verdict) } ?? verdictItem(line.verdict)
          }
          html.append("</ul>")
        }
      }
    }
    html.append("</section>")
    return html.joined(separator: "\n")
  }

  /// The output text, cut where pictures' drawings are: each drawing becomes its image, with
  /// the drawing itself folded under it.
  private mutating func output(_ result: ChapterReport.CellResult, cell: Int) -> String {
    let bytes = Array(result.output.utf8)
    guard !bytes.isEmpty || !result.pictures.isEmpty else { return "" }
    var html = ["<div class=\"output\"><span class=\"label\">Output</span>"]
    var position = 0
    func text(_ range: Range<Int>) {
      let piece = String(decoding: bytes[range], as: UTF8.self)
      if !piece.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        html.append(
          "<pre>\(escape(piece.hasSuffix("\n") ? String(piece.dropLast()) : piece))</pre>")
      }
    }
    for (number, picture) in result.pictures.enumerated() {
      let start = min(max(position, picture.drawing.lowerBound), bytes.count)
      let end = min(max(start, picture.drawing.upperBound), bytes.count)
      text(position..<start)
      let base = "\(chapter.stem)-cell\(cell + 1)-\(number + 1)"
      let alt = escape(
        picture.caption.isEmpty ? "picture \(number + 1) of cell \(cell + 1)" : picture.caption)
      html.append("<figure>")
      switch picture.content {
      case .gray(let image):
        images.append((base + ".png", PNG.encode(image)))
        // Small maps are drawn larger (up to 600 by 360 pixels), pixels kept square and sharp.
        let scale = max(1, min(24, 600 / image.width, 360 / image.height))
        html.append(
          "<img class=\"picture gray\" src=\"images/\(base).png\" alt=\"\(alt)\""
            + " width=\"\(image.width * scale)\" height=\"\(image.height * scale)\">")
      case .svg(let svg):
        images.append((base + ".svg", Array(svg.utf8)))
        html.append("<img class=\"picture svg\" src=\"images/\(base).svg\" alt=\"\(alt)\">")
      }
      if !picture.caption.isEmpty {
        html.append("<figcaption>\(escape(picture.caption))</figcaption>")
      }
      if end > start {
        let drawing = String(decoding: bytes[start..<end], as: UTF8.self)
        html.append(
          "<details class=\"drawing\"><summary>As the terminal draws it</summary>"
            + "<pre>\(escape(drawing))</pre></details>")
      }
      html.append("</figure>")
      position = end
    }
    text(min(position, bytes.count)..<bytes.count)
    html.append("</div>")
    return html.joined(separator: "\n")
  }

  /// A check: ✓ or ✗ (○ for an exercise not started), its label, expected and actual.
  private func checkItem(_ check: ChapterReport.Check, _ verdict: ChapterReport.Verdict) -> String {
    guard check.passed == (verdict.status == .passed), !check.hidden else {
      return verdictItem(verdict)
    }
    let (kind, mark) = Self.mark(verdict.status)
    var values = ""
    if !check.expected.isEmpty {
      values = "expected \(check.expected), got \(check.actual)"
    } else if !check.actual.isEmpty && !check.passed {
      values = check.actual
    }
    return "<li class=\"\(kind)\"><span class=\"mark\">\(mark)</span> \(escape(check.label))"
      + (values.isEmpty ? "" : " <span class=\"values\">(\(escape(values)))</span>") + "</li>"
  }

  private func verdictItem(_ verdict: ChapterReport.Verdict) -> String {
    let (kind, mark) = Self.mark(verdict.status)
    return "<li class=\"\(kind)\"><span class=\"mark\">\(mark)</span> \(escape(verdict.text))</li>"
  }

  static func mark(_ status: ChapterReport.Verdict.Status) -> (String, String) {
    switch status {
    case .passed: ("pass", "✓")
    case .failed: ("fail", "✗")
    case .notStarted: ("not-started", "○")
    case .warning: ("warning", "!")
    case .note: ("note", "–")
    }
  }

  static func statusText(_ status: ChapterReport.ExerciseStatus) -> String {
    switch status {
    case .passed: "passed"
    case .failed: "not passed yet"
    case .notStarted: "your turn: the starter is shown"
    case .compileError: "does not compile"
    case .timeout: "ran out of time"
    case .outOfMemory: "ran out of memory"
    case .crashed: "crashed"
    case .missing: "missing from the workspace"
    }
  }

  /// A quiz as a form: choices as radio buttons or a number field, a button (shown by the
  /// script), and the answer with its explanation folded, so the page reads without script.
  private func quiz(_ quiz: Quiz) -> String {
    let name = "quiz-" + quiz.id
    var html = ["<form class=\"quiz\" id=\"\(escape(name))\""]
    var answerText: String
    switch quiz.answer {
    case .choice(let options, let correct):
      html[0] += " data-kind=\"choice\" data-answer=\"\(correct)\">"
      html.append(markdown.render(quiz.question))
      html.append("<fieldset>")
      for (index, option) in options.enumerated() {
        html.append(
          "<label><input type=\"radio\" name=\"\(escape(name))\" value=\"\(index)\"> "
            + "\(markdown.inline(option))</label>")
      }
      html.append("</fieldset>")
      answerText = markdown.inline(options[correct])
    case .number(let value, let tolerance):
      html[0] += " data-kind=\"number\" data-answer=\"\(value)\" data-tolerance=\"\(tolerance)\">"
      html.append(markdown.render(quiz.question))
      html.append(
        "<fieldset><label>Your answer: <input type=\"text\" inputmode=\"decimal\""
          + " name=\"\(escape(name))\" autocomplete=\"off\"></label></fieldset>")
      answerText =
        escape(quiz.correctResponse)
        + (tolerance > 0 ? " (± \(escape(Quiz.format(tolerance))))" : "")
    }
    html.append("<button type=\"button\" class=\"quiz-check\" hidden>Check</button>")
    html.append("<p class=\"quiz-result\" aria-live=\"polite\"></p>")
    html.append(
      "<details class=\"quiz-explanation\"><summary>Answer and explanation</summary>"
        + "<p><strong>Answer:</strong> \(answerText)</p><p>\(markdown.inline(quiz.explanation))</p>"
        + "</details>")
    html.append("</form>")
    return html.joined(separator: "\n")
  }
}
