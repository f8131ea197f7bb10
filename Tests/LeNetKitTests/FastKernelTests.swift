import Foundation
import LeNetTestSupport
import Testing

@testable import LeNetKit

/// The fast paths of the layers against slow, obviously correct references: the convolution
/// formula summed in `Double`, libm's `tanh`, finite differences, and the unsplit batch.
@Suite struct FastKernelTests {
  /// `output[n, o, y, x] = bias[o] + Σ_i Σ_ky Σ_kx weight[o, i, ky, kx] · input[n, i, y+ky−pad, x+kx−pad]`,
  /// the doc comment's formula, summed in `Double` with explicit bounds checks.
  func directConvolution(_ layer: Conv2D, _ input: Tensor) throws -> Tensor {
    let outputShape = try layer.outputShape(for: input.sampleShape)
    let (height, width) = (input.shape[2], input.shape[3])
    let (k, pad) = (layer.kernelSize, layer.padAmount)
    var output = Tensor(shape: [input.batchSize] + outputShape)
    for n in 0..<input.batchSize {
      for o in 0..<layer.outputChannels {
        for y in 0..<outputShape[1] {
          for x in 0..<outputShape[2] {
            var sum = Double(layer.bias[o])
            for i in 0..<layer.inputChannels {
              for ky in 0..<k {
                for kx in 0..<k {
                  let (sy, sx) = (y + ky - pad, x + kx - pad)
                  guard (0..<height).contains(sy), (0..<width).contains(sx) else { continue }
                  sum += Double(layer.weight[o, i, ky, kx]) * Double(input[n, i, sy, sx])
                }
              }
            }
            output[n, o, y, x] = Float(sum)
          }
        }
      }
    }
    return output
  }

  func randomLayer(_ layer: Conv2D, seed: UInt64) -> Conv2D {
    var layer = layer
    var generator = SplitMix64(seed: seed)
    layer.initialize(.lecun1998, generator: &generator)
    return layer
  }

