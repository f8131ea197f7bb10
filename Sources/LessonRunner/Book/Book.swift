import Foundation
import LeNetKit

/// The course as a static site (`lenet-tutor book`): runs each chapter and writes `index.html`,
/// one page per chapter with every cell's output, pictures and checks, and the assets. No
/// server and no network: the folder opens from disk and can be copied to any web host.
///
/// ```
/// DIR/index.html               the chapters, their goals and minutes (and a learner's progress)
/// DIR/03-c3-….html             one page per chapter
/// DIR/images/03-c3-…-cell4-1.png   the pictures cells showed (PNG, or SVG for plots)
/// DIR/assets/book.css, book.js, search.js   style, quizzes and search, and the search index
/// ```
public struct Book {
  /// One chapter to put in the book.
  public struct Entry: Sendable {
    /// The chapter whose exercise code is shown and run: the learner's copy, or the course's.
    public var chapter: Chapter
    /// The shipped chapter it runs inside (nil: it is its own course).
    public var course: Chapter?

    public init(chapter: Chapter, course: Chapter? = nil) {
      self.chapter = chapter
      self.course = course
    }
  }

  /// What a build wrote.
  public struct Summary: Sendable {
    /// The pictures among them.
    public var pictures = 0
    /// The chapters not run, by number (MNIST missing).
    public var skipped: [Int] = []
    /// Whether Ctrl-C stopped the book: the pages before the stopped chapter are written, the
    /// rest and the index are not.
    public var interrupted = false
  }

  public let runner: ChapterRunner
  /// The folder the site is written to.
  public let outputDirectory: String
  /// The learner's progress (a workspace's book shows it in the index); nil for the course.
  public var progress: LearnerProgress?

  public init(runner: ChapterRunner, outputDirectory: String, progress: LearnerProgress? = nil) {
    self.runner = runner
    self.outputDirectory = outputDirectory
    self.progress = progress
  }

  /// The page of a chapter: `03-c3-partial-connections.html`.
  public static func pageName(of chapter: Chapter) -> String { chapter.stem + ".html" }

  /// Runs the chapters (each one's compile overlaps the previous one's run) and writes the
  /// site. `onChapter(done, total, title)` is called as each page is written. Files are written
  /// atomically; a chapter that cannot run gets a page that says why.
  public func build(
    _ entries: [Entry], onChapter: (Int, Int, String) -> Void = { _, _, _ in }
  ) throws(DataError) -> Summary {
    var summary = Summary()
    let pages = Dictionary(
      entries.map { ($0.chapter.stem + ".md", Self.pageName(of: $0.course ?? $0.chapter)) },
      uniquingKeysWith: { first, _ in first })
    let markdown = HTMLMarkdown(chapterPages: pages)
    let courses = entries.map { $0.course ?? $0.chapter }
    // Start every chapter first: each start compiles (one at a time) while earlier ones run.
    var runs: [Result<ChapterRun, any Error>?] = []
    for (entry, course) in zip(entries, courses) {
      if !course.frontMatter.needsMNIST || runner.workspace.mnistDirectory != nil {
        runs.append(
          Result { try runner.start(entry.chapter, solutions: false, course: entry.course) })
      } else {
        runs.append(nil)
      }
    }
    var search: [SearchEntry] = []
    var outcomes: [BookOutcome] = []
    // Each chapter's exercises as its page judged them: the index counts the same statuses.
    var exercises: [[ChapterReport.ExerciseResult]] = []
    for (index, entry) in entries.enumerated() {
      let course = courses[index]
      let outcome: BookOutcome
      switch runs[index] {
      case nil:
        let reason = runner.workspace.mnistSkipReason
        outcome = .skipped(
          message: reason?.message ?? "this chapter needs MNIST",
          fix: reason?.fix ?? MNIST.downloadAdvice)
        summary.skipped.append(course.frontMatter.number)
      case .failure(let error)?:
        outcome = .failed("\(error)")
      case .success(let run)?:
        do {
          let report = try run.wait()
          // Ctrl-C stops the chapter programs running; whoever pressed it meant the book.
          if report.termination == .interrupted {
            for case .success(let later)? in runs[(index + 1)...] { later.cancel() }
            summary.interrupted = true
            return summary
          }
          outcome = .ran(report)
        } catch {
          outcome = .failed("\(error)")
        }
      }
      outcomes.append(outcome)
      var page = BookPage(
        chapter: course, learnerChapter: entry.chapter, outcome: outcome, markdown: markdown)
      let article = page.article()
      exercises.append(page.exercises)
      let html = document(
        title: "\(course.frontMatter.number). \(course.frontMatter.title)",
        body: article + pager(courses, at: index), courses: courses, current: index)
      try write(Array(html.utf8), to: page.fileName)
      for image in page.images {
        try write(image.bytes, to: "images/" + image.name)
        summary.pictures += 1
      }
      search += SearchEntry.sections(of: course, page: page.fileName)
      onChapter(index + 1, entries.count, course.frontMatter.title)
    }
    try write(
      Array(
        document(
          title: "Contents", body: index(courses, outcomes, exercises), courses: courses,
          current: nil
        )
        .utf8),
      to: "index.html")
    try write(Array(BookAssets.css.utf8), to: "assets/book.css")
    try write(Array(BookAssets.javaScript.utf8), to: "assets/book.js")
    try write(Array(SearchEntry.script(search).utf8), to: "assets/search.js")
    return summary
  }

