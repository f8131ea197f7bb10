import LeNetKit
import Testing

/// Every figure of LeCun et al. (1998), section II.B, reproduced by the layers' own counters.
@Suite struct PaperCountTests {
  let model = Model.lecun1998()

  func layer(_ name: String) throws -> (layer: any Layer, input: [Int]) {
    let index = try #require(model.layers.firstIndex { $0.name == name })
    return (model.layers[index], index == 0 ? model.inputShape : model.layerOutputShapes[index - 1])
  }

  @Test(arguments: [
    ("C1", 156, 122_304), ("S2", 12, 5_880), ("C3", 1_516, 151_600), ("S4", 32, 2_000),
    ("C5", 48_120, 48_120), ("F6", 10_164, 10_164), ("output", 0, 840),
  ])
  func layerMatchesPaper(name: String, parameters: Int, connections: Int) throws {
    let (layer, input) = try layer(name)
    #expect(layer.parameterCount == parameters)
    #expect(layer.connectionCount(for: input) == connections)
  }

  @Test func totalsArePaperFigures() {
    #expect(model.parameterCount == 60_000)
    #expect(model.connectionCount == 340_908)
  }

  @Test func kerasModelHasKerasParameterCount() {
    #expect(Model.keras().parameterCount == 61_706)
  }
}
