/// LeCun's trainable subsampling (S2, S4): the sum of each 2×2 block, times one trainable
/// coefficient per map, plus one trainable bias per map.
///
/// ```
/// output[n, c, y, x] = coefficient[c] · Σ_{dy, dx ∈ {0, 1}} input[n, c, 2y + dy, 2x + dx] + bias[c]
/// ```
/// `n` is the sample, `c` the map, `(y, x)` the output position. Blocks do not overlap, so an
/// `H × W` map becomes `H/2 × W/2`. In the paper the result then goes through the squashing
/// function, which the models add as a separate `Activation`.
///
/// ```
/// parameters  = 2 · C
/// connections = (4 + 1) · C · H/2 · W/2
/// ```
/// S2: 12 parameters, 5,880 connections. S4: 32 parameters, 2,000 connections.
public struct Subsampling: Layer {
  public let name: String
  public let channels: Int
  /// One multiplier per map.
  public var coefficient: Tensor
  /// One bias per map.
  public var bias: Tensor

  /// Creates a subsampling layer with coefficients 1 and biases 0 (a plain 2×2 sum).
  public init(_ name: String, channels: Int) {
    self.name = name
    self.channels = channels
    coefficient = Tensor(shape: [channels], repeating: 1)
    bias = Tensor(shape: [channels])
  }

  public var kind: String { "Subsampling 2×2" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    try poolingOutputShape(for: inputShape, channels: channels, size: 2)
  }

  public func forward(_ input: Tensor) -> Tensor {
    let outputSample = checkInput(input)
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    let width = 2 * outputWidth
    // On raw pointers: the same sums in the same order as indexing the arrays, without a bounds
    // and uniqueness check per element (a twelfth of a lecun1998 step by `perf`). Blocks tile
    // the map, so every output is written.
    return Tensor(shape: [input.batchSize] + outputSample) { outputBuffer in
      input.scalars.withUnsafeBufferPointer { inputBuffer in
        let (x, y) = (
          inputBuffer.baseAddress.unsafelyUnwrapped, outputBuffer.baseAddress.unsafelyUnwrapped
        )
        for sample in 0..<input.batchSize {
          for map in 0..<channels {
            let plane = sample * channels + map
            let (scale, shift) = (coefficient.scalars[map], bias.scalars[map])
            for row in 0..<outputHeight {
              let top = x + (plane * outputHeight + row) * 2 * width
              BlocksOf2.sumRow(
                top: top, bottom: top + width, into: y + (plane * outputHeight + row) * outputWidth,
                count: outputWidth
              ) { scale * $0 + shift }
            }
          }
        }
      }
    }
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    let outputSample = checkInput(input)
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    let width = 2 * outputWidth
    var coefficientGradient = [Float](repeating: 0, count: channels)
    var biasGradient = [Float](repeating: 0, count: channels)
    // Blocks tile the map, so every input gets its share written.
    let inputGradient = Tensor(shape: input.shape) { targetBuffer in
      input.scalars.withUnsafeBufferPointer { inputBuffer in
        outputGradient.scalars.withUnsafeBufferPointer { gradientBuffer in
          let x = inputBuffer.baseAddress.unsafelyUnwrapped
          let dy = gradientBuffer.baseAddress.unsafelyUnwrapped
          let dx = targetBuffer.baseAddress.unsafelyUnwrapped
          // One row of block sums at a time, four blocks per vector (`BlocksOf2.sumRow`, the
          // same sums as block by block), so that the loop below is only the two running sums.
          let rowSums = UnsafeMutablePointer<Float>.allocate(capacity: outputWidth)
          defer { rowSums.deallocate() }
          for sample in 0..<input.batchSize {
            for map in 0..<channels {
              let plane = sample * channels + map
              let scale = coefficient.scalars[map]
              // Each map's sums run over its positions in order, sample after sample, as the
              // formula's loops do.
              var (coefficientSum, biasSum) = (coefficientGradient[map], biasGradient[map])
              for row in 0..<outputHeight {
                let top = (plane * outputHeight + row) * 2 * width
                let bottom = top + width
                let source = dy + (plane * outputHeight + row) * outputWidth
                BlocksOf2.sumRow(
                  top: x + top, bottom: x + bottom, into: rowSums, count: outputWidth
                ) { $0 }
                for column in 0..<outputWidth {
                  let gradient = source[column]
                  coefficientSum += gradient * rowSums[column]
                  biasSum += gradient
                }
                BlocksOf2.spreadRow(
                  source, top: dx + top, bottom: dx + bottom, count: outputWidth
                ) { $0 * scale }
              }
              (coefficientGradient[map], biasGradient[map]) = (coefficientSum, biasSum)
            }
          }
        }
      }
    }
    return LayerGradients(
      input: inputGradient,
      parameters: [
        Tensor(shape: [channels], scalars: coefficientGradient),
        Tensor(shape: [channels], scalars: biasGradient),
      ])
  }

