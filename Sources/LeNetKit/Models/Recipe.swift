import Foundation

/// How to build a layer again without its values: its type and the numbers that fix its shape.
///
/// A checkpoint records one per layer (`ModelRecipe`), so a model built from layers (a chapter's,
/// a learner's) loads back without being looked up by name. The trained values come from the
/// checkpoint's tensors; a recipe holds none.
public enum LayerRecipe: Codable, Sendable, Equatable {
  case conv2D(
    name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, padding: String,
    inputsOfOutput: [[Int]])
  case subsampling(name: String, channels: Int)
  case averagePooling(name: String, size: Int)
  case maxPooling(name: String, size: Int)
  case activation(name: String, function: String)
  case flatten(name: String)
  case dense(name: String, inputFeatures: Int, outputFeatures: Int)
  case euclideanRBF(name: String, classes: Int, inputFeatures: Int)

  /// The largest size of one dimension a recipe may ask for, and of one tensor: a recipe comes
  /// from a file, and its numbers decide how much memory the layer takes before any tensor is
  /// read (LeNet-5's largest tensor has 48,000 elements).
  static let largestDimension = 1 << 20
  static let largestTensor = 1 << 26

  /// The layer, with zero or default values, or why the recipe is not a valid layer.
  public func layer() throws(RecipeError) -> any Layer {
    switch self {
    case .conv2D(let name, let inputs, let outputs, let kernel, let paddingName, let table):
      try Self.check(name, [inputs, outputs, kernel], tensor: [outputs, inputs, kernel, kernel])
      guard let padding = Conv2D.Padding(rawValue: paddingName),
        padding == .valid || kernel % 2 == 1
      else {
        throw RecipeError("\(name): padding '\(paddingName)' for a \(kernel)×\(kernel) kernel")
      }
      guard table.count == outputs,
        table.allSatisfy({
          !$0.isEmpty && Set($0).count == $0.count && $0.allSatisfy((0..<inputs).contains)
        })
      else {
        throw RecipeError(
          "\(name): the connection table is not \(outputs) lists of maps 0..<\(inputs)")
      }
      return Conv2D(
        name, inputChannels: inputs, outputChannels: outputs, kernelSize: kernel, padding: padding,
        connectionTable: ConnectionTable(inputChannels: inputs, inputsOfOutput: table))
    case .subsampling(let name, let channels):
      try Self.check(name, [channels], tensor: [channels])
      return Subsampling(name, channels: channels)
    case .averagePooling(let name, let size):
      try Self.check(name, [size], tensor: [size])
      return AveragePooling(name, size: size)
    case .maxPooling(let name, let size):
      try Self.check(name, [size], tensor: [size])
      return MaxPooling(name, size: size)
    case .activation(let name, let functionName):
      guard let function = Activation.Function(rawValue: functionName) else {
        throw RecipeError("\(name): no activation function '\(functionName)'")
      }
      return Activation(function, name: name)
    case .flatten(let name):
      return Flatten(name)
    case .dense(let name, let inputs, let outputs):
      try Self.check(name, [inputs, outputs], tensor: [outputs, inputs])
      return Dense(name, inputFeatures: inputs, outputFeatures: outputs)
    case .euclideanRBF(let name, let classes, let features):
      try Self.check(name, [classes, features], tensor: [classes, features])
      return EuclideanRBF(name, centers: Tensor(shape: [classes, features]))
    }
  }

  /// Checks each size against `largestDimension` and the tensor's element count (multiplied
  /// with overflow checks) against `largestTensor`.
  static func check(_ name: String, _ sizes: [Int], tensor: [Int]) throws(RecipeError) {
    guard sizes.allSatisfy({ (1...largestDimension).contains($0) }) else {
      throw RecipeError("\(name): sizes \(sizes) must lie in 1...\(largestDimension)")
    }
    var count = 1
    for size in tensor {
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      guard !overflow, product <= largestTensor else {
        throw RecipeError("\(name): a tensor of shape \(tensor) is too large")
      }
      count = product
    }
  }
}

