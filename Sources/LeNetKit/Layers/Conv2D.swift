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
    let geometry = Geometry(layer: self, inputShape: input.sampleShape, outputShape: outputSample)
    let batch = input.batchSize
    let group = geometry.samplesPerProduct(batch: batch)
    var output = Tensor(shape: [batch] + outputSample)
    var columns = [Float](repeating: 0, count: geometry.patchSize * group * geometry.pixels)
    var product = [Float](repeating: 0, count: outputChannels * group * geometry.pixels)
    input.scalars.withUnsafeBufferPointer { inputBuffer in
      weight.scalars.withUnsafeBufferPointer { weightBuffer in
        bias.scalars.withUnsafeBufferPointer { biasBuffer in
          output.scalars.withUnsafeMutableBufferPointer { outputBuffer in
            columns.withUnsafeMutableBufferPointer { columnBuffer in
              product.withUnsafeMutableBufferPointer { productBuffer in
                let image = inputBuffer.baseAddress.unsafelyUnwrapped
                let out = outputBuffer.baseAddress.unsafelyUnwrapped
                let cols = columnBuffer.baseAddress.unsafelyUnwrapped
                let result = productBuffer.baseAddress.unsafelyUnwrapped
                for first in stride(from: 0, to: batch, by: group) {
                  let samples = first..<min(batch, first + group)
                  let width = samples.count * geometry.pixels
                  for (slot, sample) in samples.enumerated() {
                    geometry.gatherColumns(
                      from: image + sample * geometry.inputSampleSize,
                      into: cols + slot * geometry.pixels, rowStride: width)
                  }
                  for map in 0..<outputChannels {
                    (result + map * width).update(repeating: biasBuffer[map], count: width)
                  }
                  // result[outputChannels × width] += weight · columns
                  MatrixMultiply.accumulate(
                    weightBuffer.baseAddress.unsafelyUnwrapped, cols, into: result,
                    m: outputChannels, k: geometry.patchSize, n: width)
                  geometry.copyMaps(
                    from: result, width: width, toSamples: out + first * geometry.outputSampleSize,
                    count: samples.count)
                }
              }
            }
          }
        }
      }
    }
    return output
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

  /// The weight and bias gradients, and the input gradient when `toInput` is true (its
  /// `weightᵀ · ∂L/∂out` product is half of the backward pass's multiply-adds).
  func gradients(input: Tensor, outputGradient: Tensor, toInput: Bool) -> (
    input: Tensor?, parameters: [Tensor]
  ) {
    let outputSample = checkInput(input)
    precondition(
      outputGradient.shape == [input.batchSize] + outputSample,
      "\(name): output gradient has shape \(outputGradient.shape), expected \([input.batchSize] + outputSample)"
    )
    let geometry = Geometry(layer: self, inputShape: input.sampleShape, outputShape: outputSample)
    let batch = input.batchSize
    let group = geometry.samplesPerProduct(batch: batch)
    var inputGradient = Tensor(shape: toInput ? input.shape : [0])
    var weightGradient = Tensor(shape: weight.shape)
    var biasGradient = Tensor(shape: bias.shape)
    var columns = [Float](repeating: 0, count: geometry.patchSize * group * geometry.pixels)
    var columnGradient = toInput ? columns : []
    var groupGradient = [Float](repeating: 0, count: outputChannels * group * geometry.pixels)
    input.scalars.withUnsafeBufferPointer { inputBuffer in
      outputGradient.scalars.withUnsafeBufferPointer { gradientBuffer in
        weight.scalars.withUnsafeBufferPointer { weightBuffer in
          inputGradient.scalars.withUnsafeMutableBufferPointer { inputGradientBuffer in
            weightGradient.scalars.withUnsafeMutableBufferPointer { weightGradientBuffer in
              biasGradient.scalars.withUnsafeMutableBufferPointer { biasGradientBuffer in
                columns.withUnsafeMutableBufferPointer { columnBuffer in
                  columnGradient.withUnsafeMutableBufferPointer { columnGradientBuffer in
                    groupGradient.withUnsafeMutableBufferPointer { groupGradientBuffer in
                      let image = inputBuffer.baseAddress.unsafelyUnwrapped
                      let gradient = gradientBuffer.baseAddress.unsafelyUnwrapped
                      let imageGradient = inputGradientBuffer.baseAddress
                      let cols = columnBuffer.baseAddress.unsafelyUnwrapped
                      let colsGradient = columnGradientBuffer.baseAddress
                      let outGradient = groupGradientBuffer.baseAddress.unsafelyUnwrapped
                      for first in stride(from: 0, to: batch, by: group) {
                        let samples = first..<min(batch, first + group)
                        let width = samples.count * geometry.pixels
                        for (slot, sample) in samples.enumerated() {
                          geometry.gatherColumns(
                            from: image + sample * geometry.inputSampleSize,
                            into: cols + slot * geometry.pixels, rowStride: width)
                        }
                        geometry.gatherMaps(
                          fromSamples: gradient + first * geometry.outputSampleSize,
                          count: samples.count, into: outGradient, width: width)
                        // ∂L/∂weight[o, patch] += Σ_columns ∂L/∂out[o, column] · columns[patch, column]
                        MatrixMultiply.accumulateTransposingB(
                          outGradient, cols,
                          into: weightGradientBuffer.baseAddress.unsafelyUnwrapped,
                          m: outputChannels, k: width, n: geometry.patchSize)
                        for map in 0..<outputChannels {
                          let row = outGradient + map * width
                          var sum: Float = 0
                          for column in 0..<width { sum += row[column] }
                          biasGradientBuffer[map] += sum
                        }
                        guard toInput, let imageGradient, let colsGradient else { continue }
                        // ∂L/∂columns = weightᵀ · ∂L/∂out, then added back onto the images.
                        colsGradient.update(repeating: 0, count: geometry.patchSize * width)
                        MatrixMultiply.accumulateTransposingA(
                          weightBuffer.baseAddress.unsafelyUnwrapped, outGradient,
                          into: colsGradient, m: geometry.patchSize, k: outputChannels, n: width)
                        for (slot, sample) in samples.enumerated() {
                          geometry.scatterColumns(
                            colsGradient + slot * geometry.pixels, rowStride: width,
                            into: imageGradient + sample * geometry.inputSampleSize)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    applyConnectionMask(to: &weightGradient)
    return (toInput ? inputGradient : nil, [weightGradient, biasGradient])
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

extension Conv2D {
  /// The sizes that turn one sample's convolution into one matrix product (im2col).
  ///
  /// Column matrix: `patchSize` rows (input map × kernel row × kernel column) by `pixels`
  /// columns (output positions), so `output = weight · columns`.
  struct Geometry {
    let inputChannels: Int
    let inputHeight: Int
    let inputWidth: Int
    let outputHeight: Int
    let outputWidth: Int
    let outputChannels: Int
    let kernelSize: Int
    let pad: Int

    init(layer: Conv2D, inputShape: [Int], outputShape: [Int]) {
      inputChannels = inputShape[0]
      inputHeight = inputShape[1]
      inputWidth = inputShape[2]
      outputHeight = outputShape[1]
      outputWidth = outputShape[2]
      outputChannels = outputShape[0]
      kernelSize = layer.kernelSize
      pad = layer.padAmount
    }

    var pixels: Int { outputHeight * outputWidth }
    var patchSize: Int { inputChannels * kernelSize * kernelSize }
    var columnCount: Int { patchSize * pixels }
    var inputSampleSize: Int { inputChannels * inputHeight * inputWidth }
    var outputSampleSize: Int { outputChannels * pixels }

    /// How many samples share one matrix product: enough for about 512 columns, so that small
    /// maps (C5's 1×1) still give the kernels long rows to work on.
    func samplesPerProduct(batch: Int) -> Int {
      max(1, min(batch, 512 / pixels))
    }

    /// Copies every kernel-sized patch of `image` into a column of `columns` (zero outside);
    /// row `r` of the column matrix starts at `columns + r · rowStride`.
    func gatherColumns(
      from image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
      var row = 0
      for channel in 0..<inputChannels {
        for ky in 0..<kernelSize {
          for kx in 0..<kernelSize {
            let destination = columns + row * rowStride
            // Output columns whose source x lies inside the image; the rest read zero padding.
            let (xStart, xEnd) = validRange(offset: kx, inputLength: inputWidth, count: outputWidth)
            for y in 0..<outputHeight {
              let sourceY = y + ky - pad
              let rowStart = destination + y * outputWidth
              guard sourceY >= 0 && sourceY < inputHeight, xStart < xEnd else {
                rowStart.update(repeating: 0, count: outputWidth)
                continue
              }
              let sourceRow = image + (channel * inputHeight + sourceY) * inputWidth + kx - pad
              rowStart.update(repeating: 0, count: xStart)
              (rowStart + xStart).update(from: sourceRow + xStart, count: xEnd - xStart)
              (rowStart + xEnd).update(repeating: 0, count: outputWidth - xEnd)
            }
            row += 1
          }
        }
      }
    }

    /// Adds each column of `columns` back onto the image positions it was gathered from.
    func scatterColumns(
      _ columns: UnsafePointer<Float>, rowStride: Int, into image: UnsafeMutablePointer<Float>
    ) {
      var row = 0
      for channel in 0..<inputChannels {
        for ky in 0..<kernelSize {
          for kx in 0..<kernelSize {
            let source = columns + row * rowStride
            let (xStart, xEnd) = validRange(offset: kx, inputLength: inputWidth, count: outputWidth)
            for y in 0..<outputHeight {
              let targetY = y + ky - pad
              guard targetY >= 0 && targetY < inputHeight else { continue }
              let targetRow = image + (channel * inputHeight + targetY) * inputWidth + kx - pad
              let sourceRow = source + y * outputWidth
              for x in xStart..<xEnd { targetRow[x] += sourceRow[x] }
            }
            row += 1
          }
        }
      }
    }

    /// The output positions `xStart..<xEnd` whose input position `x + offset − pad` is inside.
    func validRange(offset: Int, inputLength: Int, count: Int) -> (Int, Int) {
      let start = max(0, pad - offset)
      let end = min(count, inputLength + pad - offset)
      return (min(start, end), max(start, end))
    }

    /// Copies a `outputChannels × (count · pixels)` product, sample-major within each row, into
    /// `count` consecutive samples laid out `outputChannels × pixels`.
    func copyMaps(
      from product: UnsafePointer<Float>, width: Int, toSamples output: UnsafeMutablePointer<Float>,
      count: Int
    ) {
      for slot in 0..<count {
        for map in 0..<outputChannels {
          (output + slot * outputSampleSize + map * pixels).update(
            from: product + map * width + slot * pixels, count: pixels)
        }
      }
    }

    /// The inverse of `copyMaps`: `count` samples into one `outputChannels × width` matrix.
    func gatherMaps(
      fromSamples maps: UnsafePointer<Float>, count: Int, into product: UnsafeMutablePointer<Float>,
      width: Int
    ) {
      for slot in 0..<count {
        for map in 0..<outputChannels {
          (product + map * width + slot * pixels).update(
            from: maps + slot * outputSampleSize + map * pixels, count: pixels)
        }
      }
    }
  }
}
