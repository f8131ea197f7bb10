import Foundation
import LeNetKit
import LeNetTestSupport
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

  /// Starts the browser headless with its profile in the folder `profile`, driven through its
  /// DevTools pipe. Fails with a clear error when CI requires a browser that is not installed.
  static func start(profile: String) throws -> DevToolsBrowser {
    guard let path else {
      throw DevToolsBrowser.Failure("LENET_TUTOR_REQUIRE_BROWSER=1 but chromium is not on PATH")
    }
    return try DevToolsBrowser(command: [path], profile: profile)
  }
}

/// One headless Chromium driven through its DevTools pipe (`--remote-debugging-pipe`): it reads
/// JSON commands, each ended by a NUL byte, on file descriptor 3, and writes its replies and
/// events, ended the same way, on file descriptor 4. One browser serves a whole suite, page
/// after page: starting Chromium costs about a CPU-second, loading a page a tenth of that.
///
/// The browser's file descriptors 3 and 4 are placed by `/bin/sh` (`3<&0 4>&1`) from the two
/// pipes `Process` gives it as standard input and output, since `Process` passes no other
/// descriptor; `Process` closes every other descriptor in the child, so the browser holds no
/// other test's pipe open. Every wait has a deadline: a browser that exits, answers with an
/// error or stays silent is a thrown `Failure` that says so, never a hang.
final class DevToolsBrowser: @unchecked Sendable {
  /// What went wrong with the browser, in words.
  struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  /// What a page showed: the value of the expression waited for, and a PNG screenshot.
  struct Page {
    var value: String?
    var screenshot: Data
  }

  private let process = Process()
  private let commands: FileHandle
  private let replies: FileHandle
  /// How long any one reply may take.
  private let timeout: TimeInterval
  /// The DevTools session of the browser's page (`Target.attachToTarget`, flattened).
  private var session = ""
  /// Bytes read from the browser and not yet split into messages.
  private var received: [UInt8] = []
  private var lastID = 0
  /// Whether the page's load event came since the last navigation.
  private var loaded = false
  /// One page at a time: a command's reply is read by the thread that sent it.
  private let lock = NSLock()

  /// Starts `command` (Chromium's path; in tests, a stand-in program and its first arguments)
  /// headless with its profile in `profile` and attaches to its page.
  init(command: [String], profile: String, timeout: TimeInterval = 30) throws {
    self.timeout = timeout
    let toBrowser = Pipe()
    let fromBrowser = Pipe()
    commands = toBrowser.fileHandleForWriting
    replies = fromBrowser.fileHandleForReading
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments =
      [
        "-c", #"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#,
      ] + command + [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--user-data-dir=\(profile)", "--hide-scrollbars", "--remote-debugging-pipe",
        // A page the browser does not think is in front gets its timers throttled to one a
        // minute; the probe's timer must run at once.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows", "about:blank",
      ]
    process.standardInput = toBrowser
    process.standardOutput = fromBrowser
    process.standardError = FileHandle.nullDevice
    // A browser that exits makes the next command's write fail with EPIPE, to be reported,
    // rather than kill the test process.
    signal(SIGPIPE, SIG_IGN)
    try process.run()
    try? toBrowser.fileHandleForReading.close()
    try? fromBrowser.fileHandleForWriting.close()
    do {
      let targets = try call("Target.getTargets")
      let infos = targets["targetInfos"] as? [[String: Any]] ?? []
      guard let page = infos.first(where: { $0["type"] as? String == "page" }),
        let target = page["targetId"] as? String
      else { throw Failure("Chromium has no page to drive: \(infos)") }
      let attached = try call("Target.attachToTarget", ["targetId": target, "flatten": true])
      session = try (attached["sessionId"] as? String).orThrow("attachToTarget gave no session")
      _ = try call("Page.enable", inSession: true)
    } catch {
      close()
      throw error
    }
  }

