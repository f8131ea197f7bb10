import LeNetKit
import Testing

/// `Tensor.featureMap` picks one H × W plane out of N × C × H × W, by the row-major layout.
@Suite struct FeatureMapTests {
  // Elements 0..<24 in a 2 × 3 × 2 × 2 tensor: map c of sample n starts at (n · 3 + c) · 4.
  let tensor = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map(Float.init))

  @Test func firstSampleIsTheDefault() {
    #expect(tensor.featureMap(1) == Tensor(shape: [2, 2], scalars: [4, 5, 6, 7]))
  }

  @Test func laterSampleStartsAfterEveryMapOfTheEarlierOnes() {
    #expect(tensor.featureMap(2, sample: 1) == Tensor(shape: [2, 2], scalars: [20, 21, 22, 23]))
  }
}
