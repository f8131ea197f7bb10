import Foundation

/// Softmax followed by categorical cross-entropy, computed together so that neither can overflow.
///
/// ```
/// p[n, k]  = e^(z[n, k] − m[n]) / Σ_j e^(z[n, j] − m[n])      m[n] = max_j z[n, j]
/// loss     = −(1/N) Σ_n log p[n, label[n]]
///          = (1/N) Σ_n (m[n] + log Σ_j e^(z[n, j] − m[n]) − z[n, label[n]])
/// ∂loss/∂z = (p − onehot(label)) / N
/// ```
/// `z` are the logits (`N × K`), `N` the batch size, `K` the classes. Subtracting the row's
/// maximum leaves `p` unchanged but keeps every exponent ≤ 0, so logits of 1,000 are harmless.
public enum SoftmaxCrossEntropy {
  /// Each row of `logits` turned into probabilities that sum to 1.
  public static func probabilities(_ logits: Tensor) -> Tensor {
    softmax(logits).probabilities
  }

  /// Softmax of each row, with each row's maximum `m` and `Σ e^(z − m)`, which the loss needs
  /// too: one pass over the exponentials serves both.
  static func softmax(_ logits: Tensor) -> (
    probabilities: Tensor, largest: [Float], sums: [Float]
  ) {
    precondition(logits.shape.count == 2, "softmax expects N × K logits, got shape \(logits.shape)")
    let classes = logits.shape[1]
    var probabilities = logits
    var largests: [Float] = []
    var sums: [Float] = []
    for sample in 0..<logits.batchSize {
      let row = sample * classes..<(sample + 1) * classes
      let largest = logits.scalars[row].max() ?? 0
      var total: Float = 0
      for index in row {
        let exponential = Foundation.exp(logits.scalars[index] - largest)
        probabilities.scalars[index] = exponential
        total += exponential
      }
      for index in row { probabilities.scalars[index] /= total }
      largests.append(largest)
      sums.append(total)
    }
    return (probabilities, largests, sums)
  }

  /// The mean cross-entropy of `logits` against `labels`, and its gradient with respect to them.
  public static func loss(logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
    var total: Double = 0
    let gradient = accumulateLoss(
      logits: logits, labels: labels, batchSize: logits.batchSize, total: &total)
    return (Float(total / Double(logits.batchSize)), gradient)
  }

  /// `loss` on a slice of a batch of `batchSize` samples: each sample's cross-entropy added to
  /// `total` in order (the batch's running sum, carried from slice to slice), and the slice's
  /// rows of the gradient of the batch's mean loss.
  static func accumulateLoss(
    logits: Tensor, labels: [Int], batchSize: Int, total: inout Double
  ) -> Tensor {
    precondition(
      logits.shape.count == 2, "cross-entropy expects N × K logits, got shape \(logits.shape)")
    precondition(
      labels.count == logits.batchSize, "\(labels.count) labels for \(logits.batchSize) samples")
    let classes = logits.shape[1]
    precondition(
      labels.allSatisfy { (0..<classes).contains($0) }, "labels must lie in 0..<\(classes)")
    let batch = Float(batchSize)
    let (probabilities, largest, sums) = softmax(logits)
    var gradient = probabilities
    for (sample, label) in labels.enumerated() {
      // (m − z) first: adding log Σ to m ≈ 1,000 would round away its last 4 decimals.
      total += Double(
        largest[sample] - logits.scalars[sample * classes + label] + Foundation.log(sums[sample]))
      gradient.scalars[sample * classes + label] -= 1
    }
    for index in gradient.scalars.indices { gradient.scalars[index] /= batch }
    return gradient
  }
}

/// The mean of squared differences over every element (Keras' `mean_squared_error`).
///
/// ```
/// loss     = (1/M) Σ (prediction − target)²        M = number of elements
/// ∂loss/∂prediction = 2 (prediction − target) / M
/// ```
public enum MeanSquaredError {
  /// The loss and its gradient with respect to `prediction`.
  public static func loss(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
    precondition(
      prediction.shape == target.shape,
      "prediction \(prediction.shape) and target \(target.shape) must match")
    let count = Float(prediction.count)
    var gradient = prediction
    var total: Double = 0
    for index in prediction.scalars.indices {
      let difference = prediction.scalars[index] - target.scalars[index]
      total += Double(difference * difference)
      gradient.scalars[index] = 2 * difference / count
    }
    return (Float(total / Double(count)), gradient)
  }
}
