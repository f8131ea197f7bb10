/// Average pooling over non-overlapping `size × size` blocks (Keras' `AveragePooling2D`); no
/// parameters.
///
/// ```
/// output[n, c, y, x] = (1 / size²) · Σ_{dy, dx < size} input[n, c, size·y + dy, size·x + dx]
/// ```
/// connections = size² · C · H/size · W/size (no bias). The Keras LeNet's two pooling layers:
/// 0 parameters; 4,704 and 1,600 connections.
public struct AveragePooling: Layer {
  public let name: String
  /// The side of each block, and the stride.
  public let size: Int

  /// Creates an average pooling layer; LeNet uses `size` 2.
  public init(_ name: String, size: Int = 2) {
    precondition(size > 0, "\(name): pooling size must be positive")
    self.name = name
    self.size = size
  }

  public var kind: String { "AveragePooling \(size)×\(size)" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    try poolingOutputShape(for: inputShape, channels: nil, size: size)
  }

  public func forward(_ input: Tensor) -> Tensor {
    let outputSample = checkInput(input)
    let (size, scale) = (size, 1 / Float(size * size))
    let (height, width) = (input.shape[2], input.shape[3])
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    // Blocks tile the map exactly (the shape rule), so every output is written.
    return Tensor(shape: [input.batchSize] + outputSample) { y in
      input.scalars.withUnsafeBufferPointer { x in
        if size == 2 {
          Self.averageBlocksOf2(
            x.baseAddress.unsafelyUnwrapped, into: y.baseAddress.unsafelyUnwrapped,
            planes: input.batchSize * outputSample[0], outputHeight: outputHeight,
            outputWidth: outputWidth)
          return
        }
        for plane in 0..<input.batchSize * outputSample[0] {
          for row in 0..<outputHeight {
            for column in 0..<outputWidth {
              var sum: Float = 0
              for dy in 0..<size {
                let start = (plane * height + size * row + dy) * width + size * column
                for dx in 0..<size { sum += x[start + dx] }
              }
              y[(plane * outputHeight + row) * outputWidth + column] = sum * scale
            }
          }
        }
      }
    }
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    let outputSample = checkInput(input)
    let (size, scale) = (size, 1 / Float(size * size))
    let (height, width) = (input.shape[2], input.shape[3])
    let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
    // Blocks tile the map exactly, so every input gets its share written.
    let inputGradient = Tensor(shape: input.shape) { dx in
      outputGradient.scalars.withUnsafeBufferPointer { dy in
        if size == 2 {
          Self.spreadBlocksOf2(
            dy.baseAddress.unsafelyUnwrapped, into: dx.baseAddress.unsafelyUnwrapped,
            planes: input.batchSize * outputSample[0], outputHeight: outputHeight,
            outputWidth: outputWidth)
          return
        }
        for plane in 0..<input.batchSize * outputSample[0] {
          for row in 0..<outputHeight {
            for column in 0..<outputWidth {
              let share = dy[(plane * outputHeight + row) * outputWidth + column] * scale
              for offsetY in 0..<size {
                let start = (plane * height + size * row + offsetY) * width + size * column
                for offsetX in 0..<size { dx[start + offsetX] = share }
              }
            }
          }
        }
      }
    }
    return LayerGradients(input: inputGradient)
  }

  public func connectionCount(for inputShape: [Int]) -> Int {
    guard let shape = try? outputShape(for: inputShape) else { return 0 }
    return size * size * shape.reduce(1, *)
  }

  /// `forward` for LeNet's 2×2 blocks, the loops above with the block's four reads written
  /// out (`BlocksOf2`; the general loops cost a tenth of a keras training step).
  static func averageBlocksOf2(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, planes: Int,
    outputHeight: Int, outputWidth: Int
  ) {
    let width = 2 * outputWidth
    for row in 0..<planes * outputHeight {
      let top = x + 2 * row * width
      BlocksOf2.sumRow(
        top: top, bottom: top + width, into: y + row * outputWidth, count: outputWidth
      ) { $0 * 0.25 }
    }
  }

