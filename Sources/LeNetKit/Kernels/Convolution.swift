/// The convolution engine behind `Conv2D`. Maps of 64 pixels or more (C1, C3) go to
/// `DirectConvolution`, a kernel as large as its input (C5) runs as a dense product
/// (`denseForward`), and the rest, described here, as im2col matrix products.
///
/// Each sample's kernel-sized patches are copied into the columns of a matrix (`Geometry`), so
/// the whole convolution of `samplesPerProduct` samples is one product:
///
/// ```
/// output[o, column]  = bias[o] + Σ_patch weight[o, patch] · columns[patch, column]
/// ∂L/∂weight        += ∂L/∂output · columnsᵀ          ∂L/∂bias[o] += Σ_column ∂L/∂output[o, column]
/// ∂L/∂columns        = weightᵀ · ∂L/∂output, added back onto the image positions it came from
/// ```
/// The products run in `MatrixMultiply`. Of a connection table the engine knows only which
/// kernels are linked (`Geometry.links`): the direct kernels skip the others, the
/// matrix products multiply them as zeros, and `Conv2D` keeps them at zero and masks their
/// gradients. It is tested against the formula
/// with plain loops, summed in `Double` (`FastKernelTests.directConvolution`), as chapter 3's
/// `outputMap` exercise writes it.
enum Convolution {
  /// `bias + weight · columns(input)` for a batch (`N × C × H × W`), shaped by `geometry`.
  static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry: Geometry) -> Tensor {
    let batch = input.batchSize
    let shape = [batch, geometry.outputChannels, geometry.outputHeight, geometry.outputWidth]
    let count = batch * geometry.outputSampleSize
    guard count > 0 else { return Tensor(shape: shape) }
    if geometry.usesDirectKernels {
      return directForward(input, weight: weight, bias: bias, geometry: geometry, stage: .sums)
    }
    if geometry.isDense {
      return denseForward(input, weight: weight, bias: bias, geometry: geometry)
    }
    return im2colForward(input, weight: weight, bias: bias, geometry: geometry)
  }

  /// `forward` for a kernel as large as its input (C5): each sample's whole input is its one
  /// patch, so the convolution is a dense layer (`Dense.affine`), with no patches to copy.
  static func denseForward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry: Geometry)
    -> Tensor
  {
    let outputs = geometry.outputChannels
    return Tensor(
      shape: [input.batchSize, outputs, 1, 1],
      scalars: Dense.affine(
        input, weight: weight, bias: bias, inputs: geometry.patchSize, outputs: outputs))
  }

  /// `forward` as one matrix product per group of samples, whatever the map size.
  static func im2colForward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry: Geometry)
    -> Tensor
  {
    let batch = input.batchSize
    let shape = [batch, geometry.outputChannels, geometry.outputHeight, geometry.outputWidth]
    let count = batch * geometry.outputSampleSize
    guard count > 0 else { return Tensor(shape: shape) }
    let group = geometry.samplesPerProduct(batch: batch)
    let columns = scratch(geometry.patchSize * group * geometry.pixels)
    let product = scratch(geometry.outputChannels * group * geometry.pixels)
    defer {
      columns.deallocate()
      product.deallocate()
    }
    let scalars = [Float](unsafeUninitializedCapacity: count) { output, initialized in
      lend([input.scalars, weight.scalars, bias.scalars]) { lent in
        forwardProducts(
          geometry, batch: batch, image: lent[0], weight: lent[1], bias: lent[2],
          output: output.baseAddress.unsafelyUnwrapped, columns: columns, product: product)
      }
      initialized = count
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  /// The weight and bias gradients, and the input gradient when `toInput` is true (its
  /// `weightᵀ · ∂L/∂out` product is half of the backward pass's multiply-adds).
  static func gradients(
    input: Tensor, outputGradient: Tensor, weight: Tensor, geometry: Geometry, toInput: Bool
  ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    guard let sums = GradientSums(geometry: geometry, weightCount: weight.count) else {
      return im2colGradients(
        input: input, outputGradient: outputGradient, weight: weight, geometry: geometry,
        toInput: toInput)
    }
    let inputGradient = accumulateGradients(
      input: input, outputGradient: outputGradient, weight: weight, geometry: geometry,
      toInput: toInput, into: sums)
    let (weightGradient, biasGradient) = sums.finished(weight: weight, geometry: geometry)
    return (inputGradient, weightGradient, biasGradient)
  }

  /// The weight and bias sums of the direct path, carried from one slice of a batch into the
  /// next (`Model`'s training), or the dense path's slices, whose gradients are taken once for
  /// the whole share (`AffineSlices`). The im2col path has none: its products sum each group
  /// of samples apart before adding the group to the gradient.
  enum GradientSums {
    case direct(DirectSums)
    case dense(AffineSlices)

    /// Zero sums for `geometry`'s path; nil on the im2col path.
    init?(geometry: Geometry, weightCount: Int) {
      if geometry.usesDirectKernels {
        self = .direct(DirectSums(geometry: geometry, weightCount: weightCount))
      } else if geometry.isDense {
        self = .dense(AffineSlices())
      } else {
        return nil
      }
    }

    /// The gradients the sums have reached, as one call on all the samples returns them.
    func finished(weight: Tensor, geometry: Geometry) -> (weight: Tensor, bias: Tensor) {
      let weightShape = weight.shape
      switch self {
      case .direct(let sums):
        return (
          Tensor(shape: weightShape, scalars: sums.weightGradient()),
          Tensor(shape: [sums.bias.count], scalars: sums.bias)
        )
      case .dense(let slices):
        return slices.finished(
          weight: weight, features: geometry.patchSize, outputs: geometry.outputChannels)
      }
    }
  }

  /// `gradients` on the direct or dense path with the parameter sums carried on in `sums`;
  /// returns the input gradient when `toInput` is true.
  static func accumulateGradients(
    input: Tensor, outputGradient: Tensor, weight: Tensor, geometry: Geometry, toInput: Bool,
    into sums: GradientSums
  ) -> Tensor? {
    switch sums {
    case .direct(let direct):
      return directGradients(
        input: input, outputGradient: outputGradient, weight: weight, geometry: geometry,
        toInput: toInput, into: direct)
    case .dense(let slices):
      return slices.append(
        input: input, outputGradient: outputGradient, weight: weight,
        features: geometry.patchSize, outputs: geometry.outputChannels, toInput: toInput)
    }
  }

  /// `gradients` with im2col and matrix products, whatever the map size.
  static func im2colGradients(
    input: Tensor, outputGradient: Tensor, weight: Tensor, geometry: Geometry, toInput: Bool
  ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    let batch = input.batchSize
    let group = geometry.samplesPerProduct(batch: batch)
    let width = group * geometry.pixels
    let columns = scratch(geometry.patchSize * width)
    let columnGradient = scratch(toInput ? geometry.patchSize * width : 0)
    let groupGradient = scratch(geometry.outputChannels * width)
    let biasGradient = scratch(geometry.outputChannels)
    defer {
      for buffer in [columns, columnGradient, groupGradient, biasGradient] { buffer.deallocate() }
    }
    let inputCount = toInput ? input.count : 0
    var weightGradient: [Float] = []
    let inputGradient = [Float](unsafeUninitializedCapacity: inputCount) { image, imageCount in
      image.initialize(repeating: 0)
      weightGradient = [Float](repeating: 0, count: weight.count)
      weightGradient.withUnsafeMutableBufferPointer { weights in
        lend([input.scalars, outputGradient.scalars, weight.scalars]) { lent in
          backwardProducts(
            geometry, batch: batch, image: lent[0], outputGradient: lent[1], weight: lent[2],
            imageGradient: toInput ? image.baseAddress : nil,
            weightGradient: weights.baseAddress.unsafelyUnwrapped, biasGradient: biasGradient,
            columns: columns, columnGradient: columnGradient, groupGradient: groupGradient)
        }
      }
      imageCount = inputCount
    }
    return (
      toInput ? Tensor(shape: input.shape, scalars: inputGradient) : nil,
      Tensor(shape: weight.shape, scalars: weightGradient),
      Tensor(shape: [geometry.outputChannels], scalars: Array(biasGradient))
    )
  }

  /// The forward loop: for each group of samples, gather their columns side by side, start the
  /// product at the biases, multiply, and copy the maps out sample by sample.
  private static func forwardProducts(
    _ geometry: Geometry, batch: Int, image: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    columns: UnsafeMutableBufferPointer<Float>, product: UnsafeMutableBufferPointer<Float>
  ) {
    let cols = columns.baseAddress.unsafelyUnwrapped
    let result = product.baseAddress.unsafelyUnwrapped
    let group = geometry.samplesPerProduct(batch: batch)
    for first in stride(from: 0, to: batch, by: group) {
      let samples = first..<min(batch, first + group)
      let width = samples.count * geometry.pixels
      for (slot, sample) in samples.enumerated() {
        geometry.gatherColumns(
          from: image + sample * geometry.inputSampleSize,
          into: cols + slot * geometry.pixels, rowStride: width)
      }
      for map in 0..<geometry.outputChannels {
        (result + map * width).update(repeating: bias[map], count: width)
      }
      // result[outputChannels × width] += weight · columns
      MatrixMultiply.accumulate(
        weight, cols, into: result, m: geometry.outputChannels, k: geometry.patchSize, n: width)
      geometry.copyMaps(
        from: result, width: width, toSamples: output + first * geometry.outputSampleSize,
        count: samples.count)
    }
  }

  /// The backward loop, group by group as `forwardProducts`; `imageGradient` is nil when the
  /// input gradient is not wanted.
  private static func backwardProducts(
    _ geometry: Geometry, batch: Int, image: UnsafePointer<Float>,
    outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    imageGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>,
    biasGradient: UnsafeMutableBufferPointer<Float>, columns: UnsafeMutableBufferPointer<Float>,
    columnGradient: UnsafeMutableBufferPointer<Float>,
    groupGradient: UnsafeMutableBufferPointer<Float>
  ) {
    let cols = columns.baseAddress.unsafelyUnwrapped
    let colsGradient = columnGradient.baseAddress
    let outGradient = groupGradient.baseAddress.unsafelyUnwrapped
    let group = geometry.samplesPerProduct(batch: batch)
    for first in stride(from: 0, to: batch, by: group) {
      let samples = first..<min(batch, first + group)
      let width = samples.count * geometry.pixels
      for (slot, sample) in samples.enumerated() {
        geometry.gatherColumns(
          from: image + sample * geometry.inputSampleSize,
          into: cols + slot * geometry.pixels, rowStride: width)
      }
      geometry.gatherMaps(
        fromSamples: outputGradient + first * geometry.outputSampleSize,
        count: samples.count, into: outGradient, width: width)
      // ∂L/∂weight[o, patch] += Σ_columns ∂L/∂out[o, column] · columns[patch, column]
      MatrixMultiply.accumulateTransposingB(
        outGradient, cols, into: weightGradient, m: geometry.outputChannels, k: width,
        n: geometry.patchSize)
      for map in 0..<geometry.outputChannels {
        let row = outGradient + map * width
        var sum: Float = 0
        for column in 0..<width { sum += row[column] }
        biasGradient[map] += sum
      }
      guard let imageGradient, let colsGradient else { continue }
      // ∂L/∂columns = weightᵀ · ∂L/∂out, then added back onto the images.
      colsGradient.update(repeating: 0, count: geometry.patchSize * width)
      MatrixMultiply.accumulateTransposingA(
        weight, outGradient, into: colsGradient, m: geometry.patchSize,
        k: geometry.outputChannels, n: width)
      for (slot, sample) in samples.enumerated() {
        geometry.scatterColumns(
          colsGradient + slot * geometry.pixels, rowStride: width,
          into: imageGradient + sample * geometry.inputSampleSize)
      }
    }
  }

  /// `forward` on `DirectConvolution` (maps of 64 pixels or more), each sample's maps then
  /// going through `stage` (`DirectConvolution.OutputStage`); the result has
  /// `outputChannels` maps of the stage's size. `lanesAcrossOutputs` chooses the kernel's
  /// layout (nil: `DirectConvolution.usesLanesAcrossOutputs` decides); both give the same bits.
  static func directForward(
    _ input: Tensor, weight: Tensor, bias: Tensor, geometry: Geometry,
    stage: DirectConvolution.OutputStage, lanesAcrossOutputs: Bool? = nil
  ) -> Tensor {
    let batch = input.batchSize
    let (height, width) = (geometry.outputHeight, geometry.outputWidth)
    let pooled: Bool
    if case .none = stage.pooling { pooled = false } else { pooled = true }
    let shape = [
      batch, geometry.outputChannels, pooled ? height / 2 : height, pooled ? width / 2 : width,
    ]
    let sampleSize = geometry.outputChannels * stage.mapSize(height: height, width: width)
    let count = batch * sampleSize
    guard count > 0 else { return Tensor(shape: shape) }
    let scalars = [Float](unsafeUninitializedCapacity: count) { output, initialized in
      lend([input.scalars, weight.scalars, bias.scalars]) { lent in
        directForwardSamples(
          geometry, batch: batch, image: lent[0], weight: lent[1], bias: lent[2],
          output: output.baseAddress.unsafelyUnwrapped, outputSampleSize: sampleSize,
          stage: stage, lanesAcrossOutputs: lanesAcrossOutputs)
      }
      initialized = count
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  /// The loop behind `directForward`: border each sample, then the kernels and `stage`.
  private static func directForwardSamples(
    _ geometry: Geometry, batch: Int, image: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, outputSampleSize: Int,
    stage: DirectConvolution.OutputStage, lanesAcrossOutputs: Bool?
  ) {
    let grid = geometry.forwardGrid
    let offsets = grid.tapOffsets
    let links = geometry.links.forward
    let outputs = geometry.outputChannels
    let acrossOutputs =
      lanesAcrossOutputs
      ?? DirectConvolution.usesLanesAcrossOutputs(
        outputs: outputs, links: links, channels: grid.channels)
    let taps = geometry.kernelSize * geometry.kernelSize
    let planes = scratch(grid.channels * grid.planeSize)
    let maps = scratch(outputs * grid.positions)
    let packed = scratch(acrossOutputs ? grid.channels * taps * 16 : 0)
    defer {
      for buffer in [planes, maps, packed] { buffer.deallocate() }
    }
    if acrossOutputs {
      DirectConvolution.packAcrossOutputs(
        weight, outputs: outputs, channels: grid.channels, taps: taps,
        into: packed.baseAddress.unsafelyUnwrapped)
    }
    for sample in 0..<batch {
      grid.border(
        image + sample * geometry.inputSampleSize, into: planes.baseAddress.unsafelyUnwrapped)
      DirectConvolution.forward(
        grid, planes: planes.baseAddress.unsafelyUnwrapped, weight: weight, bias: bias,
        outputs: outputs, links: links, scratch: maps.baseAddress.unsafelyUnwrapped,
        output: output + sample * outputSampleSize, offsets: offsets, stage: stage,
        lanesAcrossOutputs: acrossOutputs ? UnsafePointer(packed.baseAddress) : nil)
    }
  }

  /// `gradients` on `DirectConvolution`: the weight gradient as a correlation of each bordered
  /// image with its output gradient, the input gradient as a forward pass of the output
  /// gradient through the kernels turned 180° (`flippedWeight`). The weight gradient's lane
  /// sums and the bias sums go on in `sums`; returns the input gradient when `toInput` is true.
  private static func directGradients(
    input: Tensor, outputGradient: Tensor, weight: Tensor, geometry: Geometry, toInput: Bool,
    into sums: DirectSums
  ) -> Tensor? {
    let batch = input.batchSize
    let (outputs, inputs) = (geometry.outputChannels, geometry.inputChannels)
    let taps = geometry.kernelSize * geometry.kernelSize
    let grid = geometry.inputGrid
    let offsets = grid.tapOffsets
    let back = geometry.gradientGrid
    let backOffsets = back.tapOffsets
    let (links, backLinks) = (geometry.links.forward, geometry.links.inputGradient)
    let planes = scratch(grid.channels * grid.planeSize)
    let acrossOutputs = sums.acrossOutputs
    // Where the input gradient's bordered planes already lay the gradient out as the weight
    // gradient's grid (lecun1998's C3), the weight gradient reads them, and the gradient is not
    // spread a second time.
    let borderedOffset = geometry.borderedGradientOffset(
      toInput: toInput, acrossOutputs: acrossOutputs)
    // The bordered gradient starts `lead` floats into its buffer, so that the weight gradient's
    // grid inside it (at `borderedOffset`) starts on a 32-byte boundary, as `spread`'s does:
    // its vector loads of the gradient then never straddle two cache lines.
    let lead = borderedOffset.map { (8 - $0 % 8) % 8 } ?? 0
    let backBuffer = scratch(toInput ? back.channels * back.planeSize + lead : 0)
    let backPlanes = backBuffer.baseAddress.map { $0 + lead }
    let backMaps = scratch(toInput ? inputs * back.positions : 0)
    let classes = acrossOutputs ? DirectConvolution.LaneClasses(grid) : nil
    let packed = scratch(acrossOutputs ? geometry.pixels * 16 : 0)
    let spread = scratch(acrossOutputs || borderedOffset != nil ? 0 : outputs * grid.positions)
    let (partial, partialAcross) = (sums.partial, sums.partialAcross)
    defer {
      for buffer in [planes, spread, backBuffer, backMaps, packed] { buffer.deallocate() }
    }
    var flipped = [Float](repeating: 0, count: toInput ? weight.count : 0)
    if toInput {
      // flipped[i, o, tap] = weight[o, i, k² − 1 − tap]: the kernel turned 180°, maps swapped.
      for output in 0..<outputs {
        for input in 0..<inputs {
          for tap in 0..<taps {
            flipped[(input * outputs + output) * taps + taps - 1 - tap] =
              weight.scalars[(output * inputs + input) * taps + tap]
          }
        }
      }
    }
    let inputCount = toInput ? input.count : 0
    let inputGradient = [Float](unsafeUninitializedCapacity: inputCount) { target, initialized in
      lend([input.scalars, outputGradient.scalars, toInput ? flipped : [0]]) { lent in
        let (image, gradient, turned) = (lent[0], lent[1], lent[2])
        for sample in 0..<batch {
          let sampleGradient = gradient + sample * geometry.outputSampleSize
          // The scratch buffers start zeroed, and each sample overwrites the same positions.
          grid.copyInterior(
            image + sample * geometry.inputSampleSize, into: planes.baseAddress.unsafelyUnwrapped)
          if let classes, let packedBase = packed.baseAddress {
            // 16 floats per output position, one per map (the ones past `outputs` stay zero).
            for map in 0..<outputs {
              let source = sampleGradient + map * geometry.pixels
              for position in 0..<geometry.pixels {
                packedBase[position * 16 + map] = source[position]
              }
            }
            DirectConvolution.accumulateWeightGradientAcrossOutputs(
              grid, planes: planes.baseAddress.unsafelyUnwrapped, packedGradient: packedBase,
              classes: classes, partial: partialAcross.baseAddress.unsafelyUnwrapped)
          } else if let borderedOffset {
            back.copyInterior(sampleGradient, into: backPlanes.unsafelyUnwrapped)
            DirectConvolution.accumulateWeightGradient(
              grid, planes: planes.baseAddress.unsafelyUnwrapped,
              outputGradient: backPlanes.unsafelyUnwrapped + borderedOffset,
              gradientStride: back.planeSize, links: links,
              partial: partial.baseAddress.unsafelyUnwrapped, offsets: offsets)
          } else {
            DirectConvolution.spread(
              grid, outputGradient: sampleGradient, outputs: outputs,
              into: spread.baseAddress.unsafelyUnwrapped)
            DirectConvolution.accumulateWeightGradient(
              grid, planes: planes.baseAddress.unsafelyUnwrapped,
              outputGradient: spread.baseAddress.unsafelyUnwrapped,
              gradientStride: grid.positions, links: links,
              partial: partial.baseAddress.unsafelyUnwrapped, offsets: offsets)
          }
          for map in 0..<outputs {
            sums.bias[map] += ShortRows.sum(
              sampleGradient + map * geometry.pixels, count: geometry.pixels)
          }
          guard toInput, let targetBase = target.baseAddress else { continue }
          if borderedOffset == nil {
            back.copyInterior(sampleGradient, into: backPlanes.unsafelyUnwrapped)
          }
          DirectConvolution.forward(
            back, planes: backPlanes.unsafelyUnwrapped, weight: turned, bias: nil,
            outputs: inputs, links: backLinks, scratch: backMaps.baseAddress.unsafelyUnwrapped,
            output: targetBase + sample * geometry.inputSampleSize, offsets: backOffsets)
        }
      }
      initialized = inputCount
    }
    return toInput ? Tensor(shape: input.shape, scalars: inputGradient) : nil
  }

  /// The sums of `directGradients`, carried from one slice of a batch into the next: each
  /// kernel tap's eight lane sums (lanes across positions), or, for keras' C3 (lanes across
  /// outputs), its sixteen maps' eight lane sums, and one running sum per bias.
  final class DirectSums {
    /// Keras' C3 sums its weight gradient with the lanes across output maps (only the outputs'
    /// positions); the other layers on the grid, lanes across positions.
    let acrossOutputs: Bool
    let (outputs, inputs, taps): (Int, Int, Int)
    /// Eight lane sums per weight (lanes across positions).
    let partial: UnsafeMutableBufferPointer<SIMD8<Float>>
    /// Per input channel and tap, eight vectors of the 16 output maps (lanes across outputs).
    let partialAcross: UnsafeMutableBufferPointer<SIMD16<Float>>
    var bias: [Float]

    init(geometry: Geometry, weightCount: Int) {
      (outputs, inputs) = (geometry.outputChannels, geometry.inputChannels)
      taps = geometry.kernelSize * geometry.kernelSize
      acrossOutputs = DirectConvolution.usesLanesAcrossOutputs(
        outputs: outputs, links: geometry.links.forward, channels: inputs)
      partial = .allocate(capacity: acrossOutputs ? 0 : weightCount)
      partial.initialize(repeating: .zero)
      partialAcross = .allocate(capacity: acrossOutputs ? inputs * taps * 8 : 0)
      partialAcross.initialize(repeating: .zero)
      bias = [Float](repeating: 0, count: outputs)
    }

    deinit {
      partial.deallocate()
      partialAcross.deallocate()
    }

    /// Each weight's lanes added as `SIMD8.sum()` adds them: from −0, in order.
    func weightGradient() -> [Float] {
      guard acrossOutputs else { return partial.map { $0.sum() } }
      var sums = [Float](repeating: 0, count: outputs * inputs * taps)
      for output in 0..<outputs {
        for kernel in 0..<inputs * taps {
          var total = -Float.zero
          for lane in 0..<8 { total += partialAcross[kernel * 8 + lane][output] }
          sums[output * inputs * taps + kernel] = total
        }
      }
      return sums
    }
  }

  /// A zeroed buffer of `count` floats for one call's scratch work, starting on a cache line
  /// (the kernels' aligned vectors, eight floats from the start, never straddle two lines);
  /// the caller deallocates it.
  private static func scratch(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
    let bytes = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
    let buffer = UnsafeMutableBufferPointer(
      start: bytes.bindMemory(to: Float.self, capacity: count), count: count)
    buffer.initialize(repeating: 0)
    return buffer
  }

  /// Lends the storage of every array in `arrays` to `body` at once, in order: one closure in
  /// the caller however many arrays (the nesting happens in this recursion instead).
  private static func lend<Result>(
    _ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> Result
  ) -> Result {
    lend(arrays[...], lent: [], body)
  }

  private static func lend<Result>(
    _ arrays: ArraySlice<[Float]>, lent: [UnsafePointer<Float>],
    _ body: ([UnsafePointer<Float>]) -> Result
  ) -> Result {
    guard let first = arrays.first else { return body(lent) }
    return first.withUnsafeBufferPointer { buffer in
      // Callers lend non-empty arrays only (a layer's tensors and a non-empty batch).
      lend(arrays.dropFirst(), lent: lent + [buffer.baseAddress.unsafelyUnwrapped], body)
    }
  }
}

extension Convolution {
  /// A connection table's links as `DirectConvolution`'s blocks, in both directions: built
  /// once per layer (`Conv2D.links`), not on every pass.
  struct TableLinks: Sendable {
    /// Each input map with the output maps it feeds (the forward pass and weight gradient).
    let forward: DirectConvolution.Links
    /// Each output map with the input maps it reads (the input gradient).
    let inputGradient: DirectConvolution.Links

    /// The links of `table`.
    init(_ table: ConnectionTable) {
      forward = DirectConvolution.Links(
        outputsOfChannel: (0..<table.inputChannels).map { input in
          (0..<table.outputChannels).filter { table.connects(input: input, toOutput: $0) }
        })
      inputGradient = DirectConvolution.Links(outputsOfChannel: table.inputsOfOutput)
    }
  }

  /// The sizes that turn one sample's convolution into one matrix product (im2col).
  ///
  /// Column matrix: `patchSize` rows (input map × kernel row × kernel column) by `pixels`
  /// columns (output positions), so `output = weight · columns`.
  struct Geometry {
    let inputChannels: Int
    let inputHeight: Int
    let inputWidth: Int
    let outputHeight: Int
    let outputWidth: Int
    let outputChannels: Int
    let kernelSize: Int
    let pad: Int
    /// The kernels a connection table links, as the direct kernels' blocks; the other paths
    /// compute every kernel.
    let links: TableLinks

    /// The sizes for one sample of `inputShape` (`[C, H, W]`) giving `outputShape`, with square
    /// kernels of `kernelSize`, `pad` zeros on every side, and the maps linked as `links` says.
    init(inputShape: [Int], outputShape: [Int], kernelSize: Int, pad: Int, links: TableLinks) {
      inputChannels = inputShape[0]
      inputHeight = inputShape[1]
      inputWidth = inputShape[2]
      outputHeight = outputShape[1]
      outputWidth = outputShape[2]
      outputChannels = outputShape[0]
      self.kernelSize = kernelSize
      self.pad = pad
      self.links = links
    }

    var pixels: Int { outputHeight * outputWidth }
    var patchSize: Int { inputChannels * kernelSize * kernelSize }
    var inputSampleSize: Int { inputChannels * inputHeight * inputWidth }
    var outputSampleSize: Int { outputChannels * pixels }

    /// Whether `DirectConvolution` runs this layer: maps of at least 64 pixels, where im2col's
    /// copies cost more than the products (C1, C3); C5's 1×1 maps stay one matrix product.
    var usesDirectKernels: Bool { pixels >= 64 }

    /// Whether the kernel covers the whole unpadded input (C5: 5×5 on 5×5, one output
    /// position), which makes the convolution a dense layer on the flattened sample.
    var isDense: Bool { pad == 0 && outputHeight == 1 && outputWidth == 1 }

    /// The bordered input of `DirectConvolution`'s weight gradient.
    var inputGrid: DirectConvolution.Grid {
      DirectConvolution.Grid(
        channels: inputChannels, height: inputHeight, width: inputWidth, pad: pad,
        kernelSize: kernelSize)
    }

    /// The bordered input of `DirectConvolution`'s forward pass: `inputGrid` with the rows'
    /// gaps shared (the sums of the kept outputs are the same).
    var forwardGrid: DirectConvolution.Grid {
      var grid = inputGrid
      grid.sharesRowGaps = true
      return grid
    }

    /// The bordered output gradient whose forward pass is the input gradient (border k − 1 − pad,
    /// which brings the output back to the input's size).
    var gradientGrid: DirectConvolution.Grid {
      DirectConvolution.Grid(
        channels: outputChannels, height: outputHeight, width: outputWidth,
        pad: kernelSize - 1 - pad, kernelSize: kernelSize, sharesRowGaps: true)
    }

    /// Where, in each plane of the input gradient's bordered output gradient (`gradientGrid`),
    /// the weight gradient reads its output gradient (`DirectConvolution.gridInsideBorder`), or
    /// nil when it spreads the gradient on a grid of its own: without an input gradient
    /// (`toInput` false, lecun1998's C1), with the maps in the lanes (`acrossOutputs`, keras'
    /// C3, which packs the gradient), or with padding (keras' C1).
    func borderedGradientOffset(toInput: Bool, acrossOutputs: Bool) -> Int? {
      guard toInput, !acrossOutputs else { return nil }
      return DirectConvolution.gridInsideBorder(inputGrid, bordered: gradientGrid)
    }

    /// How many samples share one matrix product: enough for about 512 columns, so that small
    /// maps (C5's 1×1) still give the kernels long rows to work on.
    func samplesPerProduct(batch: Int) -> Int {
      max(1, min(batch, 512 / pixels))
    }

    /// Copies every kernel-sized patch of `image` into a column of `columns` (zero outside);
    /// row `r` of the column matrix starts at `columns + r · rowStride`.
    func gatherColumns(
      from image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
      var row = 0
      for channel in 0..<inputChannels {
        for ky in 0..<kernelSize {
          for kx in 0..<kernelSize {
            let destination = columns + row * rowStride
            // Output columns whose source x lies inside the image; the rest read zero padding.
            let (xStart, xEnd) = validRange(offset: kx, inputLength: inputWidth, count: outputWidth)
            for y in 0..<outputHeight {
              let sourceY = y + ky - pad
              let rowStart = destination + y * outputWidth
              guard sourceY >= 0 && sourceY < inputHeight, xStart < xEnd else {
                ShortRows.fill(rowStart, count: outputWidth)
                continue
              }
              let sourceRow = image + (channel * inputHeight + sourceY) * inputWidth + kx - pad
              ShortRows.fill(rowStart, count: xStart)
              ShortRows.copy(sourceRow + xStart, to: rowStart + xStart, count: xEnd - xStart)
              ShortRows.fill(rowStart + xEnd, count: outputWidth - xEnd)
            }
            row += 1
          }
        }
      }
    }

    /// Adds each column of `columns` back onto the image positions it was gathered from.
    func scatterColumns(
      _ columns: UnsafePointer<Float>, rowStride: Int, into image: UnsafeMutablePointer<Float>
    ) {
      var row = 0
      for channel in 0..<inputChannels {
        for ky in 0..<kernelSize {
          for kx in 0..<kernelSize {
            let source = columns + row * rowStride
            let (xStart, xEnd) = validRange(offset: kx, inputLength: inputWidth, count: outputWidth)
            for y in 0..<outputHeight {
              let targetY = y + ky - pad
              guard targetY >= 0 && targetY < inputHeight else { continue }
              let targetRow = image + (channel * inputHeight + targetY) * inputWidth + kx - pad
              let sourceRow = source + y * outputWidth
              ShortRows.add(sourceRow + xStart, to: targetRow + xStart, count: xEnd - xStart)
            }
            row += 1
          }
        }
      }
    }

    /// The output positions `xStart..<xEnd` whose input position `x + offset − pad` is inside.
    func validRange(offset: Int, inputLength: Int, count: Int) -> (Int, Int) {
      let start = max(0, pad - offset)
      let end = min(count, inputLength + pad - offset)
      return (min(start, end), max(start, end))
    }

    /// Copies a `outputChannels × (count · pixels)` product, sample-major within each row, into
    /// `count` consecutive samples laid out `outputChannels × pixels`.
    func copyMaps(
      from product: UnsafePointer<Float>, width: Int, toSamples output: UnsafeMutablePointer<Float>,
      count: Int
    ) {
      for slot in 0..<count {
        for map in 0..<outputChannels {
          ShortRows.copy(
            product + map * width + slot * pixels,
            to: output + slot * outputSampleSize + map * pixels,
            count: pixels)
        }
      }
    }

    /// The inverse of `copyMaps`: `count` samples into one `outputChannels × width` matrix.
    func gatherMaps(
      fromSamples maps: UnsafePointer<Float>, count: Int, into product: UnsafeMutablePointer<Float>,
      width: Int
    ) {
      for slot in 0..<count {
        for map in 0..<outputChannels {
          ShortRows.copy(
            maps + slot * outputSampleSize + map * pixels,
            to: product + map * width + slot * pixels,
            count: pixels)
        }
      }
    }
  }
}

/// Copies, zero fills and sums of short rows (a map row of 10 to 28 floats), inlined into the
/// loops that call them: im2col moves thousands of such rows per sample, and a call into libc's
/// `memmove` for each cost more than the copy (a sixth of a training step by `perf`).
enum ShortRows {
  /// `target[0..<count] = source[0..<count]`; the two must not overlap.
  @inline(__always)
  static func copy(
    _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
  ) {
    VectorSteps.overlapping(count: count, lanes: 8) { index in
      UnsafeMutableRawPointer(target + index).storeBytes(
        of: UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self),
        as: SIMD8<Float>.self)
    } element: { index in
      target[index] = source[index]
    }
  }

  /// `target[0..<count] = source[0..<count] + value`; the two must not overlap.
  @inline(__always)
  static func copy(
    _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int,
    adding value: Float
  ) {
    let lanes = SIMD8<Float>(repeating: value)
    VectorSteps.overlapping(count: count, lanes: 8) { index in
      UnsafeMutableRawPointer(target + index).storeBytes(
        of: UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self) + lanes,
        as: SIMD8<Float>.self)
    } element: { index in
      target[index] = source[index] + value
    }
  }

  /// `target[0..<count] = 0`.
  @inline(__always)
  static func fill(_ target: UnsafeMutablePointer<Float>, count: Int) {
    VectorSteps.overlapping(count: count, lanes: 8) { index in
      UnsafeMutableRawPointer(target + index).storeBytes(of: .zero, as: SIMD8<Float>.self)
    } element: { index in
      target[index] = 0
    }
  }

  /// `Σ values[0..<count]`, in eight interleaved partial sums: a single running sum waits for
  /// each addition to finish (four cycles), eight keep the adder busy.
  @inline(__always)
  static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD8<Float>.zero
    var index = 0
    while index + 8 <= count {
      partial += UnsafeRawPointer(values + index).loadUnaligned(as: SIMD8<Float>.self)
      index += 8
    }
    var total = partial.sum()
    while index < count {
      total += values[index]
      index += 1
    }
    return total
  }

  /// `target[0..<count] += source[0..<count]`.
  @inline(__always)
  static func add(
    _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
  ) {
    var index = 0
    while index + 8 <= count {
      let sum =
        UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
        + UnsafeRawPointer(target + index).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(target + index).storeBytes(of: sum, as: SIMD8<Float>.self)
      index += 8
    }
    while index < count {
      target[index] += source[index]
      index += 1
    }
  }
}
