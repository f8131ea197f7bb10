/// The source of the module `LessonPrelude` that every chapter program imports: the `check` functions and the records that
/// tell the runner where each cell starts and what each check found (the protocol is
/// `ResultChannel`'s).
enum Prelude {
  /// Swift source of the prelude module.
  static let source = #"""
    // Compiled with every chapter by lenet-tutor's lesson runner; see Docs/lesson-format.md.
    import Foundation
    import LeNetKit

    #if canImport(Glibc)
      import Glibc
    #endif

    /// This run's key; private to this module, so no chapter code can name it.
    private var _lessonKey: [UInt8] = []

    /// Reads the key, the memory and file size limits and the working folder on descriptor 4,
    /// applies them, and line-buffers standard output so that everything a cell printed is out
    /// before a crash.
    public func _lessonBegin() {
      var line: [UInt8] = []
      var byte: UInt8 = 0
      while read(4, &byte, 1) == 1 && byte != 10 { line.append(byte) }
      let fields = line.split(separator: 32, maxSplits: 3, omittingEmptySubsequences: false)
      guard fields.count == 4,
        let memoryLimit = UInt64(String(decoding: fields[1], as: UTF8.self)),
        let fileSizeLimit = UInt64(String(decoding: fields[2], as: UTF8.self))
      else {
        fputs("lenet-tutor: this chapter program must be started by lenet-tutor\n", stderr)
        exit(70)
      }
      _lessonKey = Array(fields[0])
      // Soft and hard limit alike, so that no cell can raise them again.
      if memoryLimit > 0 {
        var memory = rlimit(rlim_cur: rlim_t(memoryLimit), rlim_max: rlim_t(memoryLimit))
        _ = setrlimit(Int32(RLIMIT_DATA.rawValue), &memory)
      }
      if fileSizeLimit > 0 {
        var fileSize = rlimit(rlim_cur: rlim_t(fileSizeLimit), rlim_max: rlim_t(fileSizeLimit))
        _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &fileSize)
        // A write past the limit then fails with EFBIG, which the cell's own code sees as an
        // error ("File too large"), instead of SIGXFSZ killing the program without a word.
        signal(SIGXFSZ, SIG_IGN)
      }
      _ = chdir(String(decoding: fields[3], as: UTF8.self))
      setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Sends one record (the key, then `fields`) and waits until the runner has read it and
    /// everything printed before it.
    /// Each field is cut at `fieldLimit` bytes (a picture's data field may be larger).
    private func _lessonRecord(_ fields: [String], fieldLimit: Int = 4_000) {
      fflush(stdout)
      var record = _lessonKey
      for field in fields {
        record.append(0x1F)
        record += field.utf8.prefix(fieldLimit).map { $0 == 10 || $0 == 0x1F ? 32 : $0 }
      }
      record.append(10)
      var written = 0
      while written < record.count {
        let count = record[written...].withUnsafeBytes { write(3, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        written += count
      }
      var acknowledgement: UInt8 = 0
      _ = read(4, &acknowledgement, 1)
    }

    /// Marks the start of program unit `index` (a cell, or an exercise's hidden checks).
    public func _lessonCell(_ index: Int) {
      _lessonRecord(["cell", String(index)])
    }

    /// Marks that the program reached its end.
    public func _lessonEnd() {
      _lessonRecord(["end"])
    }

    private func _lessonReport(
      _ passed: Bool, _ label: String, expected: String, actual: String, file: String, line: Int,
      type: String = ""
    ) {
      _lessonRecord([
        "check", passed ? "pass" : "fail", label, expected, actual, file, String(line), type,
      ])
    }

    /// Checks that `actual` equals `expected`: `check("C3 parameters", c3.parameterCount, equals: 1_516)`.
    public func check<T: Equatable>(
      _ label: String, _ actual: T, equals expected: T,
      file: String = #filePath, line: Int = #line
    ) {
      _lessonReport(
        actual == expected, label, expected: "\(expected)", actual: "\(actual)", file: file,
        line: line, type: String(reflecting: T.self))
    }

    /// Checks that `|actual − expected| ≤ tolerance · max(1, |expected|)`: absolute near zero,
    /// relative for large values.
    public func check<T: BinaryFloatingPoint>(
      _ label: String, _ actual: T, closeTo expected: T, tolerance: T = 1e-4,
      file: String = #filePath, line: Int = #line
    ) {
      let passed = abs(actual - expected) <= tolerance * max(1, abs(expected))
      _lessonReport(
        passed, label, expected: "\(expected) ± \(tolerance)", actual: "\(actual)", file: file,
        line: line)
    }

    /// Checks that two tensors have the same shape and every element is close (as for numbers).
    public func check(
      _ label: String, _ actual: Tensor, closeTo expected: Tensor, tolerance: Float = 1e-4,
      file: String = #filePath, line: Int = #line
    ) {
      guard actual.shape == expected.shape else {
        _lessonReport(
          false, label, expected: "shape \(expected.shape)", actual: "shape \(actual.shape)",
          file: file, line: line)
        return
      }
      for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated()
      where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        _lessonReport(
          false, label, expected: "element \(index) = \(e) ± \(tolerance)",
          actual: "element \(index) = \(a)", file: file, line: line)
        return
      }
      _lessonReport(
        true, label, expected: "shape \(expected.shape)",
        actual: "shape \(actual.shape), all \(actual.count) elements within \(tolerance)",
        file: file, line: line)
    }

    /// Checks that `condition` holds; `detail` says what was seen when it does not.
    public func check(
      _ label: String, _ condition: Bool, _ detail: String = "",
      file: String = #filePath, line: Int = #line
    ) {
      _lessonReport(condition, label, expected: "", actual: detail, file: file, line: line)
    }

    /// Prints `drawing` (for the terminal) and sends the picture's record: `kind` (`gray`, with
    /// `width`×`height` bytes, or `svg`), its caption, its data in base64, and how many bytes
    /// the drawing took, so that the book can put the image where the drawing is.
    private func _lessonPicture(
      kind: String, caption: String, width: Int, height: Int, data: [UInt8], drawing: String
    ) {
      var printed = 0
      if !drawing.isEmpty {
        print(drawing)
        printed = drawing.utf8.count + 1
      }
      _lessonRecord(
        [
          "picture", kind, caption, String(width), String(height),
          Data(data).base64EncodedString(), String(printed),
        ], fieldLimit: 16 << 20)
    }

    /// Shows `tensor` as a picture, larger values darker: in the terminal as shade characters
    /// (or as `drawing`, when given: a chapter's own drawing of it), in the book
    /// (`lenet-tutor book`) as a grayscale image. A rank-3 `[C, H, W]` or rank-4 `[N, C, H, W]`
    /// tensor is a grid of its maps, `columns` per row (default: C for N > 1, else up to 8).
    /// Every map shares one scale, `range` or the tensor's smallest to largest value.
    public func show(
      _ tensor: Tensor, caption: String = "", drawing: String? = nil, columns: Int? = nil,
      range: ClosedRange<Float>? = nil
    ) {
      let shape = tensor.shape
      let (height, width) = shape.count >= 2 ? (shape[shape.count - 2], shape[shape.count - 1]) : (1, shape.first ?? 0)
      let maps = height * width == 0 ? 0 : tensor.count / (height * width)
      let perRow = max(1, min(maps, columns ?? (shape.count == 4 && shape[0] > 1 ? shape[1] : 8)))
      let gridRows = (maps + perRow - 1) / perRow
      let scalars = tensor.scalars.map { $0.isFinite ? $0 : 0 }
      let low = range?.lowerBound ?? scalars.min() ?? 0
      let high = range?.upperBound ?? scalars.max() ?? 1
      func level(_ value: Float) -> Float {
        high > low ? min(1, max(0, (value - low) / (high - low))) : 0.5
      }
      // Maps are 2 pixels apart on white paper.
      let gap = 2
      let imageWidth = max(1, perRow * width + (perRow - 1) * gap)
      let imageHeight = max(1, gridRows * height + max(0, gridRows - 1) * gap)
      var pixels = [UInt8](repeating: 255, count: imageWidth * imageHeight)
      let shades = Array(" ░▒▓█")
      var lines: [String] = caption.isEmpty ? [] : [caption]
      for gridRow in 0..<gridRows {
        var rowLines = [String](repeating: "", count: height)
        for gridColumn in 0..<perRow {
          let map = gridRow * perRow + gridColumn
          guard map < maps else { break }
          for y in 0..<height {
            if gridColumn > 0 { rowLines[y] += "  " }
            for x in 0..<width {
              let value = level(scalars[(map * height + y) * width + x])
              let at = (gridRow * (height + gap) + y) * imageWidth + gridColumn * (width + gap) + x
              pixels[at] = UInt8((255 * (1 - value)).rounded())
              let shade = shades[min(shades.count - 1, Int(value * Float(shades.count - 1) + 0.5))]
              rowLines[y] += String(repeating: shade, count: 2)
            }
          }
        }
        lines += rowLines
      }
      _lessonPicture(
        kind: "gray", caption: caption, width: imageWidth, height: imageHeight, data: pixels,
        drawing: drawing ?? lines.joined(separator: "\n"))
    }

    /// Shows an SVG image (`TrainingPlot.svg(history)`): in the book as the image, in the
    /// terminal as `drawing` (nothing when empty).
    public func show(svg: String, caption: String = "", drawing: String = "") {
      _lessonPicture(
        kind: "svg", caption: caption, width: 0, height: 0, data: Array(svg.utf8), drawing: drawing)
    }
    """#
}
