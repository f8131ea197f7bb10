import Foundation
import LeNetKit
import TerminalKit

/// `lenet-tutor data download|verify|info`: get MNIST, check it, and look at it.
enum DataCommand: TutorCommand {
  enum Action: String, CaseIterable {
    case download
    case verify
    case info
  }

  static let dir = Option.text(
    "--dir", "dir", "download: the folder to store the files in.", defaultText: "the cache",
    expecting: "a folder name")
  static let mirror = Option.text(
    "--mirror", "url", "download: fetch from this mirror instead of the default list.")

  static let spec = CommandSpec(
    name: "data",
    abstract: "Download, verify or describe the MNIST data.",
    arguments: [ArgumentSpec(name: "action", help: "download, verify or info (see ACTIONS).")],
    options: [
      DataOptions.option.spec, dir.spec, mirror.spec,
    ],
    discussion: """
      ACTIONS:
        download  Fetch the four MNIST files from the first mirror that works, check their
                  SHA-256, and store them in the cache folder ($XDG_CACHE_HOME/lenet-tutor/mnist,
                  else ~/.cache/lenet-tutor/mnist) or --dir.
        verify    Check the files' SHA-256 and IDX structure.
        info      Show the counts, the class balance and a few digits.

      Mirrors, in order:
      \(MNISTDownload.defaultMirrors.map { "  " + $0.absoluteString }.joined(separator: "\n"))

      verify and info read --data DIR, else $LENET_TUTOR_DATA, else the cache folder.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let word = arguments.positionals[0]
    guard let action = Action(rawValue: word) else {
      throw UsageError(
        "unknown action '\(word)' (expected download, verify or info)", command: spec)
    }
    let allowed =
      action == .download ? [dir.spec.name, mirror.spec.name] : [DataOptions.option.spec.name]
    if let stray = arguments.values.keys.sorted().first(where: { !allowed.contains($0) }) {
      throw UsageError("'\(stray)' does not apply to 'data \(action.rawValue)'", command: spec)
    }
    switch action {
    case .download: return try download(arguments, context: context)
    case .verify: return try verify(arguments, context: context)
    case .info: return try info(arguments, context: context)
    }
  }

  // MARK: download

  static func download(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let directory =
      (try arguments.value(of: dir)).map { URL(fileURLWithPath: $0, isDirectory: true) }
      ?? MNIST.cacheDirectory(environment: context.environment)
    var mirrors = MNISTDownload.defaultMirrors
    if let text = try arguments.value(of: mirror) {
      guard let url = URL(string: text.hasSuffix("/") ? text : text + "/"),
        ["http", "https"].contains(url.scheme ?? "")
      else {
        throw UsageError(
          "'--mirror' needs an http:// or https:// URL, got '\(text)'", command: spec)
      }
      mirrors = [url]
    }
    let download = MNISTDownload(
      mirrors: mirrors, checksums: try DataOptions.checksums(context: context))
    var bar: ProgressBar?
    do {
      try download.run(into: directory) { event in
        switch event {
        case .alreadyPresent(let file):
          context.output.line("\(file.gzipName)  already present, verified")
        case .started(let file, _):
          bar = ProgressBar(
            label: file.gzipName, total: 1, terminal: context.terminal, sink: context.output)
        case .progress(_, let received, let expected):
          guard let expected, expected > 0 else { break }
          if bar?.total != expected {
            bar = ProgressBar(
              label: bar?.label ?? "", total: expected, terminal: context.terminal,
              sink: context.output, showsCount: false)
          }
          // One unit: what has arrived out of the whole, both in KiB.
          bar?.update(
            done: received, detail: "\(kibibytes(received))/\(kibibytes(expected)) KiB")
        case .mirrorFailed(let file, let mirror, let error):
          bar?.finish()
          context.errors.line(
            "\(file.gzipName)  failed from \(mirror.absoluteString): \(error.message)")
        case .stored(let file, let mirror, let bytes):
          bar?.finish()
          context.output.line(
            "\(file.gzipName)  \(grouped(bytes)) bytes from \(mirror.absoluteString), verified")
        }
      }
    } catch {
      bar?.finish()
      throw ToolError(error)
    }
    context.output.line("MNIST is in \(directory.path)")
    return 0
  }

  // MARK: verify

  static func verify(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let directory = try DataOptions.directory(arguments, context: context)
    let checksums = try DataOptions.checksums(context: context)
    var counts: [MNIST.File: Int] = [:]
    var failures = 0
    for file in MNIST.File.allCases {
      do {
        let (bytes, path) = try MNIST.content(of: file, in: directory, checksums: checksums)
        let name = URL(fileURLWithPath: path).lastPathComponent
        let what: String
        if file == .trainImages || file == .testImages {
          let images = try IDX.images(from: bytes, file: path)
          counts[file] = images.count
          what = "\(grouped(images.count)) images \(images.rows)×\(images.columns)"
        } else {
          let labels = try IDX.labels(from: bytes, file: path)
          counts[file] = labels.count
          what = "\(grouped(labels.count)) labels"
        }
        context.output.line(
          "\(context.terminal.verdict(true)) \(name.rightPadded(to: 27)) \(what.rightPadded(to: 21)) sha256 \(checksums[file]?.prefix(16) ?? "")…"
        )
      } catch {
        failures += 1
        context.output.line("\(context.terminal.verdict(false)) \(error.description)")
      }
    }
    for (images, labels) in [
      (MNIST.File.trainImages, MNIST.File.trainLabels), (.testImages, .testLabels),
    ] {
      if let imageCount = counts[images], let labelCount = counts[labels], imageCount != labelCount
      {
        failures += 1
        context.output.line(
          "\(context.terminal.verdict(false)) \(labels.rawValue): \(grouped(labelCount)) labels for \(grouped(imageCount)) images"
        )
      }
    }
    guard failures == 0 else {
      throw ToolError(
        "\(counted(failures, "problem")) in \(directory.path)",
        fix: "delete the damaged files and run 'lenet-tutor data download'")
    }
    context.output.line("MNIST in \(directory.path) is complete and verified.")
    return 0
  }

  // MARK: info

  static func info(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let mnist = try DataOptions.load(arguments, context: context)
    let train = mnist.train
    let test = mnist.test
    var lines = [
      "MNIST in \(mnist.directory.path)",
      "train: \(grouped(train.count)) images, test: \(grouped(test.count)) images, "
        + "\(train.rows)×\(train.columns) pixels, labels 0–9",
      "",
      "digit    train  share     test  share",
    ]
    let trainCounts = train.classCounts
    let testCounts = test.classCounts
    for digit in 0..<10 {
      lines.append(
        "    \(digit)" + " " + grouped(trainCounts[digit]).leftPadded(to: 8)
          + " " + percent(trainCounts[digit], of: train.count).leftPadded(to: 6)
          + " " + grouped(testCounts[digit]).leftPadded(to: 8)
          + " " + percent(testCounts[digit], of: test.count).leftPadded(to: 6))
    }
    lines.append(
      "total" + " " + grouped(train.count).leftPadded(to: 8) + " " + "".leftPadded(to: 6) + " "
        + grouped(test.count).leftPadded(to: 8))
    let shown = min(4, train.count)
    lines += ["", "The first \(shown) training images:"]
    lines += DigitPicture.sideBySide(
      (0..<shown).map {
        DigitPicture.lines(train.pixels(of: $0), rows: train.rows, columns: train.columns)
      },
      captions: (0..<shown).map { "#\($0): label \(train.labels[$0])" },
      maximumWidth: context.terminal.width)
    context.output.line(lines.joined(separator: "\n"))
    return 0
  }

  private static func percent(_ part: Int, of total: Int) -> String {
    String(format: "%.1f%%", total == 0 ? 0 : 100 * Double(part) / Double(total))
  }
}

/// `bytes` in KiB, rounded to the nearest and grouped: 1,648,877 bytes are `1,610`.
func kibibytes(_ bytes: Int) -> String { grouped((bytes + 512) / 1024) }
