/// Convolution without im2col, for maps of 64 pixels or more (C1, C3): the kernels read each
/// image in place from a zero-bordered copy, instead of copying every 5×5 patch into a column
/// matrix first (25 copies of each pixel, which cost more than the products: about a third of
/// a training step by `perf`).
///
/// The trick is to compute on a grid as wide as the bordered image (`rowStride` = `W + 2·pad`):
/// output position `q = y · rowStride + x` then reads input `q + ky · rowStride + kx`, a
/// constant offset per kernel tap, so 16 neighbouring outputs are one 16-lane multiply-add per
/// tap, across row ends. Positions with `x ≥ outW` are computed and dropped (C1: 28 of every
/// 32, C3: 10 of 14 are kept).
///
/// ```
/// forward:          out[o, q]   = Σ_i Σ_tap weight[o, i, tap] · in[i, q + offset(tap)]
/// weight gradient:  ∂W[o, i, tap] = Σ_q ∂out[o, q] · in[i, q + offset(tap)]      (∂out = 0 off the map)
/// input gradient:   the forward pass of ∂out, bordered by k − 1 − pad, with each kernel
///                   turned 180° and the input and output maps swapped
/// ```
/// `FastKernelTests` checks all three against the formula summed in `Double` and against the
/// im2col engine, on odd shapes.
enum DirectConvolution {
  /// The sizes of one bordered image and its computing grid.
  struct Grid {
    let channels: Int
    let height: Int
    let width: Int
    let pad: Int
    let kernelSize: Int

    var rowStride: Int { width + 2 * pad }
    var outputHeight: Int { height + 2 * pad - kernelSize + 1 }
    var outputWidth: Int { width + 2 * pad - kernelSize + 1 }
    /// Grid positions computed per output map: every row, full width, rounded up to 16 lanes.
    var positions: Int { (outputHeight * rowStride + 15) / 16 * 16 }
    /// One bordered input map, with room for the last block's reads past the bottom row.
    var planeSize: Int { (height + 2 * pad) * rowStride + 16 + kernelSize }

    /// Copies `image` (`channels × height × width`) into `planes`, zero around it.
    func border(_ image: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
      planes.update(repeating: 0, count: channels * planeSize)
      for channel in 0..<channels {
        for row in 0..<height {
          ShortRows.copy(
            image + (channel * height + row) * width,
            to: planes + channel * planeSize + (row + pad) * rowStride + pad, count: width)
        }
      }
    }

    /// Each kernel tap's distance from its output position in the bordered plane.
    var tapOffsets: [Int] {
      (0..<kernelSize * kernelSize).map { tap in
        (tap / kernelSize) * rowStride + tap % kernelSize
      }
    }
  }

  /// Output maps computed together: six 16-lane accumulators share each input load.
  static let outputBlock = 6

  /// `out[o, y, x] = bias[o] + Σ …` for one sample: `planes` is the bordered input (`grid`),
  /// `weight` is `outputs × channels × k²`, `grid` holds `outputs × positions` floats of
  /// scratch, and `output` receives `outputs × outH × outW`.
  static func forward(
    _ grid: Grid, planes: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, outputs: Int, scratch: UnsafeMutablePointer<Float>,
    output: UnsafeMutablePointer<Float>, offsets: [Int]
  ) {
    let taps = grid.kernelSize * grid.kernelSize
    let positions = grid.positions
    let weightsPerOutput = grid.channels * taps
    offsets.withUnsafeBufferPointer { offsetBuffer in
      let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
      for firstOutput in stride(from: 0, to: outputs, by: outputBlock) {
        // Outputs past the end repeat the last one; their results are not stored.
        let last = outputs - 1
        let w0 = weight + firstOutput * weightsPerOutput
        let w1 = weight + min(firstOutput + 1, last) * weightsPerOutput
        let w2 = weight + min(firstOutput + 2, last) * weightsPerOutput
        let w3 = weight + min(firstOutput + 3, last) * weightsPerOutput
        let w4 = weight + min(firstOutput + 4, last) * weightsPerOutput
        let w5 = weight + min(firstOutput + 5, last) * weightsPerOutput
        for position in stride(from: 0, to: positions, by: 16) {
          var a0 = SIMD16<Float>.zero
          var a1 = a0
          var a2 = a0
          var a3 = a0
          var a4 = a0
          var a5 = a0
          for channel in 0..<grid.channels {
            let plane = planes + channel * grid.planeSize + position
            let weightBase = channel * taps
            for tap in 0..<taps {
              let x = UnsafeRawPointer(plane + offset[tap]).loadUnaligned(as: SIMD16<Float>.self)
              let index = weightBase + tap
              a0 = a0.addingProduct(x, w0[index])
              a1 = a1.addingProduct(x, w1[index])
              a2 = a2.addingProduct(x, w2[index])
              a3 = a3.addingProduct(x, w3[index])
              a4 = a4.addingProduct(x, w4[index])
              a5 = a5.addingProduct(x, w5[index])
            }
          }
          @inline(__always)
          func store(_ sums: SIMD16<Float>, _ slot: Int) {
            guard firstOutput + slot < outputs else { return }
            UnsafeMutableRawPointer(scratch + (firstOutput + slot) * positions + position)
              .storeBytes(of: sums, as: SIMD16<Float>.self)
          }
          store(a0, 0)
          store(a1, 1)
          store(a2, 2)
          store(a3, 3)
          store(a4, 4)
          store(a5, 5)
        }
      }
    }
    // Keep the first outW of every grid row, adding the bias.
    let (height, width, rowStride) = (grid.outputHeight, grid.outputWidth, grid.rowStride)
    for map in 0..<outputs {
      let start = bias?[map] ?? 0
      for row in 0..<height {
        let source = scratch + map * positions + row * rowStride
        let target = output + (map * height + row) * width
        for column in 0..<width { target[column] = source[column] + start }
      }
    }
  }

