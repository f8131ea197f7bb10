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

  /// `tanh` of four vectors, step by step side by side: the same operations on each lane as
  /// `tanh`, so the same bits, in an order that gives the processor four independent chains.
  @inline(__always)
  static func tanh4(
    _ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>
  ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let limit = SIMD8<Float>(repeating: 9)
    @inline(__always)
    func clamp(_ a: SIMD8<Float>) -> SIMD8<Float> {
      a.replacing(with: limit, where: a .> limit).replacing(with: -limit, where: a .< -limit)
    }
    let (x0, x1, x2, x3) = (clamp(a0), clamp(a1), clamp(a2), clamp(a3))
    let (t0, t1, t2, t3) = (x0 * x0, x1 * x1, x2 * x2, x3 * x3)
    var p0 = SIMD8<Float>(repeating: -2.76076847742355e-16)
    var (p1, p2, p3) = (p0, p0, p0)
    @inline(__always)
    func step(_ c: Float) {
      p0 = p0 * t0 + c
      p1 = p1 * t1 + c
      p2 = p2 * t2 + c
      p3 = p3 * t3 + c
    }
    step(2.00018790482477e-13)
    step(-8.60467152213735e-11)
    step(5.12229709037114e-08)
    step(1.48572235717979e-05)
    step(6.37261928875436e-04)
    step(4.89352455891786e-03)
    var q0 = SIMD8<Float>(repeating: 1.19825839466702e-06)
    var (q1, q2, q3) = (q0, q0, q0)
    @inline(__always)
    func stepQ(_ c: Float) {
      q0 = q0 * t0 + c
      q1 = q1 * t1 + c
      q2 = q2 * t2 + c
      q3 = q3 * t3 + c
    }
    stepQ(1.18534705686654e-04)
    stepQ(2.26843463243900e-03)
    stepQ(4.89352518554385e-03)
    return (x0 * p0 / q0, x1 * p1 / q1, x2 * p2 / q2, x3 * p3 / q3)
  }

  /// `target[i] = amplitude · tanh(slope · source[i])` for `i < count`; `source` may be
  /// `target` (each vector is read before it is written).
  static func apply(
    from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int,
    slope: Float, amplitude: Float
  ) {
    var index = 0
    // Four vectors per iteration: each is a chain of some twenty dependent operations ending in a
    // division, and four independent chains side by side keep the units busier than one at a time.
    while index + 32 <= count {
      let x0 = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
      let x1 = UnsafeRawPointer(source + index + 8).loadUnaligned(as: SIMD8<Float>.self)
      let x2 = UnsafeRawPointer(source + index + 16).loadUnaligned(as: SIMD8<Float>.self)
      let x3 = UnsafeRawPointer(source + index + 24).loadUnaligned(as: SIMD8<Float>.self)
      let (y0, y1, y2, y3) = tanh4(slope * x0, slope * x1, slope * x2, slope * x3)
      let target = UnsafeMutableRawPointer(target + index)
      target.storeBytes(of: amplitude * y0, as: SIMD8<Float>.self)
      target.storeBytes(of: amplitude * y1, toByteOffset: 32, as: SIMD8<Float>.self)
      target.storeBytes(of: amplitude * y2, toByteOffset: 64, as: SIMD8<Float>.self)
      target.storeBytes(of: amplitude * y3, toByteOffset: 96, as: SIMD8<Float>.self)
      index += 32
    }
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
