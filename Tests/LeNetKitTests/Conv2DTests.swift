import LeNetKit
import LeNetTestSupport
import Testing

/// `Conv2D` forward outputs worked by hand on inputs small enough to check in your head.
@Suite struct Conv2DTests {
  /// The 4×4 image 0 … 15, row by row:
  /// ```
  ///  0  1  2  3
  ///  4  5  6  7
  ///  8  9 10 11
  /// 12 13 14 15
  /// ```
  static let ramp = (0..<16).map(Float.init)

  /// Two input maps (the ramp and all ones) to two output maps, 3×3 kernels, valid padding.
  ///
  /// Output map 0: kernel on the ramp has 1 top-left and 2 bottom-right, so
  /// `out[y, x] = in[y, x] + 2 · in[y+2, x+2]`; a convolution that flipped the kernel would give
  /// `2 · in[y, x] + in[y+2, x+2]` instead. Its kernel on the ones map is all ones (+9), bias 0.5:
  /// ```
  /// out[0,0] = 0 + 2·10 + 9 + 0.5 = 29.5     out[0,1] = 1 + 2·11 + 9 + 0.5 = 32.5
  /// out[1,0] = 4 + 2·14 + 9 + 0.5 = 41.5     out[1,1] = 5 + 2·15 + 9 + 0.5 = 44.5
  /// ```
  /// Output map 1: all-ones kernel on the ramp (the 3×3 block sums), nothing from the ones map,
  /// bias −1:
  /// ```
  /// 0+1+2+4+5+6+8+9+10 = 45 → 44      1+2+3+5+6+7+9+10+11 = 54 → 53
  /// 4+5+6+8+9+10+12+13+14 = 81 → 80   5+6+7+9+10+11+13+14+15 = 90 → 89
  /// ```
  @Test func validTwoMapsByHand() {
    var layer = Conv2D("C", inputChannels: 2, outputChannels: 2, kernelSize: 3)
    let corners: [Float] = [1, 0, 0, 0, 0, 0, 0, 0, 2]
    let ones = [Float](repeating: 1, count: 9)
    let zeros = [Float](repeating: 0, count: 9)
    layer.weight = Tensor(shape: [2, 2, 3, 3], scalars: corners + ones + ones + zeros)
    layer.bias = Tensor(shape: [2], scalars: [0.5, -1])
    let input = Tensor(shape: [1, 2, 4, 4], scalars: Self.ramp + [Float](repeating: 1, count: 16))
    let expected = Tensor(shape: [1, 2, 2, 2], scalars: [29.5, 32.5, 41.5, 44.5, 44, 53, 80, 89])
    expectClose(layer.forward(input), expected)
  }

  /// Same padding on the 3×3 image 1 … 9 with an all-ones 3×3 kernel: each output is the sum of
  /// the in-bounds neighbours (padding reads as zero).
  /// ```
  /// 1 2 3      1+2+4+5 = 12   1+2+3+4+5+6 = 21   2+3+5+6 = 16
  /// 4 5 6  →   1+2+4+5+7+8 = 27   1+…+9 = 45     2+3+5+6+8+9 = 33
  /// 7 8 9      4+5+7+8 = 24   4+5+6+7+8+9 = 39   5+6+8+9 = 28
  /// ```
  @Test func samePaddingByHand() {
    var layer = Conv2D("C", inputChannels: 1, outputChannels: 1, kernelSize: 3, padding: .same)
    layer.weight = Tensor(shape: [1, 1, 3, 3], repeating: 1)
    let input = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
    let expected = Tensor(shape: [1, 1, 3, 3], scalars: [12, 21, 16, 27, 45, 33, 24, 39, 28])
    expectClose(layer.forward(input), expected)
  }

  /// Each sample of a batch is convolved on its own: sample 1 (the ramp + 16) gives sample 0's
  /// block sums + 9 · 16 = + 144.
  @Test func batchSamplesAreIndependent() {
    var layer = Conv2D("C", inputChannels: 1, outputChannels: 1, kernelSize: 3)
    layer.weight = Tensor(shape: [1, 1, 3, 3], repeating: 1)
    let input = Tensor(shape: [2, 1, 4, 4], scalars: Self.ramp + Self.ramp.map { $0 + 16 })
    let expected = Tensor(
      shape: [2, 1, 2, 2], scalars: [45, 54, 81, 90, 45 + 144, 54 + 144, 81 + 144, 90 + 144])
    expectClose(layer.forward(input), expected)
  }

  /// A 1×1 convolution with the table out0 ← {0, 1}, out1 ← {2}: weights written on unlinked
  /// kernels are masked to zero, so `out0 = x0 − x1` and `out1 = 2 · x2`.
  static func partialLayer() -> Conv2D {
    let table = ConnectionTable(inputChannels: 3, inputsOfOutput: [[0, 1], [2]])
    var layer = Conv2D(
      "C", inputChannels: 3, outputChannels: 2, kernelSize: 1, connectionTable: table)
    // Row o holds the kernels of output map o for input maps 0, 1, 2; the 5, 7, 9 are unlinked.
    layer.parameters = [
      Tensor(shape: [2, 3, 1, 1], scalars: [1, -1, 5, 7, 9, 2]), Tensor(shape: [2]),
    ]
    return layer
  }

