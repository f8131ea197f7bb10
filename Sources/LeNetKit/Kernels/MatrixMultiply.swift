/// The matrix products behind `Conv2D` and `Dense`: every multiply-add of a forward or backward
/// pass goes through these three functions, so making them faster makes every layer faster.
///
/// Matrices are row-major `UnsafeBufferPointer`s; `rows × columns` is stated for each operand.
/// Each function *adds* its product into `c` (callers zero `c` first when they want `c = a·b`),
/// which lets a backward pass accumulate weight gradients over the samples of a mini-batch.
enum MatrixMultiply {
  /// `c[m×n] += a[m×k] · b[k×n]`.
  ///
  /// Loop order i-p-j keeps the innermost loop a contiguous `axpy` over a row of `b` and `c`,
  /// which the compiler vectorizes.
  static func accumulate(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    for i in 0..<m {
      let cRow = c + i * n
      for p in 0..<k {
        let scale = a[i * k + p]
        if scale == 0 { continue }
        let bRow = b + p * n
        for j in 0..<n { cRow[j] += scale * bRow[j] }
      }
    }
  }

  /// `c[m×n] += a[m×k] · b[n×k]ᵀ`: each element is a dot product of a row of `a` and a row of `b`.
  static func accumulateTransposingB(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    for i in 0..<m {
      let aRow = a + i * k
      for j in 0..<n {
        c[i * n + j] += dot(aRow, b + j * k, count: k)
      }
    }
  }

  /// `c[m×n] += a[k×m]ᵀ · b[k×n]`.
  static func accumulateTransposingA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    for p in 0..<k {
      let bRow = b + p * n
      for i in 0..<m {
        let scale = a[p * m + i]
        if scale == 0 { continue }
        let cRow = c + i * n
        for j in 0..<n { cRow[j] += scale * bRow[j] }
      }
    }
  }

  /// `Σ x[i]·y[i]` with eight partial sums, since the compiler may not reorder a float reduction.
  @inline(__always)
  static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD8<Float>.zero
    var index = 0
    while index + 8 <= count {
      let xs = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
      let ys = UnsafeRawPointer(y + index).loadUnaligned(as: SIMD8<Float>.self)
      partial.addProduct(xs, ys)
      index += 8
    }
    var sum = partial.sum()
    while index < count {
      sum += x[index] * y[index]
      index += 1
    }
    return sum
  }
}
