/// A fully connected layer: every output unit reads every input feature.
///
/// ```
/// output[n, o] = bias[o] + Σ_i weight[o, i] · input[n, i]
/// ```
/// `n` is the sample, `o` an output unit, `i` an input feature. The weight is stored
/// `outputs × inputs`, PyTorch's `Linear` layout.
///
/// ```
/// parameters = connections = (inputs + 1) · outputs
/// ```
/// F6: 10,164 parameters and connections (120 inputs, 84 units). The Keras output: 850.
public struct Dense: Layer {
  public let name: String
  public let inputFeatures: Int
  public let outputFeatures: Int
  /// `outputFeatures × inputFeatures`.
  public var weight: Tensor
  /// One bias per output unit.
  public var bias: Tensor

  /// Creates a dense layer with zero weights; call `initialize` (or build a `Model`) to draw them.
  public init(_ name: String, inputFeatures: Int, outputFeatures: Int) {
    self.name = name
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
    weight = Tensor(shape: [outputFeatures, inputFeatures])
    bias = Tensor(shape: [outputFeatures])
  }

  public var kind: String { "Dense" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape == [inputFeatures] else {
      throw ShapeError("expects \(inputFeatures) features per sample, got shape \(inputShape)")
    }
    return [outputFeatures]
  }

  public func forward(_ input: Tensor) -> Tensor {
    _ = checkInput(input)
    return Tensor(
      shape: [input.batchSize, outputFeatures],
      scalars: Self.affine(
        input, weight: weight, bias: bias, inputs: inputFeatures, outputs: outputFeatures))
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    _ = checkInput(input)
    let batch = input.batchSize
    precondition(
      outputGradient.shape == [batch, outputFeatures],
      "\(name): output gradient has shape \(outputGradient.shape), expected \([batch, outputFeatures])"
    )
    let gradients = Self.affineGradients(
      input: input, outputGradient: outputGradient, weight: weight, inputs: inputFeatures,
      outputs: outputFeatures, toInput: true)
    guard let inputGradient = gradients.input else {
      preconditionFailure("\(name): affineGradients(toInput: true) gave no input gradient")
    }
    return LayerGradients(
      input: Tensor(shape: input.shape, scalars: inputGradient),
      parameters: [
        Tensor(shape: weight.shape, scalars: gradients.weight),
        Tensor(shape: bias.shape, scalars: gradients.bias),
      ])
  }

  /// `bias + input · weightᵀ` for a batch of `inputs` features per sample (`N × I`, the
  /// weight `O × I`), as `N × O` scalars: this layer's `forward`, and `Conv2D`'s for a kernel
  /// as large as its input (C5), whose flattened sample is its one patch.
  static func affine(_ input: Tensor, weight: Tensor, bias: Tensor, inputs: Int, outputs: Int)
    -> [Float]
  {
    let batch = input.batchSize
    var scalars = [Float](repeating: 0, count: batch * outputs)
    input.scalars.withUnsafeBufferPointer { x in
      weight.scalars.withUnsafeBufferPointer { w in
        scalars.withUnsafeMutableBufferPointer { y in
          let target = y.baseAddress.unsafelyUnwrapped
          for sample in 0..<batch {
            for unit in 0..<outputs { target[sample * outputs + unit] = bias.scalars[unit] }
          }
          // y[N×O] += x[N×I] · weight[O×I]ᵀ
          MatrixMultiply.accumulateTransposingB(
            x.baseAddress.unsafelyUnwrapped, w.baseAddress.unsafelyUnwrapped, into: target,
            m: batch, k: inputs, n: outputs)
        }
      }
    }
    return scalars
  }