  func randomInput(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: shape, uniformIn: -1...1, generator: &generator)
  }

  /// The setup of the engine tests: `layer` with random weights (`seed`), a random input of
  /// `inputShape` (`seed + 1`), and the engine's sizes for them.
  func randomCase(_ layer: Conv2D, _ inputShape: [Int], seed: UInt64) throws -> (
    layer: Conv2D, input: Tensor, geometry: Convolution.Geometry
  ) {
    let layer = randomLayer(layer, seed: seed)
    let input = randomInput(inputShape, seed: seed + 1)
    let outputShape = try layer.outputShape(for: input.sampleShape)
    return (layer, input, layer.geometry(input.sampleShape, outputShape))
  }

  /// The engine's gradients (`Convolution.gradients`, whichever path `geometry` takes) against
  /// the im2col engine's for the same output gradient, the im2col weight gradient masked as
  /// `Conv2D` masks it (im2col computes unlinked kernels; the direct kernels do not).
  func expectGradientsMatchIm2col(
    _ layer: Conv2D, _ input: Tensor, _ geometry: Convolution.Geometry,
    outputGradient: Tensor, inputTolerance: Float, parameterTolerance: Float
  ) throws {
    let engine = Convolution.gradients(
      input: input, outputGradient: outputGradient, weight: layer.weight, geometry: geometry,
      toInput: true)
    let im2col = Convolution.im2colGradients(
      input: input, outputGradient: outputGradient, weight: layer.weight, geometry: geometry,
      toInput: true)
    expectClose(
      try #require(engine.input), try #require(im2col.input), absolute: inputTolerance)
    var im2colWeight = im2col.weight
    layer.applyConnectionMask(to: &im2colWeight)
    expectClose(engine.weight, im2colWeight, absolute: parameterTolerance)
    expectClose(engine.bias, im2col.bias, absolute: parameterTolerance)
  }

  /// Small cases for the gradient check, which runs four forward passes per element.
  static let smallConvolutions: [(Conv2D, [Int])] = [
    (
      Conv2D("same", inputChannels: 1, outputChannels: 3, kernelSize: 5, padding: .same),
      [2, 1, 6, 5]
    ),
    (Conv2D("valid", inputChannels: 2, outputChannels: 3, kernelSize: 3), [2, 2, 5, 6]),
    // 1×1 outputs: several samples share one matrix product (C5's case).
    (Conv2D("C5-like", inputChannels: 2, outputChannels: 5, kernelSize: 3), [6, 2, 3, 3]),
    // Maps of 64 pixels or more take `DirectConvolution`: odd widths (grid rows that do not
    // fill 16 lanes), 7 outputs (a block of 6 and one of 1), same and valid borders.
    (Conv2D("direct-valid", inputChannels: 2, outputChannels: 7, kernelSize: 3), [2, 2, 10, 11]),
    (
      Conv2D("direct-same", inputChannels: 1, outputChannels: 2, kernelSize: 5, padding: .same),
      [1, 1, 9, 8]
    ),
  ]

  static let convolutions: [(Conv2D, [Int])] =
    smallConvolutions + [
      (
        Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same),
        [3, 1, 28, 28]
      ),
      (
        Conv2D(
          "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998),
        [7, 6, 14, 14]
      ),
      (Conv2D("C5", inputChannels: 16, outputChannels: 120, kernelSize: 5), [9, 16, 5, 5]),
    ]

  @Test(arguments: convolutions)
  func convolutionMatchesFormula(layer: Conv2D, inputShape: [Int]) throws {
    let (layer, input, _) = try randomCase(layer, inputShape, seed: 3)
    // Float sums of at most 400 products of size ≤ 1 stay within 1e-5 of the Double sum.
    expectClose(layer.forward(input), try directConvolution(layer, input), absolute: 1e-5)
  }

  @Test(arguments: smallConvolutions)
  func convolutionGradientsMatchFiniteDifferences(layer: Conv2D, inputShape: [Int]) throws {
    let (layer, input, _) = try randomCase(layer, inputShape, seed: 5)
    expectGradientsMatch(GradientCheck.check(layer, input: input))
  }

  /// The direct kernels against the im2col engine on the same layer: both compute the formula,
  /// in `Float`, summing in different orders, so they agree to a few roundings of sums of at
  /// most 150 products of size ≤ 1 (the gradients' sums are longer: up to 3·100 terms).
  @Test(arguments: [
    (
      Conv2D(
        "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998),
      [3, 6, 14, 14]
    ),
    (
      Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same),
      [2, 1, 28, 28]
    ),
    (Conv2D("odd", inputChannels: 3, outputChannels: 13, kernelSize: 3), [3, 3, 9, 17]),
  ])
  func directKernelsMatchIm2col(layer: Conv2D, inputShape: [Int]) throws {
    let (layer, input, geometry) = try randomCase(layer, inputShape, seed: 21)
    #expect(geometry.usesDirectKernels)
    let output = layer.forward(input)
    expectClose(
      output,
      Convolution.im2colForward(input, weight: layer.weight, bias: layer.bias, geometry: geometry),
      absolute: 1e-5)
    try expectGradientsMatchIm2col(
      layer, input, geometry, outputGradient: randomInput(output.shape, seed: 23),
      inputTolerance: 2e-5, parameterTolerance: 1e-4)
    // The reference for the forward pass: the formula in Double.
    expectClose(output, try directConvolution(layer, input), absolute: 1e-5)
  }

  /// The direct kernels compute only the kernels a connection table links: handed a weight
  /// tensor whose unlinked kernels are not zero (which `Conv2D` never does), the forward pass and
  /// the input gradient must ignore them and their weight gradients must be exactly 0. The table
  /// gives input maps that feed 0 to 8 output maps and output maps that read 1 to 7 input maps,
  /// so every block width (1 to 6, and a map list cut into two blocks) runs in both directions.
  /// The reference is the formula summed over linked kernels only, in `Double`.
  @Test func directKernelsComputeLinkedKernelsOnly() throws {
    let table = ConnectionTable(
      inputChannels: 8,
      inputsOfOutput: [
        [0], [1, 2], [0, 3, 6], [1, 2, 4, 5], [0, 1, 2, 3, 4], [1, 2, 3, 4, 5, 6],
        [0, 1, 2, 3, 4, 5, 6], [0, 2, 4, 6], [2], [2, 7],
      ])
    let layer = Conv2D(
      "partial", inputChannels: 8, outputChannels: 10, kernelSize: 3, connectionTable: table)
    let input = randomInput([2, 8, 10, 11], seed: 51)
    // Every kernel, linked or not, gets a value: only the table may keep the unlinked ones out.
    let weight = randomInput([10, 8, 3, 3], seed: 52)
    let bias = randomInput([10], seed: 53)
    let outputShape = try layer.outputShape(for: input.sampleShape)
    let geometry = layer.geometry(input.sampleShape, outputShape)
    #expect(geometry.usesDirectKernels)
    let output = Convolution.forward(input, weight: weight, bias: bias, geometry: geometry)
    let outputGradient = randomInput(output.shape, seed: 54)
    let gradients = Convolution.gradients(
      input: input, outputGradient: outputGradient, weight: weight, geometry: geometry,
      toInput: true)

    var expectedOutput = Tensor(shape: output.shape)
    var expectedInputGradient = Tensor(shape: input.shape)
    var expectedWeightGradient = Tensor(shape: weight.shape)
    for n in 0..<2 {
      for o in 0..<10 {
        for y in 0..<outputShape[1] {
          for x in 0..<outputShape[2] {
            var sum = Double(bias[o])
            let g = Double(outputGradient[n, o, y, x])
            for i in table.inputsOfOutput[o] {
              for ky in 0..<3 {
                for kx in 0..<3 {
                  sum += Double(weight[o, i, ky, kx]) * Double(input[n, i, y + ky, x + kx])
                  expectedInputGradient[n, i, y + ky, x + kx] += Float(
                    g * Double(weight[o, i, ky, kx]))
                  expectedWeightGradient[o, i, ky, kx] += Float(
                    g * Double(input[n, i, y + ky, x + kx]))
                }
              }
            }
            expectedOutput[n, o, y, x] = Float(sum)
          }
        }
      }
    }
    // Sums of at most 7·9 products (the weight gradient: 2·72) of size ≤ 1, accumulated in
    // Float on both sides for the gradients.
    expectClose(output, expectedOutput, absolute: 1e-5)
    expectClose(try #require(gradients.input), expectedInputGradient, absolute: 2e-5)
    expectClose(gradients.weight, expectedWeightGradient, absolute: 1e-4)
    for o in 0..<10 {
      for i in 0..<8 where !table.connects(input: i, toOutput: o) {
        for ky in 0..<3 {
          for kx in 0..<3 { #expect(gradients.weight[o, i, ky, kx] == 0) }
        }
      }
    }
  }

  /// A layer builds its table's blocks once and hands them to every pass's geometry. Row 0 of
  /// Table I (LeCun et al. 1998) links S2's map 0 to C3's maps 0, 4, 5, 6, 9, 10, 11, 12, 14
  /// and 15: a block of six and a block of four (its last map repeated); the whole table has
  /// 60 links, each in one block of each direction.
  @Test func geometryCarriesTheTablesLinks() throws {
    let layer = Conv2D(
      "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998)
    let geometry = layer.geometry([6, 14, 14], try layer.outputShape(for: [6, 14, 14]))
    let forward = geometry.links.forward
    let firstChannels: [Int] = Array(forward.channels.prefix(3))
    let firstCounts: [Int] = Array(forward.counts.prefix(2))
    let firstMaps: [Int] = Array(forward.maps.prefix(12))
    #expect(firstChannels == [0, 0, 1])
    #expect(firstCounts == [6, 4])
    #expect(firstMaps == [0, 4, 5, 6, 9, 10, 11, 12, 14, 15, 15, 15])
    // Summed before the macro: `reduce(0, +)` inside `#expect` type-checked in 0.1-0.2 s.
    let forwardLinks: Int = forward.counts.reduce(0, +)
    let inputGradientLinks: Int = geometry.links.inputGradient.counts.reduce(0, +)
    #expect(forwardLinks == 60)
    #expect(inputGradientLinks == 60)
    // C3's map 15 reads all six S2 maps: one full block in the input gradient's direction.
    let lastBlock = try #require(geometry.links.inputGradient.channels.lastIndex(of: 15))
    #expect(geometry.links.inputGradient.counts[lastBlock] == 6)
  }

  /// The direct forward pass with its lanes across 16 output maps (keras' C3) against the
  /// same pass with its lanes across positions: the same products in the same order, so the
  /// same bits; and against the formula in `Double`. Odd shapes: 11 and 16 output maps, 3×3
  /// and 5×5 kernels, same and valid borders, a position count that leaves the last block of
  /// six short.
  @Test(arguments: [
    (Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5), [2, 6, 14, 14]),
    (
      Conv2D("odd", inputChannels: 3, outputChannels: 11, kernelSize: 3, padding: .same),
      [3, 3, 9, 13]
    ),
  ])
  func lanesAcrossOutputsEqualLanesAcrossPositions(layer: Conv2D, inputShape: [Int]) throws {
    let (layer, input, geometry) = try randomCase(layer, inputShape, seed: 101)
    #expect(
      DirectConvolution.usesLanesAcrossOutputs(
        outputs: layer.outputChannels, links: geometry.links.forward,
        channels: layer.inputChannels))
    let across = Convolution.directForward(
      input, weight: layer.weight, bias: layer.bias, geometry: geometry, stage: .sums,
      lanesAcrossOutputs: true)
    let positions = Convolution.directForward(
      input, weight: layer.weight, bias: layer.bias, geometry: geometry, stage: .sums,
      lanesAcrossOutputs: false)
    #expect(across == positions)
    expectClose(across, try directConvolution(layer, input), absolute: 1e-5)
  }

  /// One sample through `DirectConvolution.forward` on `grid` (every input map feeding every
  /// output map), stored `outputs × outH × outW`.
  func gridForward(
    _ grid: DirectConvolution.Grid, image: [Float], weight: [Float], outputs: Int
  ) -> [Float] {
    let links = DirectConvolution.Links(
      outputsOfChannel: Array(repeating: Array(0..<outputs), count: grid.channels))
    var planes = [Float](repeating: .nan, count: grid.channels * grid.planeSize)
    var scratch = [Float](repeating: .nan, count: outputs * grid.positions)
    var output = [Float](
      repeating: .nan, count: outputs * grid.outputHeight * grid.outputWidth)
    image.withUnsafeBufferPointer { image in
      weight.withUnsafeBufferPointer { weight in
        planes.withUnsafeMutableBufferPointer { planes in
          scratch.withUnsafeMutableBufferPointer { scratch in
            output.withUnsafeMutableBufferPointer { output in
              let planeBase = planes.baseAddress.unsafelyUnwrapped
              grid.border(image.baseAddress.unsafelyUnwrapped, into: planeBase)
              DirectConvolution.forward(
                grid, planes: planeBase, weight: weight.baseAddress.unsafelyUnwrapped, bias: nil,
                outputs: outputs, links: links, scratch: scratch.baseAddress.unsafelyUnwrapped,
                output: output.baseAddress.unsafelyUnwrapped, offsets: grid.tapOffsets)
            }
          }
        }
      }
    }
    return output
  }

  /// A grid whose rows share one gap of `pad` zeros (the forward pass and the input gradient)
  /// computes the same bits as the grid with a gap of `2 · pad` (each kept output reads the same
  /// image values in the same order, and only zeros elsewhere), and the formula in `Double`.
  /// Odd shapes: widths that do not fill 16 lanes, 7 output maps (blocks of 6 and 1), a
  /// same border (pad = (k − 1)/2, rows of W + pad) and input-gradient borders (pad = k − 1,
  /// rows of W + k − 1 = outW, no dropped column).
  @Test(arguments: [
    (2, 9, 11, 2, 5, 7, 13), (3, 7, 10, 1, 3, 5, 11), (2, 6, 5, 4, 5, 7, 9), (1, 5, 7, 2, 3, 3, 9),
  ])
  func sharedRowGapsGiveTheSameSums(
    channels: Int, height: Int, width: Int, pad: Int, kernelSize: Int, outputs: Int,
    sharedStride: Int
  ) {
    let wide = DirectConvolution.Grid(
      channels: channels, height: height, width: width, pad: pad, kernelSize: kernelSize)
    var shared = wide
    shared.sharesRowGaps = true
    // By hand: rows of W + pad, unless the output is wider (W + 2·pad − k + 1).
    #expect(shared.rowStride == sharedStride)
    #expect(wide.rowStride == width + 2 * pad)
    let image = randomInput([channels * height * width], seed: 131).scalars
    let weight = randomInput([outputs * channels * kernelSize * kernelSize], seed: 132).scalars
    let onShared = gridForward(shared, image: image, weight: weight, outputs: outputs)
    #expect(onShared == gridForward(wide, image: image, weight: weight, outputs: outputs))
    let (outH, outW) = (wide.outputHeight, wide.outputWidth)
    var worst: Double = 0
    for o in 0..<outputs {
      for y in 0..<outH {
        for x in 0..<outW {
          var sum: Double = 0
          for i in 0..<channels {
            for ky in 0..<kernelSize {
              for kx in 0..<kernelSize {
                let (sy, sx) = (y + ky - pad, x + kx - pad)
                guard (0..<height).contains(sy), (0..<width).contains(sx) else { continue }
                sum +=
                  Double(weight[((o * channels + i) * kernelSize + ky) * kernelSize + kx])
                  * Double(image[(i * height + sy) * width + sx])
              }
            }
          }
          worst = max(worst, abs(sum - Double(onShared[(o * outH + y) * outW + x])))
        }
      }
    }
    #expect(worst < 1e-5)
  }

  /// The direct weight gradient's arithmetic written out in scalar code: lane `l` of each kernel
  /// tap sums, per sample, the products at the grid positions `q ≡ l (mod 8)` of the whole
  /// wide grid in order (the output gradient zero off the map, the image zero off its rows), with
  /// fused multiply-adds from +0; the lanes add up across samples, and are summed once at the
  /// end. The kernel leaves out the groups of eight positions that hold dropped columns only
  /// (`weightGradientPositions`); its result must keep these bits.
  func laneByLaneWeightGradient(_ layer: Conv2D, _ input: Tensor, _ outputGradient: Tensor)
    -> [Float]
  {
    let (channels, height, width) = (input.shape[1], input.shape[2], input.shape[3])
    let (k, pad, outputs) = (layer.kernelSize, layer.padAmount, layer.outputChannels)
    let (outH, outW) = (outputGradient.shape[2], outputGradient.shape[3])
    let rowStride = width + 2 * pad
    let positions = (outH * rowStride + 15) / 16 * 16
    var result = [Float](repeating: 0, count: outputs * channels * k * k)
    for o in 0..<outputs {
      for i in 0..<channels where layer.connectionTable.connects(input: i, toOutput: o) {
        for tap in 0..<k * k {
          var lanes = SIMD8<Float>.zero
          for n in 0..<input.batchSize {
            var sums = SIMD8<Float>.zero
            for q in 0..<positions {
              let (y, x) = (q / rowStride, q % rowStride)
              let g = y < outH && x < outW ? outputGradient[n, o, y, x] : 0
              let read = q + (tap / k) * rowStride + tap % k
              let (row, column) = (read / rowStride - pad, read % rowStride - pad)
              let pixel =
                (0..<height).contains(row) && (0..<width).contains(column)
                ? input[n, i, row, column] : 0
              sums[q % 8] = sums[q % 8].addingProduct(g, pixel)
            }
            lanes += sums
          }
          result[(o * channels + i) * k * k + tap] = lanes.sum()
        }
      }
    }
    return result
  }

  /// The weight gradient sums only the groups of eight grid positions up to the last output's
  /// (C3: 17 of 18, by hand: the last output is at 9 · 14 + 9 = 135), or, for 9 to 16 maps of a
  /// full table (keras' C3), only the outputs' positions with the maps in the lanes
  /// (`accumulateWeightGradientAcrossOutputs`); both with the same bits as the whole grid
  /// (`laneByLaneWeightGradient`). On C3 with and without Table I, and odd shapes where the
  /// last group is dropped (valid 10×11 → 8×9: last output at 7 · 11 + 8 = 85, groups up to 88
  /// of 96; valid 7, 14×15 → 8×9: 7 · 15 + 8 = 113, up to 120 of 128) or kept (same 9×8, 5×5:
  /// 8 · 12 + 7 = 103, up to 104 of 112; 7×7: 8 · 14 + 7 = 119, up to 120 of 128; C1: 891, all
  /// 896), with 7, 11, 9 and 1 maps (kernel rows of 3 and of 7 taps, a group of 5 and one of 2).
  ///
  /// With the input gradient as well, an unpadded convolution whose weight gradient keeps the
  /// positions in the lanes reads its output gradient from the input gradient's bordered planes
  /// (`borderedGradientOffset`) instead of spreading it on a grid of its own: the grid starts
  /// at `pad · rowStride + pad` of each plane, bordered by `pad = k − 1`, row stride
  /// `outW + k − 1 = W` (by hand: C3 table 4 · 14 + 4 = 60; valid 2 · 11 + 2 = 24; valid 7
  /// 6 · 15 + 6 = 96). Nil with the maps in the lanes (C3, valid 11, same 7×7: the gradient is
  /// packed) and with padding ("same", C1: the grid is `W + 2 · pad` wide, the bordered plane
  /// `outW + k − 1 − pad = W + pad`).
  @Test(
    arguments: [
      (
        Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5), [3, 6, 14, 14], 136,
        true, nil
      ),
      (
        Conv2D(
          "C3 table", inputChannels: 6, outputChannels: 16, kernelSize: 5,
          connectionTable: .lecun1998), [2, 6, 14, 14], 136, false, 60
      ),
      (
        Conv2D("valid", inputChannels: 2, outputChannels: 7, kernelSize: 3), [3, 2, 10, 11], 88,
        false, 24
      ),
      (
        Conv2D("valid 11", inputChannels: 2, outputChannels: 11, kernelSize: 3), [3, 2, 10, 11], 88,
        true, nil
      ),
      (
        Conv2D("valid 7", inputChannels: 2, outputChannels: 1, kernelSize: 7), [2, 2, 14, 15], 120,
        false, 96
      ),
      (
        Conv2D("same", inputChannels: 1, outputChannels: 2, kernelSize: 5, padding: .same),
        [2, 1, 9, 8], 104, false, nil
      ),
      (
        Conv2D("same 7×7", inputChannels: 2, outputChannels: 9, kernelSize: 7, padding: .same),
        [2, 2, 9, 8], 120, true, nil
      ),
      (
        Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same),
        [2, 1, 28, 28], 896, false, nil
      ),
    ] as [(Conv2D, [Int], Int, Bool, Int?)])
  func weightGradientSkipsDroppedColumns(
    layer: Conv2D, inputShape: [Int], livePositions: Int, acrossOutputs: Bool,
    borderedOffset: Int?
  ) throws {
    let (layer, input, geometry) = try randomCase(layer, inputShape, seed: 141)
    // At least 64 output pixels each: smaller maps take the im2col path instead.
    #expect(geometry.usesDirectKernels)
    #expect(geometry.inputGrid.weightGradientPositions == livePositions)
    #expect(
      DirectConvolution.usesLanesAcrossOutputs(
        outputs: layer.outputChannels, links: geometry.links.forward,
        channels: layer.inputChannels) == acrossOutputs)
    let output = layer.forward(input)
    let outputGradient = randomInput(output.shape, seed: 143)
    let weight = layer.parameterGradients(
      input: input, output: output, outputGradient: outputGradient)[0]
    let expected = laneByLaneWeightGradient(layer, input, outputGradient)
    #expect(weight.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    // Without the input gradient there are no bordered planes to read: the gradient is spread.
    #expect(geometry.borderedGradientOffset(toInput: false, acrossOutputs: acrossOutputs) == nil)
    #expect(
      geometry.borderedGradientOffset(toInput: true, acrossOutputs: acrossOutputs)
        == borderedOffset)
    let both = layer.backward(input: input, output: output, outputGradient: outputGradient)
    #expect(both.parameters[0].scalars.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// The direct kernels' sums written out in scalar `Float`: for each output, the products of
  /// channel 0's taps in order, then channel 1's, …, each a fused multiply-add from +0 (a tap
  /// reading the border adds `0 · w`, which the kernels skip), then the bias added. The input
  /// gradient is the same forward pass on the output gradient bordered by `k − 1 − pad`, each
  /// kernel turned 180° and the maps swapped, without a bias.
  func sumsInOrder(
    _ input: Tensor, weight: (_ output: Int, _ channel: Int, _ tap: Int) -> Float,
    outputs: Int, kernelSize k: Int, pad: Int, bias: (Int) -> Float
  ) -> Tensor {
    let (batch, channels, height, width) = (
      input.shape[0], input.shape[1], input.shape[2], input.shape[3]
    )
    let (outH, outW) = (height + 2 * pad - k + 1, width + 2 * pad - k + 1)
    var result = Tensor(shape: [batch, outputs, outH, outW])
    for n in 0..<batch {
      for o in 0..<outputs {
        for y in 0..<outH {
          for x in 0..<outW {
            var sum: Float = 0
            for c in 0..<channels {
              for tap in 0..<k * k {
                let (row, column) = (y + tap / k - pad, x + tap % k - pad)
                let value =
                  (0..<height).contains(row) && (0..<width).contains(column)
                  ? input[n, c, row, column] : 0
                sum = sum.addingProduct(value, weight(o, c, tap))
              }
            }
            result[n, o, y, x] = sum + bias(o)
          }
        }
      }
    }
    return result
  }

  /// When every input map feeds every output map in one block (`Links.isOneBlockPerChannel`: C1,
  /// and keras' C3 input gradient), `forwardAllChannels` keeps each block's sums in registers
  /// across all channels; the forward pass and the input gradient must keep the bits of the sums
  /// in order (`sumsInOrder`), as the block-by-block path does. Odd shapes: 3 channels into 5
  /// maps (one block per channel, both ways), and 2 into 7 (the forward in blocks of 6 and 1,
  /// the input gradient one block of 2 per output map).
  @Test(arguments: [
    (
      Conv2D("5 maps", inputChannels: 3, outputChannels: 5, kernelSize: 5, padding: .same),
      [2, 3, 9, 11], true
    ),
    (
      Conv2D("7 maps", inputChannels: 2, outputChannels: 7, kernelSize: 3), [2, 2, 10, 11],
      false
    ),
  ])
  func directKernelsKeepTheSumsInOrder(
    layer: Conv2D, inputShape: [Int], forwardInOneBlock: Bool
  ) throws {
    let (layer, input, geometry) = try randomCase(layer, inputShape, seed: 191)
    #expect(geometry.links.forward.isOneBlockPerChannel == forwardInOneBlock)
    #expect(geometry.links.inputGradient.isOneBlockPerChannel)
    let (k, pad) = (layer.kernelSize, layer.padAmount)
    let output = layer.forward(input)
    let expected = sumsInOrder(
      input, weight: { layer.weight.scalars[($0 * layer.inputChannels + $1) * k * k + $2] },
      outputs: layer.outputChannels, kernelSize: k, pad: pad, bias: { layer.bias.scalars[$0] })
    #expect(output.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
    let outputGradient = randomInput(output.shape, seed: 193)
    let gradient = layer.backward(input: input, output: output, outputGradient: outputGradient)
    let expectedGradient = sumsInOrder(
      outputGradient,
      weight: { input, output, tap in
        layer.weight.scalars[(output * layer.inputChannels + input) * k * k + k * k - 1 - tap]
      },
      outputs: layer.inputChannels, kernelSize: k, pad: k - 1 - pad, bias: { _ in 0 })
    #expect(gradient.input.scalars.map(\.bitPattern) == expectedGradient.scalars.map(\.bitPattern))
  }

  /// A kernel as large as its input runs as a dense layer (`isDense`); against the im2col
  /// engine on the same layer (sums of at most 3·4·4 = 48 products, in another order).
  @Test func denseConvolutionMatchesIm2col() throws {
    let (layer, input, geometry) = try randomCase(
      Conv2D("C5-like", inputChannels: 3, outputChannels: 7, kernelSize: 4), [5, 3, 4, 4],
      seed: 41)
    #expect(geometry.isDense)
    let output = layer.forward(input)
    expectClose(
      output,
      Convolution.im2colForward(input, weight: layer.weight, bias: layer.bias, geometry: geometry),
      absolute: 1e-5)
    try expectGradientsMatchIm2col(
      layer, input, geometry, outputGradient: randomInput(output.shape, seed: 43),
      inputTolerance: 1e-5, parameterTolerance: 1e-5)
  }

  /// The 2×2 average pooling's unrolled loops against the formula, on maps of odd block counts:
  /// each output is the mean of its block (exact up to one rounding of a 4-term sum), and each
  /// input's gradient is a quarter of its block's.
  @Test func averagePoolingOf2MatchesTheFormula() {
    let input = randomInput([3, 5, 6, 10], seed: 31)
    let layer = AveragePooling("S", size: 2)
    let output = layer.forward(input)
    var expected = Tensor(shape: [3, 5, 3, 5])
    for n in 0..<3 {
      for c in 0..<5 {
        for y in 0..<3 {
          for x in 0..<5 {
            var sum = 0.0
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
              sum += Double(input[n, c, 2 * y + dy, 2 * x + dx])
            }
            expected[n, c, y, x] = Float(sum / 4)
          }
        }
      }
    }
    expectClose(output, expected, absolute: 1e-6)
    let outputGradient = randomInput(output.shape, seed: 32)
    let gradient = layer.backward(input: input, output: output, outputGradient: outputGradient)
    for n in 0..<3 {
      for c in 0..<5 {
        for y in 0..<6 {
          for x in 0..<10 {
            #expect(gradient.input[n, c, y, x] == outputGradient[n, c, y / 2, x / 2] / 4)
          }
        }
      }
    }
  }

  /// LeCun's subsampling on raw pointers against its formula in `Double`, on 5 maps of 3×5
  /// blocks with coefficients and biases that differ per map: each output is `c · (sum of 4) +
  /// b`, each input's gradient `c` times its block's (exactly), the coefficient's gradient
  /// `Σ ∂out · sum` and the bias's `Σ ∂out` over the map's 3 · 15 positions.
  @Test func subsamplingMatchesTheFormula() {
    var layer = Subsampling("S", channels: 5)
    layer.coefficient = randomInput([5], seed: 61)
    layer.bias = randomInput([5], seed: 62)
    let input = randomInput([3, 5, 6, 10], seed: 63)
    let output = layer.forward(input)
    let outputGradient = randomInput(output.shape, seed: 64)
    let gradients = layer.backward(input: input, output: output, outputGradient: outputGradient)
    var expected = Tensor(shape: [3, 5, 3, 5])
    var (coefficientGradient, biasGradient) = (
      [Double](repeating: 0, count: 5), [Double](repeating: 0, count: 5)
    )
    for n in 0..<3 {
      for c in 0..<5 {
        for y in 0..<3 {
          for x in 0..<5 {
            var sum = 0.0
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
              sum += Double(input[n, c, 2 * y + dy, 2 * x + dx])
              // The product of two floats is exact in Double: rounded once, it is the float
              // product, bit for bit.
              let share = Double(outputGradient[n, c, y, x]) * Double(layer.coefficient[c])
              #expect(gradients.input[n, c, 2 * y + dy, 2 * x + dx] == Float(share))
            }
            expected[n, c, y, x] = Float(Double(layer.coefficient[c]) * sum + Double(layer.bias[c]))
            coefficientGradient[c] += Double(outputGradient[n, c, y, x]) * sum
            biasGradient[c] += Double(outputGradient[n, c, y, x])
          }
        }
      }
    }
    // Sums of 4 inputs of size ≤ 1, and of 45 products of size ≤ 4, in Float.
    expectClose(output, expected, absolute: 1e-6)
    expectClose(
      gradients.parameters[0].scalars, coefficientGradient.map { Float($0) }, absolute: 2e-5)
    expectClose(gradients.parameters[1].scalars, biasGradient.map { Float($0) }, absolute: 1e-5)
  }

  /// `Subsampling.backward`'s block sums taken a row at a time (`BlocksOf2.sumRow`, four blocks
  /// per vector) and its shares spread four blocks at a time keep the bits of the sums written
  /// out in scalar `Float`: each block `((tl + tr) + bl) + br`, the coefficient's gradient
  /// `Σ ∂out · sum` and the bias's `Σ ∂out` position by position, sample after sample, from +0.
  /// Maps of 9 and 7 blocks a row (two vectors and a block; one vector and three blocks).
  @Test func subsamplingGradientKeepsTheSumsInOrder() {
    for (channels, height, width) in [(3, 4, 18), (2, 6, 14)] {
      var layer = Subsampling("S", channels: channels)
      layer.coefficient = randomInput([channels], seed: 65)
      layer.bias = randomInput([channels], seed: 66)
      let input = randomInput([2, channels, height, width], seed: 67)
      let output = layer.forward(input)
      let outputGradient = randomInput(output.shape, seed: 68)
      let gradients = layer.backward(input: input, output: output, outputGradient: outputGradient)
      var (coefficientGradient, biasGradient) = (
        [Float](repeating: 0, count: channels), [Float](repeating: 0, count: channels)
      )
      for n in 0..<2 {
        for c in 0..<channels {
          for y in 0..<height / 2 {
            for x in 0..<width / 2 {
              let (top, bottom) = (2 * y, 2 * y + 1)
              let sum =
                input[n, c, top, 2 * x] + input[n, c, top, 2 * x + 1] + input[n, c, bottom, 2 * x]
                + input[n, c, bottom, 2 * x + 1]
              let gradient = outputGradient[n, c, y, x]
              let product = gradient * sum
              coefficientGradient[c] += product
              biasGradient[c] += gradient
              let share = gradient * layer.coefficient[c]
              for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                #expect(
                  gradients.input[n, c, 2 * y + dy, 2 * x + dx].bitPattern == share.bitPattern)
              }
            }
          }
        }
      }
      #expect(
        gradients.parameters[0].scalars.map(\.bitPattern) == coefficientGradient.map(\.bitPattern))
      #expect(gradients.parameters[1].scalars.map(\.bitPattern) == biasGradient.map(\.bitPattern))
    }
  }

  /// The RBF output on raw pointers against its formula in `Double`, with 7 codes of 13
  /// features (not the digits' 10 × 84): `out[n, i] = Σ_j (x[n, j] − c[i, j])²` and
  /// `∂x[n, j] = Σ_i 2 ∂out[n, i] (x[n, j] − c[i, j])`.
  @Test func euclideanRBFMatchesTheFormula() {
    let centers = randomInput([7, 13], seed: 71)
    let layer = EuclideanRBF("RBF", centers: centers)
    let input = randomInput([4, 13], seed: 72)
    let output = layer.forward(input)
    let outputGradient = randomInput(output.shape, seed: 73)
    let gradient = layer.backward(input: input, output: output, outputGradient: outputGradient)
    var expectedOutput = Tensor(shape: [4, 7])
    var expectedGradient = Tensor(shape: [4, 13])
    for n in 0..<4 {
      for i in 0..<7 {
        var distance = 0.0
        for j in 0..<13 {
          let difference = Double(input[n, j]) - Double(centers[i, j])
          distance += difference * difference
          expectedGradient[n, j] += Float(2 * Double(outputGradient[n, i]) * difference)
        }
        expectedOutput[n, i] = Float(distance)
      }
    }
    // Sums of 13 squares of size ≤ 4; of 7 terms of size ≤ 4.
    expectClose(output, expectedOutput, absolute: 1e-5)
    expectClose(gradient.input, expectedGradient, absolute: 1e-5)
  }

  /// The RBF units computed 16 at a time, one per lane, keep each unit's sum in its order:
  /// `Σ_j (x[j] − c[i, j])²` from +0, feature by feature, written out here in scalar `Float`,
  /// bit for bit. 17 units of 13 features (a full vector and one unit in a second), and the
  /// ten digit codes of 84 features (10 of a vector's 16 lanes).
  @Test func rbfUnitsSideBySideKeepTheOrderOfEachSum() {
    for (centers, seed) in [
      (randomInput([17, 13], seed: 181), UInt64(182)), (EuclideanRBF.digitCodes, 183),
    ] {
      let layer = EuclideanRBF("RBF", centers: centers)
      let (classes, features) = (centers.shape[0], centers.shape[1])
      let input = randomInput([3, features], seed: seed)
      let output = layer.forward(input)
      #expect(output.shape == [3, classes])
      for n in 0..<3 {
        for i in 0..<classes {
          var distance: Float = 0
          for j in 0..<features {
            let difference = input[n, j] - centers[i, j]
            distance += difference * difference
          }
          #expect(output[n, i].bitPattern == distance.bitPattern, "sample \(n), unit \(i)")
        }
      }
    }
  }

  /// The first layer of a model skips its input gradient; what it still computes must be exactly
  /// `backward`'s parameter gradients (the same products in the same order).
  @Test(arguments: convolutions)
  func parameterGradientsEqualBackwardsParameterGradients(layer: Conv2D, inputShape: [Int])
    throws
  {
    let (layer, input, _) = try randomCase(layer, inputShape, seed: 10)
    let output = layer.forward(input)
    let outputGradient = randomInput(output.shape, seed: 12)
    let full = layer.backward(input: input, output: output, outputGradient: outputGradient)
    let alone = layer.parameterGradients(
      input: input, output: output, outputGradient: outputGradient)
    #expect(alone.map(\.shape) == full.parameters.map(\.shape))
    #expect(alone.map(\.scalars) == full.parameters.map(\.scalars))
  }

  /// `FastTanh.apply` as `Activation.forward` calls it: from the input's array into a new one
  /// (the fused convolution calls it in place, `fastTanhInPlace`).
  func fastTanh(_ values: [Float]) -> [Float] {
    [Float](unsafeUninitializedCapacity: values.count) { target, count in
      values.withUnsafeBufferPointer { source in
        guard let from = source.baseAddress, let to = target.baseAddress else { return }
        FastTanh.apply(from: from, to: to, count: source.count, slope: 1, amplitude: 1)
      }
      count = values.count
    }
  }

  /// `FastTanh.apply` as the fused convolution calls it, in place.
  func fastTanhInPlace(_ values: inout [Float]) {
    values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      FastTanh.apply(from: base, to: base, count: buffer.count, slope: 1, amplitude: 1)
    }
  }

  /// libm's `tanh` is the reference. The bound, 4e-7 absolute, is about three units in the last
  /// place of values near 1; the rational approximation's own error is below 1e-7. Both ways
  /// the library calls it give the same bits.
  @Test func fastTanhMatchesLibm() {
    var values = stride(from: Float(-12), through: 12, by: 0.001).map { $0 }
    values += [0, 1e-8, -1e-8, 1e-3, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
    let observed = fastTanh(values)
    var inPlace = values
    fastTanhInPlace(&inPlace)
    #expect(inPlace.map(\.bitPattern) == observed.map(\.bitPattern))
    var worst: Float = 0
    for (value, result) in zip(values, observed) {
      worst = max(worst, abs(result - Foundation.tanh(value)))
    }
    #expect(worst < 4e-7, "worst absolute error \(worst)")
  }

  /// `apply` takes four vectors per step (`tanh4`) while 32 or more floats remain: each lane
  /// must get the bits of `FastTanh.tanh` on its own vector, as before, with the scaled tanh's
  /// slope and amplitude; 77 floats = two steps of four, one vector and a tail of five.
  @Test func fastTanhFourVectorsAtATimeKeepsTheBits() {
    let values = randomInput([77], seed: 161).scalars.map { $0 * 6 }
    let (slope, amplitude): (Float, Float) = (2.0 / 3.0, 1.7159)
    let applied = [Float](unsafeUninitializedCapacity: values.count) { target, count in
      values.withUnsafeBufferPointer { source in
        FastTanh.apply(
          from: source.baseAddress.unsafelyUnwrapped, to: target.baseAddress.unsafelyUnwrapped,
          count: values.count, slope: slope, amplitude: amplitude)
      }
      count = values.count
    }
    var oneVectorAtATime: [Float] = []
    for start in stride(from: 0, to: values.count, by: 8) {
      var vector = SIMD8<Float>.zero
      for lane in 0..<min(8, values.count - start) { vector[lane] = values[start + lane] }
      let squashed = amplitude * FastTanh.tanh(slope * vector)
      for lane in 0..<min(8, values.count - start) { oneVectorAtATime.append(squashed[lane]) }
    }
    #expect(applied.map(\.bitPattern) == oneVectorAtATime.map(\.bitPattern))
  }

  @Test func fastTanhIsOddAndKeepsSmallInputsRelativePrecision() {
    var values: [Float] = [1e-6, -1e-6, 0.5, -0.5, 3, -3, 0]
    fastTanhInPlace(&values)
    #expect(values[0] == -values[1] && values[2] == -values[3] && values[4] == -values[5])
    expectClose(values[0], 1e-6, relative: 1e-6, absolute: 0)
    #expect(values[6] == 0)
  }

  /// The gradient through a tanh and a 2×2 average pooling in one pass (`Model`'s backward for
  /// keras' model) against the two layers' `backward` in turn: the same products, so the same
  /// bits; and against the chain rule written out in `Double` (a quarter of the block's gradient
  /// times f'). Odd sizes: 5 maps of 6×10, 3 samples.
  @Test(arguments: [Activation.Function.tanh, .scaledTanh])
  func squashingAndPoolingGradientInOnePass(function: Activation.Function) throws {
    let squashing = Activation(function)
    let pooling = AveragePooling("pool")
    let input = randomInput([3, 5, 6, 10], seed: 151)
    let output = squashing.forward(input)
    let poolingGradient = randomInput([3, 5, 3, 5], seed: 152)
    let fused = try #require(
      squashing.backwardThroughPoolingOf2(output: output, poolingGradient: poolingGradient))
    let pooled = pooling.backward(
      input: output, output: pooling.forward(output), outputGradient: poolingGradient)
    let layerByLayer = squashing.backward(
      input: input, output: output, outputGradient: pooled.input)
    #expect(fused.shape == input.shape)
    #expect(fused.scalars.map(\.bitPattern) == layerByLayer.input.scalars.map(\.bitPattern))
    let (slope, amplitude) = try #require(function.squashing)
    var worst: Double = 0
    for n in 0..<3 {
      for c in 0..<5 {
        for y in 0..<6 {
          for x in 0..<10 {
            let value = Double(output[n, c, y, x])
            let derivative =
              Double(slope) / Double(amplitude)
              * (Double(amplitude) * Double(amplitude) - value * value)
            let expected = Double(poolingGradient[n, c, y / 2, x / 2]) / 4 * derivative
            worst = max(worst, abs(expected - Double(fused[n, c, y, x])))
          }
        }
      }
    }
    #expect(worst < 1e-6)
    // Functions other than the two tanh keep their own backward.
    #expect(
      Activation(.relu).backwardThroughPoolingOf2(
        output: output, poolingGradient: poolingGradient) == nil)
  }

  /// The gradient through a squashing, a trainable subsampling and a squashing in one pass
  /// (`Model`'s backward for lecun1998's S2 and S4) against the three layers' `backward` in
  /// turn: the same products in the same order, so the same bits for the input gradient and
  /// the coefficient and bias gradients; and against the chain rule written out in `Double`.
  /// Odd sizes: rows of 5 blocks (four, then four again overlapping), 7 (four, then
  /// overlapping), 9 (eight, then overlapping), 2 and 3 (fewer than four, block by block); 3
  /// samples; the two squashings different.
  @Test(arguments: [
    (Activation.Function.scaledTanh, Activation.Function.scaledTanh, [3, 5, 6, 10]),
    (.tanh, .scaledTanh, [3, 2, 4, 14]), (.scaledTanh, .tanh, [3, 3, 6, 18]),
    (.scaledTanh, .scaledTanh, [3, 4, 2, 4]), (.tanh, .tanh, [3, 1, 4, 6]),
  ])
  func squashingSubsamplingAndSquashingGradientInOnePass(
    before: Activation.Function, after: Activation.Function, shape: [Int]
  ) throws {
    let (first, second) = (Activation(before), Activation(after))
    var subsampling = Subsampling("S", channels: shape[1])
    subsampling.coefficient = randomInput([shape[1]], seed: 171)
    subsampling.bias = randomInput([shape[1]], seed: 172)
    let input = randomInput(shape, seed: 173).scalars.map { $0 * 2 }
    let convolved = Tensor(shape: shape, scalars: input)
    let squashed = first.forward(convolved)
    let subsampled = subsampling.forward(squashed)
    let output = second.forward(subsampled)
    let outputGradient = randomInput(output.shape, seed: 174)
    let fused = try #require(
      subsampling.backwardBetweenSquashings(
        before: first, input: squashed, after: second, squashedOutput: output,
        outputGradient: outputGradient))
    let secondGradient = second.backward(
      input: subsampled, output: output, outputGradient: outputGradient)
    let subsamplingGradients = subsampling.backward(
      input: squashed, output: subsampled, outputGradient: secondGradient.input)
    let firstGradient = first.backward(
      input: convolved, output: squashed, outputGradient: subsamplingGradients.input)
    #expect(fused.input.shape == shape)
    #expect(fused.input.scalars.map(\.bitPattern) == firstGradient.input.scalars.map(\.bitPattern))
    #expect(fused.parameters.map(\.shape) == [[shape[1]], [shape[1]]])
    #expect(
      fused.parameters.map { $0.scalars.map(\.bitPattern) }
        == subsamplingGradients.parameters.map { $0.scalars.map(\.bitPattern) })
    // The chain rule in `Double`: f'(v) = (S/A)(A² − v²) at each squashing's output.
    func slope(_ function: Activation.Function, _ value: Float) throws -> Double {
      let (s, a) = try #require(function.squashing)
      return Double(s) / Double(a) * (Double(a) * Double(a) - Double(value) * Double(value))
    }
    var (worstInput, worstParameter) = (0.0, 0.0)
    var (coefficientGradient, biasGradient) = (
      [Double](repeating: 0, count: shape[1]), [Double](repeating: 0, count: shape[1])
    )
    for n in 0..<shape[0] {
      for c in 0..<shape[1] {
        for y in 0..<shape[2] {
          for x in 0..<shape[3] {
            let (row, column) = (y / 2, x / 2)
            let atSum =
              Double(outputGradient[n, c, row, column])
              * (try slope(after, output[n, c, row, column]))
            if y % 2 == 0 && x % 2 == 0 {
              let blockSum = [(0, 0), (0, 1), (1, 0), (1, 1)].reduce(0.0) {
                $0 + Double(squashed[n, c, y + $1.0, x + $1.1])
              }
              coefficientGradient[c] += atSum * blockSum
              biasGradient[c] += atSum
            }
            let expected =
              atSum * Double(subsampling.coefficient[c]) * (try slope(before, squashed[n, c, y, x]))
            worstInput = max(worstInput, abs(expected - Double(fused.input[n, c, y, x])))
          }
        }
      }
    }
    for c in 0..<shape[1] {
      worstParameter = max(
        worstParameter, abs(coefficientGradient[c] - Double(fused.parameters[0][c])),
        abs(biasGradient[c] - Double(fused.parameters[1][c])))
    }
    // Products of a few factors of size ≤ 3; sums of at most 81 terms of size ≤ 25.
    #expect(worstInput < 1e-5)
    #expect(worstParameter < 1e-4)
    // Functions other than the two tanh keep the layers' own backward.
    #expect(
      subsampling.backwardBetweenSquashings(
        before: Activation(.relu), input: squashed, after: second, squashedOutput: output,
        outputGradient: outputGradient) == nil)
  }

  /// `Model.backward` takes lecun1998's squashing, subsampling and squashing in one pass (and
  /// keras' tanh and pooling): every gradient must have the bits of the layers' `backward` run
  /// one after another.
  @Test func modelBackwardKeepsTheBitsOfTheLayersInTurn() {
    for model in [Model.lecun1998(seed: 175), Model.keras(seed: 176)] {
      let input = randomInput([3] + model.inputShape, seed: 177)
      let activations = model.activations(input)
      let outputGradient = randomInput(
        activations[activations.count - 1].shape, seed: 178)
      let fused = model.backward(activations: activations, outputGradient: outputGradient)
      var gradient = outputGradient
      var parameters = [[Tensor]](repeating: [], count: model.layers.count)
      for index in model.layers.indices.reversed() {
        let result = model.layers[index].backward(
          input: activations[index], output: activations[index + 1], outputGradient: gradient)
        parameters[index] = result.parameters
        gradient = result.input
      }
      #expect(fused.input.scalars.map(\.bitPattern) == gradient.scalars.map(\.bitPattern))
      // Through the typed `gradientBits`: inside `#expect` this comparison type-checked in
      // 0.6-0.7 s.
      let fusedBits = gradientBits(fused.parameters)
      let layerBits = gradientBits(parameters)
      #expect(fusedBits == layerBits, "\(model.name)")
    }
  }

  /// `BlocksOf2.sumRow` four blocks at a time gives the bits of each block summed in the order
  /// the layers document, `((top-left + top-right) + bottom-left) + bottom-right`, then
  /// `scale · sum + shift`, written out here in scalar `Float`; 7 blocks (four, then three alone).
  @Test func blockRowSumsKeepTheOrderOfEachBlock() {
    let top = randomInput([14], seed: 161).scalars
    let bottom = randomInput([14], seed: 162).scalars
    let (scale, shift): (Float, Float) = (0.37, -0.11)
    var row = [Float](repeating: .nan, count: 7)
    top.withUnsafeBufferPointer { top in
      bottom.withUnsafeBufferPointer { bottom in
        row.withUnsafeMutableBufferPointer { row in
          BlocksOf2.sumRow(
            top: top.baseAddress.unsafelyUnwrapped, bottom: bottom.baseAddress.unsafelyUnwrapped,
            into: row.baseAddress.unsafelyUnwrapped, count: 7
          ) { scale * $0 + shift }
        }
      }
    }
    let expected = (0..<7).map { column -> Float in
      let left = top[2 * column] + top[2 * column + 1]
      let sum = (left + bottom[2 * column]) + bottom[2 * column + 1]
      return scale * sum + shift
    }
    #expect(row.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// Splitting a batch across cores must give the batch's mean loss and gradients.
  @Test func splitBatchGivesTheWholeBatchGradient() {
    let model = Model.keras(seed: 2)
    let input = randomInput([40] + model.inputShape, seed: 8)
    let labels = (0..<40).map { $0 % 10 }
    let split = model.lossAndGradients(input: input, labels: labels)
    let whole = model.shareLossAndGradients(input: input, labels: labels)
    expectClose(split.loss, whole.loss)
    #expect(split.correct == whole.correct)
    for (splitLayer, wholeLayer) in zip(split.gradients, whole.gradients) {
      for (splitTensor, wholeTensor) in zip(splitLayer, wholeLayer) {
        expectClose(splitTensor, wholeTensor, relative: 1e-4, absolute: 1e-6)
      }
    }
  }

  /// The shares' gradients are averaged as `0 + w₁ · g₁ + w₂ · g₂ + …` element by element, in
  /// that order (`Model.weightedSum`, eight lanes at a time with a tail): the same bits as the
  /// scalar formula, on 21 elements (two vectors and five) of three shares, with zeros of both
  /// signs (`0 + (−0)` is +0).
  @Test func sharesAreAveragedInOrder() {
    let shares = (0..<3).map { randomInput([3, 7], seed: 171 + UInt64($0)) }
    var first = shares[0]
    first.scalars[2] = -0.0
    first.scalars[19] = -0.0
    let weights: [Float] = [0.3, 0.5, 0.2]
    let parts = [first, shares[1], shares[2]]
    let sum = Model.weightedSum(Array(zip(parts, weights)))
    var expected = [Float](repeating: 0, count: 21)
    for (part, weight) in zip(parts, weights) {
      for index in 0..<21 { expected[index] += weight * part.scalars[index] }
    }
    #expect(sum.shape == [3, 7])
    #expect(sum.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    let single = Model.weightedSum([(first, 1)])
    #expect(single.scalars[2].bitPattern == Float(0).bitPattern)
  }

  /// `SGD.update` writes the new parameters into a new array: the formula's bits, element by
  /// element, and the tensor the layer held before is left as it was.
  @Test func sgdUpdateWritesTheFormula() {
    let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
    let before = randomInput([2, 9], seed: 181)
    let gradient = randomInput([2, 9], seed: 182)
    var velocity = randomInput([2, 9], seed: 183)
    let (oldVelocity, held) = (velocity, before)
    var parameter = before
    optimizer.update(&parameter, velocity: &velocity, gradient: gradient)
    for index in 0..<18 {
      let speed = Float(0.9) * oldVelocity.scalars[index] - Float(0.1) * gradient.scalars[index]
      #expect(velocity.scalars[index].bitPattern == speed.bitPattern)
      #expect(parameter.scalars[index].bitPattern == (before.scalars[index] + speed).bitPattern)
    }
    #expect(held.scalars == before.scalars)
  }

  /// A model's inference runs each direct convolution with the squashing and pooling after it
  /// in one pass (`Conv2D.fusedForward`); it must give exactly the bits of the layers run one
  /// by one. Odd chains: a partial table, maps of 10×12 and 12×14 with widths that do not fill
  /// the 16 lanes, both squashings, both poolings, a Subsampling with and without its
  /// activation, lanes across 11 output maps, a convolution whose odd output cannot be pooled,
  /// and the two LeNets.
  @Test func fusedForwardEqualsLayerByLayer() throws {
    let partial = ConnectionTable(
      inputChannels: 3, inputsOfOutput: [[0], [1, 2], [0, 1, 2], [2], [0, 2], [1], [0, 1]])
    // Each chain with the layers its first convolution takes into its pass: the squashing, and
    // the pooling (with the Subsampling's own squashing) when the maps halve evenly.
    let chains: [(String, [Int], [any Layer], taken: Int)] = [
      (
        "average", [2, 12, 14],
        [
          Conv2D("C", inputChannels: 2, outputChannels: 7, kernelSize: 3), Activation(.tanh),
          AveragePooling("P"), Flatten(), Dense("D", inputFeatures: 7 * 5 * 6, outputFeatures: 3),
        ], 2
      ),
      (
        "subsampling", [3, 10, 12],
        [
          Conv2D(
            "C", inputChannels: 3, outputChannels: 7, kernelSize: 5, padding: .same,
            connectionTable: partial),
          Activation(.scaledTanh), Subsampling("S", channels: 7), Activation(.scaledTanh),
        ], 3
      ),
      (
        "subsampling, no activation", [3, 10, 12],
        [
          Conv2D("C", inputChannels: 3, outputChannels: 2, kernelSize: 3, padding: .same),
          Activation(.tanh), Subsampling("S", channels: 2),
        ], 2
      ),
      (
        // 11 maps fed by every input map: lanes across the outputs, whose 10×10 sums lie
        // packed (100 positions: a short last block of six and a short last tanh vector).
        "lanes across outputs", [3, 12, 12],
        [
          Conv2D("C", inputChannels: 3, outputChannels: 11, kernelSize: 3),
          Activation(.scaledTanh), Subsampling("S", channels: 11), Activation(.scaledTanh),
        ], 3
      ),
      (
        "odd output", [1, 11, 13],
        [
          Conv2D("C", inputChannels: 1, outputChannels: 3, kernelSize: 3), Activation(.tanh),
          Conv2D("C2", inputChannels: 3, outputChannels: 5, kernelSize: 1), Activation(.relu),
        ], 1
      ),
    ]
    for (name, shape, layers, taken) in chains {
      // Without the fusion the comparison below would pass trivially: check it happens.
      let convolution = try #require(layers.first as? Conv2D)
      let input = randomInput([2] + shape, seed: 80)
      let fused = convolution.fusedForward(input, following: layers.dropFirst())
      #expect(fused?.layersTaken == taken, "\(name)")
    }
    var models = try chains.map { name, shape, layers, _ in
      var model = try Model(name: name, inputShape: shape, layers: layers)
      model.initialize(.lecun1998, seed: 81)
      return model
    }
    models += [Model.keras(seed: 82), Model.lecun1998(seed: 83)]
    for model in models {
      let input = randomInput([5] + model.inputShape, seed: 84)
      let layerByLayer = model.layers.reduce(input) { $1.forward($0) }
      let fused = model.forwardThroughLayers(input)
      #expect(fused == layerByLayer, "\(model.name)")
    }
  }

  /// The fused pass against the formula in `Double` with libm's `tanh`: a 2-map 5×5 same
  /// convolution of a 1×10×12 image, tanh, 2×2 mean. Sums of 25 products of size ≤ 1, then
  /// `FastTanh` (within 4e-7 of libm) and a mean of four: within 2e-6.
  @Test func fusedConvolutionTanhAverageMatchesTheFormula() throws {
    var model = try Model(
      name: "fused", inputShape: [1, 10, 12],
      layers: [
        Conv2D("C", inputChannels: 1, outputChannels: 2, kernelSize: 5, padding: .same),
        Activation(.tanh), AveragePooling("P"),
      ])
    model.initialize(.lecun1998, seed: 91)
    let convolution = try #require(model.layers[0] as? Conv2D)
    let input = randomInput([3, 1, 10, 12], seed: 92)
    let squashed = try directConvolution(convolution, input)
    var expected = Tensor(shape: [3, 2, 5, 6])
    for n in 0..<3 {
      for o in 0..<2 {
        for y in 0..<5 {
          for x in 0..<6 {
            var sum = 0.0
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
              sum += Foundation.tanh(Double(squashed[n, o, 2 * y + dy, 2 * x + dx]))
            }
            expected[n, o, y, x] = Float(sum / 4)
          }
        }
      }
    }
    expectClose(model.forwardThroughLayers(input), expected, absolute: 2e-6)
  }

  /// 75 samples: split across the cores, then in slices of `samplesPerForwardSlice` (32) and a
  /// shorter last one.
  @Test func splitForwardEqualsOneSampleAtATime() {
    let model = Model.lecun1998(seed: 3)
    let input = randomInput([75] + model.inputShape, seed: 9)
    let batched = ThreadLimit.with(1) { model.forward(input) }
    #expect(batched == model.forward(input))
    let single = Tensor(concatenating: (0..<75).map { model.forward(input.samples($0..<$0 + 1)) })
    expectClose(batched, single, absolute: 1e-5)
  }
}
