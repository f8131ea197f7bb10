import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// A model carries its preprocessing, reference figures and layer recipes (issue 16 §2), so a
/// model built from layers is summarised with its figures and checkpointed without a name lookup.
@Suite struct RecipeTests {
  /// The paper's layers under another name, as a learner would build them in chapter 11.
  static func learnersLeNet() throws -> Model {
    let paper = Model.lecun1998(seed: 6)
    var model = try Model(
      name: "my-lenet", inputShape: [1, 32, 32], layers: paper.layers, output: .penalties,
      preprocessing: .lecun1998, referenceFigures: .lecun1998)
    model.initialize(.lecun1998, seed: 6)
    return model
  }

  @Test func summaryUsesTheModelsOwnFigures() throws {
    let summary = try Self.learnersLeNet().summary()
    // The paper's totals (section II.B): 60,000 trainable parameters, 340,908 connections.
    #expect(summary.paperTotals == PaperFigures.Layer(parameters: 60_000, connections: 340_908))
    #expect(summary.matchesPaper)
    #expect(summary.rendered().hasPrefix("Model: my-lenet\n"))
  }

  /// The preprocessing is the model's, whatever its name says.
  @Test func preprocessingComesFromTheModelNotItsName() throws {
    let model = try Model(
      name: "lecun1998", inputShape: [1, 28, 28],
      layers: [Flatten(), Dense("F", inputFeatures: 784, outputFeatures: 10)],
      preprocessing: .keras)
    #expect(Preprocessing(for: model) == .keras)
    #expect(model.preprocessing == .keras)
  }

  @Test func aModelBuiltFromLayersRoundTripsThroughACheckpoint() throws {
    try withTemporaryDirectory { directory in
      let model = try Self.learnersLeNet()
      let url = directory.appendingPathComponent("mine.safetensors")
      try Checkpoint.save(model, to: url)
      let loaded = try Checkpoint.load(from: url)
      #expect(loaded.name == "my-lenet")
      #expect(loaded.recipe == model.recipe)
      #expect(loaded.preprocessing == .lecun1998)
      #expect(loaded.referenceFigures == .lecun1998)
      #expect(loaded.summary().rendered() == model.summary().rendered())
      var generator = SplitMix64(seed: 8)
      let input = Tensor(shape: [3, 1, 32, 32], uniformIn: -1...1, generator: &generator)
      #expect(loaded.forward(input) == model.forward(input))
    }
  }

  /// A small model of other layer types (max pooling, ReLU, a partial table) round-trips too.
  @Test func otherLayerTypesRoundTrip() throws {
    let table = ConnectionTable(inputChannels: 2, inputsOfOutput: [[0], [1], [0, 1]])
    var model = try Model(
      name: "tiny", inputShape: [1, 8, 8],
      layers: [
        Conv2D("C1", inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: .same),
        Activation(.relu), MaxPooling("P2"),
        Conv2D("C3", inputChannels: 2, outputChannels: 3, kernelSize: 3, connectionTable: table),
        Activation(.sigmoid), Flatten(), Dense("out", inputFeatures: 12, outputFeatures: 10),
      ])
    model.initialize(.glorotUniform, seed: 2)
    let file = Checkpoint.tensors(of: model)
    let loaded = try Checkpoint.model(
      from: SafeTensors(decoding: file.encoded(), file: "t"), path: "t")
    #expect(Checkpoint.tensors(of: loaded) == file)
    var generator = SplitMix64(seed: 1)
    let input = Tensor(shape: [2, 1, 8, 8], uniformIn: 0...1, generator: &generator)
    #expect(loaded.forward(input) == model.forward(input))
  }

  /// A recipe from a file is checked before anything is allocated: a 2²⁰ × 2²⁰ dense layer
  /// (4 TiB of weights) is an error, not an allocation.
  @Test func hostileRecipeIsRefused() throws {
    var file = Checkpoint.tensors(of: .keras())
    var recipe = try #require(Model.keras().recipe)
    recipe.layers[recipe.layers.count - 1] = .dense(
      name: "output", inputFeatures: 1 << 20, outputFeatures: 1 << 20)
    file.metadata[Checkpoint.recipeKey] = recipe.json
    let error = #expect(throws: DataError.self) {
      try Checkpoint.model(from: SafeTensors(decoding: file.encoded(), file: "m"), path: "m")
    }
    #expect(
      error?.description
        == "m: lenet_tutor_model in __metadata__: output: a tensor of shape [1048576, 1048576] is too large"
    )
  }

  /// Fixed tensors are declared by the layer: the RBF codes are `output.weight`.
  @Test func fixedTensorsAreDeclaredByTheLayer() {
    let rbf = EuclideanRBF()
    #expect(rbf.fixedTensors.map(\.name) == ["weight"])
    #expect(rbf.fixedTensors.first?.tensor == EuclideanRBF.digitCodes)
    #expect(Dense("F", inputFeatures: 2, outputFeatures: 1).fixedTensors.isEmpty)
  }
}