  private func write(_ bytes: [UInt8], to name: String) throws(DataError) {
    try AtomicFile.write(bytes, to: URL(fileURLWithPath: outputDirectory + "/" + name))
  }

  /// The book's title.
  static let title = "LeNet-5 from scratch"

  /// A whole page: the sidebar with the chapters and the search box, and `body`.
  func document(title: String, body: String, courses: [Chapter], current: Int?) -> String {
    var sidebar = [
      "<nav class=\"sidebar\" aria-label=\"Chapters\">",
      "<a class=\"book-title\" href=\"index.html\">\(escape(Self.title))</a>",
      "<input type=\"search\" id=\"search\" placeholder=\"Search the book\" aria-label=\"Search the book\" hidden>",
      "<ol id=\"search-results\"></ol>",
      "<ol class=\"chapters\">",
    ]
    for (index, chapter) in courses.enumerated() {
      let attributes = index == current ? " class=\"current\"" : ""
      sidebar.append(
        "<li\(attributes)><a href=\"\(Self.pageName(of: chapter))\">\(chapter.frontMatter.number)."
          + " \(escape(chapter.frontMatter.title))</a></li>")
    }
    sidebar += ["</ol>", "</nav>"]
    return """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escape(title)) · \(escape(Self.title))</title>
      <link rel="stylesheet" href="assets/book.css">
      <script src="assets/search.js" defer></script>
      <script src="assets/book.js" defer></script>
      </head>
      <body>
      <div class="layout">
      \(sidebar.joined(separator: "\n"))
      <main>
      \(body)
      </main>
      </div>
      </body>
      </html>

      """
  }

  /// Previous and next links.
  private func pager(_ courses: [Chapter], at index: Int) -> String {
    var links = ["<nav class=\"pager\" aria-label=\"Previous and next\">"]
    if index > 0 {
      let previous = courses[index - 1]
      links.append(
        "<a rel=\"prev\" href=\"\(Self.pageName(of: previous))\">← \(previous.frontMatter.number)."
          + " \(escape(previous.frontMatter.title))</a>")
    } else {
      links.append("<a rel=\"prev\" href=\"index.html\">← Contents</a>")
    }
    if index + 1 < courses.count {
      let next = courses[index + 1]
      links.append(
        "<a rel=\"next\" href=\"\(Self.pageName(of: next))\">\(next.frontMatter.number)."
          + " \(escape(next.frontMatter.title)) →</a>")
    }
    links.append("</nav>")
    return links.joined(separator: "\n")
  }

