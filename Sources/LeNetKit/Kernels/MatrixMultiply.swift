/// The matrix products behind `Conv2D` and `Dense`: every multiply-add of a forward or backward
/// pass goes through these three functions, so making them faster makes every layer faster.
///
/// Matrices are row-major; `rows × columns` is stated for each operand. Each function *adds* its
/// product into `c` (callers zero `c` first when they want `c = a·b`), which lets a backward pass
/// accumulate weight gradients over the samples of a mini-batch.
///
/// Two register-blocked micro-kernels do the work:
/// - `broadcastKernel` (for `a·b` and `aᵀ·b`) keeps a 6×16 tile of `c` in twelve 8-wide registers
///   and, for each `p`, multiplies one 16-wide row of `b` by six broadcast elements of `a`;
/// - `dotKernel` (for `a·bᵀ`) keeps a 3×4 tile of dot products, each an 8-wide partial sum
///   along `k`, and adds the lanes together once at the end.
///
/// Both read each loaded vector several times from registers, which is what makes them fast:
/// the naive loops load and store `c` for every multiply-add. Tiles that overhang the matrix
/// compute on clamped (repeated) rows or zero-padded columns and store only what is inside.
enum MatrixMultiply {
  /// `c[m×n] += a[m×k] · b[k×n]`.
  static func accumulate(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    broadcastKernel(a, rowStride: k, depthStride: 1, b, into: c, m: m, k: k, n: n)
  }