  /// `backward` for 2×2 blocks: each input of a block gets a quarter of its output's gradient.
  static func spreadBlocksOf2(
    _ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, planes: Int,
    outputHeight: Int, outputWidth: Int
  ) {
    let width = 2 * outputWidth
    for row in 0..<planes * outputHeight {
      let top = dx + 2 * row * width
      BlocksOf2.spreadRow(
        dy + row * outputWidth, top: top, bottom: top + width, count: outputWidth
      ) { 0.25 * $0 }
    }
  }
}

/// The sum of each 2×2 block and the spread of its gradient, the one home of the 2×2 pooling's
/// arithmetic: `AveragePooling`, `Subsampling` and `DirectConvolution`'s fused output pass all
/// add a block in the general loop's order, `((top-left + top-right) + bottom-left) +
/// bottom-right`, so they give the same bits; `AveragePooling.backward`,
/// `Subsampling.backward` and `Subsampling.secondDerivatives` give each input of a block its
/// output's share.
enum BlocksOf2 {
  /// The sum of the block whose top-left corner is `top[2 · column]` (`bottom` is the next row).
  @inline(__always)
  static func sum(top: UnsafePointer<Float>, bottom: UnsafePointer<Float>, column: Int) -> Float {
    top[2 * column] + top[2 * column + 1] + bottom[2 * column] + bottom[2 * column + 1]
  }

  /// `target[column] = finish(sum of block column)` for the `count` blocks of one row of blocks,
  /// whose rows start at `top` and `bottom`; `finish` works lane by lane. Four blocks at a time:
  /// each row's eight values split into even and odd lanes (the blocks' left and right inputs),
  /// added in `sum`'s order, so the same bits as block by block (a scalar loop cost the fused
  /// output pass and the pooling layers a load and an add per input).
  @inline(__always)
  static func sumRow(
    top: UnsafePointer<Float>, bottom: UnsafePointer<Float>,
    into target: UnsafeMutablePointer<Float>, count: Int,
    _ finish: (SIMD4<Float>) -> SIMD4<Float>
  ) {
    VectorSteps.overlapping(count: count, lanes: 4) { column in
      let upper = UnsafeRawPointer(top + 2 * column).loadUnaligned(as: SIMD8<Float>.self)
      let lower = UnsafeRawPointer(bottom + 2 * column).loadUnaligned(as: SIMD8<Float>.self)
      let sums = upper.evenHalf + upper.oddHalf + lower.evenHalf + lower.oddHalf
      UnsafeMutableRawPointer(target + column).storeBytes(of: finish(sums), as: SIMD4<Float>.self)
    } element: { column in
      target[column] = finish(SIMD4(repeating: sum(top: top, bottom: bottom, column: column)))[0]
    }
  }

  /// Writes `share(source[column])` to the four inputs of block `column`, for the `count`
  /// blocks of one row of blocks, whose rows start at `top` and `bottom`. Blocks do not
  /// overlap, so each input gets exactly one share. Four blocks at a time, each share twice in
  /// a vector of eight per row (the store-by-store loop was a third of `Subsampling.backward`).
  @inline(__always)
  static func spreadRow(
    _ source: UnsafePointer<Float>, top: UnsafeMutablePointer<Float>,
    bottom: UnsafeMutablePointer<Float>, count: Int, _ share: (Float) -> Float
  ) {
    VectorSteps.overlapping(count: count, lanes: 4) { first in
      let (a, b, c, d) = (
        share(source[first]), share(source[first + 1]), share(source[first + 2]),
        share(source[first + 3])
      )
      let pairs = SIMD8<Float>(a, a, b, b, c, c, d, d)
      UnsafeMutableRawPointer(top + 2 * first).storeBytes(of: pairs, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(bottom + 2 * first).storeBytes(of: pairs, as: SIMD8<Float>.self)
    } element: { column in
      let value = share(source[column])
      top[2 * column] = value
      top[2 * column + 1] = value
      bottom[2 * column] = value
      bottom[2 * column + 1] = value
    }
  }
}

/// Max pooling over non-overlapping `size × size` blocks (Keras' `MaxPooling2D`); no parameters.
///
/// ```
/// output[n, c, y, x] = max_{dy, dx < size} input[n, c, size·y + dy, size·x + dx]
/// ```
/// The gradient flows only to the input that was the maximum (the first one, on a tie).
/// connections = size² · C · H/size · W/size.
public struct MaxPooling: Layer {
  public let name: String
  /// The side of each block, and the stride.
  public let size: Int

