import LeNetTestSupport
import Testing

@testable import LeNetKit

/// The register-blocked GEMM kernels against a plain triple loop in `Double` (the independent
/// reference), on sizes that leave partial tiles in every direction: 6×16 and 3×4 tiles, 8-wide
/// `k` steps.
@Suite struct MatrixMultiplyTests {
  static let sizes: [(m: Int, k: Int, n: Int)] = [
    (1, 1, 1), (6, 25, 16), (7, 13, 29), (16, 150, 100), (5, 9, 3), (13, 1, 47), (2, 64, 33),
  ]

  /// Random `rows × columns` values in [−1, 1].
  func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return (0..<rows * columns).map { _ in generator.nextFloat(in: -1...1) }
  }

  /// `start + Σ_p a(i, p) · b(p, j)` in `Double`, with accessors hiding the storage order.
  func reference(
    m: Int, k: Int, n: Int, start: [Float], a: (Int, Int) -> Float, b: (Int, Int) -> Float
  ) -> [Float] {
    var c = start
    for i in 0..<m {
      for j in 0..<n {
        var sum = Double(start[i * n + j])
        for p in 0..<k { sum += Double(a(i, p)) * Double(b(p, j)) }
        c[i * n + j] = Float(sum)
      }
    }
    return c
  }

  /// `Float` sums of `k` products of magnitude ≤ 1 are off by at most about k · 2⁻²⁴ each.
  func tolerance(k: Int) -> Float { Float(k + 1) * 1e-7 * 4 }

  @Test(arguments: sizes)
  func productMatchesTripleLoop(size: (m: Int, k: Int, n: Int)) {
    let (m, k, n) = size
    let a = matrix(m, k, seed: 1)
    let b = matrix(k, n, seed: 2)
    var c = matrix(m, n, seed: 3)
    let expected = reference(
      m: m, k: k, n: n, start: c, a: { a[$0 * k + $1] }, b: { b[$0 * n + $1] })
    MatrixMultiply.accumulate(a, b, into: &c, m: m, k: k, n: n)
    expectClose(c, expected, relative: 0, absolute: tolerance(k: k))
  }

  @Test(arguments: sizes)
  func productWithTransposedAMatchesTripleLoop(size: (m: Int, k: Int, n: Int)) {
    let (m, k, n) = size
    let a = matrix(k, m, seed: 4)
    let b = matrix(k, n, seed: 5)
    var c = matrix(m, n, seed: 6)
    let expected = reference(
      m: m, k: k, n: n, start: c, a: { a[$1 * m + $0] }, b: { b[$0 * n + $1] })
    MatrixMultiply.accumulateTransposingA(a, b, into: &c, m: m, k: k, n: n)
    expectClose(c, expected, relative: 0, absolute: tolerance(k: k))
  }

  @Test(arguments: sizes)
  func productWithTransposedBMatchesTripleLoop(size: (m: Int, k: Int, n: Int)) {
    let (m, k, n) = size
    let a = matrix(m, k, seed: 7)
    let b = matrix(n, k, seed: 8)
    var c = matrix(m, n, seed: 9)
    let expected = reference(
      m: m, k: k, n: n, start: c, a: { a[$0 * k + $1] }, b: { b[$1 * k + $0] })
    MatrixMultiply.accumulateTransposingB(a, b, into: &c, m: m, k: k, n: n)
    expectClose(c, expected, relative: 0, absolute: tolerance(k: k))
  }
}
