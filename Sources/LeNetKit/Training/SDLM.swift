/// A layer that can back-propagate second derivatives as well as gradients: what stochastic
/// diagonal Levenberg-Marquardt needs (LeCun et al. 1998, appendix C).
///
/// Given the forward pass's `input` and `output`, the loss gradient with respect to the output,
/// and an estimate `h` of the diagonal second derivatives `∂²E/∂output²`, returns the same
/// estimate for the input and for each parameter tensor (in `parameters`' order and shapes), in
/// the Gauss-Newton approximation: through a linear map `y = Σ w x`, `∂²E/∂w² = Σ x² h` and
/// `∂²E/∂x² = Σ w² h`; through a squashing function, `∂²E/∂a² = f'(a)² h`. Every estimate is
/// non-negative. Like the gradient, a shared weight's second derivative is summed over every
/// connection that shares it, and a batch's are summed over its samples.
public protocol SecondDerivativeLayer: Layer {
  /// See the protocol.
  func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients
}

extension Tensor {
  /// Every element squared, same shape.
  var squaredElements: Tensor {
    var copy = self
    for index in copy.scalars.indices { copy.scalars[index] *= copy.scalars[index] }
    return copy
  }
}

extension Model {
  /// The Gauss-Newton estimate of the diagonal of the loss's Hessian, one tensor per parameter
  /// tensor of each layer, averaged over the samples of `input` (the loss is a mean over them).
  ///
  /// The loss gives `∂²E/∂output²` (its Hessian's diagonal), and each layer passes the estimate
  /// backwards like the gradient (`SecondDerivativeLayer`). Every layer of the library conforms;
  /// a model with another layer stops with a message naming it.
  public func diagonalCurvature(input: Tensor, labels: [Int], loss: TrainingLoss) -> [[Tensor]] {
    let activations = activations(input)
    let evaluated = loss.evaluate(
      output: activations[activations.count - 1], labels: labels, model: self)
    var gradient = evaluated.gradient
    var curvature = evaluated.curvature
    var result = [[Tensor]](repeating: [], count: layers.count)
    for index in layers.indices.reversed() {
      guard let layer = layers[index] as? any SecondDerivativeLayer else {
        preconditionFailure(
          "\(layers[index].name) (\(layers[index].kind)) has no second derivatives")
      }
      let (input, output) = (activations[index], activations[index + 1])
      let second = layer.secondDerivatives(
        input: input, output: output, outputGradient: gradient, outputCurvature: curvature)
      result[index] = second.parameters
      guard index > 0 else { break }
      curvature = second.input
      gradient = layer.backward(input: input, output: output, outputGradient: gradient).input
    }
    return result
  }
}

/// Stochastic diagonal Levenberg-Marquardt (LeCun et al. 1998, appendix C): plain gradient
/// steps, but each parameter `k` with its own rate
///
/// ```
/// ε_k = η / (μ + h_kk)
/// ```
/// `h_kk` estimates the loss's second derivative along that parameter (`Model.diagonalCurvature`,
/// re-estimated on a few hundred patterns before each pass), `η` is the global rate of the
/// schedule and `μ` (0.02 in the paper) keeps the rate finite where the curvature is nearly 0.
/// A steep direction gets a small step and a flat one a large step: the per-parameter version of
/// Newton's `step = gradient / curvature`.
public struct SDLM: Sendable {
  /// The paper's μ.
  public static let paperMu: Float = 0.02

  /// The global rate `η`.
  public var learningRate: Float
  /// `μ`.
  public let mu: Float
  /// `h_kk`, shaped like the model's parameters; empty until the first estimate.
  public private(set) var curvature: [[Tensor]] = []
  /// `1 / (μ + h_kk)`, kept with `curvature`, so a step costs one multiply per parameter more
  /// than plain SGD.
  private var scale: [[Tensor]] = []

  /// Creates the optimizer; call `estimateCurvature` before the first step.
  public init(learningRate: Float, mu: Float = SDLM.paperMu) {
    precondition(learningRate > 0, "η must be positive, got \(learningRate)")
    precondition(mu > 0, "μ must be positive, got \(mu)")
    self.learningRate = learningRate
    self.mu = mu
  }

  /// Replaces `h_kk` by its estimate on `input` (the paper uses 500 patterns).
  public mutating func estimateCurvature(
    of model: Model, input: Tensor, labels: [Int], loss: TrainingLoss
  ) {
    setCurvature(model.diagonalCurvature(input: input, labels: labels, loss: loss))
  }

  /// Sets `h_kk` directly (one tensor per parameter tensor of each layer).
  public mutating func setCurvature(_ estimate: [[Tensor]]) {
    curvature = estimate
    scale = estimate.map { tensors in
      tensors.map { tensor in
        var result = tensor
        for index in result.scalars.indices {
          result.scalars[index] = 1 / (mu + tensor.scalars[index])
        }
        return result
      }
    }
  }

  /// Each parameter's rate `ε_k = η / (μ + h_kk)`, shaped like the model's parameters.
  public var rates: [[Tensor]] {
    scale.map { tensors in
      tensors.map { tensor in
        var result = tensor
        for index in result.scalars.indices { result.scalars[index] *= learningRate }
        return result
      }
    }
  }

  /// `parameter_k −= ε_k · gradient_k` for every parameter of `model`.
  public func step(_ model: inout Model, gradients: [[Tensor]]) {
    precondition(!scale.isEmpty, "estimate the curvature before the first SDLM step")
    precondition(gradients.count == model.layers.count, "one gradient list per layer is needed")
    let rate = learningRate
    for layer in model.layers.indices where !gradients[layer].isEmpty {
      var parameters = model.layers[layer].parameters
      for tensor in parameters.indices {
        let (slopes, factors) = (gradients[layer][tensor], scale[layer][tensor])
        precondition(
          slopes.shape == parameters[tensor].shape && factors.shape == slopes.shape,
          "gradient \(slopes.shape) and curvature \(factors.shape) must match the parameter")
        parameters[tensor].scalars.withUnsafeMutableBufferPointer { values in
          slopes.scalars.withUnsafeBufferPointer { slope in
            factors.scalars.withUnsafeBufferPointer { factor in
              for index in values.indices { values[index] -= rate * factor[index] * slope[index] }
            }
          }
        }
      }
      model.layers[layer].parameters = parameters
    }
  }

  /// The paper's global rates (section III.B): 0.0005 for passes 1–2, 0.0002 for 3–5, 0.0001
  /// for 6–8, 0.00005 for 9–12, 0.00001 after.
  public static func paperLearningRate(pass: Int) -> Float {
    switch pass {
    case ...2: return 0.0005
    case 3...5: return 0.0002
    case 6...8: return 0.0001
    case 9...12: return 0.000_05
    default: return 0.000_01
    }
  }
}