  /// Adds one sample's weight gradient, lane by lane, into `partial` (`outputs × channels × k²`
  /// vectors of 8; their lanes are summed once per batch by `finishWeightGradient`).
  /// `outputGradient` is `outputs × positions` on the grid, zero off the map.
  static func accumulateWeightGradient(
    _ grid: Grid, planes: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    outputs: Int, partial: UnsafeMutablePointer<SIMD8<Float>>, offsets: [Int]
  ) {
    let taps = grid.kernelSize * grid.kernelSize
    let positions = grid.positions
    offsets.withUnsafeBufferPointer { offsetBuffer in
      let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
      for channel in 0..<grid.channels {
        let plane = planes + channel * grid.planeSize
        for firstOutput in stride(from: 0, to: outputs, by: outputBlock) {
          // Outputs past the end repeat the last one; their sums are not added.
          let last = outputs - 1
          let g0 = outputGradient + firstOutput * positions
          let g1 = outputGradient + min(firstOutput + 1, last) * positions
          let g2 = outputGradient + min(firstOutput + 2, last) * positions
          let g3 = outputGradient + min(firstOutput + 3, last) * positions
          let g4 = outputGradient + min(firstOutput + 4, last) * positions
          let g5 = outputGradient + min(firstOutput + 5, last) * positions
          for firstTap in stride(from: 0, to: taps, by: 2) {
            let secondTap = min(firstTap + 1, taps - 1)
            let (p, r) = (plane + offset[firstTap], plane + offset[secondTap])
            var s00 = SIMD8<Float>.zero
            var s01 = s00
            var s10 = s00
            var s11 = s00
            var s20 = s00
            var s21 = s00
            var s30 = s00
            var s31 = s00
            var s40 = s00
            var s41 = s00
            var s50 = s00
            var s51 = s00
            for position in stride(from: 0, to: positions, by: 8) {
              let x = MatrixMultiply.load8(p + position)
              let z = MatrixMultiply.load8(r + position)
              var g = MatrixMultiply.load8(g0 + position)
              s00 = s00.addingProduct(g, x)
              s01 = s01.addingProduct(g, z)
              g = MatrixMultiply.load8(g1 + position)
              s10 = s10.addingProduct(g, x)
              s11 = s11.addingProduct(g, z)
              g = MatrixMultiply.load8(g2 + position)
              s20 = s20.addingProduct(g, x)
              s21 = s21.addingProduct(g, z)
              g = MatrixMultiply.load8(g3 + position)
              s30 = s30.addingProduct(g, x)
              s31 = s31.addingProduct(g, z)
              g = MatrixMultiply.load8(g4 + position)
              s40 = s40.addingProduct(g, x)
              s41 = s41.addingProduct(g, z)
              g = MatrixMultiply.load8(g5 + position)
              s50 = s50.addingProduct(g, x)
              s51 = s51.addingProduct(g, z)
            }
            @inline(__always)
            func add(_ first: SIMD8<Float>, _ second: SIMD8<Float>, _ slot: Int) {
              guard firstOutput + slot < outputs else { return }
              let base = ((firstOutput + slot) * grid.channels + channel) * taps
              partial[base + firstTap] += first
              if secondTap != firstTap { partial[base + secondTap] += second }
            }
            add(s00, s01, 0)
            add(s10, s11, 1)
            add(s20, s21, 2)
            add(s30, s31, 3)
            add(s40, s41, 4)
            add(s50, s51, 5)
          }
        }
      }
    }
  }

  /// Lays one sample's `outputs × outH × outW` gradient out on the grid, zero elsewhere.
  static func spread(
    _ grid: Grid, outputGradient: UnsafePointer<Float>, outputs: Int,
    into target: UnsafeMutablePointer<Float>
  ) {
    let (height, width, positions) = (grid.outputHeight, grid.outputWidth, grid.positions)
    target.update(repeating: 0, count: outputs * positions)
    for map in 0..<outputs {
      for row in 0..<height {
        ShortRows.copy(
          outputGradient + (map * height + row) * width,
          to: target + map * positions + row * grid.rowStride, count: width)
      }
    }
  }
}
