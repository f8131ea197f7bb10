import LeNetKit
import Testing

/// Every figure of LeCun et al. (1998), section II.B, and of the Keras tutorial's summary,
/// reproduced by the layers' own counters.
@Suite struct PaperCountTests {
  /// A layer of `model` by name, with its per-sample input shape.
  static func layer(_ name: String, of model: Model) throws -> (layer: any Layer, input: [Int]) {
    let index = try #require(model.layers.firstIndex { $0.name == name })
    return (model.layers[index], index == 0 ? model.inputShape : model.layerOutputShapes[index - 1])
  }

  /// The paper's table, row by row (section II.B).
  @Test(arguments: [
    ("C1", 156, 122_304), ("S2", 12, 5_880), ("C3", 1_516, 151_600), ("S4", 32, 2_000),
    ("C5", 48_120, 48_120), ("F6", 10_164, 10_164), ("output", 0, 840),
  ])
  func lecun1998LayerMatchesPaper(name: String, parameters: Int, connections: Int) throws {
    let (layer, input) = try Self.layer(name, of: Model.lecun1998())
    #expect(layer.parameterCount == parameters)
    #expect(layer.connectionCount(for: input) == connections)
  }

  /// The paper: "60,000 trainable parameters", "340,908 connections"; 840 fixed RBF codes.
  @Test func lecun1998TotalsArePaperFigures() {
    let model = Model.lecun1998()
    #expect(model.parameterCount == 60_000)
    #expect(model.connectionCount == 340_908)
    #expect(model.layers.reduce(0) { $0 + $1.fixedParameterCount } == 840)
  }

  /// Keras' `model.summary()` for the tutorial's network: 156, 0, 2,416, 0, 48,120, 10,164, 850.
  @Test(arguments: [
    ("C1", 156), ("S2", 0), ("C3", 2_416), ("S4", 0), ("C5", 48_120), ("F6", 10_164),
    ("output", 850),
  ])
  func kerasLayerMatchesKerasSummary(name: String, parameters: Int) throws {
    #expect(try Self.layer(name, of: Model.keras()).layer.parameterCount == parameters)
  }

  @Test func kerasTotalIsKerasSummary() {
    #expect(Model.keras().parameterCount == 61_706)
  }

  /// C3 on 6@14×14 → 16@10×10. Table I links 60 map pairs, a full table 96, each with a 5×5
  /// kernel over 100 output pixels, plus one bias per map:
  /// Table I: 60 · 25 + 16 = 1,516 parameters; (60 · 25 + 16) · 100 = 151,600 connections.
  /// Full:    96 · 25 + 16 = 2,416 parameters (2,400 weights); 2,416 · 100 = 241,600.
  @Test func c3WithTableIAndWithFullTable() {
    let tableI = Conv2D(
      "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998)
    let full = Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5)
    #expect(tableI.parameterCount == 1_516)
    #expect(tableI.connectionCount(for: [6, 14, 14]) == 151_600)
    #expect(full.parameterCount == 2_416)
    #expect(full.connectionCount(for: [6, 14, 14]) == 241_600)
  }

  /// The Keras C1 pads 28×28 to keep 28×28, and padding is not an input, so only in-bounds taps
  /// connect. Along one axis the 28 output positions see 3, 4, then 5 (24 times), then 4, 3
  /// in-bounds taps: 3 + 4 + 5 · 24 + 4 + 3 = 134. In 2-D: 134² = 17,956 taps per map, times
  /// 6 maps = 107,736, plus 6 · 28 · 28 = 4,704 biases: 112,440.
  @Test func samePaddedC1CountsInBoundsTaps() {
    let c1 = Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same)
    #expect(c1.connectionCount(for: [1, 28, 28]) == 112_440)
    #expect(c1.parameterCount == 156)
  }

  /// A 3×3 same convolution on 3×3: per axis 2 + 3 + 2 = 7 taps, 7² = 49, plus 9 biases = 58
  /// (by position: 4 corners × 4 taps + 4 edges × 6 + centre 9 = 49).
  @Test func smallSamePaddedCountByHand() {
    let layer = Conv2D("C", inputChannels: 1, outputChannels: 1, kernelSize: 3, padding: .same)
    #expect(layer.connectionCount(for: [1, 3, 3]) == 58)
  }

  /// The Keras model's connections by the same convention, layer by layer:
  /// 112,440 + 4 · 1,176 + 241,600 + 4 · 400 + 48,120 + 10,164 + 850 = 419,478.
  @Test func kerasConnections() {
    #expect(Model.keras().connectionCount == 419_478)
  }
}
