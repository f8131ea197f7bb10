import Foundation
import LeNetTestSupport
import Testing

@testable import LeNetKit

/// Training runs a core's share of the batch through the network a slice at a time, carrying
/// every parameter gradient's sums from one slice into the next (`Model.shareLossAndGradients`).
/// The result must have the bits of the layer-by-layer pass over the whole share, which every
/// accuracy in Docs/training.md rests on.
@Suite struct SlicedTrainingTests {
  /// The whole share in one pass, as training computed it before the slices: every layer's
  /// `forward` on all the samples, the mean softmax cross-entropy of the batch, and
  /// `Model.backward` from the loss's gradient (whose fused passes
  /// `modelBackwardKeepsTheBitsOfTheLayersInTurn` checks against each layer's `backward`).
  func layerByLayer(_ model: Model, input: Tensor, labels: [Int]) -> (
    loss: Float, correct: Int, gradients: [[Tensor]]
  ) {
    let activations = model.activations(input)
    let scores = model.logits(fromOutput: activations[activations.count - 1])
    let (loss, scoreGradient) = SoftmaxCrossEntropy.loss(logits: scores, labels: labels)
    var outputGradient = scoreGradient
    if model.output == .penalties {
      for index in outputGradient.scalars.indices { outputGradient.scalars[index].negate() }
    }
    let correct = zip(argmaxOfRows(scores), labels).filter { $0 == $1 }.count
    let gradients = model.backward(activations: activations, outputGradient: outputGradient)
    return (loss, correct, gradients.parameters)
  }

  /// `batch` random samples of `model` through `shareLossAndGradients` in slices of
  /// `samplesPerSlice`: the loss, the count of correct answers and every gradient with the
  /// bits of `layerByLayer`.
  func expectOnePieceBits(
    _ model: Model, batch: Int, samplesPerSlice: Int,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var generator = SplitMix64(seed: 5)
    let input = Tensor(
      shape: [batch] + model.inputShape, uniformIn: -1...1, generator: &generator)
    let labels = (0..<batch).map { $0 % 10 }
    let expected = layerByLayer(model, input: input, labels: labels)
    let result = model.shareLossAndGradients(
      input: input, labels: labels, samplesPerSlice: samplesPerSlice)
    #expect(result.loss.bitPattern == expected.loss.bitPattern, sourceLocation: sourceLocation)
    #expect(result.correct == expected.correct, sourceLocation: sourceLocation)
    // Through the typed `gradientBits`: inside `#expect` this comparison type-checked in
    // 0.7-0.9 s.
    let resultBits = gradientBits(result.gradients)
    let expectedBits = gradientBits(expected.gradients)
    #expect(resultBits == expectedBits, sourceLocation: sourceLocation)
  }

  /// A small model of `layers` (initialised as lecun1998 with seed 3): whether training can
  /// carry every layer's sums from slice to slice (`carriesSums`), and `expectOnePieceBits` for
  /// `batch` samples in slices of `samplesPerSlice`.
  func expectOnePieceBits(
    layers: [any Layer], inputShape: [Int], carriesSums: Bool, batch: Int, samplesPerSlice: Int,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var model = try Model(name: "small", inputShape: inputShape, layers: layers)
    model.initialize(.lecun1998, seed: 3)
    #expect((model.zeroLayerSums() != nil) == carriesSums, sourceLocation: sourceLocation)
    expectOnePieceBits(
      model, batch: batch, samplesPerSlice: samplesPerSlice, sourceLocation: sourceLocation)
  }