/// Why a recipe does not describe a model LeNetKit can build.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong, naming the layer.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Everything that makes a model but its trained values: name, input, layers, output meaning,
/// preprocessing and reference figures. `Model(recipe:)` builds it again.
public struct ModelRecipe: Codable, Sendable, Equatable {
  public var name: String
  public var inputShape: [Int]
  public var output: Model.Output
  public var preprocessing: Preprocessing
  public var layers: [LayerRecipe]
  public var referenceFigures: PaperFigures?

  /// The recipe as compact JSON with sorted keys, the form checkpoints store.
  public var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // Encoding plain strings, numbers and arrays cannot fail.
    let data = (try? encoder.encode(self)) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  /// Reads `json` written by `json`.
  public init(json: String) throws(RecipeError) {
    do {
      self = try JSONDecoder().decode(ModelRecipe.self, from: Data(json.utf8))
    } catch {
      throw RecipeError("the model recipe is not valid JSON of a model")
    }
  }

  /// Creates a recipe from its parts.
  public init(
    name: String, inputShape: [Int], output: Model.Output, preprocessing: Preprocessing,
    layers: [LayerRecipe], referenceFigures: PaperFigures?
  ) {
    self.name = name
    self.inputShape = inputShape
    self.output = output
    self.preprocessing = preprocessing
    self.layers = layers
    self.referenceFigures = referenceFigures
  }
}

extension Model.Output: Codable {}
extension Preprocessing: Codable {}

extension Model {
  /// This model's recipe, or nil when a layer has none (a layer type LeNetKit does not know).
  public var recipe: ModelRecipe? {
    let layers = self.layers.compactMap(\.recipe)
    guard layers.count == self.layers.count else { return nil }
    return ModelRecipe(
      name: name, inputShape: inputShape, output: output, preprocessing: preprocessing,
      layers: layers, referenceFigures: referenceFigures)
  }

  /// Builds the model a recipe describes, with zero weights; every number is checked first,
  /// since recipes come from files.
  public init(recipe: ModelRecipe) throws(RecipeError) {
    guard (1...3).contains(recipe.inputShape.count) else {
      throw RecipeError("input shape \(recipe.inputShape) is not 1 to 3 sizes")
    }
    try LayerRecipe.check("input", recipe.inputShape, tensor: recipe.inputShape)
    var layers: [any Layer] = []
    for layer in recipe.layers { layers.append(try layer.layer()) }
    do {
      try self.init(
        name: recipe.name, inputShape: recipe.inputShape, layers: layers, output: recipe.output,
        preprocessing: recipe.preprocessing, referenceFigures: recipe.referenceFigures)
    } catch {
      throw RecipeError(error.message)
    }
  }
}

extension Conv2D {
  public var recipe: LayerRecipe? {
    .conv2D(
      name: name, inputChannels: inputChannels, outputChannels: outputChannels,
      kernelSize: kernelSize, padding: padding.rawValue,
      inputsOfOutput: connectionTable.inputsOfOutput)
  }
}

extension Subsampling {
  public var recipe: LayerRecipe? { .subsampling(name: name, channels: channels) }
}

extension AveragePooling {
  public var recipe: LayerRecipe? { .averagePooling(name: name, size: size) }
}

extension MaxPooling {
  public var recipe: LayerRecipe? { .maxPooling(name: name, size: size) }
}

extension Activation {
  public var recipe: LayerRecipe? { .activation(name: name, function: function.rawValue) }
}

extension Flatten {
  public var recipe: LayerRecipe? { .flatten(name: name) }
}

extension Dense {
  public var recipe: LayerRecipe? {
    .dense(name: name, inputFeatures: inputFeatures, outputFeatures: outputFeatures)
  }
}

extension EuclideanRBF {
  public var recipe: LayerRecipe? {
    .euclideanRBF(name: name, classes: classes, inputFeatures: inputFeatures)
  }
}
