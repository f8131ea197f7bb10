/// How well a model classifies a labelled set: loss, accuracy, per-class accuracy and the
/// confusion matrix, as `Model.evaluate` returns them.
///
/// ```
/// accuracy            = (Σ_k confusion[k][k]) / N
/// classAccuracy[k]    = confusion[k][k] / Σ_j confusion[k][j]     (recall of class k)
/// confusion[t][p]     = number of images of true class t predicted as p
/// ```
public struct Evaluation: Sendable, Equatable {
  /// The true class of each image.
  public let labels: [Int]
  /// The predicted class of each image.
  public let predictions: [Int]
  /// Mean softmax cross-entropy.
  public let loss: Float
  /// `confusion[true][predicted]`, 10 × 10 for digits.
  public let confusion: [[Int]]

  /// Builds the counts from labels and predictions of the same length.
  public init(labels: [Int], predictions: [Int], loss: Float, classes: Int = 10) {
    precondition(labels.count == predictions.count, "one prediction per label is needed")
    self.labels = labels
    self.predictions = predictions
    self.loss = loss
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    for (label, prediction) in zip(labels, predictions) { confusion[label][prediction] += 1 }
    self.confusion = confusion
  }

  /// Images evaluated.
  public var count: Int { labels.count }
  /// Images classified right.
  public var correct: Int { zip(labels, predictions).filter { $0 == $1 }.count }
  /// Fraction classified right.
  public var accuracy: Float { count > 0 ? Float(correct) / Float(count) : 0 }
  /// Fraction classified wrong, the paper's "test error".
  public var errorRate: Float { 1 - accuracy }
  /// For each class, the fraction of its images classified right.
  public var classAccuracy: [Float] {
    confusion.enumerated().map { index, row in
      let total = row.reduce(0, +)
      return total > 0 ? Float(row[index]) / Float(total) : 0
    }
  }
  /// Indices of the images classified wrong, in order.
  public var misclassified: [Int] { labels.indices.filter { labels[$0] != predictions[$0] } }
}