  /// `backward` of the squashing `before` this layer, this layer and the squashing `after` it
  /// (lecun1998's C1 → squash → S2 → squash → C3, and again around S4), in one pass over each
  /// map instead of three: the same products in the same order as the three layers' `backward`,
  /// so the same bits, without writing this layer's output gradient and its input gradient (as
  /// large as C1's maps) and reading them back.
  ///
  /// ```
  /// ∂L/∂s       = ∂L/∂y · f'(y)                  (after's backward; y = after's output)
  /// ∂coefficient = Σ ∂L/∂s · (block sum of x),  ∂bias = Σ ∂L/∂s   (this layer's backward)
  /// ∂L/∂a       = (∂L/∂s · coefficient) · f'(x)  (before's backward; x = before's output)
  /// ```
  /// `input` is this layer's input `x` (before's output), `squashedOutput` is after's output
  /// `y`, `outputGradient` is `∂L/∂y`. Returns `∂L/∂a` for before's input and this layer's
  /// parameter gradients; nil unless both squashings are one of the two tanh (`FastTanh`'s).
  func backwardBetweenSquashings(
    before: Activation, input: Tensor, after: Activation, squashedOutput: Tensor,
    outputGradient: Tensor
  ) -> LayerGradients? {
    let sums = ParameterSums(weightCount: channels, biasCount: channels)
    guard
      let inputGradient = backwardBetweenSquashings(
        before: before, input: input, after: after, squashedOutput: squashedOutput,
        outputGradient: outputGradient, into: sums)
    else { return nil }
    return LayerGradients(
      input: inputGradient,
      parameters: [
        Tensor(shape: [channels], scalars: sums.weight),
        Tensor(shape: [channels], scalars: sums.bias),
      ])
  }

