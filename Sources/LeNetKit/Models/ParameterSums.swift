/// One layer's parameter-gradient sums, carried from one slice of a core's share of a batch into
/// the next: training runs the share through the layers a slice at a time (`Model`), and every
/// sum goes on from where the previous slice left it, adding its terms in the order one call
/// on the whole share adds them, so the gradients have the same bits however the share is cut.
final class ParameterSums {
  /// The weights' running sums (a dense weight gradient, continued by
  /// `MatrixMultiply.continueTransposingA`; a subsampling's coefficients).
  var weight: [Float]
  /// One running sum per bias.
  var bias: [Float]

  init(weights: Int, biases: Int) {
    weight = [Float](repeating: 0, count: weights)
    bias = [Float](repeating: 0, count: biases)
  }

  /// The weight sums as a call on the whole share returned them: `0 + sum` (a −0 sum becomes
  /// +0, as adding it to a zeroed gradient did), eight at a time.
  var finishedWeight: [Float] {
    guard !weight.isEmpty else { return [] }
    return [Float](unsafeUninitializedCapacity: weight.count) { target, initialized in
      weight.withUnsafeBufferPointer { source in
        let (from, to) = (
          source.baseAddress.unsafelyUnwrapped, target.baseAddress.unsafelyUnwrapped
        )
        var index = 0
        while index + 8 <= source.count {
          let sums = UnsafeRawPointer(from + index).loadUnaligned(as: SIMD8<Float>.self)
          UnsafeMutableRawPointer(to + index).storeBytes(
            of: SIMD8<Float>.zero + sums, as: SIMD8<Float>.self)
          index += 8
        }
        while index < source.count {
          to[index] = 0 + from[index]
          index += 1
        }
      }
      initialized = weight.count
    }
  }
}
