import Testing

@testable import LeNetKit

/// The figures `lenet-tutor bench` divides by: the models' multiply-adds, worked by hand from
/// the layer sizes, and the peak loop's operation count, checked by running it.
@Suite struct BenchFigureTests {
  /// The Keras LeNet, layer by layer (output positions × kernel taps × linked map pairs):
  /// C1 28·28 · 25 · 1·6 = 117,600 (same padding: every position takes all 25 taps);
  /// C3 10·10 · 25 · 6·16 = 240,000; C5 1·1 · 25 · 16·120 = 48,000; F6 120·84 = 10,080;
  /// output 84·10 = 840. Forward: 416,520, the figure of issue 13.
  /// Backward: weight gradients repeat each forward product (416,520), input gradients too but
  /// C1's (416,520 − 117,600 = 298,920): 715,440; a training image 1,131,960.
  @Test func kerasMultiplyAddsMatchTheHandCount() {
    let counts = Model.keras(seed: 0).multiplyAddsPerImage
    #expect(counts.forward == 117_600 + 240_000 + 48_000 + 10_080 + 840)
    #expect(counts.forward == 416_520)
    #expect(counts.backward == 416_520 + 298_920)
    #expect(counts.training == 1_131_960)
  }

  /// LeNet-5 of 1998: C3 computes only Table I's 60 links, 10·10 · 25 · 60 = 150,000; the RBF's
  /// 84·10 = 840 (x − c)² terms have no weights, so backward repeats them once (input gradient).
  /// Forward 117,600 + 150,000 + 48,000 + 10,080 + 840 = 326,520; backward: weights
  /// 325,680, inputs 150,000 + 48,000 + 10,080 + 840 = 208,920; training 861,120.
  @Test func lecun1998MultiplyAddsCountOnlyLinkedKernels() {
    let counts = Model.lecun1998(seed: 0).multiplyAddsPerImage
    #expect(counts.forward == 326_520)
    #expect(counts.backward == 325_680 + 208_920)
    #expect(counts.training == 861_120)
  }

  /// With multiplier 1 and addend 1 every lane of every chain counts the iterations, so the
  /// loop's result is the number of multiply-adds it did; `flopsPerIteration` must be twice that
  /// per iteration.
  @Test func peakLoopDoesTheMultiplyAddsItClaims() {
    let iterations = 1000
    let result = PeakRate.run(iterations: iterations, multiplier: 1, addend: 1)
    #expect(result == Float(iterations * PeakRate.chains * PeakRate.lanes))
    #expect(PeakRate.flopsPerIteration == 2 * PeakRate.chains * PeakRate.lanes)
    // A multiplier of 0 keeps each accumulator at the addend: the chains really are chained.
    #expect(
      PeakRate.run(iterations: 5, multiplier: 0, addend: 2)
        == Float(2 * PeakRate.chains * PeakRate.lanes))
  }

  @Test func peakRateIsPositiveAndFinite() {
    let rate = PeakRate.measure(threads: 1, seconds: 0.02)
    #expect(rate > 0 && rate.isFinite)
  }

  /// The thread limit caps the batch split only inside its scope.
  @Test func threadLimitCapsTheSplitInsideItsScope() {
    let before = Parallel.chunkCount(for: 1000)
    ThreadLimit.with(1) {
      #expect(Parallel.chunkCount(for: 1000) == 1)
    }
    #expect(Parallel.chunkCount(for: 1000) == before, "the limit ends with its scope")
  }
}
