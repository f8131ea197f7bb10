// Writes the fuzzers' seed corpora into the folder given as the only argument: small files of
// each format, built the way real ones are (the package's own writers where it has them, the
// format's description otherwise). `Tests/Fuzz/run` builds and runs it before fuzzing; the
// chapters' seeds are the shipped Lessons/*.md, which it copies itself.
import Foundation
import LeNetKit

@main
enum Seeds {
  static func main() throws {
    guard CommandLine.arguments.count == 2 else {
      print("usage: seeds OUTPUT-FOLDER")
      exit(2)
    }
    let root = URL(fileURLWithPath: CommandLine.arguments[1], isDirectory: true)
    for (target, seeds) in corpora() {
      let folder = root.appendingPathComponent(target, isDirectory: true)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      for (name, bytes) in seeds {
        try Data(bytes).write(to: folder.appendingPathComponent("seed-" + name))
      }
    }
  }

  static func corpora() -> [String: [String: [UInt8]]] {
    var generator = SplitMix64(seed: 1998)
    let pixels = (0..<(2 * 28 * 28)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    let images = IDX.encode(IDX.Images(count: 2, rows: 28, columns: 28, pixels: pixels))
    let labels = IDX.encode(labels: [5, 0, 4, 1, 9, 2, 1, 3])
    // MNIST's own headers (60,000 training images of 28×28, their labels) cut after a few bytes.
    let mnistImagesHeader =
      IDX.encode(
        IDX.Images(count: 0, rows: 28, columns: 28, pixels: [])
      ).enumerated().map { $0.offset == 6 ? 0xEA : $0.offset == 7 ? 0x60 : $0.element }
      + pixels[0..<16]
    let mnistLabelsHeader: [UInt8] = [0, 0, 8, 1, 0, 0, 0xEA, 0x60, 5, 0, 4, 1]
    let hello = Array("hello, hello, hello world".utf8)

    let gray4x4 = (0..<16).map { UInt8($0 * 16) }
    var pngs: [String: [UInt8]] = [:]
    for (colorType, channels) in [(0, 1), (2, 3), (4, 2), (6, 4)] {
      for filter in 0...4 {
        let samples = (0..<(4 * 4 * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + filter) }
        pngs["c\(colorType)-f\(filter).png"] = png(
          width: 4, height: 4, colorType: UInt8(colorType), samples: samples, filter: UInt8(filter))
      }
    }
    pngs["digit.png"] = png(
      width: 28, height: 28, colorType: 0, samples: pixels[0..<784].map { $0 > 200 ? 0 : 255 },
      filter: 4)

    let small = SafeTensors(
      tensors: [
        ("C1.weight", Tensor(shape: [2, 1, 2, 2], scalars: (0..<8).map { Float($0) / 8 })),
        ("C1.bias", Tensor(shape: [2], scalars: [0.5, -0.5])),
      ], metadata: ["model": "keras"])
    // Empty, but one digit away from a shape whose element count overflows 64 bits.
    let hugeButEmpty = SafeTensors(
      tensors: [("f6.weight", Tensor(shape: [0, 1 << 40, 1 << 40], scalars: []))],
      metadata: ["model": "keras"])
    // A real checkpoint's header (the keras LeNet-5: names, shapes, offsets), its data cut.
    let checkpoint = Checkpoint.tensors(of: Model.keras(seed: 1)).encoded()
    let headerLength = checkpoint.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    let checkpointHeader = Array(checkpoint.prefix(8 + headerLength + 64))

    return [
      "idx": [
        "images": images, "images.gz": Zlib.compress(images, format: .gzip),
        "labels": labels, "labels.gz": Zlib.compress(labels, format: .gzip),
        "mnist-images-head": mnistImagesHeader, "mnist-labels-head": mnistLabelsHeader,
      ],
      "gzip": [
        "hello.gz": Zlib.compress(hello, format: .gzip),
        "hello.zlib": Zlib.compress(hello, format: .zlib),
        "twice.gz": Zlib.compress(hello, format: .gzip) + Zlib.compress(hello, format: .gzip),
        "labels.gz": Zlib.compress(labels, format: .gzip),
      ],
      "png": pngs,
      "pgm": [
        "p5.pgm": PGM.encode(GrayImage(width: 4, height: 4, pixels: gray4x4)),
        "p5-comment.pgm": Array("P5\n# drawn by hand\n3 2\n255\n".utf8) + [0, 128, 255, 1, 2, 3],
        "p2.pgm": Array("P2 2 2 15\n0 5\n15 15\n".utf8),
        "p5-16bit.pgm": Array("P5 2 1 65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00],
      ],
      "safetensors": [
        "small.safetensors": small.encoded(), "keras-header.safetensors": checkpointHeader,
        "huge-but-empty.safetensors": hugeButEmpty.encoded(),
      ],
      "progress": [
        "empty.json": Array("{\"version\": 1, \"chapters\": {}}".utf8),
        "full.json": Array(
          """
          {"version": 1, "chapters": {"03-c3-partial-connections": {"result": "passed",
            "exercises": {"c3-parameter-count": "passed"}, "hints": {"one-output-map": 1},
            "quizzes": {"c3-links": {"answer": "60", "correct": true}}},
            "01-c1-convolution": {"result": "failed", "exercises": {"c1-output-size": "failed"}}}}
          """.utf8),
      ],
      "arguments": [
        "train": words([
          "train", "--model", "keras", "--epochs", "2", "--out", "runs/a", "--seed", "7",
        ]),
        "predict": words(["predict", "--checkpoint", "m.safetensors", "--test-index", "12"]),
        "lesson": words(["lesson", "3", "--solutions"]),
        "hint": words(["hint", "3", "--exercise=c3-parameter-count"]),
        "data": words(["data", "verify", "--data", "/mnist"]),
        "help": words(["summary", "--help"]),
        "unknown": words(["quiz", "--frobnicate", "--", "-1"]),
      ],
    ]
  }

  /// A command line as the arguments target reads it: words separated by NUL bytes.
  static func words(_ words: [String]) -> [UInt8] {
    Array(words.joined(separator: "\u{0}").utf8)
  }

  /// A PNG of 8-bit samples, each row filtered forward with `filter` (ISO/IEC 15948 §9).
  static func png(width: Int, height: Int, colorType: UInt8, samples: [UInt8], filter: UInt8)
    -> [UInt8]
  {
    let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)] ?? 1
    let stride = width * channels
    var raw: [UInt8] = []
    for row in 0..<height {
      raw.append(filter)
      for column in 0..<stride {
        let at = row * stride + column
        let a = column >= channels ? Int(samples[at - channels]) : 0
        let b = row > 0 ? Int(samples[at - stride]) : 0
        let c = row > 0 && column >= channels ? Int(samples[at - stride - channels]) : 0
        let p = a + b - c
        let paeth =
          abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c)
          ? a : abs(p - b) <= abs(p - c) ? b : c
        let prediction = [0, a, b, (a + b) / 2, paeth][Int(filter)]
        raw.append(UInt8((Int(samples[at]) - prediction + 256) % 256))
      }
    }
    func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(value >> $0 & 0xFF) } }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
      let body = Array(type.utf8) + data
      return bigEndian(data.count) + body + bigEndian(Int(Zlib.crc32(body)))
    }
    let header = bigEndian(width) + bigEndian(height) + [8, colorType, 0, 0, 0]
    return PNG.signature + chunk("IHDR", header) + chunk("IDAT", Zlib.compress(raw, format: .zlib))
      + chunk("IEND", [])
  }
}
