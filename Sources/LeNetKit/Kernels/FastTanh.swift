/// A vectorised `tanh`, eight lanes at a time: libm's scalar `tanh` was the largest cost of a
/// training step after the matrix products (a LeNet-5 evaluates it 6,500 times per image).
///
/// ```
/// tanh(x) ≈ x · P(x²) / Q(x²)      x clamped to [−9, 9], where tanh rounds to ±1 in Float
/// P(t) = α₁ + α₃t + α₅t² + α₇t³ + α₉t⁴ + α₁₁t⁵ + α₁₃t⁶
/// Q(t) = β₀ + β₂t + β₄t² + β₆t³
/// ```
/// The rational minimax approximation and its coefficients are Eigen's
/// (`generic_fast_tanh_float`, Eigen 3.3). Being odd by construction, it is exact at 0 and keeps
/// small inputs' relative precision; `FastKernelTests.fastTanhMatchesLibm` bounds its error
/// against libm.
enum FastTanh {
  /// `tanh` of each lane.
  @inline(__always)
  static func tanh(_ a: SIMD8<Float>) -> SIMD8<Float> {
    // Written out: `clamped` called the standard library's generic min and max for every
    // vector (5% of a training step).
    let limit = SIMD8<Float>(repeating: 9)
    let x = a.replacing(with: limit, where: a .> limit).replacing(with: -limit, where: a .< -limit)
    let t = x * x
    var p = SIMD8<Float>(repeating: -2.76076847742355e-16)
    p = p * t + 2.00018790482477e-13
    p = p * t - 8.60467152213735e-11
    p = p * t + 5.12229709037114e-08
    p = p * t + 1.48572235717979e-05
    p = p * t + 6.37261928875436e-04
    p = p * t + 4.89352455891786e-03
    var q = SIMD8<Float>(repeating: 1.19825839466702e-06)
    q = q * t + 1.18534705686654e-04
    q = q * t + 2.26843463243900e-03
    q = q * t + 4.89352518554385e-03
    return x * p / q
  }

  /// `target[i] = amplitude · tanh(slope · source[i])` for `i < count`; `source` may be
  /// `target` (each vector is read before it is written).
  static func apply(
    from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int,
    slope: Float, amplitude: Float
  ) {
    var index = 0
    while index + 8 <= count {
      let x = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(target + index).storeBytes(
        of: amplitude * tanh(slope * x), as: SIMD8<Float>.self)
      index += 8
    }
    if index < count {
      // The last few elements go through a zero-padded vector, so they get the same rounding.
      var x = SIMD8<Float>.zero
      for lane in 0..<count - index { x[lane] = source[index + lane] }
      let y = amplitude * tanh(slope * x)
      for lane in 0..<count - index { target[index + lane] = y[lane] }
    }
  }
}
