import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// `Examples/draw-a-digit`: a drawing as text or an image, centred and classified by a
/// checkpoint trained here on generated data.
@Suite struct DrawADigitTests {
  static let usage =
    "Usage: draw-a-digit [--checkpoint <file>] [--data <dir>] <drawing>\n"
    + "See 'draw-a-digit --help'.\n"

  /// A seven as text; each line is two pixel rows.
  static let seven = """
    ..#######.
    ........#.
    .......#..
    ......#...
    .....#....
    ....#.....
    ...#......
    """

  /// The package root (this file is `Tests/ExampleTests/DrawADigitTests.swift`), where the
  /// README's commands run.
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// `text` with the trailing spaces of each line removed, as a Markdown editor keeps it.
  static func withoutTrailingSpaces(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      String(line.reversed().drop { $0 == " " }.reversed())
    }.joined(separator: "\n")
  }

  /// A keras checkpoint trained for a few steps on generated digits, saved in `folder`.
  func checkpoint(in folder: URL) throws -> (url: URL, model: Model) {
    let generated = SyntheticMNIST.split(count: 64, seed: 3)
    let split = MNIST.Split(name: "train", images: generated.images, labels: generated.labels)
    var model = Model.keras(seed: 3)
    model.fit(split, epochs: 2, batchSize: 16, optimizer: SGD(learningRate: 0.05), seed: 3)
    let url = folder.appendingPathComponent("model.safetensors")
    try Checkpoint.save(model, to: url)
    return (url, model)
  }

  /// The three best classes and their probabilities, as the example should print them,
  /// computed here through the library for the same centred digit.
  func expectedGuesses(_ model: Model, image: GrayImage) throws -> String {
    let digit = try image.mnistDigit(file: "drawing")
    let probabilities = model.probabilities(Preprocessing.keras.tensor(pixels: digit))
    let ranked = (0..<10).sorted { probabilities[0, $0] > probabilities[0, $1] }
    return ranked.prefix(3).enumerated().map { place, digit in
      String(format: "  %d. %d  %5.1f%%\n", place + 1, digit, 100 * probabilities[0, digit])
    }.joined()
  }

  @Test func textDrawingIsCentredShownAndClassified() throws {
    try withTemporaryDirectory { folder in
      let (url, model) = try checkpoint(in: folder)
      let drawing = folder.appendingPathComponent("seven.txt")
      try Data(Self.seven.utf8).write(to: drawing)
      let run = try runExample("draw-a-digit", [drawing.path, "--checkpoint", url.path])
      #expect(run.status == 0, "stderr: \(run.errors)")
      #expect(run.output.contains("Your drawing (10×14 pixels), centred in 28×28"))
      // The top stroke, scaled to the 20-pixel box, is drawn in full ink.
      #expect(run.output.contains("██████████"))
      // By hand: the 7 text lines, each doubled, with ink where the drawing has '#'.
      var pixels: [UInt8] = []
      for line in Self.seven.split(separator: "\n") {
        let row = line.map { $0 == "#" ? UInt8(255) : 0 }
        pixels += row + row
      }
      let image = GrayImage(width: 10, height: 14, pixels: pixels)
      #expect(
        run.output.hasSuffix(
          "The keras network's best guesses:\n" + (try expectedGuesses(model, image: image))))
    }
  }

  /// The README runs `swift run draw-a-digit Examples/drawings/seven.txt` from the package root
  /// and shows the drawing it prints: the shipped file is the seven worked by hand above, and
  /// the README's drawing is the program's, line for line.
  @Test func readmeSevenShipsAndItsDrawingIsTheProgramsOutput() throws {
    let shipped = Self.packageRoot.appendingPathComponent("Examples/drawings/seven.txt")
    #expect(try String(contentsOf: shipped, encoding: .utf8) == Self.seven + "\n")
    try withTemporaryDirectory { folder in
      let (url, _) = try checkpoint(in: folder)
      let run = try runExample(
        "draw-a-digit", ["Examples/drawings/seven.txt", "--checkpoint", url.path],
        in: Self.packageRoot)
      #expect(run.status == 0, "stderr: \(run.errors)")
      let output = Self.withoutTrailingSpaces(run.output)
      let start = try #require(output.range(of: "Your drawing"))
      let end = try #require(output.range(of: "The keras network's best guesses:"))
      // From the title to the guesses, which depend on the network, not on the drawing.
      let drawing = String(output[start.lowerBound..<end.lowerBound])
      let readme = try String(
        contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
      #expect(
        Self.withoutTrailingSpaces(readme).contains(drawing),
        "README.md should show the drawing as the program prints it:\n\(drawing)")
    }
  }

  @Test func pgmImageIsReadLikeAnyImage() throws {
    try withTemporaryDirectory { folder in
      let (url, model) = try checkpoint(in: folder)
      // A dark 3-pixel bar on white paper, 12×16: the example inverts it to ink on black.
      var pixels = [UInt8](repeating: 255, count: 12 * 16)
      for y in 2..<14 { for x in 5..<8 { pixels[y * 12 + x] = 0 } }
      let image = GrayImage(width: 12, height: 16, pixels: pixels)
      let file = folder.appendingPathComponent("bar.pgm")
      try Data(PGM.encode(image)).write(to: file)
      let run = try runExample("draw-a-digit", [file.path, "--checkpoint", url.path])
      #expect(run.status == 0, "stderr: \(run.errors)")
      #expect(run.output.contains("Your drawing (12×16 pixels)"))
      #expect(run.output.hasSuffix(try expectedGuesses(model, image: image)))
    }
  }

  @Test func unknownCharacterIsLocated() throws {
    try withTemporaryDirectory { folder in
      let drawing = folder.appendingPathComponent("bad.txt")
      try Data("..##..\n..#?..\n".utf8).write(to: drawing)
      let run = try runExample("draw-a-digit", [drawing.path, "--checkpoint", "unused"])
      #expect(run.status == 1)
      #expect(
        run.errors
          == "error: \(drawing.path):2:4: '?' is neither ink ('#') nor paper ('.' or a space)\n")
    }
  }

  @Test func emptyDrawingSaysHowToDraw() throws {
    try withTemporaryDirectory { folder in
      let drawing = folder.appendingPathComponent("empty.txt")
      try Data("....\n\n".utf8).write(to: drawing)
      let run = try runExample("draw-a-digit", [drawing.path])
      #expect(run.status == 1)
      #expect(
        run.errors
          == "error: \(drawing.path): the drawing is empty\n"
          + "fix: draw the digit with '#' on '.' or spaces, one text line per row\n")
    }
  }

  @Test func missingDrawingFileIsAnError() throws {
    let run = try runExample("draw-a-digit", ["/nonexistent/seven.txt"])
    #expect(run.status == 1)
    #expect(run.errors == "error: /nonexistent/seven.txt: no such file, or it cannot be read\n")
  }

  @Test func usageErrors() throws {
    let cases: [([String], String)] = [
      ([], "error: missing the drawing\n"),
      (["a.txt", "b.txt"], "error: give one drawing, not 2\n"),
      (["--model", "keras", "a.txt"], "error: unknown option '--model'\n"),
      (["a.txt", "--checkpoint"], "error: missing value for '--checkpoint'\n"),
    ]
    for (arguments, message) in cases {
      let run = try runExample("draw-a-digit", arguments)
      #expect(run.status == 2, "\(arguments)")
      #expect(run.errors == message + Self.usage, "\(arguments)")
    }
  }
}
