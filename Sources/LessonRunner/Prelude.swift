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

    /// Reads the key, the memory limit and the working folder on descriptor 4, applies them,
    /// and line-buffers standard output so that everything a cell printed is out before a crash.
    public func _lessonBegin() {
      var line: [UInt8] = []
      var byte: UInt8 = 0
      while read(4, &byte, 1) == 1 && byte != 10 { line.append(byte) }
      let fields = line.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3, let limit = UInt64(String(decoding: fields[1], as: UTF8.self))
      else {
        fputs("lenet-tutor: this chapter program must be started by lenet-tutor\n", stderr)
        exit(70)
      }
      _lessonKey = Array(fields[0])
      if limit > 0 {
        // Soft and hard limit alike, so that no cell can raise it again.
        var memory = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
        _ = setrlimit(Int32(RLIMIT_DATA.rawValue), &memory)
      }
      _ = chdir(String(decoding: fields[2], as: UTF8.self))
      setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Sends one record (the key, then `fields`) and waits until the runner has read it and
    /// everything printed before it.
    private func _lessonRecord(_ fields: [String]) {
      fflush(stdout)
      var record = _lessonKey
      for field in fields {
        record.append(0x1F)
        record += field.utf8.prefix(4_000).map { $0 == 10 || $0 == 0x1F ? 32 : $0 }
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
    """#
}