  /// `backwardBetweenSquashings` with the coefficient sums (`sums.weight`) and bias sums carried
  /// on from `sums` (each map's two running sums go on sample after sample); returns the input
  /// gradient, or nil unless both squashings are one of the two tanh.
  func backwardBetweenSquashings(
    before: Activation, input: Tensor, after: Activation, squashedOutput: Tensor,
    outputGradient: Tensor, into sums: ParameterSums
  ) -> Tensor? {
    guard let (beforeSlope, beforeAmplitude) = before.function.squashing,
      let (afterSlope, afterAmplitude) = after.function.squashing
    else { return nil }
    let outputSample = checkInput(input)
    precondition(
      squashedOutput.shape == [input.batchSize] + outputSample
        && outputGradient.shape == squashedOutput.shape,
      "\(name): squashed output \(squashedOutput.shape) and gradient \(outputGradient.shape) do not match input \(input.shape)"
    )
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    let width = 2 * outputWidth
    // `Activation.squashingSlope`'s two constants, computed as it computes them.
    let (afterFactor, afterSquared) = (afterSlope / afterAmplitude, afterAmplitude * afterAmplitude)
    let (beforeFactor, beforeSquared) = (
      beforeSlope / beforeAmplitude, beforeAmplitude * beforeAmplitude
    )
    var (coefficientGradient, biasGradient) = (sums.weight, sums.bias)
    // Blocks tile the map, so every input gets its gradient written.
    let inputGradient = Tensor(shape: input.shape) { targetBuffer in
      input.scalars.withUnsafeBufferPointer { inputBuffer in
        squashedOutput.scalars.withUnsafeBufferPointer { squashedBuffer in
          outputGradient.scalars.withUnsafeBufferPointer { gradientBuffer in
            let x = inputBuffer.baseAddress.unsafelyUnwrapped
            let y = squashedBuffer.baseAddress.unsafelyUnwrapped
            let dy = gradientBuffer.baseAddress.unsafelyUnwrapped
            let dx = targetBuffer.baseAddress.unsafelyUnwrapped
            // One row of block sums and of `∂L/∂s` at a time, as in `backward`.
            let rowSums = UnsafeMutablePointer<Float>.allocate(capacity: outputWidth)
            let rowGradients = UnsafeMutablePointer<Float>.allocate(capacity: outputWidth)
            defer {
              rowSums.deallocate()
              rowGradients.deallocate()
            }
            for sample in 0..<input.batchSize {
              for map in 0..<channels {
                let plane = sample * channels + map
                let scale = coefficient.scalars[map]
                let scales = SIMD4<Float>(repeating: scale)
                var (coefficientSum, biasSum) = (coefficientGradient[map], biasGradient[map])
                for row in 0..<outputHeight {
                  let top = (plane * outputHeight + row) * 2 * width
                  let bottom = top + width
                  let first = (plane * outputHeight + row) * outputWidth
                  BlocksOf2.sumRow(
                    top: x + top, bottom: x + bottom, into: rowSums, count: outputWidth
                  ) { $0 }
                  // ∂L/∂s four at a time (S2's 14: 0, 4, 8, then 10 overlapping; S4's 5: 0, 1),
                  // stored as vectors so that the vector loads below read them whole (a vector
                  // load of four scalar stores waits for them to reach the cache).
                  @inline(__always)
                  func gradients(from column: Int) {
                    let values = UnsafeRawPointer(y + first + column).loadUnaligned(
                      as: SIMD4<Float>.self)
                    let gradients =
                      UnsafeRawPointer(dy + first + column).loadUnaligned(as: SIMD4<Float>.self)
                      * (afterFactor * (afterSquared - values * values))
                    UnsafeMutableRawPointer(rowGradients + column).storeBytes(
                      of: gradients, as: SIMD4<Float>.self)
                  }
                  VectorSteps.overlapping(count: outputWidth, lanes: 4, step: gradients) {
                    column in
                    let value = y[first + column]
                    rowGradients[column] =
                      dy[first + column] * (afterFactor * (afterSquared - value * value))
                  }
                  for column in 0..<outputWidth {
                    let gradient = rowGradients[column]
                    coefficientSum += gradient * rowSums[column]
                    biasSum += gradient
                  }
                  // Four blocks at a time: each share `∂L/∂s · coefficient` twice per row of
                  // eight inputs, times f' of those inputs.
                  @inline(__always)
                  func eight(at start: Int, _ pairs: SIMD8<Float>) {
                    let values = UnsafeRawPointer(x + start).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(dx + start).storeBytes(
                      of: pairs * (beforeFactor * (beforeSquared - values * values)),
                      as: SIMD8<Float>.self)
                  }
                  @inline(__always)
                  func four(from block: Int) {
                    let shares =
                      UnsafeRawPointer(rowGradients + block).loadUnaligned(as: SIMD4<Float>.self)
                      * scales
                    let pairs = SIMD8<Float>(
                      shares[0], shares[0], shares[1], shares[1], shares[2], shares[2], shares[3],
                      shares[3])
                    eight(at: top + 2 * block, pairs)
                    eight(at: bottom + 2 * block, pairs)
                  }
                  // S2's 14 blocks: 0, 4, 8, then 10 overlapping; S4's 5: 0, then 1.
                  VectorSteps.overlapping(count: outputWidth, lanes: 4, step: four) { block in
                    let share = rowGradients[block] * scale
                    // The block's two inputs in the top row, then the two below them.
                    for start in stride(
                      from: top + 2 * block, through: bottom + 2 * block, by: width)
                    {
                      for index in start...start + 1 {
                        let value = x[index]
                        dx[index] = share * (beforeFactor * (beforeSquared - value * value))
                      }
                    }
                  }
                }
                (coefficientGradient[map], biasGradient[map]) = (coefficientSum, biasSum)
              }
            }
          }
        }
      }
    }
    (sums.weight, sums.bias) = (coefficientGradient, biasGradient)
    return inputGradient
  }