  /// The gradients of `affine`: `∂W[O×I] = ∂y[N×O]ᵀ · x[N×I]`, `∂bias[o] = Σ_n ∂y[n, o]`, and,
  /// when `toInput` is true, `∂x[N×I] = ∂y[N×O] · W[O×I]`.
  static func affineGradients(
    input: Tensor, outputGradient: Tensor, weight: Tensor, inputs: Int, outputs: Int,
    toInput: Bool
  ) -> (input: [Float]?, weight: [Float], bias: [Float]) {
    let batch = input.batchSize
    var weightGradient = [Float](repeating: 0, count: weight.count)
    var inputGradient: [Float]?
    var biasGradient = [Float](repeating: 0, count: outputs)
    input.scalars.withUnsafeBufferPointer { x in
      weight.scalars.withUnsafeBufferPointer { w in
        outputGradient.scalars.withUnsafeBufferPointer { dy in
          let (xBase, wBase, dyBase) = (
            x.baseAddress.unsafelyUnwrapped, w.baseAddress.unsafelyUnwrapped,
            dy.baseAddress.unsafelyUnwrapped
          )
          if toInput {
            inputGradient = affineInputGradient(
              dyBase, weight: wBase, batch: batch, inputs: inputs, outputs: outputs)
          }
          weightGradient.withUnsafeMutableBufferPointer { dw in
            // ∂L/∂weight[O×I] = ∂L/∂y[N×O]ᵀ · x[N×I]
            MatrixMultiply.accumulateTransposingA(
              dyBase, xBase, into: dw.baseAddress.unsafelyUnwrapped, m: outputs, k: batch,
              n: inputs)
          }
          for sample in 0..<batch {
            for unit in 0..<outputs { biasGradient[unit] += dyBase[sample * outputs + unit] }
          }
        }
      }
    }
    return (inputGradient, weightGradient, biasGradient)
  }

  /// `∂x[N×I] = ∂y[N×O] · W[O×I]`, the input gradient of `affine` alone: training's slices
  /// take it at once and leave the weight and bias gradients for the whole share
  /// (`Model.AffineSlices`).
  static func affineInputGradient(
    _ outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, batch: Int, inputs: Int,
    outputs: Int
  ) -> [Float] {
    var inputGradient = [Float](repeating: 0, count: batch * inputs)
    inputGradient.withUnsafeMutableBufferPointer { dx in
      // ∂L/∂x[N×I] = ∂L/∂y[N×O] · weight[O×I]
      MatrixMultiply.accumulate(
        outputGradient, weight, into: dx.baseAddress.unsafelyUnwrapped, m: batch, k: outputs,
        n: inputs)
    }
    return inputGradient
  }

  public var parameters: [Tensor] {
    get { [weight, bias] }
    set {
      precondition(newValue.count == 2, "\(name) has 2 parameter tensors, got \(newValue.count)")
      precondition(
        newValue[0].shape == weight.shape, "\(name).weight must have shape \(weight.shape)")
      precondition(newValue[1].shape == bias.shape, "\(name).bias must have shape \(bias.shape)")
      weight = newValue[0]
      bias = newValue[1]
    }
  }

  public var parameterNames: [String] { ["weight", "bias"] }

  public var parameterCount: Int { (inputFeatures + 1) * outputFeatures }

  public func connectionCount(for inputShape: [Int]) -> Int {
    (try? outputShape(for: inputShape)) == nil ? 0 : (inputFeatures + 1) * outputFeatures
  }

  public mutating func initialize(_ scheme: Initialization, generator: inout SplitMix64) {
    let limits = scheme.limits(fanIn: inputFeatures, fanOut: outputFeatures)
    weight = Tensor(
      shape: weight.shape, uniformIn: -limits.weight...limits.weight, generator: &generator)
    bias = Tensor(shape: bias.shape, uniformIn: -limits.bias...limits.bias, generator: &generator)
  }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension Dense: SecondDerivativeLayer {
  /// Linear in its weights and input: the backward pass with every factor squared, `Σ x² h` for
  /// a weight, `Σ h` for a bias, `Σ_o w[o, i]² h[o]` for an input.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    backwardSquared(
      weight: \.weight, input: input, output: output, outputCurvature: outputCurvature)
  }
}
