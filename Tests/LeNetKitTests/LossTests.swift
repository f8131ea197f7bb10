import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// Softmax cross-entropy and mean squared error on values worked by hand.
@Suite struct LossTests {
  /// Row 0: logits [0, ln 2, ln 5] → p = [1, 2, 5] / 8; label 2 → −ln(5/8) = 0.4700036.
  /// Row 1: logits [0, 0, 0] → p = 1/3 each; label 0 → ln 3 = 1.0986123.
  /// Mean: 0.7843080 (Python `math.log`). Gradient (p − onehot) / 2:
  /// row 0 [1/16, 1/8, −3/16], row 1 [−1/3, 1/6, 1/6].
  @Test func softmaxCrossEntropyByHand() {
    let logits = Tensor(shape: [2, 3], scalars: [0, Float(log(2.0)), Float(log(5.0)), 0, 0, 0])
    let (loss, gradient) = SoftmaxCrossEntropy.loss(logits: logits, labels: [2, 0])
    expectClose(loss, 0.7843080)
    expectClose(
      gradient,
      Tensor(shape: [2, 3], scalars: [0.0625, 0.125, -0.1875, -1.0 / 3, 1.0 / 6, 1.0 / 6]))
    expectClose(
      SoftmaxCrossEntropy.probabilities(logits),
      Tensor(shape: [2, 3], scalars: [0.125, 0.25, 0.625, 1.0 / 3, 1.0 / 3, 1.0 / 3]))
  }

  /// Logits of 1,000 would overflow `exp` (e^1000 = inf in any float type). With the maximum
  /// subtracted: [1000, 1000] → p = [1/2, 1/2], loss ln 2 = 0.6931472; [1000, 0, −1000] with
  /// label 0 → loss log(1 + e^−1000 + …) = 0, and label 1 → 1000.
  @Test func largeLogitsStayFinite() {
    let even = SoftmaxCrossEntropy.loss(
      logits: Tensor(shape: [1, 2], scalars: [1000, 1000]), labels: [0])
    expectClose(even.loss, 0.6931472)
    expectClose(even.gradient, Tensor(shape: [1, 2], scalars: [-0.5, 0.5]))
    let spread = Tensor(shape: [2, 3], scalars: [1000, 0, -1000, 1000, 0, -1000])
    let (loss, gradient) = SoftmaxCrossEntropy.loss(logits: spread, labels: [0, 1])
    expectClose(loss, (0 + 1000) / 2)
    #expect(gradient.scalars.allSatisfy { $0.isFinite })
    expectClose(gradient, Tensor(shape: [2, 3], scalars: [0, 0, 0, 0.5, -0.5, 0]))
    #expect(SoftmaxCrossEntropy.probabilities(spread).scalars.allSatisfy { $0.isFinite })
  }

  /// Differences [0, 2, 0, 4]: loss (0 + 4 + 0 + 16) / 4 = 5; gradient 2 · difference / 4.
  @Test func meanSquaredErrorByHand() {
    let (loss, gradient) = MeanSquaredError.loss(
      prediction: Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]),
      target: Tensor(shape: [2, 2], scalars: [1, 0, 3, 0]))
    #expect(loss == 5)
    #expect(gradient.scalars == [0, 1, 0, 2])
  }
}