  public var parameters: [Tensor] {
    get { [coefficient, bias] }
    set {
      precondition(newValue.count == 2, "\(name) has 2 parameter tensors, got \(newValue.count)")
      precondition(
        newValue[0].shape == [channels] && newValue[1].shape == [channels],
        "\(name): parameters must have shape [\(channels)]")
      coefficient = newValue[0]
      bias = newValue[1]
    }
  }

  public var parameterNames: [String] { ["weight", "bias"] }

  public var parameterCount: Int { 2 * channels }

  public func connectionCount(for inputShape: [Int]) -> Int {
    guard let shape = try? outputShape(for: inputShape) else { return 0 }
    return (4 + 1) * shape.reduce(1, *)
  }

  public mutating func initialize(_ scheme: Initialization, generator: inout SplitMix64) {
    let limits = scheme.limits(fanIn: 4, fanOut: 1)
    coefficient = Tensor(
      shape: [channels], uniformIn: -limits.weight...limits.weight, generator: &generator)
    bias = Tensor(shape: [channels], uniformIn: -limits.bias...limits.bias, generator: &generator)
    if scheme == .glorotUniform { bias = Tensor(shape: [channels]) }
  }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension Subsampling: SecondDerivativeLayer {
  /// Each output is `coefficient · (sum of 4 inputs) + bias`, so: `Σ sum² h` for the coefficient
  /// (summed over the map's positions, which share it), `Σ h` for the bias, `coefficient² h`
  /// for each of the four inputs.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    let outputSample = checkInput(input)
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    let width = 2 * outputWidth
    var coefficientCurvature = [Float](repeating: 0, count: channels)
    var biasCurvature = [Float](repeating: 0, count: channels)
    // Blocks tile the map, so every input gets its share written; the same walk as `backward`.
    let inputCurvature = Tensor(shape: input.shape) { targetBuffer in
      input.scalars.withUnsafeBufferPointer { inputBuffer in
        outputCurvature.scalars.withUnsafeBufferPointer { curvatureBuffer in
          let x = inputBuffer.baseAddress.unsafelyUnwrapped
          let h = curvatureBuffer.baseAddress.unsafelyUnwrapped
          let target = targetBuffer.baseAddress.unsafelyUnwrapped
          for sample in 0..<input.batchSize {
            for map in 0..<channels {
              let plane = sample * channels + map
              let squaredCoefficient = coefficient.scalars[map] * coefficient.scalars[map]
              var (coefficientSum, biasSum) = (coefficientCurvature[map], biasCurvature[map])
              for row in 0..<outputHeight {
                let top = (plane * outputHeight + row) * 2 * width
                let bottom = top + width
                let source = h + (plane * outputHeight + row) * outputWidth
                for column in 0..<outputWidth {
                  let curvature = source[column]
                  let sum = BlocksOf2.sum(top: x + top, bottom: x + bottom, column: column)
                  coefficientSum += curvature * sum * sum
                  biasSum += curvature
                }
                BlocksOf2.spreadRow(
                  source, top: target + top, bottom: target + bottom, count: outputWidth
                ) { $0 * squaredCoefficient }
              }
              (coefficientCurvature[map], biasCurvature[map]) = (coefficientSum, biasSum)
            }
          }
        }
      }
    }
    return LayerGradients(
      input: inputCurvature,
      parameters: [
        Tensor(shape: [channels], scalars: coefficientCurvature),
        Tensor(shape: [channels], scalars: biasCurvature),
      ])
  }
}
