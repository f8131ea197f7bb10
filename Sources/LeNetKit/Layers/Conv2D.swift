/// A 2-D convolution (cross-correlation, as in PyTorch and Keras) with stride 1, valid or same
/// padding, and an optional connection table.
///
/// ```
/// output[n, o, y, x] = bias[o] + Σ_{i ∈ table(o)} Σ_{ky, kx} weight[o, i, ky, kx]
///                                                   · input[n, i, y + ky − pad, x + kx − pad]
/// ```
/// `n` is the sample, `o` an output map, `i` an input map, `(y, x)` an output position and
/// `(ky, kx)` a kernel offset; inputs outside the image (same padding) read as zero.
///
/// Weights are stored as `outputChannels × inputChannels × kernelSize × kernelSize` (PyTorch's
/// layout) even with a partial table: the unlinked kernels are zeroed on every write and their
/// gradients are masked, so a checkpoint loads into a PyTorch `Conv2d`. Only linked kernels are counted:
///
/// ```
/// parameters  = Σ_o (|table(o)| · k² + 1)
/// connections = Σ_o (|table(o)| · taps + outH · outW)   taps: kernel taps inside the input
/// ```
/// C1: 156 parameters, 122,304 connections. C3 with Table I: 1,516 parameters, 151,600
/// connections (a full table: 2,416 and 241,600). C5: 48,120 parameters and connections.
///
/// The sums run in `Convolution` (`Kernels/Convolution.swift`): maps of 64 pixels or more on
/// `DirectConvolution`, a kernel as large as its input as a dense product, the rest as im2col
/// matrix products. The formula with plain loops is chapter 3's `outputMap` exercise
/// (`Lessons/03-c3-partial-connections.md`); `FastKernelTests` checks the engine against that
/// formula summed in `Double`.
public struct Conv2D: Layer {
  /// How the border is handled.
  public enum Padding: String, Sendable {
    /// No padding: the output shrinks by `kernelSize − 1`.
    case valid
    /// Zero padding of `(kernelSize − 1) / 2` on every side: the output keeps the input's size.
    case same
  }

  public let name: String
  public let inputChannels: Int
  public let outputChannels: Int
  public let kernelSize: Int
  public let padding: Padding
  /// Which input maps feed which output maps.
  public let connectionTable: ConnectionTable
  /// `outputChannels × inputChannels × kernelSize × kernelSize`; zero where the table has no link,
  /// whatever is written: every write (the whole tensor, one scalar, or `parameters`) is masked,
  /// so a partial table computes with its linked kernels only.
  public var weight: Tensor {
    didSet {
      precondition(
        weight.shape == [outputChannels, inputChannels, kernelSize, kernelSize],
        "\(name).weight must have shape \([outputChannels, inputChannels, kernelSize, kernelSize]), got \(weight.shape)"
      )
      applyConnectionMask(to: &weight)
    }
  }
  /// One bias per output map.
  public var bias: Tensor
  /// The table's links as the engine's blocks, built once here rather than on every pass.
  let links: Convolution.TableLinks

  /// Creates a convolution with zero weights; call `initialize` (or build a `Model`) to draw them.
  public init(
    _ name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
    padding: Padding = .valid, connectionTable: ConnectionTable? = nil
  ) {
    precondition(kernelSize > 0, "\(name): kernel size must be positive")
    precondition(
      padding == .valid || kernelSize % 2 == 1, "\(name): same padding needs an odd kernel size")
    let table =
      connectionTable
      ?? .full(inputChannels: inputChannels, outputChannels: outputChannels)
    precondition(
      table.inputChannels == inputChannels && table.outputChannels == outputChannels,
      "\(name): connection table is \(table.inputChannels)→\(table.outputChannels) maps, layer is \(inputChannels)→\(outputChannels)"
    )
    self.name = name
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.padding = padding
    self.connectionTable = table
    self.links = Convolution.TableLinks(table)
    self.weight = Tensor(shape: [outputChannels, inputChannels, kernelSize, kernelSize])
    self.bias = Tensor(shape: [outputChannels])
  }

  public var kind: String {
    let size = "\(kernelSize)×\(kernelSize)"
    let table = connectionTable.isFull ? "" : ", \(connectionTable.linkCount)-link table"
    return "Conv2D \(size)\(padding == .same ? " same" : "")\(table)"
  }

  var padAmount: Int { padding == .same ? (kernelSize - 1) / 2 : 0 }

