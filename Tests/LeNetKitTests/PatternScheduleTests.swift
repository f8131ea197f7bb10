import Testing

@testable import LeNetKit

/// Which patterns the paper's pattern-by-pattern training presents (section III.B): with
/// distortions, the 60,000 images and 540,000 fixed distorted copies form one set, and the run
/// keeps its length, 20 passes of 60,000 patterns, so each pattern is seen twice.
@Suite struct PatternScheduleTests {
  func schedule(imageCount: Int, distorted: Bool, seed: UInt64 = 3) -> PatternSchedule {
    var training = PatternTraining.paper1998(seed: seed)
    training.distortion = distorted ? Distortion() : nil
    var generator = SplitMix64(seed: seed)
    return PatternSchedule(imageCount: imageCount, training: training, generator: &generator)
  }

  @Test func aDistortedPassPresentsAsManyPatternsAsThereAreImages() {
    let patterns = schedule(imageCount: 7, distorted: true)
    #expect(patterns.order.count == 70, "7 images and 9 copies of each")
    for pass in 1...20 { #expect(patterns.patterns(ofPass: pass).count == 7) }
  }

  @Test func tenDistortedPassesShowEachPatternOnceAndTwentyShowItTwice() {
    let patterns = schedule(imageCount: 7, distorted: true)
    let firstTen = (1...10).flatMap { patterns.patterns(ofPass: $0) }
    #expect(firstTen.sorted() == Array(0..<70))
    let nextTen = (11...20).flatMap { patterns.patterns(ofPass: $0) }
    #expect(nextTen == firstTen, "the same patterns in the same constant order")
  }

  @Test func withoutDistortionsEveryPassShowsEveryImageInOneOrder() {
    let patterns = schedule(imageCount: 9, distorted: false)
    let first = Array(patterns.patterns(ofPass: 1))
    #expect(first.sorted() == Array(0..<9))
    #expect(first != Array(0..<9), "shuffled (9! orders; seed 3 is not the identity)")
    for pass in 2...20 { #expect(Array(patterns.patterns(ofPass: pass)) == first) }
    #expect(patterns.transform(ofPattern: 4) == nil)
  }

  @Test func aDistortedCopyKeepsItsTransformationAndOriginalsStayAsTheyAre() {
    let patterns = schedule(imageCount: 5, distorted: true)
    for original in 0..<5 { #expect(patterns.transform(ofPattern: original) == nil) }
    let transforms = (5..<50).map { patterns.transform(ofPattern: $0) }
    #expect(transforms.allSatisfy { $0 != nil })
    #expect((5..<50).map { patterns.transform(ofPattern: $0) } == transforms, "same each time")
    // Copies of one image (patterns 5, 10, 15, …) differ from each other.
    let copiesOfImageZero = stride(from: 5, to: 50, by: 5).compactMap {
      patterns.transform(ofPattern: $0)
    }
    #expect(Set(copiesOfImageZero.map(\.scale)).count == copiesOfImageZero.count)
  }

  @Test func theSeedFixesTheOrderAndTheDistortions() {
    let a = schedule(imageCount: 6, distorted: true, seed: 1)
    let b = schedule(imageCount: 6, distorted: true, seed: 1)
    let c = schedule(imageCount: 6, distorted: true, seed: 2)
    #expect(a.order == b.order && a.order != c.order)
    #expect(a.transform(ofPattern: 17) == b.transform(ofPattern: 17))
    #expect(a.transform(ofPattern: 17) != c.transform(ofPattern: 17))
  }
}