  /// `c[m×n] += a[k×m]ᵀ · b[k×n]`.
  static func accumulateTransposingA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    broadcastKernel(a, rowStride: 1, depthStride: m, b, into: c, m: m, k: k, n: n)
  }

  /// `c[m×n] += a[m×k] · b[n×k]ᵀ`: each element is a dot product of a row of `a` and a row of `b`.
  static func accumulateTransposingB(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int
  ) {
    guard m > 0, n > 0, k > 0 else { return }
    let vectorDepth = k / 8 * 8
    for i0 in stride(from: 0, to: m, by: 3) {
      // Rows past the end repeat the last row; their results are not stored.
      let a0 = a + i0 * k
      let a1 = a + min(i0 + 1, m - 1) * k
      let a2 = a + min(i0 + 2, m - 1) * k
      for j0 in stride(from: 0, to: n, by: 4) {
        let b0 = b + j0 * k
        let b1 = b + min(j0 + 1, n - 1) * k
        let b2 = b + min(j0 + 2, n - 1) * k
        let b3 = b + min(j0 + 3, n - 1) * k
        var s00 = SIMD8<Float>.zero
        var s01 = s00
        var s02 = s00
        var s03 = s00
        var s10 = s00
        var s11 = s00
        var s12 = s00
        var s13 = s00
        var s20 = s00
        var s21 = s00
        var s22 = s00
        var s23 = s00
        var p = 0
        while p < vectorDepth {
          let x0 = load8(a0 + p)
          let x1 = load8(a1 + p)
          let x2 = load8(a2 + p)
          var y = load8(b0 + p)
          s00 = fma(x0, y, s00)
          s10 = fma(x1, y, s10)
          s20 = fma(x2, y, s20)
          y = load8(b1 + p)
          s01 = fma(x0, y, s01)
          s11 = fma(x1, y, s11)
          s21 = fma(x2, y, s21)
          y = load8(b2 + p)
          s02 = fma(x0, y, s02)
          s12 = fma(x1, y, s12)
          s22 = fma(x2, y, s22)
          y = load8(b3 + p)
          s03 = fma(x0, y, s03)
          s13 = fma(x1, y, s13)
          s23 = fma(x2, y, s23)
          p += 8
        }
        var tile: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (
          SIMD4(s00.sum(), s01.sum(), s02.sum(), s03.sum()),
          SIMD4(s10.sum(), s11.sum(), s12.sum(), s13.sum()),
          SIMD4(s20.sum(), s21.sum(), s22.sum(), s23.sum())
        )
        while p < k {
          let y = SIMD4(b0[p], b1[p], b2[p], b3[p])
          tile.0 = fma(SIMD4(repeating: a0[p]), y, tile.0)
          tile.1 = fma(SIMD4(repeating: a1[p]), y, tile.1)
          tile.2 = fma(SIMD4(repeating: a2[p]), y, tile.2)
          p += 1
        }
        let columns = min(4, n - j0)
        @inline(__always)
        func add(_ values: SIMD4<Float>, toRow row: Int) {
          guard i0 + row < m else { return }
          let cRow = c + (i0 + row) * n + j0
          for column in 0..<columns { cRow[column] += values[column] }
        }
        add(tile.0, toRow: 0)
        add(tile.1, toRow: 1)
        add(tile.2, toRow: 2)
      }
    }
  }

  /// `c[m×n] += A · b[k×n]` where `A[i, p] = a[i · rowStride + p · depthStride]`: one kernel
  /// for `a` stored as `m×k` (strides `k`, 1) and as `k×m` (strides 1, `m`).
  static func broadcastKernel(
    _ a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, _ b: UnsafePointer<Float>,
    into c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int
  ) {
    guard m > 0, n > 0, k > 0 else { return }
    let fullColumns = n / 16 * 16
    for j0 in stride(from: 0, to: fullColumns, by: 16) {
      for i0 in stride(from: 0, to: m, by: 6) {
        broadcastTile(
          a, rowStride: rowStride, depthStride: depthStride, b + j0, bStride: n,
          into: c + j0, cStride: n, i0: i0, m: m, k: k, columns: 16)
      }
    }
    let tail = n - fullColumns
    guard tail > 0 else { return }
    // The last columns are copied into a zero-padded 16-wide panel, so the kernel never reads
    // past a row of `b`.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: k * 16) { panel in
      let packed = panel.baseAddress.unsafelyUnwrapped
      for p in 0..<k {
        for column in 0..<16 {
          packed[p * 16 + column] = column < tail ? b[p * n + fullColumns + column] : 0
        }
      }
      for i0 in stride(from: 0, to: m, by: 6) {
        broadcastTile(
          a, rowStride: rowStride, depthStride: depthStride, UnsafePointer(packed), bStride: 16,
          into: c + fullColumns, cStride: n, i0: i0, m: m, k: k, columns: tail)
      }
    }
  }

  /// One 6×16 tile of `broadcastKernel`, storing `columns` (≤ 16) columns of each valid row.
  @inline(__always)
  static func broadcastTile(
    _ a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, _ b: UnsafePointer<Float>,
    bStride: Int, into c: UnsafeMutablePointer<Float>, cStride: Int, i0: Int, m: Int, k: Int,
    columns: Int
  ) {
    let a0 = a + i0 * rowStride
    let a1 = a + min(i0 + 1, m - 1) * rowStride
    let a2 = a + min(i0 + 2, m - 1) * rowStride
    let a3 = a + min(i0 + 3, m - 1) * rowStride
    let a4 = a + min(i0 + 4, m - 1) * rowStride
    let a5 = a + min(i0 + 5, m - 1) * rowStride
    var c0 = SIMD16<Float>.zero
    var c1 = c0
    var c2 = c0
    var c3 = c0
    var c4 = c0
    var c5 = c0
    var bRow = b
    var offset = 0
    for _ in 0..<k {
      let y = UnsafeRawPointer(bRow).loadUnaligned(as: SIMD16<Float>.self)
      c0 = fma(SIMD16(repeating: a0[offset]), y, c0)
      c1 = fma(SIMD16(repeating: a1[offset]), y, c1)
      c2 = fma(SIMD16(repeating: a2[offset]), y, c2)
      c3 = fma(SIMD16(repeating: a3[offset]), y, c3)
      c4 = fma(SIMD16(repeating: a4[offset]), y, c4)
      c5 = fma(SIMD16(repeating: a5[offset]), y, c5)
      bRow += bStride
      offset += depthStride
    }
    @inline(__always)
    func add(_ values: SIMD16<Float>, toRow row: Int) {
      guard i0 + row < m else { return }
      let cRow = c + (i0 + row) * cStride
      if columns == 16 {
        let old = UnsafeRawPointer(cRow).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(cRow).storeBytes(of: old + values, as: SIMD16<Float>.self)
      } else {
        for column in 0..<columns { cRow[column] += values[column] }
      }
    }
    add(c0, toRow: 0)
    add(c1, toRow: 1)
    add(c2, toRow: 2)
    add(c3, toRow: 3)
    add(c4, toRow: 4)
    add(c5, toRow: 5)
  }

  @inline(__always)
  static func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// `x · y + z`, lane by lane, fused into one rounding where the CPU has FMA.
  @inline(__always)
  static func fma<V: SIMD>(_ x: V, _ y: V, _ z: V) -> V where V.Scalar == Float {
    z.addingProduct(x, y)
  }
}
