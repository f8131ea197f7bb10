import LeNetKit
import Testing

/// The two initialisation schemes' ranges, and the unlinked C3 kernels staying zero.
@Suite struct InitializationTests {
  static func conv(_ model: Model, _ name: String) throws -> Conv2D {
    try #require(model.layers.first { $0.name == name } as? Conv2D)
  }

  /// The kernels of output map `map`, all input maps.
  static func kernels(of layer: Conv2D, map: Int) -> ArraySlice<Float> {
    let size = layer.inputChannels * layer.kernelSize * layer.kernelSize
    return layer.weight.scalars[map * size..<(map + 1) * size]
  }

  /// LeCun et al. 1998, appendix C: uniform in ±2.4 / F_in. C1 units read 25 inputs, C3 map 0
  /// reads 3 maps · 25 = 75, map 15 reads 6 · 25 = 150.
  @Test func lecun1998RangesFollowFanIn() throws {
    let model = Model.lecun1998(seed: 1)
    let c1 = try Self.conv(model, "C1")
    #expect(c1.weight.scalars.allSatisfy { abs($0) <= 2.4 / 25 })
    #expect(c1.bias.scalars.allSatisfy { abs($0) <= 2.4 / 25 })
    let c3 = try Self.conv(model, "C3")
    #expect(Self.kernels(of: c3, map: 0).allSatisfy { abs($0) <= 2.4 / 75 })
    #expect(Self.kernels(of: c3, map: 15).allSatisfy { abs($0) <= 2.4 / 150 })
    // The range is used, not just respected: map 15's largest weight is near its limit.
    let largest = Self.kernels(of: c3, map: 15).map(abs).max() ?? 0
    #expect(largest > 0.9 * 2.4 / 150)
  }

  /// Glorot and Bengio 2010 (Keras' default): uniform in ±√(6 / (fanIn + fanOut)) with
  /// fanIn = inputs · k² and fanOut = outputs · k², biases exactly 0.
  /// C1: √(6 / (25 + 150)); C3: √(6 / (150 + 400)); F6: √(6 / (120 + 84)).
  @Test func glorotRangesAndZeroBiases() throws {
    let model = Model.keras(seed: 1)
    let c1 = try Self.conv(model, "C1")
    let c3 = try Self.conv(model, "C3")
    let f6 = try #require(model.layers.first { $0.name == "F6" } as? Dense)
    #expect(c1.weight.scalars.allSatisfy { abs($0) <= (6.0 / 175).squareRoot() })
    #expect(c3.weight.scalars.allSatisfy { abs($0) <= (6.0 / 550).squareRoot() })
    #expect(f6.weight.scalars.allSatisfy { abs($0) <= (6.0 / 204).squareRoot() })
    for layer in model.layers {
      for (name, tensor) in zip(layer.parameterNames, layer.parameters) where name == "bias" {
        #expect(tensor.scalars.allSatisfy { $0 == 0 }, "\(layer.name).bias")
      }
    }
  }

  /// Kernels Table I leaves out are zero after initialisation and after a training step.
  @Test func unlinkedC3KernelsStayZero() throws {
    var model = Model.lecun1998(seed: 3)
    func unlinkedWeights() throws -> [Float] {
      let c3 = try Self.conv(model, "C3")
      var values: [Float] = []
      for output in 0..<16 {
        for input in 0..<6 where !c3.connectionTable.connects(input: input, toOutput: output) {
          let start = (output * 6 + input) * 25
          values += c3.weight.scalars[start..<start + 25]
        }
      }
      return values
    }
    #expect(try unlinkedWeights().count == 36 * 25)
    #expect(try unlinkedWeights().allSatisfy { $0 == 0 })
    var generator = SplitMix64(seed: 8)
    let input = Tensor(shape: [2, 1, 32, 32], uniformIn: -1...1, generator: &generator)
    let gradients = model.lossAndGradients(input: input, labels: [1, 2]).gradients
    var optimizer = SGD(learningRate: 0.5, momentum: 0.9)
    optimizer.step(&model, gradients: gradients)
    optimizer.step(&model, gradients: gradients)
    #expect(try unlinkedWeights().allSatisfy { $0 == 0 })
  }

  @Test func sameSeedSameWeights() {
    let first = Model.lecun1998(seed: 12)
    let second = Model.lecun1998(seed: 12)
    let third = Model.lecun1998(seed: 13)
    #expect(first.layers[0].parameters == second.layers[0].parameters)
    #expect(first.layers[0].parameters != third.layers[0].parameters)
  }
}
