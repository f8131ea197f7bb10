import LeNetKit
import LeNetTestSupport
import Testing

/// LeCun's subsampling and plain average and max pooling on the 4×4 ramp 0 … 15 (as mlx-swift's
/// `PoolingTests`). Its 2×2 blocks are {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}, with
/// sums 10, 18, 42, 50, means 2.5, 4.5, 10.5, 12.5 and maxima 5, 7, 13, 15.
@Suite struct PoolingTests {
  static let ramp = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
  /// Two maps: the ramp, and the ramp + 16.
  static let twoMaps = Tensor(shape: [1, 2, 4, 4], scalars: (0..<32).map(Float.init))

  /// Subsampling of two maps with coefficients 0.5 and −1 and biases 1 and 0.
  static func twoMapSubsampling() -> Subsampling {
    var layer = Subsampling("S", channels: 2)
    layer.parameters = [
      Tensor(shape: [2], scalars: [0.5, -1]), Tensor(shape: [2], scalars: [1, 0]),
    ]
    return layer
  }

  @Test func averagePoolingOfRamp() {
    expectClose(
      AveragePooling("P").forward(Self.ramp),
      Tensor(shape: [1, 1, 2, 2], scalars: [2.5, 4.5, 10.5, 12.5]))
  }

  @Test func maxPoolingOfRamp() {
    expectClose(
      MaxPooling("P").forward(Self.ramp), Tensor(shape: [1, 1, 2, 2], scalars: [5, 7, 13, 15]))
  }

  /// The gradient of a max goes to the block's maximum only (5, 7, 13, 15 at indices 5, 7, 13, 15).
  @Test func maxPoolingGradientGoesToTheMaximum() {
    let pool = MaxPooling("P")
    let gradient = pool.backward(
      input: Self.ramp, output: pool.forward(Self.ramp),
      outputGradient: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
    ).input
    var expected = [Float](repeating: 0, count: 16)
    (expected[5], expected[7], expected[13], expected[15]) = (1, 2, 3, 4)
    #expect(gradient.scalars == expected)
  }

  /// Map 0 (the ramp): coefficient 0.5, bias 1 → 0.5 · (10, 18, 42, 50) + 1 = 6, 10, 22, 26.
  /// Map 1 (the ramp + 16, each block sum + 64 = 74, 82, 106, 114): coefficient −1, bias 0.
  @Test func subsamplingWithCoefficientAndBias() {
    let (layer, input) = (Self.twoMapSubsampling(), Self.twoMaps)
    expectClose(
      layer.forward(input),
      Tensor(shape: [1, 2, 2, 2], scalars: [6, 10, 22, 26, -74, -82, -106, -114]))
  }

  /// A new subsampling layer is a plain 2×2 sum: coefficient 1, bias 0.
  @Test func freshSubsamplingSums() {
    expectClose(
      Subsampling("S", channels: 1).forward(Self.ramp),
      Tensor(shape: [1, 1, 2, 2], scalars: [10, 18, 42, 50]))
  }

  /// Each input gets a quarter of its block's gradient: (4, 8, 12, 16) spread as 1, 2, 3, 4 over
  /// the blocks {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}.
  @Test func averagePoolingSpreadsAQuarterOverEachBlock() {
    let pool = AveragePooling("P")
    let gradient = pool.backward(
      input: Self.ramp, output: pool.forward(Self.ramp),
      outputGradient: Tensor(shape: [1, 1, 2, 2], scalars: [4, 8, 12, 16])
    ).input
    #expect(gradient.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
  }

  /// The layer of `subsamplingWithCoefficientAndBias`, with output gradients (2, 4, 6, 8) on
  /// map 0 and (1, 0, 0, −1) on map 1. Each input gets its block's gradient times the map's
  /// coefficient: 1, 2, 3, 4 on map 0 (×0.5), −1, 0, 0, 1 on map 1 (×−1). The coefficient's
  /// gradient is Σ gradient · block sum: 2·10 + 4·18 + 6·42 + 8·50 = 744 on map 0, 74 − 114 = −40
  /// on map 1; the bias's is Σ gradient: 20 and 0.
  @Test func subsamplingSpreadsItsCoefficientTimesTheGradientOverEachBlock() {
    let (layer, input) = (Self.twoMapSubsampling(), Self.twoMaps)
    let gradients = layer.backward(
      input: input, output: layer.forward(input),
      outputGradient: Tensor(shape: [1, 2, 2, 2], scalars: [2, 4, 6, 8, 1, 0, 0, -1]))
    #expect(
      gradients.input.scalars == [
        1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4,
        -1, -1, 0, 0, -1, -1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1,
      ])
    #expect(gradients.parameters.map(\.scalars) == [[744, -40], [20, 0]])
  }

  /// connections = 4 inputs per output (+1 bias for subsampling) × outputs; parameters 2 per map.
  /// On 6@28×28: 6 · 14 · 14 = 1,176 outputs → 4,704 pooling and 5,880 subsampling links.
  @Test func poolingCounts() {
    let shape = [6, 28, 28]
    #expect(AveragePooling("P").connectionCount(for: shape) == 4_704)
    #expect(MaxPooling("P").connectionCount(for: shape) == 4_704)
    #expect(Subsampling("S", channels: 6).connectionCount(for: shape) == 5_880)
    #expect(AveragePooling("P").parameterCount == 0)
    #expect(Subsampling("S", channels: 6).parameterCount == 12)
  }

  @Test func oddMapIsRejectedWithReason() {
    #expect(throws: ShapeError("2×2 blocks must tile the map exactly, but it is 5×4")) {
      try AveragePooling("P").outputShape(for: [1, 5, 4])
    }
  }
}
