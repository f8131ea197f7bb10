import Foundation

/// The paper's discriminative criterion (LeCun et al. 1998, section II.C, eq. 9) on the RBF
/// penalties `y` of one or more samples:
///
/// ```
/// E        = (1/N) Σ_n [ y[n, D_n] + log(e^(−j) + Σ_i e^(−y[n, i])) ]
/// p[n, i]  = e^(−y[n, i]) / (e^(−j) + Σ_k e^(−y[n, k]))
/// ∂E/∂y    = (onehot(D_n) − p[n, i]) / N
/// ∂²E/∂y²  = p[n, i] (1 − p[n, i]) / N       (the diagonal of the Hessian; every entry ≥ 0)
/// ```
/// `D_n` is sample `n`'s class and `j > 0` a constant. The first term pulls the correct
/// penalty down; the second pushes the wrong ones up, but only while they are not already
/// large: `e^(−j)` acts like an extra "rubbish" class whose penalty is `j`. Taking `j` to
/// infinity gives softmax cross-entropy on `−y`. The log is taken after factoring out the
/// largest exponent, so penalties of 1,000 are harmless.
public enum MAPLoss {
  /// The `j` of the course and the CLI when none is given. The paper gives no value.
  ///
  /// `j` is also where the pull on the correct penalty fades: once `y_D` is a few units below
  /// `j`, `p_D` is nearly 1 and the loss is flat. With j = 50 a digit whose correct penalty is
  /// 40 (its F6 output still far from the code) teaches nothing, and the loss's curvature is
  /// nearly 0 on most patterns. Chosen on held-out training images, not on the test set: on
  /// the first 50,000 training images, validated on the other 10,000, the 1998 recipe reached
  /// 1.17% validation error (0.40% training error) after 12 passes with j = 5 against 1.49%
  /// (1.13%) with j = 50 (Docs/training.md, `PaperLongTrainingTests`).
  public static let defaultJ: Float = 5

  /// The mean loss over the batch, its gradient with respect to `penalties` and the diagonal
  /// of its Hessian (the curvature SDLM needs), both `N × K` like `penalties`.
  public static func loss(penalties: Tensor, labels: [Int], j: Float) -> (
    loss: Float, gradient: Tensor, curvature: Tensor
  ) {
    checkPenalties(penalties, labels: labels)
    precondition(j > 0 && j.isFinite, "the constant j must be positive and finite, got \(j)")
    let classes = penalties.shape[1]
    let batch = Double(penalties.batchSize)
    var gradient = penalties
    var curvature = penalties
    var total = 0.0
    for (sample, label) in labels.enumerated() {
      let row = sample * classes..<(sample + 1) * classes
      // log(e^(−j) + Σ e^(−y)) = −m + log(e^(m−j) + Σ e^(m−y)), m the smallest of j and y.
      let smallest = Double(min(j, penalties.scalars[row].min() ?? j))
      let terms = row.map { Foundation.exp(smallest - Double(penalties.scalars[$0])) }
      let sum = terms.reduce(Foundation.exp(smallest - Double(j)), +)
      total += Double(penalties.scalars[row.lowerBound + label]) - smallest + Foundation.log(sum)
      for (term, index) in zip(terms, row) {
        let share = term / sum
        let target: Double = index == row.lowerBound + label ? 1 : 0
        gradient.scalars[index] = Float((target - share) / batch)
        curvature.scalars[index] = Float(share * (1 - share) / batch)
      }
    }
    return (Float(total / batch), gradient, curvature)
  }

  /// Checks the shapes and labels every penalty loss needs.
  static func checkPenalties(_ penalties: Tensor, labels: [Int]) {
    precondition(
      penalties.shape.count == 2, "expects N × K penalties, got shape \(penalties.shape)")
    precondition(
      labels.count == penalties.batchSize,
      "\(labels.count) labels for \(penalties.batchSize) samples")
    let classes = penalties.shape[1]
    precondition(
      labels.allSatisfy { (0..<classes).contains($0) }, "labels must lie in 0..<\(classes)")
  }
}

