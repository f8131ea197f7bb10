import Foundation
import LeNetKit
import Synchronization
import TerminalKit
import Testing
import TutorCLI

/// Headless Chromium, found on `PATH` (Debian's `chromium` package; `.ci/run` installs it).
enum Browser {
  /// The browser's path, or nil when it is not installed.
  static let path: String? = {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      for name in ["chromium", "chromium-browser"] {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }()

  /// CI sets `LENET_TUTOR_REQUIRE_BROWSER=1`: there a missing browser fails instead of skipping.
  static let required = ProcessInfo.processInfo.environment["LENET_TUTOR_REQUIRE_BROWSER"] == "1"

  /// Whether the browser tests run: the browser is there, or CI requires it (and they fail).
  static let runs = path != nil || required

  static let skipReason: Comment =
    "Chromium is not installed (apt-get install -y chromium); the browser tests skip"

  /// Runs the browser headless with `arguments`, its profile in the folder `profile` (deleted
  /// after the run), and returns what it printed on standard output.
  static func run(_ arguments: [String], profile: String) throws -> String {
    guard let path else {
      Issue.record("LENET_TUTOR_REQUIRE_BROWSER=1 but chromium is not on PATH")
      return ""
    }
    defer { try? FileManager.default.removeItem(atPath: profile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments =
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--user-data-dir=\(profile)", "--hide-scrollbars",
      ] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }
}

/// Files a test process writes for a whole suite, to delete when it ends, as `Browser.run`
/// deletes each profile; another process's files have names of their own.
final class FilesToRemove: Sendable {
  /// The book `BookBrowserTests.Site` writes, and its progress file.
  static let book = FilesToRemove()

  private let paths = Mutex<[String]>([])

  func add(_ path: String) { paths.withLock { $0.append(path) } }

  func removeAll() {
    for path in paths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
  }
}

/// Deletes `files` when the suite ends, passed or failed.
struct RemovesAfterTheSuite: SuiteTrait, TestScoping {
  let files: FilesToRemove

  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    defer { files.removeAll() }
    try await function()
  }
}

@Suite struct RemovesAfterTheSuiteTests {
  @Test func theFilesAddedAreDeletedWhenTheSuiteEndsEvenIfItFails() async throws {
    let folder = NSTemporaryDirectory() + "lenet-remove-test-" + UUID().uuidString
    try FileManager.default.createDirectory(
      atPath: folder + "/images", withIntermediateDirectories: true)
    let files = FilesToRemove()
    files.add(folder)
    let test = try #require(Test.current)
    await #expect(throws: CancellationError.self) {
      try await RemovesAfterTheSuite(files: files).provideScope(for: test, testCase: nil) {
        #expect(FileManager.default.fileExists(atPath: folder + "/images"))
        throw CancellationError()
      }
    }
    #expect(!FileManager.default.fileExists(atPath: folder))
  }
}

/// The book in a real browser: every page loads without a script error or a missing file, the
/// pictures decode, a quiz answers a click, and each page's screenshot is not blank.
@Suite(
  "The book in a headless browser", .enabled(if: Browser.runs, Browser.skipReason),
  RemovesAfterTheSuite(files: .book))
struct BookBrowserTests {
  /// The course built once for every test here.
  static let site: Result<Site, any Error> = Result { try Site() }

  /// The book of this package's course, written into a fresh folder.
  struct Site: Sendable {
    let directory: String
    let pages: [String]
    let hasMNIST: Bool
    /// Where screenshots are written for a person to look at.
    let screenshots: String

