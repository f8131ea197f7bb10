import LeNetKit
import LeNetTestSupport
import Testing

/// Every backward pass against central differences (`GradientCheck`), and the checker itself
/// against backward passes that are wrong on purpose.
///
/// Tolerance: 1e-3 relative to the tensor's largest gradient for layers. The layers run in
/// `Float`; with a step of 1e-2 and outputs of order 1 the five-point difference is accurate to
/// about 1e-5, so 1e-3 leaves room for rounding and none for a bug (a wrong factor or a missed
/// term moves the error to order 1).
@Suite struct GradientCheckTests {
  /// Seeded inputs of `shape` in `range`.
  static func input(_ shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64 = 7)
    -> Tensor
  {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: shape, uniformIn: range, generator: &generator)
  }

  /// `layer` with parameters drawn by LeCun's scheme, so that no weight is zero.
  static func initialized<L: Layer>(_ layer: L, seed: UInt64 = 3) -> L {
    var copy = layer
    var generator = SplitMix64(seed: seed)
    copy.initialize(.lecun1998, generator: &generator)
    return copy
  }

  // MARK: Layers

  @Test func conv2DValid() {
    let layer = Self.initialized(
      Conv2D("C", inputChannels: 2, outputChannels: 3, kernelSize: 3))
    expectGradientsMatch(GradientCheck.check(layer, input: Self.input([2, 2, 6, 5])))
  }

  @Test func conv2DSame() {
    let layer = Self.initialized(
      Conv2D("C", inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: .same))
    expectGradientsMatch(GradientCheck.check(layer, input: Self.input([2, 2, 5, 4])))
  }

  @Test func conv2DWithTableI() {
    let layer = Self.initialized(
      Conv2D(
        "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998))
    expectGradientsMatch(GradientCheck.check(layer, input: Self.input([1, 6, 6, 6])))
  }

  @Test func subsampling() {
    let layer = Self.initialized(Subsampling("S", channels: 3))
    expectGradientsMatch(GradientCheck.check(layer, input: Self.input([2, 3, 4, 6])))
  }

  @Test func averagePooling() {
    expectGradientsMatch(
      GradientCheck.check(AveragePooling("P"), input: Self.input([2, 3, 4, 4])))
  }

  /// The inputs are a shuffled 0, 0.1, 0.2 …: every block's maximum leads the runner-up by at
  /// least 0.1, far more than the check's largest move (2 · 1e-2), so no move changes a winner.
  @Test func maxPoolingAwayFromTies() {
    var values = (0..<48).map { Float($0) / 10 }
    var generator = SplitMix64(seed: 11)
    generator.shuffle(&values)
    let input = Tensor(shape: [2, 2, 2, 6], scalars: values)
    expectGradientsMatch(GradientCheck.check(MaxPooling("P"), input: input))
  }

  @Test func dense() {
    let layer = Self.initialized(Dense("F", inputFeatures: 7, outputFeatures: 4))
    expectGradientsMatch(GradientCheck.check(layer, input: Self.input([3, 7])))
  }

  @Test func flatten() {
    expectGradientsMatch(GradientCheck.check(Flatten(), input: Self.input([2, 3, 2, 2])))
  }

  /// Inputs in ±(0.1 … 2): away from ReLU's kink at 0, where no derivative exists.
  @Test(arguments: Activation.Function.allCases)
  func activation(function: Activation.Function) {
    var input = Self.input([2, 10], in: 0.1...2)
    for index in stride(from: 0, to: input.count, by: 2) { input.scalars[index].negate() }
    expectGradientsMatch(GradientCheck.check(Activation(function), input: input))
  }

  /// F6-like inputs in ±1.5 against the digit codes: penalties near 84 in `Float` leave the
  /// estimate about 1e-5 · 84 / 1e-2 ≈ 1e-4 of rounding, still ten times under the tolerance.
  @Test func euclideanRBF() {
    expectGradientsMatch(
      GradientCheck.check(EuclideanRBF(), input: Self.input([2, 84], in: -1.5...1.5)))
  }

  // MARK: Whole models

  /// The library's own checker on the Keras model, as a lesson would run it: logits of order 1
  /// keep the `Float` forward passes' rounding near 1e-7, so 1e-3 holds with room to spare.
  @Test func kerasModelAgainstFloatDifferences() {
    let results = GradientCheck.check(
      Model.keras(seed: 5), input: Self.input([2, 1, 28, 28], in: 0...1), labels: [3, 8],
      elementsPerTensor: 8)
    expectGradientsMatch(results)
  }

  /// Both models against the independent `Double` network of `DoubleReference`, which
  /// `lecun1998` needs: its penalties near 84 leave `Float` differences 1e-2 off (see there).
  @Test(arguments: Model.availableNames)
  func modelAgainstDoubleReference(name: String) throws {
    let model = try #require(Model.named(name, seed: 5))
    let input = Self.input([2] + model.inputShape, in: 0...1)
    expectGradientsMatch(
      DoubleReference.check(model, input: input, labels: [3, 8], elementsPerTensor: 4))
  }
}