  /// 37 samples (no slice size divides it, the last slice short) in slices of 16, 8 and 5: the
  /// loss, the count of correct answers and every parameter gradient bit for bit. A slice that
  /// started a sum from zero and added it to the previous slices' total would change the last
  /// bits of the convolutions' lane sums, the subsamplings' and the biases' sums; a dense
  /// product that summed its weights slice by slice, those of its weight gradient.
  @Test(arguments: ["keras", "lecun1998"])
  func slicesKeepTheBitsOfTheWholeShare(name: String) throws {
    var model = try #require(Model.named(name))
    model.initialize(.lecun1998, seed: 7)
    var generator = SplitMix64(seed: 11)
    let batch = 37
    let input = Tensor(shape: [batch] + model.inputShape, uniformIn: -1...1, generator: &generator)
    let labels = (0..<batch).map { ($0 * 7 + 3) % 10 }
    let expected = layerByLayer(model, input: input, labels: labels)
    #expect(model.zeroLayerSums() != nil, "\(name): every layer's sums can be carried")
    for samplesPerSlice in [16, 8, 5] {
      let sliced = model.shareLossAndGradients(
        input: input, labels: labels, samplesPerSlice: samplesPerSlice)
      #expect(sliced.loss.bitPattern == expected.loss.bitPattern, "slices of \(samplesPerSlice)")
      #expect(sliced.correct == expected.correct)
      #expect(sliced.gradients.count == expected.gradients.count)
      for (layer, (got, want)) in zip(sliced.gradients, expected.gradients).enumerated() {
        #expect(got.map(\.shape) == want.map(\.shape), "layer \(layer)")
        for (tensor, (gotTensor, wantTensor)) in zip(got, want).enumerated() {
          let differing = zip(gotTensor.scalars, wantTensor.scalars).filter {
            $0.bitPattern != $1.bitPattern
          }.count
          #expect(
            differing == 0,
            "\(name), slices of \(samplesPerSlice): layer \(layer) tensor \(tensor) differs in \(differing) values"
          )
        }
      }
    }
  }

  /// A layer whose sums cannot be carried (a convolution on the im2col path: 6×6 maps) sends
  /// the share through in one piece, with the same result.
  @Test func anIm2colConvolutionRunsTheShareInOnePiece() throws {
    try expectOnePieceBits(
      layers: [
        Conv2D("C", inputChannels: 1, outputChannels: 2, kernelSize: 3), Flatten(),
        Dense("D", inputFeatures: 72, outputFeatures: 10),
      ],
      inputShape: [1, 8, 8], carriesSums: false, batch: 21, samplesPerSlice: 4)
  }
}

extension SlicedTrainingTests {
  /// Two subsamplings that share the squashing between them (C, tanh, S, tanh, S, tanh): the
  /// backward pass fuses the upper one with both its squashings, which leaves the lower one
  /// without the squashing above it, so its sums cannot be carried in the fused pass. The share
  /// goes through in one piece, with the layer-by-layer bits, instead of stopping.
  @Test func subsamplingsSharingASquashingRunTheShareInOnePiece() throws {
    try expectOnePieceBits(
      layers: [
        Conv2D("C", inputChannels: 1, outputChannels: 6, kernelSize: 5),
        Activation(.scaledTanh), Subsampling("S1", channels: 6), Activation(.scaledTanh),
        Subsampling("S2", channels: 6), Activation(.scaledTanh), Flatten(),
        Dense("D", inputFeatures: 6 * 7 * 7, outputFeatures: 10),
      ],
      inputShape: [1, 32, 32], carriesSums: false, batch: 37, samplesPerSlice: 16)
  }
}

extension SlicedTrainingTests {
  /// A model whose first weighted layer is `Dense` (no convolution), 17 samples in slices of
  /// 16: the last slice holds one sample, and the dense products still take their gradients
  /// once for the share, with the one-piece bits.
  @Test func aDenseFirstLayerAndASliceOfOneKeepTheBits() throws {
    try expectOnePieceBits(
      layers: [
        Flatten(), Dense("H", inputFeatures: 64, outputFeatures: 12), Activation(.tanh),
        Dense("O", inputFeatures: 12, outputFeatures: 10),
      ],
      inputShape: [1, 8, 8], carriesSums: true, batch: 17, samplesPerSlice: 16)
  }
}