/// The paper's plain criterion (section II.C, eq. 8): the mean penalty of the correct class,
///
/// ```
/// E = (1/N) Σ_n y[n, D_n]        ∂E/∂y = onehot(D_n) / N        ∂²E/∂y² = 0
/// ```
/// Minimising it only pulls F6's output towards the correct code: nothing pushes the other
/// penalties up, and with trainable RBF centres it has a collapsing solution (all centres equal,
/// F6 constant, every penalty 0). With LeNet-5's fixed codes it cannot collapse completely, but
/// it does not separate the classes as eq. 9 does: `train --loss mse` shows it.
public enum PenaltyMeanSquaredError {
  /// The mean loss, its gradient with respect to `penalties`, and its (zero) curvature.
  public static func loss(penalties: Tensor, labels: [Int]) -> (
    loss: Float, gradient: Tensor, curvature: Tensor
  ) {
    MAPLoss.checkPenalties(penalties, labels: labels)
    let classes = penalties.shape[1]
    let batch = Float(penalties.batchSize)
    var gradient = Tensor(shape: penalties.shape)
    var total = 0.0
    for (sample, label) in labels.enumerated() {
      total += Double(penalties.scalars[sample * classes + label])
      gradient.scalars[sample * classes + label] = 1 / batch
    }
    return (Float(total / Double(batch)), gradient, Tensor(shape: penalties.shape))
  }
}

/// The criteria `train` can minimise, with what each needs of the model's output.
public enum TrainingLoss: Sendable, Equatable, CustomStringConvertible {
  /// Softmax cross-entropy on the logits (or the negated penalties): the course's default.
  case crossEntropy
  /// The paper's eq. 9 with its constant `j` (`MAPLoss`); needs penalties.
  case map(j: Float)
  /// The paper's eq. 8 (`PenaltyMeanSquaredError`); needs penalties.
  case meanSquared

  public var description: String {
    switch self {
    case .crossEntropy: return "cross-entropy"
    case .map(let j): return "MAP (eq. 9, j = \(j))"
    case .meanSquared: return "MSE (eq. 8)"
    }
  }

  /// Why this loss cannot train `model`, or nil when it can: eq. 8 and 9 are written for
  /// penalties, which only an RBF output gives.
  public func problem(with model: Model) -> String? {
    switch self {
    case .crossEntropy: return nil
    case .map, .meanSquared:
      return model.output == .penalties
        ? nil : "\(self) is defined on RBF penalties; \(model.name) outputs logits"
    }
  }

  /// The mean loss over the batch, its gradient and its Hessian's diagonal with respect to the
  /// model's raw output (`N × K`), and the number of samples classified right.
  public func evaluate(output: Tensor, labels: [Int], model: Model) -> (
    loss: Float, gradient: Tensor, curvature: Tensor, correct: Int
  ) {
    let logits = model.logits(fromOutput: output)
    let correct = zip(argmaxOfRows(logits), labels).filter { $0 == $1 }.count
    switch self {
    case .map(let j):
      let result = MAPLoss.loss(penalties: output, labels: labels, j: j)
      return (result.loss, result.gradient, result.curvature, correct)
    case .meanSquared:
      let result = PenaltyMeanSquaredError.loss(penalties: output, labels: labels)
      return (result.loss, result.gradient, result.curvature, correct)
    case .crossEntropy:
      let (loss, logitGradient) = SoftmaxCrossEntropy.loss(logits: logits, labels: labels)
      var gradient = logitGradient
      // ∂²E/∂z² = p (1 − p) / N; negating the logits leaves it unchanged.
      var curvature = SoftmaxCrossEntropy.probabilities(logits)
      let batch = Float(labels.count)
      for index in curvature.scalars.indices {
        let share = curvature.scalars[index]
        curvature.scalars[index] = share * (1 - share) / batch
        if model.output == .penalties { gradient.scalars[index].negate() }
      }
      return (loss, gradient, curvature, correct)
    }
  }
}
