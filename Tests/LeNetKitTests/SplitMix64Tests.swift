import LeNetKit
import Testing

/// The seeded generator against an independent implementation: a 15-line Python transcription
/// of Vigna's `splitmix64.c` (arbitrary-precision integers masked to 64 bits, Lemire's
/// `nextInt(below:)` and Fisher–Yates written from their papers), run once. Seed 0's first
/// output, 0xE220A8397B1DCDAF, is also the value `splitmix64.c` itself prints.
@Suite struct SplitMix64Tests {
  @Test func referenceOutputs() {
    var zero = SplitMix64(seed: 0)
    let fromZero: [UInt64] = [zero.next(), zero.next(), zero.next()]
    #expect(fromZero == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    var fortyTwo = SplitMix64(seed: 42)
    let fromFortyTwo: [UInt64] = [fortyTwo.next(), fortyTwo.next(), fortyTwo.next()]
    #expect(
      fromFortyTwo == [0xBDD7_3226_2FEB_6E95, 0x28EF_E333_B266_F103, 0x4752_6757_130F_9F52])
  }

  /// The top 24 bits over 2²⁴ (Python: `(next() >> 40) / 2**24`), exact in `Float`.
  @Test func unitFloatsAreTopBits() {
    var generator = SplitMix64(seed: 42)
    let expected: [Float] = [12_441_394, 2_682_851, 4_674_151].map { $0 / 16_777_216 }
    #expect((0..<3).map { _ in generator.nextUnitFloat() } == expected)
  }

  @Test func nextIntBelowMatchesReference() {
    var generator = SplitMix64(seed: 42)
    #expect((0..<8).map { _ in generator.nextInt(below: 10) } == [7, 1, 2, 3, 0, 8, 2, 8])
  }

  @Test func shuffleMatchesReference() {
    var generator = SplitMix64(seed: 42)
    var values = Array(0..<10)
    generator.shuffle(&values)
    #expect(values == [8, 3, 6, 5, 4, 0, 9, 2, 1, 7])
  }

  @Test func sameSeedSameSequence() {
    var first = SplitMix64(seed: 2024)
    var second = SplitMix64(seed: 2024)
    #expect((0..<100).map { _ in first.next() } == (0..<100).map { _ in second.next() })
    var other = SplitMix64(seed: 2025)
    var again = SplitMix64(seed: 2024)
    #expect(again.next() != other.next())
  }

  /// 10,000 draws below 7 stay in 0..<7 and hit every value; bound 1 always gives 0.
  @Test func nextIntStaysInBounds() {
    var generator = SplitMix64(seed: 9)
    var seen = Set<Int>()
    for _ in 0..<10_000 {
      let value = generator.nextInt(below: 7)
      #expect((0..<7).contains(value))
      seen.insert(value)
    }
    #expect(seen == Set(0..<7))
    #expect(generator.nextInt(below: 1) == 0)
  }

  @Test func nextFloatStaysInRange() {
    var generator = SplitMix64(seed: 4)
    for _ in 0..<1_000 { #expect((-0.5...0.25).contains(generator.nextFloat(in: -0.5...0.25))) }
  }
}
