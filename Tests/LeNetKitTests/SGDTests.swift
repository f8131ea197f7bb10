import LeNetKit
import LeNetTestSupport
import Testing

/// Stochastic gradient descent, two steps worked by hand.
@Suite struct SGDTests {
  /// A model with one dense unit: weight [0.5, 0.5], bias 0.
  static func model() throws -> Model {
    var layer = Dense("F", inputFeatures: 2, outputFeatures: 1)
    layer.weight = Tensor(shape: [1, 2], scalars: [0.5, 0.5])
    return try Model(name: "tiny", inputShape: [2], layers: [layer])
  }

  /// Gradient weight [1, −2], bias [3] on both steps.
  static let gradients = [
    [Tensor(shape: [1, 2], scalars: [1, -2]), Tensor(shape: [1], scalars: [3])]
  ]

  /// Learning rate 0.1, no momentum: each step subtracts 0.1 · gradient.
  /// weight [0.5, 0.5] → [0.4, 0.7] → [0.3, 0.9]; bias 0 → −0.3 → −0.6.
  @Test func plainStepsByHand() throws {
    var model = try Self.model()
    var optimizer = SGD(learningRate: 0.1)
    optimizer.step(&model, gradients: Self.gradients)
    expectClose(model.layers[0].parameters[0].scalars, [0.4, 0.7])
    optimizer.step(&model, gradients: Self.gradients)
    expectClose(model.layers[0].parameters[0].scalars, [0.3, 0.9])
    expectClose(model.layers[0].parameters[1].scalars, [-0.6])
  }

  /// Momentum 0.9: v₁ = −0.1 g = [−0.1, 0.2], w₁ = [0.4, 0.7];
  /// v₂ = 0.9 v₁ − 0.1 g = [−0.19, 0.38], w₂ = [0.21, 1.08].
  /// Bias: v₁ = −0.3, b₁ = −0.3; v₂ = −0.27 − 0.3 = −0.57, b₂ = −0.87.
  @Test func momentumStepsByHand() throws {
    var model = try Self.model()
    var optimizer = SGD(learningRate: 0.1, momentum: 0.9)
    optimizer.step(&model, gradients: Self.gradients)
    expectClose(model.layers[0].parameters[0].scalars, [0.4, 0.7])
    optimizer.step(&model, gradients: Self.gradients)
    expectClose(model.layers[0].parameters[0].scalars, [0.21, 1.08])
    expectClose(model.layers[0].parameters[1].scalars, [-0.87])
    expectClose(optimizer.velocity[0][0].scalars, [-0.19, 0.38])
  }
}