    init() throws {
      directory = NSTemporaryDirectory() + "lenet-book-" + UUID().uuidString
      FilesToRemove.book.add(directory)
      FilesToRemove.book.add(directory + "-progress.json")
      screenshots = packageRoot + "/.build/book-browser-tests"
      var environment = ProcessInfo.processInfo.environment
      environment["LENET_TUTOR_ROOT"] = packageRoot
      environment["LENET_TUTOR_CACHE"] =
        environment["LENET_TUTOR_CACHE"] ?? packageRoot + "/.build/lenet-tutor-test-cache"
      environment["LENET_TUTOR_PROGRESS"] = directory + "-progress.json"
      hasMNIST = environment["LENET_TUTOR_DATA"] != nil
      let output = StringSink()
      let errors = StringSink()
      let context = Context(
        output: output, errors: errors, terminal: Terminal(isInteractive: false, usesColor: false),
        environment: environment, readLine: { nil })
      let status = LeNetTutor.run(["book", "--out", directory], context: context)
      guard status == 0 else {
        throw CocoaError(
          .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: output.text + errors.text])
      }
      pages = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".html") }.sorted()
      try FileManager.default.createDirectory(
        atPath: screenshots, withIntermediateDirectories: true)
    }

    func url(_ page: String) -> String { "file://\(directory)/\(page)" }

    /// The page loaded with a test script that records script errors, files that fail to load,
    /// each image's decoded size, and (when `quiz` is given) what answering that quiz with a
    /// click shows; returns the record.
    func inspect(
      _ page: String, answering quiz: (id: String, right: Bool)? = nil, screenshot: String? = nil
    ) throws -> PageRecord {
      let html = try String(contentsOfFile: directory + "/" + page, encoding: .utf8)
      let probe = "<script>\(Self.probe(quiz))</script>"
      let instrumented = html.replacingOccurrences(of: "<head>", with: "<head>\n" + probe)
      let copy = "_test-\(UUID().uuidString)-" + page
      try Data(instrumented.utf8).write(to: URL(fileURLWithPath: directory + "/" + copy))
      defer { try? FileManager.default.removeItem(atPath: directory + "/" + copy) }
      let dom = try Browser.run(
        ["--virtual-time-budget=5000", "--window-size=1200,1500", "--dump-dom"]
          + (screenshot.map { ["--screenshot=\($0)"] } ?? []) + [url(copy)],
        profile: directory + "-profile-" + UUID().uuidString)
      guard let marker = dom.range(of: "id=\"test-record\""),
        let start = dom[marker.upperBound...].range(of: ">"),
        let end = dom[start.upperBound...].range(of: "</pre>")
      else {
        throw CocoaError(
          .fileReadCorruptFile,
          userInfo: [NSLocalizedDescriptionKey: "no record in \(page): \(dom.prefix(300))"])
      }
      let json = String(dom[start.upperBound..<end.lowerBound])
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
      return try JSONDecoder().decode(PageRecord.self, from: Data(json.utf8))
    }

    /// The script put at the top of a page's copy. It listens for errors and failed loads
    /// (capturing, so an `<img>`'s or `<script>`'s failure is seen), and after the load event
    /// writes what it saw as JSON into `<pre id="test-record">`.
    static func probe(_ quiz: (id: String, right: Bool)?) -> String {
      let answer =
        quiz.map { quiz in
          """
          var form = document.getElementById("quiz-\(quiz.id)");
          var right = \(quiz.right);
          if (form.dataset.kind === "choice") {
            var options = form.querySelectorAll("input[type=radio]");
            var pick = right ? Number(form.dataset.answer) : (Number(form.dataset.answer) + 1) % options.length;
            options[pick].click();
          } else {
            form.querySelector("input[type=text]").value = right ? form.dataset.answer : "-12345";
          }
          var before = form.querySelector("details.quiz-explanation").open;
          form.querySelector("button.quiz-check").click();
          record.quiz = {
            openBefore: before,
            openAfter: form.querySelector("details.quiz-explanation").open,
            result: form.querySelector(".quiz-result").textContent
          };
          """
        } ?? ""
      return """
        var record = { errors: [], failedLoads: [], images: [], checks: [], quiz: null, searchEntries: -1 };
        window.addEventListener("error", function (event) {
          var target = event.target;
          if (target && target !== window && (target.src || target.href)) {
            record.failedLoads.push(target.src || target.href);
          } else {
            record.errors.push(String(event.message));
          }
        }, true);
        var originalError = console.error;
        console.error = function () {
          record.errors.push(Array.prototype.join.call(arguments, " "));
          originalError.apply(console, arguments);
        };
        window.addEventListener("load", function () {
          setTimeout(function () {
            document.querySelectorAll("img").forEach(function (image) {
              record.images.push({ alt: image.alt, src: image.getAttribute("src"),
                complete: image.complete, width: image.naturalWidth, height: image.naturalHeight });
            });
            document.querySelectorAll("ul.checks li").forEach(function (item) {
              record.checks.push({ kind: item.className, text: item.textContent });
            });
            record.searchEntries = window.BOOK_SEARCH ? window.BOOK_SEARCH.length : -1;
            record.styled = getComputedStyle(document.documentElement).getPropertyValue("--paper");
            \(answer)
            var pre = document.createElement("pre");
            pre.id = "test-record";
            pre.hidden = true;
            pre.textContent = JSON.stringify(record);
            document.body.appendChild(pre);
          }, 100);
        });
        """
    }
  }

  /// What the probe saw on one page.
  struct PageRecord: Decodable {
    struct Image: Decodable {
      var alt: String
      var src: String
      var complete: Bool
      var width: Int
      var height: Int
    }
    struct Check: Decodable {
      var kind: String
      var text: String
    }
    struct Quiz: Decodable {
      var openBefore: Bool
      var openAfter: Bool
      var result: String
    }
    var errors: [String]
    var failedLoads: [String]
    var images: [Image]
    var checks: [Check]
    var quiz: Quiz?
    var searchEntries: Int
    var styled: String?
  }

  func site() throws -> Site { try Self.site.get() }

  /// Every page inspected once (with no quiz answered) and its screenshot, for every test here
  /// that reads a page as it loads: each browser start costs about a CPU-second.
  static let everyPage: Result<[Int: Result<PageRecord, any Error>], any Error> = Result {
    let site = try Self.site.get()
    // Two pages at a time (one browser each): each load records its errors and screenshots.
    let records = Mutex<[Int: Result<PageRecord, any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: site.pages.count) { index in
      let shot = screenshot(of: site.pages[index], in: site)
      try? FileManager.default.removeItem(atPath: shot)
      let record = Result { try site.inspect(site.pages[index], screenshot: shot) }
      records.withLock { $0[index] = record }
    }
    return records.withLock { $0 }
  }

  /// Where `everyPage` writes the screenshot of `page`.
  static func screenshot(of page: String, in site: Site) -> String {
    site.screenshots + "/" + page.replacingOccurrences(of: ".html", with: ".png")
  }

  /// The record of `page` from `everyPage`.
  func record(of page: String) throws -> PageRecord {
    let site = try site()
    let index = try #require(site.pages.firstIndex(of: page), "\(page) is not in the book")
    return try #require(try Self.everyPage.get()[index]).get()
  }

  @Test func everyPageLoadsWithoutErrorsOrMissingFilesAndItsScreenshotIsNotBlank() throws {
    let site = try site()
    #expect(site.pages.count >= 14, "index and the chapters: \(site.pages)")
    let shots = site.pages.map { Self.screenshot(of: $0, in: site) }
    for (index, page) in site.pages.enumerated() {
      let record = try self.record(of: page)
      #expect(record.errors.isEmpty, "\(page): script errors \(record.errors)")
      #expect(record.failedLoads.isEmpty, "\(page): failed to load \(record.failedLoads)")
      // The stylesheet applied (its colours are defined) and the search index loaded.
      #expect(record.styled?.isEmpty == false, "\(page): the stylesheet did not apply")
      #expect(record.searchEntries > 50, "\(page): the search index did not load")
      for image in record.images {
        #expect(image.complete && image.width > 0, "\(page): \(image.src) does not decode")
      }
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: shots[index])))
      let image = try PNG.decode(bytes, file: shots[index])
      #expect(image.width == 1200 && image.height == 1500, "\(shots[index])")
      // Not blank: text and rules make many gray levels and a fair share of non-paper pixels.
      let levels = Set(image.pixels).count
      let inked = image.pixels.filter { $0 < 200 }.count
      #expect(levels > 20 && inked > image.pixels.count / 100, "\(shots[index]) looks blank")
    }
  }

  @Test func chapterThreeShowsItsCountsPassedAndTableOneAsAGrid() throws {
    let site = try site()
    let record = try self.record(of: "03-c3-partial-connections.html")
    let passed = record.checks.filter { $0.kind == "pass" }.map(\.text)
    // The paper's counts, section II.B: C3 has 1,516 parameters and 151,600 connections.
    #expect(passed.contains { $0.contains("C3 parameters (paper)") && $0.contains("got 1516") })
    #expect(passed.contains { $0.contains("C3 connections (paper)") && $0.contains("got 151600") })
    let table = try #require(record.images.first { $0.alt.hasPrefix("Table I") })
    // Table I: 6 rows (S2 maps) by 16 columns (C3 maps).
    #expect(table.width == 16 && table.height == 6)
    let image = try PNG.decode(
      [UInt8](Data(contentsOf: URL(fileURLWithPath: site.directory + "/" + table.src))),
      file: table.src)
    // The README's picture (Docs/book-chapter-3.png): the page down to Table I's cell.
    let shot = site.screenshots + "/book-chapter-3.png"
    _ = try Browser.run(
      [
        "--window-size=1100,2600", "--screenshot=\(shot)",
        site.url("03-c3-partial-connections.html"),
      ],
      profile: site.directory + "-profile-" + UUID().uuidString)
    let screenshot = try PNG.decode(
      [UInt8](Data(contentsOf: URL(fileURLWithPath: shot))), file: shot)
    #expect(Set(screenshot.pixels).count > 20, "\(shot) looks blank")
    // 60 links (6×3 + 9×4 + 1×6) are dark; map 0 of C3 reads S2 maps 0, 1, 2 (the paper).
    #expect(image.pixels.filter { $0 == 0 }.count == 60)
    let firstColumn: [UInt8] = (0..<6).map { (row: Int) -> UInt8 in image.pixels[row * 16] }
    #expect(firstColumn == [0, 0, 0, 255, 255, 255])
  }

  @Test func aQuizAnsweredByAClickShowsItsExplanation() throws {
    let site = try site()
    let right = try site.inspect(
      "03-c3-partial-connections.html", answering: ("c3-parameters", true))
    #expect(right.quiz?.openBefore == false)
    #expect(right.quiz?.openAfter == true)
    #expect(right.quiz?.result == "✓ Right.")
    let wrong = try site.inspect(
      "03-c3-partial-connections.html", answering: ("c3-parameters", false))
    #expect(wrong.quiz?.openAfter == true)
    #expect(wrong.quiz?.result.hasPrefix("✗") == true)
  }

  @Test(
    .enabled(
      if: ProcessInfo.processInfo.environment["LENET_TUTOR_DATA"] != nil,
      "chapter 10 needs MNIST: set LENET_TUTOR_DATA to run it"))
  func chapterTenShowsTheConfusionMatrixAndTheKernelsAsImages() throws {
    let site = try site()
    let record = try self.record(of: "10-what-the-network-learned.html")
    let confusion = try #require(record.images.first { $0.alt.hasPrefix("The confusion matrix") })
    #expect(confusion.width == 10 && confusion.height == 10)
    let kernels = try #require(record.images.first { $0.alt.hasPrefix("C1's six kernels") })
    // Six 5×5 kernels in a row, 2 pixels apart: 6·5 + 5·2 = 40 by 5.
    #expect(kernels.width == 40 && kernels.height == 5)
    for image in [confusion, kernels] {
      let bytes = try [UInt8](
        Data(contentsOf: URL(fileURLWithPath: site.directory + "/" + image.src)))
      let decoded = try PNG.decode(bytes, file: image.src)
      #expect(decoded.width == image.width && decoded.height == image.height)
    }
  }
}
