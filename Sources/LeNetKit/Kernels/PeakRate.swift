import Dispatch

/// The CPU's peak floating-point rate, measured rather than looked up, so that "percent of peak"
/// means the same on any machine: every thread runs independent fused multiply-adds on the
/// widest vectors the kernels use (`SIMD8<Float>`: one 256-bit AVX2 register in this package's
/// x86-64 build, two 128-bit registers on ARM), and nothing else.
///
/// ```
/// each iteration:  accumulator[c] = accumulator[c] · multiplier + addend   for c < chains
/// FLOP/iteration = chains · lanes · 2                                      (a multiply-add is 2)
/// ```
/// A fused multiply-add has a latency of about 4 cycles and modern cores start two per cycle,
/// so at least 8 independent chains are needed to keep both units busy; 12 leave a margin and
/// still fit the 16 vector registers of x86-64 with the two operands.
public enum PeakRate {
  /// Independent accumulator vectors per thread.
  public static let chains = 12
  /// Lanes of each vector.
  public static let lanes = SIMD8<Float>.scalarCount
  /// Floating-point operations of one iteration of the loop, by construction.
  public static let flopsPerIteration = chains * lanes * 2

  /// The best FLOP/s of ten short trials, with `threads` threads running the loop at once
  /// (about `seconds` of work in all).
  public static func measure(threads: Int, seconds: Double = 0.3) -> Double {
    precondition(threads > 0, "the peak needs at least one thread, got \(threads)")
    // Calibrate: iterations that take at least a twentieth of the budget on one thread.
    var iterations = 1 << 16
    while true {
      let elapsed = time { _ = run(iterations: iterations, multiplier: 1, addend: 1) }
      if elapsed > seconds / 20 || iterations > 1 << 30 { break }
      iterations *= 2
    }
    let rounds = iterations  // a constant, which the concurrent closure may capture
    var best = 0.0
    // The best of ten: on a shared machine a short trial often catches both cores free.
    for _ in 0..<10 {
      let elapsed = time {
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
          _ = run(iterations: rounds, multiplier: 1, addend: 1)
        }
      }
      best = max(best, Double(threads * rounds * flopsPerIteration) / elapsed)
    }
    return best
  }

  /// The loop: `iterations` rounds of `chains` vector multiply-adds, each accumulator starting
  /// at 0. Returns the sum of all accumulators' lanes, which with multiplier 1 and addend 1 is
  /// `iterations · chains · lanes` (exact while below 2²⁴): the test's proof of the count.
  @inline(never)
  public static func run(iterations: Int, multiplier: Float, addend: Float) -> Float {
    let x = SIMD8<Float>(repeating: multiplier)
    let y = SIMD8<Float>(repeating: addend)
    var (c0, c1, c2, c3, c4, c5) = (
      SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero,
      SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero
    )
    var (c6, c7, c8, c9, c10, c11) = (c0, c1, c2, c3, c4, c5)
    for _ in 0..<iterations {
      c0 = y.addingProduct(c0, x)
      c1 = y.addingProduct(c1, x)
      c2 = y.addingProduct(c2, x)
      c3 = y.addingProduct(c3, x)
      c4 = y.addingProduct(c4, x)
      c5 = y.addingProduct(c5, x)
      c6 = y.addingProduct(c6, x)
      c7 = y.addingProduct(c7, x)
      c8 = y.addingProduct(c8, x)
      c9 = y.addingProduct(c9, x)
      c10 = y.addingProduct(c10, x)
      c11 = y.addingProduct(c11, x)
    }
    let total = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
    return total.sum()
  }

  /// Wall-clock seconds of `body`.
  static func time(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}
