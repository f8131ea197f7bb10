import LeNetKit
import LeNetTestSupport
import Testing

/// `Dense` and `Flatten` on values worked by hand.
@Suite struct DenseTests {
  /// weight = [[1, 0, −1], [0.5, 0.5, 0.5]], bias = [0.25, −1].
  /// Sample [1, 2, 3]: 1 − 3 + 0.25 = −1.75 and 0.5 · 6 − 1 = 2.
  /// Sample [0, 0, 1]: −1 + 0.25 = −0.75 and 0.5 − 1 = −0.5.
  @Test func denseByHand() {
    var layer = Dense("F", inputFeatures: 3, outputFeatures: 2)
    layer.weight = Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 0.5, 0.5])
    layer.bias = Tensor(shape: [2], scalars: [0.25, -1])
    let input = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 1])
    expectClose(layer.forward(input), Tensor(shape: [2, 2], scalars: [-1.75, 2, -0.75, -0.5]))
  }

  /// With ∂L/∂y = [1, 0] for sample [1, 2, 3] only, ∂L/∂x is weight row 0 and ∂L/∂weight row 0
  /// is the input.
  @Test func denseBackwardByHand() {
    var layer = Dense("F", inputFeatures: 3, outputFeatures: 2)
    layer.weight = Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 0.5, 0.5])
    let input = Tensor(shape: [1, 3], scalars: [1, 2, 3])
    let gradients = layer.backward(
      input: input, output: layer.forward(input),
      outputGradient: Tensor(shape: [1, 2], scalars: [1, 0]))
    #expect(gradients.input.scalars == [1, 0, -1])
    #expect(gradients.parameters[0].scalars == [1, 2, 3, 0, 0, 0])
    #expect(gradients.parameters[1].scalars == [1, 0])
  }

  /// parameters = connections = (inputs + 1) · outputs: F6 (120 → 84) has 121 · 84 = 10,164.
  @Test func f6Counts() {
    let layer = Dense("F6", inputFeatures: 120, outputFeatures: 84)
    #expect(layer.parameterCount == 10_164)
    #expect(layer.connectionCount(for: [120]) == 10_164)
  }

  /// Flatten keeps row-major order: [2, 2, 1, 2] becomes [2, 4] with the same scalars.
  @Test func flattenKeepsOrder() throws {
    let input = Tensor(shape: [2, 2, 1, 2], scalars: (0..<8).map(Float.init))
    let output = Flatten().forward(input)
    #expect(output.shape == [2, 4])
    #expect(output.scalars == input.scalars)
    #expect(try Flatten().outputShape(for: [120, 1, 1]) == [120])
  }

  @Test func wrongFeatureCountIsRejectedWithReason() {
    #expect(throws: ShapeError("expects 120 features per sample, got shape [84]")) {
      try Dense("F6", inputFeatures: 120, outputFeatures: 84).outputShape(for: [84])
    }
  }
}
