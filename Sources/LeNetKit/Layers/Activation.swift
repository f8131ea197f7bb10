import Foundation

/// An element-wise squashing function applied to every unit of the previous layer.
///
/// ```
/// tanh:        f(a) = tanh(a)                    f'(a) = 1 − f(a)²
/// scaledTanh:  f(a) = A · tanh(S · a)            f'(a) = (S / A) · (A² − f(a)²)
///              A = 1.7159, S = 2/3 (LeCun et al. 1998, appendix A), so f(±1) = ±1
/// sigmoid:     f(a) = 1 / (1 + e^(−a))           f'(a) = f(a) · (1 − f(a))
/// relu:        f(a) = max(0, a)                  f'(a) = 1 if a > 0, else 0
/// ```
/// The squashing is part of each unit, not a link between units: no parameters, no connections.
public struct Activation: Layer {
  /// The squashing functions the library knows.
  public enum Function: String, Sendable, CaseIterable {
    case tanh
    case scaledTanh
    case sigmoid
    case relu

    /// LeCun's amplitude `A`: the scaled tanh's range is `(−A, A)`.
    public static let scaledTanhAmplitude: Float = 1.7159
    /// LeCun's slope `S`, chosen with `A` so that `f(1) = 1` and `f(−1) = −1`.
    public static let scaledTanhSlope: Float = 2.0 / 3.0

    /// `(S, A)` of `A · tanh(S · a)` for the two tanh functions (`tanh` is S = A = 1), which
    /// `FastTanh` computes; nil for the others.
    public var squashing: (slope: Float, amplitude: Float)? {
      switch self {
      case .tanh: return (1, 1)
      case .scaledTanh: return (Self.scaledTanhSlope, Self.scaledTanhAmplitude)
      case .sigmoid, .relu: return nil
      }
    }

    /// `f(a)`.
    public func callAsFunction(_ a: Float) -> Float {
      switch self {
      case .tanh: return Foundation.tanh(a)
      case .scaledTanh: return Self.scaledTanhAmplitude * Foundation.tanh(Self.scaledTanhSlope * a)
      case .sigmoid: return 1 / (1 + Foundation.exp(-a))
      case .relu: return max(0, a)
      }
    }

    /// `f'(a)`, computed from the input `a` and the output `f(a)`, whichever is cheaper.
    public func derivative(input a: Float, output y: Float) -> Float {
      switch self {
      case .tanh: return 1 - y * y
      case .scaledTanh:
        let amplitude = Self.scaledTanhAmplitude
        return Self.scaledTanhSlope / amplitude * (amplitude * amplitude - y * y)
      case .sigmoid: return y * (1 - y)
      // At exactly 0 the slope is taken as 0, as PyTorch and Keras do.
      case .relu: return a > 0 ? 1 : 0
      }
    }
  }

  public let name: String
  /// The function applied to every element.
  public let function: Function

  /// Creates an activation layer.
  public init(_ function: Function, name: String? = nil) {
    self.function = function
    self.name = name ?? function.rawValue
  }

  public var kind: String { function.rawValue }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// Applies the function to every element; `tanh` and `scaledTanh` go through the vectorised
  /// `FastTanh` (within a few `Float` roundings of libm's `tanh`, at a fraction of its cost).
  public func forward(_ input: Tensor) -> Tensor {
    if let (slope, amplitude) = function.squashing {
      // Straight from the input into a new array: copying the input first and squashing it in
      // place went over the memory twice.
      return Tensor(shape: input.shape) { target in
        input.scalars.withUnsafeBufferPointer { source in
          guard let from = source.baseAddress, let to = target.baseAddress else { return }
          FastTanh.apply(
            from: from, to: to, count: source.count, slope: slope, amplitude: amplitude)
        }
      }
    }
    var output = input
    let function = function
    output.scalars.withUnsafeMutableBufferPointer { values in
      for index in values.indices { values[index] = function(values[index]) }
    }
    return output
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    precondition(
      input.shape == output.shape && output.shape == outputGradient.shape,
      "\(name): input \(input.shape), output \(output.shape) and gradient \(outputGradient.shape) must match"
    )
    let function = function
    if let (slope, amplitude) = function.squashing {
      // Straight into a new array: copying the output gradient first (to multiply it in
      // place) went over the memory twice.
      let inputGradient = Tensor(shape: outputGradient.shape) { target in
        outputGradient.scalars.withUnsafeBufferPointer { gradient in
          output.scalars.withUnsafeBufferPointer { y in
            // A loop the compiler vectorises.
            for index in gradient.indices {
              target[index] =
                gradient[index] * Self.squashingSlope(y[index], slope: slope, amplitude: amplitude)
            }
          }
        }
      }
      return LayerGradients(input: inputGradient)
    }
    var inputGradient = outputGradient
    inputGradient.scalars.withUnsafeMutableBufferPointer { gradient in
      input.scalars.withUnsafeBufferPointer { a in
        output.scalars.withUnsafeBufferPointer { y in
          for index in gradient.indices {
            gradient[index] *= function.derivative(input: a[index], output: y[index])
          }
        }
      }
    }
    return LayerGradients(input: inputGradient)
  }