  /// The contents page: each chapter's title, minutes and goals, and how it went (a learner's
  /// exercises and quiz answers, when built from a workspace).
  private func index(
    _ courses: [Chapter], _ outcomes: [BookOutcome],
    _ exercises: [[ChapterReport.ExerciseResult]]
  ) -> String {
    var html = [
      "<article>", "<h1>\(escape(Self.title))</h1>",
      "<p>The course as a book: every chapter with its cells run, their outputs, pictures and"
        + " checks. The exercises show \(progress == nil ? "their starters" : "your code");"
        + " work on them in the terminal with <code>lenet-tutor lesson N</code>.</p>",
      "<ol class=\"chapter-list\">",
    ]
    for (position, (chapter, outcome)) in zip(courses, outcomes).enumerated() {
      let front = chapter.frontMatter
      var item =
        "<li value=\"\(front.number)\"><a href=\"\(Self.pageName(of: chapter))\">"
        + "\(escape(front.title))</a>"
      if let minutes = front.minutes { item += " <span class=\"status\">· \(minutes) min</span>" }
      item += "<ul>" + front.goals.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
      if let progress {
        let line = Self.progressLine(chapter, outcome, exercises[position], progress)
        item += "<p class=\"status\">\(escape(line))</p>"
      }
      html.append(item + "</li>")
    }
    html += ["</ol>", "</article>"]
    return html.joined(separator: "\n")
  }

  /// `exercises: 2 of 3 passed · quizzes: 1 of 2 right`; `exercises` are the statuses the
  /// chapter's page shows.
  static func progressLine(
    _ chapter: Chapter, _ outcome: BookOutcome, _ exercises: [ChapterReport.ExerciseResult],
    _ progress: LearnerProgress
  ) -> String {
    var parts: [String] = []
    let total = chapter.exercises.count
    if total > 0 {
      switch outcome {
      case .ran:
        let passed = exercises.filter { $0.status == .passed }.count
        parts.append("exercises: \(passed) of \(total) passed")
      case .skipped: parts.append("exercises: not run (MNIST missing)")
      case .failed: parts.append("exercises: not run")
      }
    }
    let quizIDs = chapter.quizzes.map(\.id)
    if !quizIDs.isEmpty {
      let right = progress.chapters[chapter.stem]?.rightAnswers(quizIDs: quizIDs) ?? 0
      parts.append("quizzes: \(right) of \(quizIDs.count) right")
    }
    return parts.isEmpty ? "nothing to do but read" : parts.joined(separator: " · ")
  }
}

/// One section of a page for the search box: its title, address and plain text.
struct SearchEntry: Codable, Equatable {
  var title: String
  var url: String
  var text: String

  /// The chapter's sections, split at its headings; the text is the prose without Markdown
  /// marks (code is left out: the search is over what the chapter says).
  static func sections(of chapter: Chapter, page: String) -> [SearchEntry] {
    let chapterTitle = "\(chapter.frontMatter.number). \(chapter.frontMatter.title)"
    var entries = [
      SearchEntry(
        title: chapterTitle, url: page, text: chapter.frontMatter.goals.joined(separator: " "))
    ]
    for case .prose(let text, _) in chapter.blocks {
      for block in MarkdownBlock.parse(text) {
        if case .heading(_, let heading) = block.kind {
          entries.append(
            SearchEntry(
              title: chapterTitle + " › " + plain(heading),
              url: page + "#" + HTMLMarkdown.slug(heading), text: plain(heading)))
        } else if let last = entries.indices.last {
          entries[last].text += words(of: block).map { " " + $0 }.joined()
        }
      }
    }
    return entries
  }

  /// A block's text without Markdown's marks; an indented code block has none.
  static func words(of block: MarkdownBlock) -> [String] {
    switch block.kind {
    case .heading(_, let text), .paragraph(let text): [plain(text)]
    case .list(_, let items): items.flatMap { $0.blocks.flatMap(words(of:)) }
    case .quote(let blocks): blocks.flatMap(words(of:))
    case .table(let header, let rows): ((header ?? []) + rows.joined()).map(plain)
    case .code: []
    }
  }

  /// Inline Markdown as the words a reader sees: marks gone, a link's label kept, its target not.
  static func plain(_ text: String) -> String {
    func flattened(_ pieces: [MarkdownInline]) -> String {
      pieces.map { piece in
        switch piece {
        case .text(let text), .code(let text): text
        case .emphasis(let inner), .strong(let inner), .link(let inner, _): flattened(inner)
        }
      }.joined()
    }
    return flattened(MarkdownInline.parse(text))
  }

  /// `window.BOOK_SEARCH = [...]`, the index the script searches.
  static func script(_ entries: [SearchEntry]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    // `</` cannot end the script early: it is only ever read as a file, but stay safe.
    return "window.BOOK_SEARCH = " + json.replacingOccurrences(of: "</", with: "<\\/") + ";\n"
  }
}