  /// Creates a max pooling layer; LeNet variants use `size` 2.
  public init(_ name: String, size: Int = 2) {
    precondition(size > 0, "\(name): pooling size must be positive")
    self.name = name
    self.size = size
  }

  public var kind: String { "MaxPooling \(size)×\(size)" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    try poolingOutputShape(for: inputShape, channels: nil, size: size)
  }

  public func forward(_ input: Tensor) -> Tensor {
    let outputSample = checkInput(input)
    var output = Tensor(shape: [input.batchSize] + outputSample)
    visitBlocks(of: input, outputSample: outputSample, size: size) { outputIndex, inputIndices in
      var largest = input.scalars[inputIndices[0]]
      for index in inputIndices { largest = max(largest, input.scalars[index]) }
      output.scalars[outputIndex] = largest
    }
    return output
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    let outputSample = checkInput(input)
    var inputGradient = Tensor(shape: input.shape)
    visitBlocks(of: input, outputSample: outputSample, size: size) { outputIndex, inputIndices in
      var winner = inputIndices[0]
      for index in inputIndices where input.scalars[index] > input.scalars[winner] {
        winner = index
      }
      inputGradient.scalars[winner] += outputGradient.scalars[outputIndex]
    }
    return LayerGradients(input: inputGradient)
  }

  public func connectionCount(for inputShape: [Int]) -> Int {
    guard let shape = try? outputShape(for: inputShape) else { return 0 }
    return size * size * shape.reduce(1, *)
  }
}

/// Calls `body(outputIndex, inputIndices)` for every output of a `size × size` pooling, with the
/// row-major indices of the block it reads.
func visitBlocks(of input: Tensor, outputSample: [Int], size: Int, _ body: (Int, [Int]) -> Void) {
  let (channels, height, width) = (input.shape[1], input.shape[2], input.shape[3])
  let (outputHeight, outputWidth) = (outputSample[1], outputSample[2])
  var block = [Int](repeating: 0, count: size * size)
  for plane in 0..<input.batchSize * channels {
    for y in 0..<outputHeight {
      for x in 0..<outputWidth {
        for dy in 0..<size {
          for dx in 0..<size {
            block[dy * size + dx] = (plane * height + size * y + dy) * width + size * x + dx
          }
        }
        body((plane * outputHeight + y) * outputWidth + x, block)
      }
    }
  }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension AveragePooling: SecondDerivativeLayer {
  /// Each input enters one output with weight `1/size²`, so its second derivative is the
  /// output's times `1/size⁴`: the backward pass of the output's curvature divided by `size²`.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    var scaled = outputCurvature
    let scale = 1 / Float(size * size)
    for index in scaled.scalars.indices { scaled.scalars[index] *= scale }
    return backward(input: input, output: output, outputGradient: scaled)
  }
}

extension MaxPooling: SecondDerivativeLayer {
  /// The maximum passes its input on with slope 1 (the others with 0): the backward pass routes
  /// the curvature unchanged.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    backward(input: input, output: output, outputGradient: outputCurvature)
  }
}