  // MARK: Shape rule

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 3 else {
      throw ShapeError(
        "expects one image per sample as [channels, height, width], got \(inputShape)")
    }
    guard inputShape[0] == inputChannels else {
      throw ShapeError(
        "expects \(inputChannels) input maps, got \(inputShape[0]) (shape \(inputShape))")
    }
    let height = inputShape[1] + 2 * padAmount - kernelSize + 1
    let width = inputShape[2] + 2 * padAmount - kernelSize + 1
    guard height > 0, width > 0 else {
      throw ShapeError(
        "a \(kernelSize)×\(kernelSize) kernel does not fit a \(inputShape[1])×\(inputShape[2]) input"
      )
    }
    return [outputChannels, height, width]
  }

  // MARK: Forward

  public func forward(_ input: Tensor) -> Tensor {
    let outputSample = checkInput(input)
    return Convolution.forward(
      input, weight: weight, bias: bias, geometry: geometry(input.sampleShape, outputSample))
  }

  /// `forward` followed by the layers after it that its output pass can take over, for a
  /// model's inference: a tanh or scaled tanh `Activation`, then a 2×2 `AveragePooling` or a
  /// `Subsampling` and the `Activation` after it. Returns the last taken layer's output and how
  /// many layers of `following` were taken, or nil when none can be (the im2col and dense
  /// paths, or another next layer). The same arithmetic as the layers' own `forward`, so the
  /// same bits (`FastKernelTests.fusedForwardEqualsLayerByLayer`).
  func fusedForward(_ input: Tensor, following: ArraySlice<any Layer>) -> (
    output: Tensor, layersTaken: Int
  )? {
    let outputSample = checkInput(input)
    let geometry = geometry(input.sampleShape, outputSample)
    guard geometry.usesDirectKernels, let first = following.first,
      let squash = Self.squashing(first)
    else { return nil }
    var stage = DirectConvolution.OutputStage(squash: squash)
    var layersTaken = 1
    let rest = following.dropFirst()
    let poolsBy2 = outputSample[1] % 2 == 0 && outputSample[2] % 2 == 0
    if poolsBy2, let pooling = rest.first as? AveragePooling, pooling.size == 2 {
      stage.pooling = .average
      layersTaken = 2
    } else if poolsBy2, let subsampling = rest.first as? Subsampling,
      subsampling.channels == outputChannels
    {
      stage.pooling = .subsampling(
        coefficient: subsampling.coefficient.scalars, bias: subsampling.bias.scalars)
      stage.squashAfterPooling = rest.dropFirst().first.flatMap(Self.squashing)
      layersTaken = stage.squashAfterPooling == nil ? 2 : 3
    }
    let output = Convolution.directForward(
      input, weight: weight, bias: bias, geometry: geometry, stage: stage)
    return (output, layersTaken)
  }

  /// The slope and amplitude of a tanh or scaled tanh `Activation`, as its `forward` uses them;
  /// nil for any other layer.
  private static func squashing(_ layer: any Layer) -> (slope: Float, amplitude: Float)? {
    (layer as? Activation)?.function.squashing
  }

  // MARK: Backward

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    let (inputGradient, parameters) = gradients(
      input: input, outputGradient: outputGradient, toInput: true)
    return LayerGradients(
      input: inputGradient ?? Tensor(shape: input.shape), parameters: parameters)
  }

  public func parameterGradients(input: Tensor, output: Tensor, outputGradient: Tensor) -> [Tensor]
  {
    gradients(input: input, outputGradient: outputGradient, toInput: false).parameters
  }

  /// The weight and bias gradients, and the input gradient when `toInput` is true; unlinked
  /// kernels get no gradient.
  func gradients(input: Tensor, outputGradient: Tensor, toInput: Bool) -> (
    input: Tensor?, parameters: [Tensor]
  ) {
    let outputSample = checkInput(input)
    precondition(
      outputGradient.shape == [input.batchSize] + outputSample,
      "\(name): output gradient has shape \(outputGradient.shape), expected \([input.batchSize] + outputSample)"
    )
    var result = Convolution.gradients(
      input: input, outputGradient: outputGradient, weight: weight,
      geometry: geometry(input.sampleShape, outputSample), toInput: toInput)
    applyConnectionMask(to: &result.weight)
    return (result.input, [result.weight, result.bias])
  }

  /// Zero parameter sums for a share of `inputShape` samples, to be carried from slice to slice
  /// (`Model`'s training); nil on the im2col path, whose sums cannot be carried.
  func gradientSums(for inputShape: [Int]) -> Convolution.GradientSums? {
    guard let outputShape = try? outputShape(for: inputShape) else { return nil }
    return Convolution.GradientSums(
      geometry: geometry(inputShape, outputShape), weightCount: weight.count)
  }

  /// `gradients` on one slice of a share, its parameter sums carried on in `sums`; returns the
  /// input gradient when `toInput` is true.
  func accumulateGradients(
    input: Tensor, outputGradient: Tensor, toInput: Bool, into sums: Convolution.GradientSums
  ) -> Tensor? {
    let outputSample = checkInput(input)
    precondition(
      outputGradient.shape == [input.batchSize] + outputSample,
      "\(name): output gradient has shape \(outputGradient.shape), expected \([input.batchSize] + outputSample)"
    )
    return Convolution.accumulateGradients(
      input: input, outputGradient: outputGradient, weight: weight,
      geometry: geometry(input.sampleShape, outputSample), toInput: toInput, into: sums)
  }

  /// The weight and bias gradients `sums` have reached, unlinked kernels masked as `gradients`
  /// masks them.
  func finishedGradients(_ sums: Convolution.GradientSums, inputShape: [Int]) -> [Tensor] {
    guard let outputShape = try? outputShape(for: inputShape) else { return [] }
    var (weightGradient, biasGradient) = sums.finished(
      weight: weight, geometry: geometry(inputShape, outputShape))
    applyConnectionMask(to: &weightGradient)
    return [weightGradient, biasGradient]
  }

  /// The engine's sizes for one sample of `inputShape` giving `outputShape`.
  func geometry(_ inputShape: [Int], _ outputShape: [Int]) -> Convolution.Geometry {
    Convolution.Geometry(
      inputShape: inputShape, outputShape: outputShape, kernelSize: kernelSize, pad: padAmount,
      links: links)
  }

  // MARK: Parameters

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

  public var parameterCount: Int {
    connectionTable.linkCount * kernelSize * kernelSize + outputChannels
  }

  public mutating func initialize(_ scheme: Initialization, generator: inout SplitMix64) {
    let area = kernelSize * kernelSize
    // Drawn into a copy and written once: each write to `weight` is masked.
    var scalars = weight.scalars
    for output in 0..<outputChannels {
      let inputs = connectionTable.inputsOfOutput[output]
      let limits = scheme.limits(fanIn: inputs.count * area, fanOut: outputChannels * area)
      for input in inputs {
        for tap in 0..<area {
          scalars[(output * inputChannels + input) * area + tap] =
            generator.nextFloat(in: -limits.weight...limits.weight)
        }
      }
      bias.scalars[output] = generator.nextFloat(in: -limits.bias...limits.bias)
    }
    weight = Tensor(shape: weight.shape, scalars: scalars)
  }

  /// How many kernels of a weight tensor shaped like `weight` the table does not link yet hold a
  /// nonzero value (writing it to `weight` would zero them); nil for another shape.
  func unlinkedKernelsWithWeights(in tensor: Tensor) -> Int? {
    guard tensor.shape == weight.shape else { return nil }
    let area = kernelSize * kernelSize
    var count = 0
    for output in 0..<outputChannels {
      for input in 0..<inputChannels where !connectionTable.connects(input: input, toOutput: output)
      {
        let start = (output * inputChannels + input) * area
        if tensor.scalars[start..<start + area].contains(where: { $0 != 0 }) { count += 1 }
      }
    }
    return count
  }

  /// Zeroes every kernel the connection table does not link.
  func applyConnectionMask(to tensor: inout Tensor) {
    guard !connectionTable.isFull else { return }
    let area = kernelSize * kernelSize
    for output in 0..<outputChannels {
      for input in 0..<inputChannels where !connectionTable.connects(input: input, toOutput: output)
      {
        let start = (output * inputChannels + input) * area
        for index in start..<start + area { tensor.scalars[index] = 0 }
      }
    }
  }

  // MARK: Connections

  public func connectionCount(for inputShape: [Int]) -> Int {
    guard let outputShape = try? outputShape(for: inputShape) else { return 0 }
    let rowTaps = tapsInside(inputLength: inputShape[1], outputLength: outputShape[1])
    let columnTaps = tapsInside(inputLength: inputShape[2], outputLength: outputShape[2])
    return connectionTable.linkCount * rowTaps * columnTaps
      + outputChannels * outputShape[1] * outputShape[2]
  }

  /// Kernel taps that land inside an input of `inputLength`, summed over the output positions
  /// along one axis; zero padding is not an input, so it makes no connection.
  func tapsInside(inputLength: Int, outputLength: Int) -> Int {
    var taps = 0
    for position in 0..<outputLength {
      for offset in 0..<kernelSize where (0..<inputLength).contains(position + offset - padAmount) {
        taps += 1
      }
    }
    return taps
  }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension Conv2D: SecondDerivativeLayer {
  /// A convolution is linear in its weights and in its input, so the Gauss-Newton second
  /// derivatives are its backward pass with every factor squared: `Σ x² h` for a shared weight
  /// (summed over every position that shares it), `Σ h` for a bias, `Σ w² h` for an input.
  /// Unlinked kernels of the connection table get 0, as their gradients do.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    backwardSquared(
      weight: \.weight, input: input, output: output, outputCurvature: outputCurvature)
  }
}
