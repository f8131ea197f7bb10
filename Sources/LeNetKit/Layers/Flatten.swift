/// Reshapes each sample's maps into one feature vector: `[C, H, W]` becomes `[C·H·W]`.
///
/// The elements keep their row-major order, so `C5`'s 120@1×1 maps become F6's 120 inputs.
/// No parameters and no connections: nothing is computed.
public struct Flatten: Layer {
  public let name: String

  /// Creates a flatten layer.
  public init(_ name: String = "flatten") { self.name = name }

  public var kind: String { "Flatten" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard !inputShape.isEmpty else {
      throw ShapeError("has nothing to flatten in shape \(inputShape)")
    }
    return [inputShape.reduce(1, *)]
  }

  public func forward(_ input: Tensor) -> Tensor {
    input.reshaped(to: [input.batchSize] + checkInput(input))
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    LayerGradients(input: outputGradient.reshaped(to: input.shape))
  }

  public func connectionCount(for inputShape: [Int]) -> Int { 0 }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension Flatten: SecondDerivativeLayer {
  /// A reshape: the second derivatives keep their values, in the input's shape.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    LayerGradients(input: outputCurvature.reshaped(to: input.shape))
  }
}
