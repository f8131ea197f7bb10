import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// The two models' shapes, predictions and loss, and the errors a mismatched layer list gives.
@Suite struct ModelTests {
  /// Fig. 2 of the paper: 1@32×32 → C1 6@28×28 → S2 6@14×14 → C3 16@10×10 → S4 16@5×5 →
  /// C5 120@1×1 → F6 84 → 10 penalties; each activation keeps its layer's shape.
  @Test func lecun1998ShapesFollowFigure2() {
    #expect(
      Model.lecun1998().layerOutputShapes == [
        [6, 28, 28], [6, 28, 28], [6, 14, 14], [6, 14, 14], [16, 10, 10], [16, 10, 10],
        [16, 5, 5], [16, 5, 5], [120, 1, 1], [120, 1, 1], [120], [84], [84], [10],
      ])
  }

  /// The Keras tutorial: 1@28×28 → same-padded C1 keeps 28×28, then as the paper from 14×14.
  @Test func kerasShapesFollowTutorial() {
    #expect(
      Model.keras().layerOutputShapes == [
        [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5],
        [120, 1, 1], [120, 1, 1], [120], [84], [84], [10],
      ])
  }

  /// A real forward pass of a batch of 2: every activation has shape [2] + the layer's shape.
  @Test(arguments: Model.availableNames)
  func forwardPassOfTwoSamples(name: String) throws {
    let model = try #require(Model.named(name))
    var generator = SplitMix64(seed: 1)
    let input = Tensor(shape: [2] + model.inputShape, uniformIn: 0...1, generator: &generator)
    let activations = model.activations(input)
    #expect(
      activations.map(\.shape) == [[2] + model.inputShape]
        + model.layerOutputShapes.map { [2] + $0 })
    #expect(model.forward(input) == activations[activations.count - 1])
  }

  /// The 1998 model outputs penalties: its prediction must be the RBF unit with the smallest.
  @Test func lecun1998PredictsSmallestPenalty() {
    let model = Model.lecun1998(seed: 2)
    var generator = SplitMix64(seed: 6)
    let input = Tensor(shape: [4, 1, 32, 32], uniformIn: -0.1...1.175, generator: &generator)
    let penalties = model.forward(input)
    let smallest = (0..<4).map { sample in
      let row = Array(penalties.scalars[sample * 10..<(sample + 1) * 10])
      return row.firstIndex(of: row.min() ?? 0) ?? -1
    }
    #expect(model.predict(input) == smallest)
  }

  /// `lossAndGradients` for penalties: softmax cross-entropy of the negated penalties, computed
  /// here again in `Double`; `correct` counts samples whose smallest penalty is the label.
  @Test func lecun1998LossIsCrossEntropyOfNegatedPenalties() {
    let model = Model.lecun1998(seed: 2)
    var generator = SplitMix64(seed: 6)
    let input = Tensor(shape: [3, 1, 32, 32], uniformIn: -0.1...1.175, generator: &generator)
    let penalties = model.forward(input).scalars.map(Double.init)
    let predicted = model.predict(input)
    let labels = [predicted[0], (predicted[1] + 1) % 10, predicted[2]]
    var expected = 0.0
    for (sample, label) in labels.enumerated() {
      let scores = penalties[sample * 10..<(sample + 1) * 10].map { -$0 }
      let largest = scores.max() ?? 0
      expected += largest + log(scores.reduce(0) { $0 + exp($1 - largest) }) - scores[label]
    }
    let result = model.lossAndGradients(input: input, labels: labels)
    expectClose(result.loss, Float(expected / 3))
    #expect(result.correct == 2)
    // Typed before the macro to spare the type checker (Docs/training.md: type-checking hot spots).
    let parameterCounts: [Int] = model.layers.map(\.parameters.count)
    #expect(result.gradients.map(\.count) == parameterCounts)
  }

  @Test func mismatchedLayersNameTheLayer() {
    let layers: [any Layer] = [
      Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5),
      Conv2D("C3", inputChannels: 4, outputChannels: 16, kernelSize: 5),
    ]
    #expect(
      throws: ShapeError(
        "broken: layer C3 (Conv2D 5×5) expects 4 input maps, got 6 (shape [6, 28, 28])")
    ) {
      try Model(name: "broken", inputShape: [1, 32, 32], layers: layers)
    }
  }

  @Test func convRejectsWrongShapesWithReason() {
    let c1 = Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5)
    #expect(throws: ShapeError("expects 1 input maps, got 3 (shape [3, 32, 32])")) {
      try c1.outputShape(for: [3, 32, 32])
    }
    #expect(throws: ShapeError("a 5×5 kernel does not fit a 4×4 input")) {
      try c1.outputShape(for: [1, 4, 4])
    }
    #expect(
      throws: ShapeError("expects one image per sample as [channels, height, width], got [784]")
    ) {
      try c1.outputShape(for: [784])
    }
  }

  @Test func modelsByName() {
    #expect(Model.named("lecun1998")?.name == "lecun1998")
    #expect(Model.named("keras")?.output == .logits)
    #expect(Model.named("lenet") == nil)
  }
}
