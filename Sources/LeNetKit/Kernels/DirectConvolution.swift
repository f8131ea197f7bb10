/// Convolution without im2col, for maps of 64 pixels or more (C1, C3): the kernels read each
/// image in place from a zero-bordered copy, instead of copying every 5×5 patch into a column
/// matrix first (25 copies of each pixel, which cost more than the products: about a third of
/// a training step by `perf`).
///
/// The trick is to compute on a grid as wide as the bordered image (`rowStride` = `W + 2·pad`):
/// output position `q = y · rowStride + x` then reads input `q + ky · rowStride + kx`, a
/// constant offset per kernel tap, so 16 neighbouring outputs are one 16-lane multiply-add per
/// tap, across row ends. Positions with `x ≥ outW` are computed and dropped (C1: 28 of every
/// 32, C3: 10 of 14 are kept). The work is cut into blocks of one input map and up to six of
/// the output maps it feeds (`Links`), so a partial connection table costs only its links.
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
    /// Whether one gap of `pad` zeros between rows serves as the right border of one row and the
    /// left border of the next (`rowStride` = `W + pad`, at least `outW`) instead of a gap of
    /// `2 · pad`. A tap at most `pad` columns past a row's end then reads the next row's left
    /// gap: zero either way, so the kept outputs are the same sums, and fewer dropped columns
    /// are computed (C1: 2 of 30 instead of 4 of 32; the input gradient's grid bordered by
    /// `k − 1`: none of C3's 14 instead of 4 of 18). Not for the weight gradient, whose lanes
    /// sum positions in the grid's order.
    var sharesRowGaps = false

    var rowStride: Int {
      sharesRowGaps ? max(width + pad, outputWidth) : width + 2 * pad
    }
    var outputHeight: Int { height + 2 * pad - kernelSize + 1 }
    var outputWidth: Int { width + 2 * pad - kernelSize + 1 }
    /// Grid positions computed per output map: every row, full width, rounded up to 16 lanes.
    var positions: Int { (outputHeight * rowStride + 15) / 16 * 16 }
    /// The positions the weight gradient sums, eight at a time: up to the last output's 8-lane
    /// group. The groups after it hold dropped columns only, whose gradient is zero (C3: the
    /// last of 18 groups), so leaving them out removes `0 · x` terms from the end of each
    /// lane's sum, which keeps its bits (unless the sum had underflowed to −0, where adding
    /// `0 · x` could only flip the sign of that zero).
    var weightGradientPositions: Int {
      ((outputHeight - 1) * rowStride + outputWidth + 7) / 8 * 8
    }
    /// One bordered input map, with room for the last block's reads past the bottom row, rounded
    /// up to whole vectors of eight, so that every plane of an aligned buffer starts aligned (the
    /// weight gradient reads lecun1998's C3 gradient from these planes: `gridInsideBorder`).
    var planeSize: Int { ((height + 2 * pad) * rowStride + 16 + kernelSize + 7) / 8 * 8 }

    /// Copies `image` (`channels × height × width`) into `planes`, zero around it.
    func border(_ image: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
      planes.update(repeating: 0, count: channels * planeSize)
      copyInterior(image, into: planes)
    }

    /// `border` into planes whose border is already zero: every sample of a batch writes the
    /// same interior positions and none of the border, so the planes are zeroed once per batch
    /// instead of once per sample (the backward pass's two borderings zeroed 5,000 floats per
    /// sample of C3 to copy 2,200).
    func copyInterior(_ image: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
      if rowStride == width {
        // No border (C3's weight gradient): each map is one run of `height · width` floats.
        for channel in 0..<channels {
          ShortRows.copy(
            image + channel * height * width, to: planes + channel * planeSize,
            count: height * width)
        }
        return
      }
      for channel in 0..<channels {
        for row in 0..<height {
          ShortRows.copy(
            image + (channel * height + row) * width,
            to: planes + channel * planeSize + (row + pad) * rowStride + pad, count: width)
        }
      }
    }

    /// The taps that read an image row, not the zero border, for some output position of
    /// `position..<position + 16` (`Block.tapsReadingTheImage`).
    @inline(__always)
    func tapsReadingTheImage(from position: Int) -> Range<Int> {
      let size = kernelSize
      guard pad > 0 else { return 0..<size * size }
      let (firstRow, lastRow) = (position / rowStride, (position + 15) / rowStride)
      let firstKernelRow = max(0, pad - lastRow)
      let lastKernelRow = min(size - 1, pad + height - 1 - firstRow)
      guard firstKernelRow <= lastKernelRow else { return 0..<0 }
      return firstKernelRow * size..<(lastKernelRow + 1) * size
    }

    /// Each kernel tap's distance from its output position in the bordered plane.
    var tapOffsets: [Int] {
      (0..<kernelSize * kernelSize).map { tap in
        (tap / kernelSize) * rowStride + tap % kernelSize
      }
    }
  }

  /// Output maps computed together: up to six 16-lane accumulators share each input load.
  static let outputBlock = 6

  /// Which output maps each input map feeds, cut into blocks of at most `outputBlock` maps that
  /// share each load of the input. Only linked kernels are computed: C3's Table I has 60 of
  /// its 96 kernels, so the other 36 cost nothing (they are zero, and adding `0 · x` changes
  /// no sum, so the results are the same bits as computing them).
  struct Links: Sendable {
    /// The input map each block reads.
    let channels: [Int]
    /// `outputBlock` output maps per block; past the block's `counts` entry the last repeats.
    let maps: [Int]
    /// How many of each block's maps are real.
    let counts: [Int]
    /// Whether every input map, in order, feeds the same maps `0..<counts[0]` in one block (a
    /// full table of at most `outputBlock` maps: C1, and the input gradient of keras' C3).
    let isOneBlockPerChannel: Bool

    /// The blocks for `outputsOfChannel[i]`, the output maps that input map `i` feeds, channel
    /// by channel, so that each output map adds its channels in increasing order, as the
    /// formula does.
    init(outputsOfChannel: [[Int]]) {
      var (channels, maps, counts) = ([Int](), [Int](), [Int]())
      for (channel, outputs) in outputsOfChannel.enumerated() {
        for first in stride(from: 0, to: outputs.count, by: outputBlock) {
          let block = outputs[first..<min(first + outputBlock, outputs.count)]
          channels.append(channel)
          counts.append(block.count)
          maps +=
            block + Array(repeating: block[block.endIndex - 1], count: outputBlock - block.count)
        }
      }
      (self.channels, self.maps, self.counts) = (channels, maps, counts)
      let width = counts.first ?? 0
      let firstBlock = Array(0..<width) + Array(repeating: width - 1, count: outputBlock - width)
      isOneBlockPerChannel =
        width > 0 && channels == Array(0..<outputsOfChannel.count)
        && counts.allSatisfy { $0 == width }
        && (0..<channels.count).allSatisfy { block in
          Array(maps[block * outputBlock..<(block + 1) * outputBlock]) == firstBlock
        }
    }
  }

  /// `out[o, y, x] = bias[o] + Σ …` for one sample: `planes` is the bordered input (`grid`),
  /// `weight` is `outputs × channels × k²` (kernels that `links` leaves out are not read),
  /// `scratch` holds `outputs × positions` floats, and `output` receives `outputs × outH × outW`
  /// (or what `stage` makes of them).
  static func forward(
    _ grid: Grid, planes: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, outputs: Int, links: Links, scratch: UnsafeMutablePointer<Float>,
    output: UnsafeMutablePointer<Float>, offsets: [Int], stage: OutputStage = .sums,
    lanesAcrossOutputs packed: UnsafePointer<Float>? = nil
  ) {
    let positions = grid.positions
    if let packed {
      forwardAcrossOutputs(
        grid, planes: planes, packedWeight: packed, outputs: outputs, scratch: scratch,
        offsets: offsets)
      finish(grid, sums: scratch, bias: bias, outputs: outputs, stage: stage, output: output)
      return
    }
    if links.isOneBlockPerChannel && links.counts[0] == outputs {
      offsets.withUnsafeBufferPointer { offsetBuffer in
        let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
        switch outputs {
        case 1: forwardAllChannels(Width1.self, grid, planes, offset, weight, scratch)
        case 2: forwardAllChannels(Width2.self, grid, planes, offset, weight, scratch)
        case 3: forwardAllChannels(Width3.self, grid, planes, offset, weight, scratch)
        case 4: forwardAllChannels(Width4.self, grid, planes, offset, weight, scratch)
        case 5: forwardAllChannels(Width5.self, grid, planes, offset, weight, scratch)
        default: forwardAllChannels(Width6.self, grid, planes, offset, weight, scratch)
        }
      }
      finish(grid, sums: scratch, bias: bias, outputs: outputs, stage: stage, output: output)
      return
    }
    // Each block adds its channel into the sums of its maps, which start at zero.
    scratch.update(repeating: 0, count: outputs * positions)
    // The taps each group of 16 positions reads, found once per sample rather than once per
    // block (two integer divisions each; C3's input gradient has 16 blocks of 13 groups).
    let groups = positions / 16
    withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: groups) { ranges in
      for group in 0..<groups {
        ranges.initializeElement(at: group, to: grid.tapsReadingTheImage(from: group * 16))
      }
      let reading = UnsafePointer(ranges.baseAddress.unsafelyUnwrapped)
      forwardBlocks(
        grid, planes: planes, weight: weight, links: links, scratch: scratch, offsets: offsets,
        reading: reading)
    }
    finish(grid, sums: scratch, bias: bias, outputs: outputs, stage: stage, output: output)
  }

  /// `forward`'s loop over the blocks of `links`, each adding its channel into the sums of its
  /// maps; `reading[g]` is the taps that group `g` of 16 positions reads.
  private static func forwardBlocks(
    _ grid: Grid, planes: UnsafePointer<Float>, weight: UnsafePointer<Float>, links: Links,
    scratch: UnsafeMutablePointer<Float>, offsets: [Int], reading: UnsafePointer<Range<Int>>
  ) {
    let taps = grid.kernelSize * grid.kernelSize
    let weightsPerOutput = grid.channels * taps
    offsets.withUnsafeBufferPointer { offsetBuffer in
      links.maps.withUnsafeBufferPointer { mapBuffer in
        let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
        for index in links.channels.indices {
          let channel = links.channels[index]
          let maps = mapBuffer.baseAddress.unsafelyUnwrapped + index * outputBlock
          let block = Block(
            maps: maps, plane: planes + channel * grid.planeSize, offset: offset, grid: grid)
          let kernels = weight + channel * taps
          // One specialisation per width, so that each keeps its accumulators in registers
          // and its loop has no test of the width (a type, not a literal: see `BlockWidth`).
          switch links.counts[index] {
          case 1: forwardBlock(Width1.self, block, kernels, weightsPerOutput, scratch, reading)
          case 2: forwardBlock(Width2.self, block, kernels, weightsPerOutput, scratch, reading)
          case 3: forwardBlock(Width3.self, block, kernels, weightsPerOutput, scratch, reading)
          case 4: forwardBlock(Width4.self, block, kernels, weightsPerOutput, scratch, reading)
          case 5: forwardBlock(Width5.self, block, kernels, weightsPerOutput, scratch, reading)
          default: forwardBlock(Width6.self, block, kernels, weightsPerOutput, scratch, reading)
          }
        }
      }
    }
  }

  /// What the forward pass does with a sample's sums besides adding the bias: nothing (a layer's
  /// `forward`), or, for a model's inference (`Conv2D.fusedForward`), the squashing and pooling
  /// layers that follow, while the maps are still in cache, instead of two or three more passes
  /// over memory. Each step is the same arithmetic as its layer's `forward`, so the same bits.
  struct OutputStage {
    /// `amplitude · tanh(slope · x)` (`Activation`'s tanh and scaled tanh), if any.
    var squash: (slope: Float, amplitude: Float)?
    /// The 2×2 pooling after the squashing.
    var pooling: Pooling = .none
    /// The squashing after the pooling, if any.
    var squashAfterPooling: (slope: Float, amplitude: Float)?

    enum Pooling {
      case none
      /// `AveragePooling` of 2×2 blocks.
      case average
      /// `Subsampling`: `coefficient[map] · (sum of 4) + bias[map]`.
      case subsampling(coefficient: [Float], bias: [Float])
    }

    /// The sums plus the bias, as `Convolution.forward` stores them.
    static var sums: OutputStage { OutputStage() }

    /// Floats per output map after the pooling, for maps of `height × width`.
    func mapSize(height: Int, width: Int) -> Int {
      if case .none = pooling { return height * width }
      return (height / 2) * (width / 2)
    }
  }

  /// Adds the bias to the grid's sums, applies `stage`, and stores the first `outW` of every
  /// grid row (halved by a pooling) into `output`.
  private static func finish(
    _ grid: Grid, sums scratch: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
    outputs: Int, stage: OutputStage, output: UnsafeMutablePointer<Float>
  ) {
    let (height, width, rowStride) = (grid.outputHeight, grid.outputWidth, grid.rowStride)
    let positions = grid.positions
    let mapSize = stage.mapSize(height: height, width: width)
    for map in 0..<outputs {
      let start = bias?[map] ?? 0
      let sums = scratch + map * positions
      let target = output + map * mapSize
      guard stage.squash != nil || stage.squashAfterPooling != nil else {
        if case .none = stage.pooling {
          // Keep the first outW of every grid row, adding the bias (eight lanes at a time: the
          // element loop was not vectorised, and cost twice C1's kernel in training).
          for row in 0..<height {
            ShortRows.copy(
              sums + row * rowStride, to: target + row * width, count: width, adding: start)
          }
          continue
        }
        preconditionFailure("a pooling stage without squashing is not fused")
      }
      // In place on the grid: the dropped columns are squashed too, which is cheaper than
      // going row by row.
      for position in 0..<positions { sums[position] += start }
      if let squash = stage.squash {
        FastTanh.apply(
          from: sums, to: sums, count: positions, slope: squash.slope,
          amplitude: squash.amplitude)
      }
      switch stage.pooling {
      case .none:
        for row in 0..<height {
          ShortRows.copy(sums + row * rowStride, to: target + row * width, count: width)
        }
      case .average:
        for row in 0..<height / 2 {
          let top = sums + 2 * row * rowStride
          // `AveragePooling.averageBlocksOf2`'s sum and scale.
          BlocksOf2.sumRow(
            top: top, bottom: top + rowStride, into: target + row * (width / 2), count: width / 2
          ) { $0 * 0.25 }
        }
      case .subsampling(let coefficient, let shift):
        let (scale, offset) = (coefficient[map], shift[map])
        for row in 0..<height / 2 {
          let top = sums + 2 * row * rowStride
          // `Subsampling.forward`'s sum and scale.
          BlocksOf2.sumRow(
            top: top, bottom: top + rowStride, into: target + row * (width / 2), count: width / 2
          ) { scale * $0 + offset }
        }
      }
      if let squash = stage.squashAfterPooling {
        FastTanh.apply(
          from: target, to: target, count: mapSize, slope: squash.slope,
          amplitude: squash.amplitude)
      }
    }
  }

  /// Whether `forward` should put 16 output maps, rather than 16 positions, in a vector's
  /// lanes: for 9 to 16 output maps fed by every input map (keras' C3), where the positions'
  /// lanes would compute 144 grid positions for 100 outputs (each row's `k − 1` dropped
  /// columns) but the maps' lanes compute 102. A partial table keeps the blocks of its links,
  /// which skip more (C3 with Table I: 60 of 96 kernels).
  static func usesLanesAcrossOutputs(outputs: Int, links: Links, channels: Int) -> Bool {
    // Each link appears once, so a full count is a full table.
    (9...16).contains(outputs) && links.counts.reduce(0, +) == outputs * channels
  }

  /// `weight` (`outputs × channels × k²`) laid out for `forwardAcrossOutputs`: for each input
  /// map and tap, the 16 output maps' weights side by side, zero past `outputs`.
  static func packAcrossOutputs(
    _ weight: UnsafePointer<Float>, outputs: Int, channels: Int, taps: Int,
    into packed: UnsafeMutablePointer<Float>
  ) {
    packed.update(repeating: 0, count: channels * taps * 16)
    for output in 0..<outputs {
      for channel in 0..<channels {
        for tap in 0..<taps {
          packed[(channel * taps + tap) * 16 + output] =
            weight[(output * channels + channel) * taps + tap]
        }
      }
    }
  }

  /// The sums of `forward` with the 16 lanes across output maps: six output positions at a
  /// time, each input value broadcast and multiplied by the 16 maps' weights of its tap. Each
  /// map's sum takes the same products in the same order as in the positions' lanes (input map
  /// by input map, tap by tap, starting at zero), so the same bits. Writes the output positions
  /// of the grid's sums; the dropped columns stay as they were.
  private static func forwardAcrossOutputs(
    _ grid: Grid, planes: UnsafePointer<Float>, packedWeight: UnsafePointer<Float>, outputs: Int,
    scratch: UnsafeMutablePointer<Float>, offsets: [Int]
  ) {
    let taps = grid.kernelSize * grid.kernelSize
    let (height, width, rowStride) = (grid.outputHeight, grid.outputWidth, grid.rowStride)
    let (count, positions) = (height * width, grid.positions)
    offsets.withUnsafeBufferPointer { offsetBuffer in
      let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
      for first in stride(from: 0, to: count, by: 6) {
        // Grid positions of the block's six outputs; past the end the last one repeats.
        @inline(__always)
        func gridPosition(_ slot: Int) -> Int {
          let index = min(first + slot, count - 1)
          return (index / width) * rowStride + index % width
        }
        let (q0, q1, q2, q3, q4, q5) = (
          gridPosition(0), gridPosition(1), gridPosition(2), gridPosition(3), gridPosition(4),
          gridPosition(5)
        )
        var a0 = SIMD16<Float>.zero
        var a1 = a0
        var a2 = a0
        var a3 = a0
        var a4 = a0
        var a5 = a0
        for channel in 0..<grid.channels {
          let plane = planes + channel * grid.planeSize
          let kernels = packedWeight + channel * taps * 16
          for tap in 0..<taps {
            let w = load16(kernels + tap * 16)
            let source = plane + offset[tap]
            a0 = a0.addingProduct(w, source[q0])
            a1 = a1.addingProduct(w, source[q1])
            a2 = a2.addingProduct(w, source[q2])
            a3 = a3.addingProduct(w, source[q3])
            a4 = a4.addingProduct(w, source[q4])
            a5 = a5.addingProduct(w, source[q5])
          }
        }
        @inline(__always)
        func store(_ sums: SIMD16<Float>, _ slot: Int, _ position: Int) {
          guard first + slot < count else { return }
          for map in 0..<outputs { scratch[map * positions + position] = sums[map] }
        }
        store(a0, 0, q0)
        store(a1, 1, q1)
        store(a2, 2, q2)
        store(a3, 3, q3)
        store(a4, 4, q4)
        store(a5, 5, q5)
      }
    }
  }

  /// `sums[j][q] += Σ_tap kernels[j][tap] · plane[q + offset[tap]]` for the first `width` maps
  /// of a block, 16 positions at a time.
  /// (`kernels[j]` is `kernels + maps[j] · kernelStride`, `sums[j]` is `scratch + maps[j] ·
  /// positions`).
  @inline(__always)
  private static func forwardBlock<Width: BlockWidth>(
    _: Width.Type, _ block: Block, _ kernels: UnsafePointer<Float>, _ kernelStride: Int,
    _ scratch: UnsafeMutablePointer<Float>, _ reading: UnsafePointer<Range<Int>>
  ) {
    let width = Width.count
    let (maps, positions, offset) = (block.maps, block.positions, block.offset)
    let (w0, w1, w2) = (
      kernels + maps[0] * kernelStride, kernels + maps[1] * kernelStride,
      kernels + maps[2] * kernelStride
    )
    let (w3, w4, w5) = (
      kernels + maps[3] * kernelStride, kernels + maps[4] * kernelStride,
      kernels + maps[5] * kernelStride
    )
    let (s0, s1, s2) = (
      scratch + maps[0] * positions, scratch + maps[1] * positions, scratch + maps[2] * positions
    )
    let (s3, s4, s5) = (
      scratch + maps[3] * positions, scratch + maps[4] * positions, scratch + maps[5] * positions
    )
    for position in stride(from: 0, to: positions, by: 16) {
      var a0 = load16(s0 + position)
      var a1 = width > 1 ? load16(s1 + position) : .zero
      var a2 = width > 2 ? load16(s2 + position) : .zero
      var a3 = width > 3 ? load16(s3 + position) : .zero
      var a4 = width > 4 ? load16(s4 + position) : .zero
      var a5 = width > 5 ? load16(s5 + position) : .zero
      let source = block.plane + position
      for tap in reading[position / 16] {
        let x = load16(source + offset[tap])
        a0 = a0.addingProduct(x, w0[tap])
        if width > 1 { a1 = a1.addingProduct(x, w1[tap]) }
        if width > 2 { a2 = a2.addingProduct(x, w2[tap]) }
        if width > 3 { a3 = a3.addingProduct(x, w3[tap]) }
        if width > 4 { a4 = a4.addingProduct(x, w4[tap]) }
        if width > 5 { a5 = a5.addingProduct(x, w5[tap]) }
      }
      store16(a0, s0 + position)
      if width > 1 { store16(a1, s1 + position) }
      if width > 2 { store16(a2, s2 + position) }
      if width > 3 { store16(a3, s3 + position) }
      if width > 4 { store16(a4, s4 + position) }
      if width > 5 { store16(a5, s5 + position) }
    }
  }

  /// `forwardBlock` for every channel at once, when each channel feeds all `width` maps (`Links.
  /// isOneBlockPerChannel`): each block of 16 positions keeps its sums in registers from the first
  /// channel to the last and stores them once, instead of loading and storing them per channel
  /// after a zero fill. Each sum takes the same products in the same order (channel by channel,
  /// tap by tap, from +0), so the same bits.
  @inline(__always)
  private static func forwardAllChannels<Width: BlockWidth>(
    _: Width.Type, _ grid: Grid, _ planes: UnsafePointer<Float>, _ offset: UnsafePointer<Int>,
    _ weight: UnsafePointer<Float>, _ scratch: UnsafeMutablePointer<Float>
  ) {
    let width = Width.count
    let (taps, positions) = (grid.kernelSize * grid.kernelSize, grid.positions)
    let kernelStride = grid.channels * taps
    let maps = [0, 1, 2, 3, 4, 5]
    maps.withUnsafeBufferPointer { mapBuffer in
      // Which taps read the image depends on the positions only, not on the channel.
      let block = Block(
        maps: mapBuffer.baseAddress.unsafelyUnwrapped, plane: planes, offset: offset, grid: grid)
      for position in stride(from: 0, to: positions, by: 16) {
        var a0 = SIMD16<Float>.zero
        var a1 = a0
        var a2 = a0
        var a3 = a0
        var a4 = a0
        var a5 = a0
        let reading = block.tapsReadingTheImage(from: position)
        for channel in 0..<grid.channels {
          let source = planes + channel * grid.planeSize + position
          let w0 = weight + channel * taps
          let (w1, w2, w3, w4, w5) = (
            w0 + kernelStride, w0 + 2 * kernelStride, w0 + 3 * kernelStride,
            w0 + 4 * kernelStride, w0 + 5 * kernelStride
          )
          for tap in reading {
            let x = load16(source + offset[tap])
            a0 = a0.addingProduct(x, w0[tap])
            if width > 1 { a1 = a1.addingProduct(x, w1[tap]) }
            if width > 2 { a2 = a2.addingProduct(x, w2[tap]) }
            if width > 3 { a3 = a3.addingProduct(x, w3[tap]) }
            if width > 4 { a4 = a4.addingProduct(x, w4[tap]) }
            if width > 5 { a5 = a5.addingProduct(x, w5[tap]) }
          }
        }
        store16(a0, scratch + position)
        if width > 1 { store16(a1, scratch + positions + position) }
        if width > 2 { store16(a2, scratch + 2 * positions + position) }
        if width > 3 { store16(a3, scratch + 3 * positions + position) }
        if width > 4 { store16(a4, scratch + 4 * positions + position) }
        if width > 5 { store16(a5, scratch + 5 * positions + position) }
      }
    }
  }

  /// Adds one sample's weight gradient, lane by lane, into `partial` (`outputs × channels × k²`
  /// vectors of 8; their lanes are summed once per batch by the caller). `outputGradient` holds
  /// each output map on the grid (`weightGradientPositions` floats, zero off the map), map `o`
  /// at `o · gradientStride`; kernels that `links` leaves out get nothing.
  static func accumulateWeightGradient(
    _ grid: Grid, planes: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    gradientStride: Int, links: Links, partial: UnsafeMutablePointer<SIMD8<Float>>,
    offsets: [Int]
  ) {
    let taps = grid.kernelSize * grid.kernelSize
    offsets.withUnsafeBufferPointer { offsetBuffer in
      links.maps.withUnsafeBufferPointer { mapBuffer in
        let offset = offsetBuffer.baseAddress.unsafelyUnwrapped
        for index in links.channels.indices {
          let channel = links.channels[index]
          let maps = mapBuffer.baseAddress.unsafelyUnwrapped + index * outputBlock
          let block = Block(
            maps: maps, plane: planes + channel * grid.planeSize, offset: offset, grid: grid)
          let targets = partial + channel * taps
          switch links.counts[index] {
          case 1:
            weightGradientBlock(
              Width1.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          case 2:
            weightGradientBlock(
              Width2.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          case 3:
            weightGradientBlock(
              Width3.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          case 4:
            weightGradientBlock(
              Width4.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          case 5:
            weightGradientBlock(
              Width5.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          default:
            weightGradientBlock(
              Width6.self, block, outputGradient, gradientStride, targets, grid.channels * taps)
          }
        }
      }
    }
  }

  /// `targets[j][tap] += Σ_q gradients[j][q] · plane[q + offset[tap]]` (lane by lane) for the
  /// first `width` maps of a block, two taps at a time.
  /// (`gradients[j]` is `outputGradient + maps[j] · gradientStride`, `targets[j]` is `targets +
  /// maps[j] · targetStride`).
  @inline(__always)
  private static func weightGradientBlock<Width: BlockWidth>(
    _: Width.Type, _ block: Block, _ outputGradient: UnsafePointer<Float>, _ gradientStride: Int,
    _ targets: UnsafeMutablePointer<SIMD8<Float>>, _ targetStride: Int
  ) {
    let width = Width.count
    let (maps, taps, offset, plane) = (block.maps, block.taps, block.offset, block.plane)
    let (g0, g1, g2) = (
      outputGradient + maps[0] * gradientStride, outputGradient + maps[1] * gradientStride,
      outputGradient + maps[2] * gradientStride
    )
    let (g3, g4, g5) = (
      outputGradient + maps[3] * gradientStride, outputGradient + maps[4] * gradientStride,
      outputGradient + maps[5] * gradientStride
    )
    let livePositions = block.grid.weightGradientPositions
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
      for position in stride(from: 0, to: livePositions, by: 8) {
        let x = MatrixMultiply.load8(p + position)
        let z = MatrixMultiply.load8(r + position)
        var g = MatrixMultiply.load8(g0 + position)
        s00 = s00.addingProduct(g, x)
        s01 = s01.addingProduct(g, z)
        if width > 1 {
          g = MatrixMultiply.load8(g1 + position)
          s10 = s10.addingProduct(g, x)
          s11 = s11.addingProduct(g, z)
        }
        if width > 2 {
          g = MatrixMultiply.load8(g2 + position)
          s20 = s20.addingProduct(g, x)
          s21 = s21.addingProduct(g, z)
        }
        if width > 3 {
          g = MatrixMultiply.load8(g3 + position)
          s30 = s30.addingProduct(g, x)
          s31 = s31.addingProduct(g, z)
        }
        if width > 4 {
          g = MatrixMultiply.load8(g4 + position)
          s40 = s40.addingProduct(g, x)
          s41 = s41.addingProduct(g, z)
        }
        if width > 5 {
          g = MatrixMultiply.load8(g5 + position)
          s50 = s50.addingProduct(g, x)
          s51 = s51.addingProduct(g, z)
        }
      }
      @inline(__always)
      func add(_ first: SIMD8<Float>, _ second: SIMD8<Float>, _ slot: Int) {
        guard slot < width else { return }
        let target = targets + maps[slot] * targetStride
        target[firstTap] += first
        if secondTap != firstTap { target[secondTap] += second }
      }
      add(s00, s01, 0)
      add(s10, s11, 1)
      add(s20, s21, 2)
      add(s30, s31, 3)
      add(s40, s41, 4)
      add(s50, s51, 5)
    }
  }

  /// The map's output positions on the weight gradient's grid, sorted into the eight lanes that
  /// `accumulateWeightGradient` sums them in (`q mod 8`), each lane's in increasing order:
  /// what `accumulateWeightGradientAcrossOutputs` walks instead of the whole grid.
  struct LaneClasses {
    /// Grid positions `q`, lane 0's first, then lane 1's, …
    let positions: [Int]
    /// The output index (`y · outW + x`) of each of `positions`.
    let outputs: [Int]
    /// Where each lane's positions start in `positions`; a ninth entry ends the last.
    let starts: [Int]

    init(_ grid: Grid) {
      var lanes = [[(Int, Int)]](repeating: [], count: 8)
      for y in 0..<grid.outputHeight {
        for x in 0..<grid.outputWidth {
          let position = y * grid.rowStride + x
          lanes[position % 8].append((position, y * grid.outputWidth + x))
        }
      }
      positions = lanes.flatMap { $0.map(\.0) }
      outputs = lanes.flatMap { $0.map(\.1) }
      var starts = [0]
      for lane in lanes { starts.append(starts[starts.count - 1] + lane.count) }
      self.starts = starts
    }
  }

  /// `accumulateWeightGradient` with the 16 output maps in a vector's lanes, for a full table of
  /// 9 to 16 maps (keras' C3, as `usesLanesAcrossOutputs`): it visits only the output positions,
  /// each input value broadcast against the 16 maps' gradients at that position
  /// (`packedGradient`, 16 floats per output position, zero past `outputs`), where the grid's
  /// lanes summed C3's 136 positions per map for 100 outputs (26% fewer multiply-adds). Each of
  /// the grid kernel's lane sums is kept: `partial[(channel · k² + tap) · 8 + lane]` holds, map
  /// by map in its lanes, what lane `lane` of that kernel's vector held, the same products added
  /// in the same order from +0. (The grid's positions off the map added `0 · x`, which leaves a
  /// sum unchanged unless it had underflowed to −0, where it can flip the sign of a zero.)
  static func accumulateWeightGradientAcrossOutputs(
    _ grid: Grid, planes: UnsafePointer<Float>, packedGradient: UnsafePointer<Float>,
    classes: LaneClasses, partial: UnsafeMutablePointer<SIMD16<Float>>
  ) {
    let (size, rowStride) = (grid.kernelSize, grid.rowStride)
    let taps = size * size
    classes.positions.withUnsafeBufferPointer { positionBuffer in
      classes.outputs.withUnsafeBufferPointer { outputBuffer in
        let (positions, outputs) = (
          positionBuffer.baseAddress.unsafelyUnwrapped, outputBuffer.baseAddress.unsafelyUnwrapped
        )
        for channel in 0..<grid.channels {
          let plane = planes + channel * grid.planeSize
          for kernelRow in 0..<size {
            for firstColumn in stride(from: 0, to: size, by: 5) {
              let row = plane + kernelRow * rowStride + firstColumn
              let targets = partial + (channel * taps + kernelRow * size + firstColumn) * 8
              switch min(5, size - firstColumn) {
              case 1:
                weightGradientAcrossOutputs(
                  Width1.self, row, packedGradient, positions, outputs, classes.starts, targets)
              case 2:
                weightGradientAcrossOutputs(
                  Width2.self, row, packedGradient, positions, outputs, classes.starts, targets)
              case 3:
                weightGradientAcrossOutputs(
                  Width3.self, row, packedGradient, positions, outputs, classes.starts, targets)
              case 4:
                weightGradientAcrossOutputs(
                  Width4.self, row, packedGradient, positions, outputs, classes.starts, targets)
              default:
                weightGradientAcrossOutputs(
                  Width5.self, row, packedGradient, positions, outputs, classes.starts, targets)
              }
            }
          }
        }
      }
    }
  }

  /// `targets[j · 8 + lane] += Σ_q gradient[q] · row[q + j]` over lane `lane`'s positions, for
  /// the first `width` taps of a kernel row (`row` already offset to the first of them).
  @inline(__always)
  private static func weightGradientAcrossOutputs<Width: BlockWidth>(
    _: Width.Type, _ row: UnsafePointer<Float>, _ gradient: UnsafePointer<Float>,
    _ positions: UnsafePointer<Int>, _ outputs: UnsafePointer<Int>, _ starts: [Int],
    _ targets: UnsafeMutablePointer<SIMD16<Float>>
  ) {
    let width = Width.count
    for lane in 0..<8 {
      var a0 = SIMD16<Float>.zero
      var a1 = a0
      var a2 = a0
      var a3 = a0
      var a4 = a0
      for index in starts[lane]..<starts[lane + 1] {
        let g = load16(gradient + outputs[index] * 16)
        let x = row + positions[index]
        a0 = a0.addingProduct(g, x[0])
        if width > 1 { a1 = a1.addingProduct(g, x[1]) }
        if width > 2 { a2 = a2.addingProduct(g, x[2]) }
        if width > 3 { a3 = a3.addingProduct(g, x[3]) }
        if width > 4 { a4 = a4.addingProduct(g, x[4]) }
      }
      targets[lane] += a0
      if width > 1 { targets[8 + lane] += a1 }
      if width > 2 { targets[16 + lane] += a2 }
      if width > 3 { targets[24 + lane] += a3 }
      if width > 4 { targets[32 + lane] += a4 }
    }
  }

  /// A block's width (how many output maps it computes) as a type, so that each width gets its own
  /// copy of the kernel with the width a constant (`forwardBlock`, `forwardAllChannels`,
  /// `weightGradientBlock`, `weightGradientAcrossOutputs`). With the width passed as a literal, the
  /// compiler stopped inlining `forwardBlock` into its six call sites once `forward` grew (the
  /// fifth round's `forwardAllChannels`): one copy ran every width, testing the width at each
  /// multiply-add of its inner loop, and took 18% of a lecun1998 training step by `perf`.
  protocol BlockWidth { static var count: Int { get } }
  enum Width1: BlockWidth { static var count: Int { 1 } }
  enum Width2: BlockWidth { static var count: Int { 2 } }
  enum Width3: BlockWidth { static var count: Int { 3 } }
  enum Width4: BlockWidth { static var count: Int { 4 } }
  enum Width5: BlockWidth { static var count: Int { 5 } }
  enum Width6: BlockWidth { static var count: Int { 6 } }

  /// What a block's kernel reads besides its weights: the block's `outputBlock` map indices,
  /// its bordered input plane, and the grid's sizes.
  struct Block {
    let maps: UnsafePointer<Int>
    let plane: UnsafePointer<Float>
    let offset: UnsafePointer<Int>
    let grid: Grid

    /// The grid's positions per output map.
    var positions: Int { grid.positions }
    /// The kernel's taps, `k²`.
    var taps: Int { grid.kernelSize * grid.kernelSize }

    /// The taps that read an image row, not the zero border, for some output position of
    /// `position..<position + 16` (whole kernel rows, as taps run row by row). The others would
    /// add `w · 0` to the kept outputs, which changes no sum: the input gradient's grid,
    /// bordered by `k − 1`, skips about a quarter of its taps this way.
    @inline(__always)
    func tapsReadingTheImage(from position: Int) -> Range<Int> {
      grid.tapsReadingTheImage(from: position)
    }
  }

  @inline(__always)
  static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func store16(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
  }

  /// Where, in each of `bordered`'s planes (the output gradient bordered for the input
  /// gradient, `Geometry.gradientGrid`), the weight gradient's grid of `grid` starts, when the
  /// bordered plane holds that grid as it is: the same row stride, and each row's gap after its
  /// `outW` values the next row's left border, zero (C3 of 10×10 maps: 14 floats a row, the
  /// grid at 4 · 14 + 4). Nil otherwise (a padded convolution, whose grid is `W + 2 · pad` wide):
  /// then `spread` lays the gradient out.
  static func gridInsideBorder(_ grid: Grid, bordered: Grid) -> Int? {
    guard bordered.rowStride == grid.rowStride,
      bordered.rowStride == bordered.width + bordered.pad,
      bordered.width == grid.outputWidth, bordered.height == grid.outputHeight
    else { return nil }
    return bordered.pad * bordered.rowStride + bordered.pad
  }

  /// Lays one sample's `outputs × outH × outW` gradient out on the grid. Only the map's
  /// positions are written: the others must already be zero (zeroed once per batch, as every
  /// sample writes the same positions).
  static func spread(
    _ grid: Grid, outputGradient: UnsafePointer<Float>, outputs: Int,
    into target: UnsafeMutablePointer<Float>
  ) {
    let (height, width, positions) = (grid.outputHeight, grid.outputWidth, grid.positions)
    for map in 0..<outputs {
      for row in 0..<height {
        ShortRows.copy(
          outputGradient + (map * height + row) * width,
          to: target + map * positions + row * grid.rowStride, count: width)
      }
    }
  }
}
