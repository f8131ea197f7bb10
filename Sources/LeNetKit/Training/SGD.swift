/// Stochastic gradient descent with optional (heavy-ball) momentum, as Keras' and PyTorch's `SGD`.
///
/// ```
/// velocity ← momentum · velocity − learningRate · gradient
/// parameter ← parameter + velocity
/// ```
/// With `momentum` 0 this is the plain step `parameter −= learningRate · gradient`. The velocity
/// starts at zero; it is the optimizer's only state.
public struct SGD: Sendable {
  /// The step size.
  public var learningRate: Float
  /// How much of the previous step carries over, in `[0, 1)`.
  public var momentum: Float
  /// One velocity per parameter tensor, shaped like the model's parameters; empty until the
  /// first step.
  public private(set) var velocity: [[Tensor]] = []

  /// Creates an optimizer; `velocity`, one tensor per parameter tensor of each layer, continues
  /// a saved run's momentum (empty: starting from rest).
  public init(learningRate: Float, momentum: Float = 0, velocity: [[Tensor]] = []) {
    precondition(learningRate > 0, "learning rate must be positive, got \(learningRate)")
    precondition((0..<1).contains(momentum), "momentum must lie in [0, 1), got \(momentum)")
    self.learningRate = learningRate
    self.momentum = momentum
    self.velocity = velocity
  }

  /// Applies one step to every layer of `model`, given one gradient per parameter tensor.
  public mutating func step(_ model: inout Model, gradients: [[Tensor]]) {
    precondition(gradients.count == model.layers.count, "one gradient list per layer is needed")
    if velocity.isEmpty { velocity = gradients.map { $0.map { Tensor(shape: $0.shape) } } }
    let (rate, momentum) = (learningRate, momentum)
    for layer in model.layers.indices where !gradients[layer].isEmpty {
      var parameters = model.layers[layer].parameters
      for tensor in parameters.indices {
        // A static function: calling the method `update` held a copy of `self`, and with it of
        // `velocity`, for the call, so changing the velocity in place copied it first.
        Self.update(
          &parameters[tensor], velocity: &velocity[layer][tensor],
          gradient: gradients[layer][tensor], rate: rate, momentum: momentum)
      }
      model.layers[layer].parameters = parameters
    }
  }

  /// One tensor's update, the formula above element by element.
  ///
  /// The new parameters go into a new array: the layer still holds the old one, so changing it
  /// in place first copied all of it (copy-on-write), a pass over every weight that ran on one
  /// core while the other waited.
  public func update(_ parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor) {
    Self.update(
      &parameter, velocity: &velocity, gradient: gradient, rate: learningRate, momentum: momentum)
  }

  /// `update` with the step size and momentum given.
  static func update(
    _ parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor, rate: Float,
    momentum: Float
  ) {
    precondition(
      parameter.shape == gradient.shape && velocity.shape == gradient.shape,
      "parameter \(parameter.shape), velocity \(velocity.shape) and gradient \(gradient.shape) must match"
    )
    let old = parameter
    parameter = Tensor(shape: old.shape) { values in
      old.scalars.withUnsafeBufferPointer { previous in
        velocity.scalars.withUnsafeMutableBufferPointer { speeds in
          gradient.scalars.withUnsafeBufferPointer { slopes in
            for index in values.indices {
              speeds[index] = momentum * speeds[index] - rate * slopes[index]
              values[index] = previous[index] + speeds[index]
            }
          }
        }
      }
    }
  }
}
