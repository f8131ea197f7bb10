import Testing

@testable import LeNetKit

@Suite struct VectorStepsTests {
  /// The steps and single elements `VectorSteps.overlapping` visits for a row of `count`.
  func visits(count: Int, lanes: Int) -> (steps: [Int], elements: [Int]) {
    var (steps, elements) = ([Int](), [Int]())
    VectorSteps.overlapping(count: count, lanes: lanes) {
      steps.append($0)
    } element: {
      elements.append($0)
    }
    return (steps, elements)
  }

  // Expected starts counted by hand: whole steps from 0, then one at count − lanes.
  @Test func aRowThatIsNotAMultipleEndsWithAnOverlappingStep() {
    #expect(visits(count: 14, lanes: 4) == ([0, 4, 8, 10], []))  // S2's 14 blocks
    #expect(visits(count: 28, lanes: 8) == ([0, 8, 16, 20], []))  // C1's rows
    #expect(visits(count: 10, lanes: 8) == ([0, 2], []))  // C3's rows
  }

  @Test func aRowThatIsAMultipleTakesWholeStepsOnly() {
    #expect(visits(count: 16, lanes: 8) == ([0, 8], []))
    #expect(visits(count: 4, lanes: 4) == ([0], []))
  }

  @Test func aRowShorterThanAStepGoesElementByElement() {
    #expect(visits(count: 3, lanes: 4) == ([], [0, 1, 2]))
    #expect(visits(count: 0, lanes: 8) == ([], []))
  }
}