  public func connectionCount(for inputShape: [Int]) -> Int { 0 }

  /// `f'` of `A · tanh(S · a)` from its output `y`: `(S/A) · (A² − y²)`, `1 − y²` for tanh.
  @inline(__always)
  static func squashingSlope(_ y: Float, slope: Float, amplitude: Float) -> Float {
    (slope / amplitude) * (amplitude * amplitude - y * y)
  }

  /// `backward` of this squashing followed by `AveragePooling` of 2×2 blocks, in one pass:
  /// ∂L/∂a = (¼ · ∂L/∂pooled) · f'(y), the same two products as the two layers' `backward`, so
  /// the same bits, without writing the pooling's input gradient (as large as the squashing's
  /// output: C1's, 1.2 MB for half a batch of 128) and reading it back. `output` is this layer's
  /// output `y` (`N × C × H × W`, H and W even), `poolingGradient` is `N × C × H/2 × W/2`. Nil for
  /// the functions other than the two tanh.
  func backwardThroughPoolingOf2(output: Tensor, poolingGradient: Tensor) -> Tensor? {
    guard let (slope, amplitude) = function.squashing else { return nil }
    let (height, width) = (output.shape[2], output.shape[3])
    precondition(
      height % 2 == 0 && width % 2 == 0
        && poolingGradient.shape == [output.shape[0], output.shape[1], height / 2, width / 2],
      "\(name): output \(output.shape) and pooling gradient \(poolingGradient.shape) do not match")
    let outputWidth = width / 2
    let (factor, squared) = (slope / amplitude, amplitude * amplitude)
    return Tensor(shape: output.shape) { target in
      output.scalars.withUnsafeBufferPointer { y in
        poolingGradient.scalars.withUnsafeBufferPointer { pooled in
          let (values, gradients) = (
            y.baseAddress.unsafelyUnwrapped, pooled.baseAddress.unsafelyUnwrapped
          )
          let result = target.baseAddress.unsafelyUnwrapped
          for row in 0..<output.shape[0] * output.shape[1] * height {
            let (dy, first) = (gradients + row / 2 * outputWidth, row * width)
            // Eight inputs (four blocks) at a time: the four shares, each twice, times f'.
            @inline(__always)
            func eight(from column: Int) {
              let quarter =
                0.25 * UnsafeRawPointer(dy + column / 2).loadUnaligned(as: SIMD4<Float>.self)
              let shares = SIMD8<Float>(
                quarter[0], quarter[0], quarter[1], quarter[1], quarter[2], quarter[2], quarter[3],
                quarter[3])
              let outputs = UnsafeRawPointer(values + first + column).loadUnaligned(
                as: SIMD8<Float>.self)
              UnsafeMutableRawPointer(result + first + column).storeBytes(
                of: shares * (factor * (squared - outputs * outputs)), as: SIMD8<Float>.self)
            }
            // C1's 28: 0, 8, 16, then 20 overlapping; C3's 10: 0, then 2 overlapping. `width` is
            // even, so every step starts on a block.
            VectorSteps.overlapping(count: width, lanes: 8, step: eight) { column in
              // `AveragePooling.spreadBlocksOf2`'s share, then `backward`'s product.
              let share = 0.25 * dy[column / 2]
              result[first + column] =
                share
                * Self.squashingSlope(values[first + column], slope: slope, amplitude: amplitude)
            }
          }
        }
      }
    }
  }
}

// MARK: - Second derivatives (SDLM, appendix C)

extension Activation: SecondDerivativeLayer {
  /// `∂²E/∂a² ≈ f'(a)² ∂²E/∂y²`: the Gauss-Newton approximation keeps the square of the slope
  /// and drops the term in `f''(a) ∂E/∂y`, which can be negative.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    precondition(
      input.shape == output.shape && output.shape == outputCurvature.shape,
      "\(name): input \(input.shape), output \(output.shape) and curvature \(outputCurvature.shape) must match"
    )
    var inputCurvature = outputCurvature
    for index in inputCurvature.scalars.indices {
      let slope = function.derivative(input: input.scalars[index], output: output.scalars[index])
      inputCurvature.scalars[index] *= slope * slope
    }
    return LayerGradients(input: inputCurvature)
  }
}
