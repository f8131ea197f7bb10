/// A seeded random number generator that gives the same numbers on every platform and every run.
///
/// SplitMix64 (Steele, Lea and Flood, 2014) advances a 64-bit state by a fixed odd constant and
/// scrambles it; the standard library's `SystemRandomNumberGenerator` cannot be seeded, and its
/// algorithm may change, so every seeded result in the project comes from here.
///
/// ```
/// state += 0x9E3779B97F4A7C15
/// z = state;  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///             z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// next = z ^ (z >> 31)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Creates a generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A `Float` uniformly distributed in `[0, 1)`, from the top 24 bits (a `Float`'s precision).
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A `Float` uniformly distributed in `range`.
  public mutating func nextFloat(in range: ClosedRange<Float>) -> Float {
    range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
  }

  /// An integer uniformly distributed in `0..<upperBound`, without modulo bias (Lemire's method).
  public mutating func nextInt(below upperBound: Int) -> Int {
    precondition(upperBound > 0, "nextInt(below:) needs a positive bound, got \(upperBound)")
    let bound = UInt64(upperBound)
    var product = next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
    }
    return Int(product.high)
  }

  /// Shuffles `array` in place (Fisher–Yates), the same way for the same seed on every platform.
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for index in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(index, nextInt(below: index + 1))
    }
  }
}
