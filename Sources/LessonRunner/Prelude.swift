/// The source compiled with every chapter program: the `check` functions and the markers that
/// let the runner split the program's output by cell.
///
/// Markers start with U+001E (record separator), which no ordinary `print` produces, and end at
/// the next newline; fields are separated by U+001F. A marker may follow text a cell printed
/// without a newline, so the runner looks for the separator anywhere in a line.
enum Prelude {
  /// The marker prefix.
  static let marker = "\u{1E}lenet-tutor "
  /// The field separator inside a check marker.
  static let separator: Character = "\u{1F}"

  /// Swift source of the prelude file (`Prelude.swift` in the chapter program).
  static let source = #"""
    // Compiled with every chapter by lenet-tutor's lesson runner; see Docs/lesson-format.md.
    import Foundation
    import LeNetKit

    /// Line-buffers standard output so that everything a cell printed is out before a crash.
    func _lessonBegin() {
      setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Marks the start of cell `index` in the output.
    func _lessonCell(_ index: Int) {
      print("\u{1E}lenet-tutor cell \(index)")
      fflush(stdout)
    }

    /// Marks that the program reached its end.
    func _lessonEnd() {
      print("\u{1E}lenet-tutor end")
      fflush(stdout)
    }

    private func _lessonReport(
      _ passed: Bool, _ label: String, expected: String, actual: String, file: String, line: Int
    ) {
      let fields = [passed ? "pass" : "fail", label, expected, actual, file, String(line)].map {
        $0.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\u{1F}", with: " ")
      }
      print("\u{1E}lenet-tutor check\u{1F}" + fields.joined(separator: "\u{1F}"))
      fflush(stdout)
    }

    /// Checks that `actual` equals `expected`: `check("C3 parameters", c3.parameterCount, equals: 1_516)`.
    func check<T: Equatable>(
      _ label: String, _ actual: T, equals expected: T,
      file: String = #filePath, line: Int = #line
    ) {
      _lessonReport(
        actual == expected, label, expected: "\(expected)", actual: "\(actual)", file: file,
        line: line)
    }

    /// Checks that `|actual − expected| ≤ tolerance · max(1, |expected|)`: absolute near zero,
    /// relative for large values.
    func check<T: BinaryFloatingPoint>(
      _ label: String, _ actual: T, closeTo expected: T, tolerance: T = 1e-4,
      file: String = #filePath, line: Int = #line
    ) {
      let passed = abs(actual - expected) <= tolerance * max(1, abs(expected))
      _lessonReport(
        passed, label, expected: "\(expected) ± \(tolerance)", actual: "\(actual)", file: file,
        line: line)
    }

    /// Checks that two tensors have the same shape and every element is close (as for numbers).
    func check(
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
    func check(
      _ label: String, _ condition: Bool, _ detail: String = "",
      file: String = #filePath, line: Int = #line
    ) {
      _lessonReport(condition, label, expected: "", actual: detail, file: file, line: line)
    }
    """#
}