  @Test func partialTableByHand() {
    let layer = Self.partialLayer()
    #expect(layer.weight.scalars == [1, -1, 0, 0, 0, 2])
    // Maps 1, 10 … and 100 … over a 2×2 image.
    let input = Tensor(
      shape: [1, 3, 2, 2], scalars: [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400])
    let expected = Tensor(shape: [1, 2, 2, 2], scalars: [-9, -18, -27, -36, 200, 400, 600, 800])
    expectClose(layer.forward(input), expected)
    #expect(layer.parameterCount == 3 + 2)  // 3 linked 1×1 kernels + 2 biases
  }

  /// Changing an input map an output map is not linked to must leave that output untouched.
  @Test func unlinkedInputDoesNotInfluenceOutput() {
    let layer = Self.partialLayer()
    var generator = SplitMix64(seed: 2)
    let input = Tensor(shape: [1, 3, 2, 2], uniformIn: -1...1, generator: &generator)
    var changedMap2 = input
    var changedMap0 = input
    for pixel in 0..<4 {
      changedMap2.scalars[8 + pixel] += 5
      changedMap0.scalars[pixel] += 5
    }
    let base: [Float] = layer.forward(input).scalars
    let withMap2Changed: [Float] = layer.forward(changedMap2).scalars
    let withMap0Changed: [Float] = layer.forward(changedMap0).scalars
    #expect(withMap2Changed[0..<4] == base[0..<4])
    #expect(withMap0Changed[4..<8] == base[4..<8])
    #expect(withMap2Changed[4..<8] != base[4..<8])
  }
}

/// Table I holds however C3's weights are written (issue 9 §6): through `weight`'s setter, by
/// writing single scalars, or through `parameters`.
@Suite struct ConnectionTableHoldsTests {
  /// C3 with Table I, every weight set to one through the public `weight` setter, zero bias.
  static func onesC3() -> Conv2D {
    var layer = Conv2D(
      "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998)
    layer.weight = Tensor(shape: [16, 6, 5, 5], repeating: 1)
    return layer
  }

  /// An all-ones 6@14×14 input gives 16@10×10. Each unit of map o sums its linked maps' 5×5
  /// windows: |table(o)| · 25 ones. Table I: maps 0–5 read 3 maps (75), 6–14 read 4 (100), map 15
  /// reads all 6 (150). With the unlinked kernels kept, every map would give 6 · 25 = 150.
  @Test func weightSetterKeepsTableI() {
    let layer = Self.onesC3()
    let output = layer.forward(Tensor(shape: [1, 6, 14, 14], repeating: 1))
    var perMap: [Float] = [Float](repeating: 75, count: 6)
    perMap += [Float](repeating: 100, count: 9)
    perMap.append(150)
    let scalars: [Float] = perMap.flatMap { (value: Float) -> [Float] in
      [Float](repeating: value, count: 100)
    }
    let expected = Tensor(shape: [1, 16, 10, 10], scalars: scalars)
    expectClose(output, expected)
    // 60 linked 5×5 kernels of ones: 1,500 ones, the rest zero.
    // Summed before the macro: inside `#expect` it type-checked in 0.1-0.2 s
    // (Docs/training.md: type-checking hot spots).
    let weightSum: Float = layer.weight.scalars.reduce(0, +)
    #expect(weightSum == 1_500)
  }

  /// Writing one scalar of an unlinked kernel (map 0 does not read S2 map 3) leaves it zero.
  @Test func scalarWriteToAnUnlinkedKernelIsMasked() {
    var layer = Self.onesC3()
    let unlinked = (0 * 6 + 3) * 25 + 12
    let linked = (0 * 6 + 2) * 25 + 12
    layer.weight.scalars[unlinked] = 7
    layer.weight.scalars[linked] = 7
    #expect(layer.weight.scalars[unlinked] == 0)
    #expect(layer.weight.scalars[linked] == 7)
  }

  /// The backward pass of the same layer on a 6@5×5 ones input with ∂L/∂out = 1 (16@1×1):
  /// ∂L/∂weight[o, i, ·] = the input window (ones) where linked, 0 where not (60 · 25 = 1,500
  /// ones); ∂L/∂input[i, ·] = the number of C3 maps reading S2 map i, 10 for every i in Table I
  /// (each row of the grid has 10 X), not 16 as all 96 kernels would give.
  @Test func gradientsFollowTableI() {
    let layer = Self.onesC3()
    let input = Tensor(shape: [1, 6, 5, 5], repeating: 1)
    let output = layer.forward(input)
    let gradients = layer.backward(
      input: input, output: output, outputGradient: Tensor(shape: [1, 16, 1, 1], repeating: 1))
    expectClose(gradients.input, Tensor(shape: [1, 6, 5, 5], repeating: 10))
    let weightGradient = gradients.parameters[0].scalars
    for map in 0..<16 {
      for source in 0..<6 {
        let kernel = weightGradient[(map * 6 + source) * 25..<(map * 6 + source + 1) * 25]
        let linked = ConnectionTable.lecun1998.connects(input: source, toOutput: map)
        #expect(kernel.allSatisfy { $0 == (linked ? 1 : 0) }, "map \(map) from S2 map \(source)")
      }
    }
  }
}
