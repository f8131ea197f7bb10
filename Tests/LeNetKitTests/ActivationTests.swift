import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// Each squashing function and its slope at points whose values are known in closed form.
@Suite struct ActivationTests {
  /// LeCun et al. 1998, appendix A: A = 1.7159 and S = 2/3 are chosen so that f(±1) = ±1.
  /// 1.7159 · tanh(2/3) = 1.7159 · 0.582782… = 0.9999973 (Python `math.tanh`), so f(1) = 1 only
  /// to 3e-6: the tolerance is 1e-5.
  @Test func scaledTanhMapsOneToOne() {
    let f = Activation.Function.scaledTanh
    expectClose(f(1), 0.9999973, relative: 1e-6)
    expectClose(f(1), 1, relative: 1e-5)
    expectClose(f(-1), -1, relative: 1e-5)
    #expect(f(0) == 0)
  }

  /// Known values: tanh(0.5) = 0.4621171572600097 (Python `math.tanh`); sigmoid(0) = 1/2;
  /// sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; relu clips below 0.
  @Test func valuesAtKnownPoints() {
    expectClose(Activation.Function.tanh(0.5), 0.46211716)
    #expect(Activation.Function.sigmoid(0) == 0.5)
    expectClose(Activation.Function.sigmoid(Float(log(3.0))), 0.75)
    #expect(Activation.Function.relu(-2) == 0)
    #expect(Activation.Function.relu(0) == 0)
    #expect(Activation.Function.relu(3) == 3)
  }

  /// Slopes at 0: tanh 1; scaled tanh A · S = 1.7159 · 2/3 = 1.1439333; sigmoid 1/4. ReLU: 0 left
  /// of 0 and 1 right of it. The backward pass multiplies ∂L/∂y = 1 by each.
  @Test func slopesThroughBackward() {
    let zero = Tensor(shape: [1, 1], scalars: [0])
    let one = Tensor(shape: [1, 1], scalars: [1])
    func slope(_ function: Activation.Function, at input: Tensor) -> Float {
      let layer = Activation(function)
      return layer.backward(input: input, output: layer.forward(input), outputGradient: one)
        .input.scalars[0]
    }
    expectClose(slope(.tanh, at: zero), 1)
    expectClose(slope(.scaledTanh, at: zero), 1.1439333)
    expectClose(slope(.sigmoid, at: zero), 0.25)
    #expect(slope(.relu, at: Tensor(shape: [1, 1], scalars: [-1])) == 0)
    #expect(slope(.relu, at: Tensor(shape: [1, 1], scalars: [2])) == 1)
  }

  @Test func activationHasNoParametersOrConnections() {
    let layer = Activation(.scaledTanh)
    #expect(layer.parameterCount == 0)
    #expect(layer.connectionCount(for: [6, 28, 28]) == 0)
  }
}
