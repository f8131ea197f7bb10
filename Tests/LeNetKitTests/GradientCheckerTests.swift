import LeNetKit
import LeNetTestSupport
import Testing

/// The referee refereed: `GradientCheck` must pass a right backward pass and flag wrong ones,
/// or every gradient test in the suite would prove nothing.
@Suite struct GradientCheckerTests {
  /// `y = w · x²` element-wise with one trainable `w`; `mistake` breaks its backward pass.
  struct ScaledSquare: Layer {
    enum Mistake: Sendable { case none, inputFactor, unsummedWeight, wrongShape, missingWeight }
    var mistake: Mistake
    var weight = Tensor(shape: [1], scalars: [1.5])

    var name: String { "square" }
    var kind: String { "ScaledSquare" }
    func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }
    func forward(_ input: Tensor) -> Tensor {
      Tensor(shape: input.shape, scalars: input.scalars.map { weight.scalars[0] * $0 * $0 })
    }
    func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
      let w = weight.scalars[0]
      // ∂y/∂x = 2wx; the mistake drops the 2, as a first backward pass often does.
      let factor: Float = mistake == .inputFactor ? 1 : 2
      let inputGradient = zip(input.scalars, outputGradient.scalars).map { factor * w * $0 * $1 }
      // ∂L/∂w = Σ x² · ∂L/∂y over every element; the mistake keeps only the first.
      let terms = zip(input.scalars, outputGradient.scalars).map { $0 * $0 * $1 }
      let weightGradient = mistake == .unsummedWeight ? terms[0] : terms.reduce(0, +)
      let inputShape = mistake == .wrongShape ? [input.count] : input.shape
      return LayerGradients(
        input: Tensor(shape: inputShape, scalars: inputGradient),
        parameters: mistake == .missingWeight
          ? [] : [Tensor(shape: [1], scalars: [weightGradient])])
    }
    var parameters: [Tensor] {
      get { [weight] }
      set { weight = newValue[0] }
    }
    var parameterNames: [String] { ["weight"] }
    var parameterCount: Int { 1 }
    func connectionCount(for inputShape: [Int]) -> Int { 0 }
  }

  let input = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 1.5, -0.25, 0.75])

  func result(_ mistake: ScaledSquare.Mistake, _ tensor: String) throws -> GradientCheck.Result {
    let results = GradientCheck.check(ScaledSquare(mistake: mistake), input: input)
    return try #require(results.first { $0.tensorName == tensor })
  }

  @Test func rightBackwardPasses() {
    expectGradientsMatch(GradientCheck.check(ScaledSquare(mistake: .none), input: input))
  }

  /// Dropping the 2 halves every input gradient: an error of exactly 0.5 relative to the largest.
  @Test func missingFactorIsFlagged() throws {
    let error = try result(.inputFactor, "input").relativeError
    #expect(abs(error - 0.5) < 1e-3, "relative error \(error)")
    #expect(try result(.inputFactor, "weight").relativeError < 1e-3)
  }

  @Test func unsummedWeightGradientIsFlagged() throws {
    #expect(try result(.unsummedWeight, "weight").relativeError > 0.5)
  }

  @Test func wrongShapeIsReportedNotCrashed() throws {
    let input = try result(.wrongShape, "input")
    #expect(input.relativeError == .infinity)
    #expect(input.description == "input: gradient has shape [6], expected [2, 3]")
  }

  @Test func missingParameterGradientIsReported() throws {
    let weight = try result(.missingWeight, "weight")
    #expect(weight.relativeError == .infinity)
    #expect(weight.description == "weight: backward returned no gradient for it")
  }

  /// `expectGradientsMatch` itself must record a failure for the wrong backward pass.
  @Test func expectGradientsMatchFailsOnWrongBackward() {
    withKnownIssue {
      expectGradientsMatch(GradientCheck.check(ScaledSquare(mistake: .inputFactor), input: input))
    }
  }
}
