import Testing

@testable import LessonRunner

/// Output comparison on hand-made cases: text exact after trimming, numbers within tolerance.
@Suite("Comparing outputs")
struct OutputComparisonTests {
  let standard = Tolerance.standard

  @Test func identicalTextMatches() {
    #expect(
      OutputComparison.compare(
        actual: "C3: 16@10x10\n", expected: "C3: 16@10x10",
        tolerance: standard) == nil)
  }

  @Test func trailingSpacesAndEdgeBlankLinesAreIgnored() {
    #expect(
      OutputComparison.compare(actual: "\na   \nb\n\n", expected: "a\nb", tolerance: standard)
        == nil)
  }

  @Test func leadingSpacesAndInnerBlankLinesCount() {
    #expect(OutputComparison.compare(actual: " a", expected: "a", tolerance: standard) != nil)
    #expect(
      OutputComparison.compare(actual: "a\n\nb", expected: "a\nb", tolerance: standard) != nil)
  }

  @Test func decimalWithinRelativeToleranceMatches() {
    // |0.50004 − 0.5| = 4e-5 ≤ 1e-6 + 1e-4 · 0.5 = 5.1e-5.
    #expect(
      OutputComparison.compare(
        actual: "loss 0.50004", expected: "loss 0.5",
        tolerance: standard) == nil)
  }

  @Test func decimalOutsideToleranceFailsWithReason() {
    // |0.50006 − 0.5| = 6e-5 > 5.1e-5.
    #expect(
      OutputComparison.compare(actual: "loss 0.50006", expected: "loss 0.5", tolerance: standard)
        == OutputComparison.Mismatch(
          line: 1, expected: "loss 0.5", actual: "loss 0.50006",
          reason: "0.50006 is not within the tolerance of 0.5"))
  }

  @Test func statedToleranceWidensTheMatch() {
    let loose = Tolerance(relative: 1e-2, absolute: 0)
    #expect(OutputComparison.compare(actual: "0.504", expected: "0.5", tolerance: loose) == nil)
    #expect(OutputComparison.compare(actual: "0.51", expected: "0.5", tolerance: loose) != nil)
  }

  @Test func absoluteToleranceCoversNumbersNearZero() {
    // 3e-7 − 0 ≤ 1e-6 + 1e-4 · 0.
    #expect(OutputComparison.compare(actual: "3e-7", expected: "0.0", tolerance: standard) == nil)
    #expect(OutputComparison.compare(actual: "3e-5", expected: "0.0", tolerance: standard) != nil)
  }

  @Test func wholeNumbersCompareExactly() {
    // 151,601 is within 1e-4 relative of 151,600, but a count that is off by one is wrong.
    #expect(
      OutputComparison.compare(actual: "151601", expected: "151600", tolerance: standard)?.reason
        == "151601 is not 151600")
  }

  @Test func exponentAndDecimalFormsOfOneNumberMatch() {
    #expect(OutputComparison.compare(actual: "0.001", expected: "1e-3", tolerance: standard) == nil)
  }

  @Test func differentTextFails() {
    #expect(
      OutputComparison.compare(
        actual: "shape [16, 10]", expected: "shape [16, 10, 10]",
        tolerance: standard)?.reason == "text differs")
  }

  @Test func missingAndExtraLinesAreNamed() {
    #expect(
      OutputComparison.compare(actual: "a", expected: "a\nb", tolerance: standard)
        == OutputComparison.Mismatch(
          line: 2, expected: "b", actual: "", reason: "the output ends early"))
    #expect(
      OutputComparison.compare(actual: "a\nb", expected: "a", tolerance: standard)?.reason
        == "extra output")
  }
}