  /// Loads `url` in a `width`×`height` window; when `expression` is given, waits until it
  /// evaluates to a string; then takes a screenshot.
  func load(_ url: String, width: Int, height: Int, waitingFor expression: String? = nil) throws
    -> Page
  {
    lock.lock()
    defer { lock.unlock() }
    _ = try call(
      "Emulation.setDeviceMetricsOverride",
      ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false],
      inSession: true)
    loaded = false
    let navigation = try call("Page.navigate", ["url": url], inSession: true)
    if let error = navigation["errorText"] as? String { throw Failure("\(url): \(error)") }
    let deadline = Date(timeIntervalSinceNow: timeout)
    while !loaded { handle(try message(before: deadline, waitingFor: "the load of \(url)")) }
    var value: String?
    if let expression {
      while value == nil {
        let result = try call(
          "Runtime.evaluate", ["expression": expression, "returnByValue": true], inSession: true)
        value = (result["result"] as? [String: Any])?["value"] as? String
        if value == nil {
          guard Date() < deadline else {
            throw Failure(
              "\(url): `\(expression)` gave no string within \(String(format: "%g", timeout)) s")
          }
          Thread.sleep(forTimeInterval: 0.02)
        }
      }
    }
    let shot = try call("Page.captureScreenshot", ["format": "png"], inSession: true)
    let screenshot = try (shot["data"] as? String).flatMap { Data(base64Encoded: $0) }
      .orThrow("\(url): the screenshot is not base64 PNG data")
    return Page(value: value, screenshot: screenshot)
  }

  /// Closes the browser and waits for it to exit.
  func close() {
    if process.isRunning {
      try? commands.write(contentsOf: Data(#"{"id":0,"method":"Browser.close"}"#.utf8) + [0])
      // The end of its commands stops a browser that ignores `Browser.close`.
      try? commands.close()
      waitForExit(seconds: 2)
      // SIGKILL, not `terminate()`'s SIGTERM: the child inherits the signal mask of the thread
      // that started it, and the test process's worker threads may block SIGTERM.
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    try? commands.close()
    try? replies.close()
  }

  /// Sends `method` with `parameters` (to the page's session when `inSession`) and returns its
  /// result, noting the events that come before it.
  private func call(_ method: String, _ parameters: [String: Any] = [:], inSession: Bool = false)
    throws -> [String: Any]
  {
    lastID += 1
    let id = lastID
    var command: [String: Any] = ["id": id, "method": method, "params": parameters]
    if inSession { command["sessionId"] = session }
    let data = try JSONSerialization.data(withJSONObject: command)
    do {
      try commands.write(contentsOf: data + [0])
    } catch {
      // A browser that has exited closes the pipe ("Broken pipe"): give it a moment to be
      // reaped, so the message says how it ended.
      waitForExit(seconds: 2)
      throw Failure("Chromium no longer reads its DevTools pipe, sending \(method)\(exitNote)")
    }
    let deadline = Date(timeIntervalSinceNow: timeout)
    while true {
      let reply = try message(before: deadline, waitingFor: "its reply to \(method)")
      guard reply["id"] as? Int == id else {
        handle(reply)
        continue
      }
      if let error = reply["error"] as? [String: Any] {
        throw Failure("Chromium refused \(method): \(error["message"] ?? error)")
      }
      return reply["result"] as? [String: Any] ?? [:]
    }
  }

  /// Notes an event that matters (the page's load).
  private func handle(_ message: [String: Any]) {
    if message["method"] as? String == "Page.loadEventFired" { loaded = true }
  }

  /// The next message from the browser, read by `deadline`.
  private func message(before deadline: Date, waitingFor what: String) throws -> [String: Any] {
    while true {
      if let end = received.firstIndex(of: 0) {
        let bytes = Data(received[..<end])
        received.removeSubrange(...end)
        guard let message = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        else {
          throw Failure(
            "Chromium wrote a message that is not a JSON object: "
              + String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        return message
      }
      let remaining = deadline.timeIntervalSinceNow
      var ready = pollfd(fd: replies.fileDescriptor, events: Int16(POLLIN), revents: 0)
      let count = remaining > 0 ? poll(&ready, 1, Int32(remaining * 1000) + 1) : 0
      guard count > 0 else {
        throw Failure(
          "Chromium sent nothing for \(String(format: "%g", timeout)) s, waiting for \(what)"
            + exitNote)
      }
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      let read = Glibc.read(replies.fileDescriptor, &buffer, buffer.count)
      guard read > 0 else {
        // The pipe closes as the browser exits: give it a moment to be reaped.
        waitForExit(seconds: 2)
        throw Failure("Chromium closed its DevTools pipe, waiting for \(what)\(exitNote)")
      }
      received += buffer[..<read]
    }
  }

  /// Waits at most `seconds` for the browser to exit.
  private func waitForExit(seconds: TimeInterval) {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
  }

  /// How the browser ended, if it has.
  private var exitNote: String {
    process.isRunning ? "" : " (it exited with status \(process.terminationStatus))"
  }
}

extension Optional {
  /// The value, or a `DevToolsBrowser.Failure` that says `problem`.
  fileprivate func orThrow(_ problem: String) throws -> Wrapped {
    guard let self else { throw DevToolsBrowser.Failure(problem) }
    return self
  }
}

/// Files a test process writes for a whole suite, to delete when it ends; another process's
/// files have names of their own.
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

/// Closes `BookBrowserTests`' browser when the suite ends, if a test started it.
struct ClosesTheBrowserAfterTheSuite: SuiteTrait, TestScoping {
  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    defer { BookBrowserTests.startedBrowser.withLock { $0 }?.close() }
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

/// The browser's failures are thrown errors that say what happened, not hangs (no Chromium
/// needed: a stand-in program plays the browser that misbehaves).
@Suite struct DevToolsBrowserTests {
  /// A shell script in a fresh folder that runs `body`.
  func standIn(_ body: String) throws -> String {
    let folder = NSTemporaryDirectory() + "lenet-browser-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/chromium"
    try Data("\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The browser command that runs the script at `path`: `/bin/sh` reads it, since executing a
  /// file written a moment ago can fail with "Text file busy" while a process that another test
  /// starts at the same time still holds it open for writing.
  func command(_ path: String) -> [String] { ["/bin/sh", path] }

  @Test func aBrowserThatExitsAtOnceIsAClearError() throws {
    let path = try standIn("exit 3")
    defer {
      try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
    #expect {
      _ = try DevToolsBrowser(command: command(path), profile: path + "-profile", timeout: 10)
    } throws: { error in
      // Whether the browser's exit shows first as the failed write of the first command or as
      // the end of its replies depends on timing; both say what happened and how it ended.
      // Typed to spare the type checker (Docs/training.md: type-checking hot spots).
      let ends: [String] = [
        "Chromium no longer reads its DevTools pipe, sending Target.getTargets",
        "Chromium closed its DevTools pipe, waiting for its reply to Target.getTargets",
      ]
      return ends.contains { "\(error)" == $0 + " (it exited with status 3)" }
    }
  }

  @Test func aBrowserThatNeverAnswersIsAClearErrorAfterTheTimeout() throws {
    // Reads its commands (so the write succeeds) and answers none.
    let path = try standIn("exec cat <&3 >/dev/null")
    defer {
      try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
    let started = Date()
    #expect {
      _ = try DevToolsBrowser(command: command(path), profile: path + "-profile", timeout: 0.5)
    } throws: { error in
      "\(error)" == "Chromium sent nothing for 0.5 s, waiting for its reply to Target.getTargets"
    }
    // The timeout, then the stand-in stopped (2 s for a polite close, then killed): no hang.
    #expect(Date().timeIntervalSince(started) < 5)
  }

  @Test func aReplyThatIsNotJSONIsAClearError() throws {
    let path = try standIn(#"printf 'not json\000' >&4; exec cat <&3 >/dev/null"#)
    defer {
      try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
    #expect {
      _ = try DevToolsBrowser(command: command(path), profile: path + "-profile", timeout: 10)
    } throws: { error in
      "\(error)" == "Chromium wrote a message that is not a JSON object: not json"
    }
  }
}

/// The book in a real browser: every page loads without a script error or a missing file, the
/// pictures decode, a quiz answers a click, and each page's screenshot is not blank.
@Suite(
  "The book in a headless browser", .enabled(if: Browser.runs, Browser.skipReason),
  RemovesAfterTheSuite(files: .book), ClosesTheBrowserAfterTheSuite())
struct BookBrowserTests {
  /// The course built once for every test here.
  static let site: Result<Site, any Error> = Result { try Site() }

  /// The one browser every test here loads its pages in, started by the first that needs it.
  static let browser: Result<DevToolsBrowser, any Error> = Result {
    let profile = NSTemporaryDirectory() + "lenet-book-profile-" + UUID().uuidString
    FilesToRemove.book.add(profile)
    let browser = try Browser.start(profile: profile)
    startedBrowser.withLock { $0 = browser }
    return browser
  }

  /// The browser, once started, for `ClosesTheBrowserAfterTheSuite` to close.
  static let startedBrowser = Mutex<DevToolsBrowser?>(nil)

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
      let loaded = try BookBrowserTests.browser.get().load(
        url(copy), width: 1200, height: 1500,
        waitingFor: #"document.getElementById("test-record")?.textContent ?? null"#)
      if let screenshot { try loaded.screenshot.write(to: URL(fileURLWithPath: screenshot)) }
      let json = try #require(loaded.value, "no record in \(page)")
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
  /// that reads a page as it loads.
  static let everyPage: Result<[Int: Result<PageRecord, any Error>], any Error> = Result {
    let site = try Self.site.get()
    var records: [Int: Result<PageRecord, any Error>] = [:]
    for (index, page) in site.pages.enumerated() {
      let shot = screenshot(of: page, in: site)
      try? FileManager.default.removeItem(atPath: shot)
      records[index] = Result { try site.inspect(page, screenshot: shot) }
    }
    return records
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

  @Test func everyPageLoadsWithoutErrorsOrMissingFilesAndItsScreenshotIsNotBlank() async throws {
    // The course's book and every page in the browser, built once for the suite: waited for
    // off the pool (`offThePool`), as the other tests here wait for the same build.
    try await offThePool { _ = try Self.everyPage.get() }
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

  @Test func chapterThreeShowsItsCountsPassedAndTableOneAsAGrid() async throws {
    // The course's book and every page in the browser, built once for the suite: waited for
    // off the pool (`offThePool`), as the other tests here wait for the same build.
    try await offThePool { _ = try Self.everyPage.get() }
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
    let page = try Self.browser.get().load(
      site.url("03-c3-partial-connections.html"), width: 1100, height: 2600)
    try page.screenshot.write(to: URL(fileURLWithPath: shot))
    let screenshot = try PNG.decode(
      [UInt8](Data(contentsOf: URL(fileURLWithPath: shot))), file: shot)
    #expect(Set(screenshot.pixels).count > 20, "\(shot) looks blank")
    // 60 links (6×3 + 9×4 + 1×6) are dark; map 0 of C3 reads S2 maps 0, 1, 2 (the paper).
    // Counted before the macro to spare the type checker
    // (Docs/training.md: type-checking hot spots).
    let darkPixels: Int = image.pixels.filter { $0 == 0 }.count
    #expect(darkPixels == 60)
    let firstColumn: [UInt8] = (0..<6).map { (row: Int) -> UInt8 in image.pixels[row * 16] }
    #expect(firstColumn == [0, 0, 0, 255, 255, 255])
  }

  @Test func aQuizAnsweredByAClickShowsItsExplanation() async throws {
    // The course's book and every page in the browser, built once for the suite: waited for
    // off the pool (`offThePool`), as the other tests here wait for the same build.
    try await offThePool { _ = try Self.everyPage.get() }
    let site = try site()
    let right = try await offThePool {
      try site.inspect("03-c3-partial-connections.html", answering: ("c3-parameters", true))
    }
    #expect(right.quiz?.openBefore == false)
    #expect(right.quiz?.openAfter == true)
    #expect(right.quiz?.result == "✓ Right.")
    let wrong = try await offThePool {
      try site.inspect("03-c3-partial-connections.html", answering: ("c3-parameters", false))
    }
    #expect(wrong.quiz?.openAfter == true)
    #expect(wrong.quiz?.result.hasPrefix("✗") == true)
  }

  @Test(
    .enabled(
      if: ProcessInfo.processInfo.environment["LENET_TUTOR_DATA"] != nil,
      "chapter 10 needs MNIST: set LENET_TUTOR_DATA to run it"))
  func chapterTenShowsTheConfusionMatrixAndTheKernelsAsImages() async throws {
    // The course's book and every page in the browser, built once for the suite: waited for
    // off the pool (`offThePool`), as the other tests here wait for the same build.
    try await offThePool { _ = try Self.everyPage.get() }
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
