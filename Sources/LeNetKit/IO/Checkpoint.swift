import Foundation

/// A trained model saved as a safetensors file that PyTorch can load, and loaded back.
///
/// Each trainable tensor is named `<layer>.<parameter>`, the layer's paper name in lowercase
/// (`c1.weight`, `s2.bias`, `f6.weight`), in PyTorch's layouts: convolution weights
/// out × in × kh × kw, dense weights out × in. The `lecun1998` output layer's fixed RBF codes
/// are saved as `output.weight` (10 × 84), with no bias. `__metadata__` records the model
/// (`"model": "lecun1998"`). The full list is in `Docs/checkpoints.md`.
///
/// A file without that record (PyTorch's `safetensors.torch.save_file` of a module with the
/// same attribute names) still loads: its model is inferred from the tensor names, `s2.weight`
/// (the paper's trainable subsampling) meaning `lecun1998` and its absence `keras`.
public enum Checkpoint {
  /// How the model of a checkpoint was decided.
  public enum ModelSource: Sendable, Equatable {
    /// The file's `__metadata__` names it: a lenet-tutor checkpoint.
    case metadata
    /// The file has no lenet-tutor metadata and the caller named the model.
    case chosen
    /// The file has no lenet-tutor metadata; the model was inferred from its tensor names.
    case inferred
  }

  /// A loaded checkpoint: the model, how its kind was decided, and what loading changed.
  public struct Loaded: Sendable {
    /// The model with the file's tensors.
    public var model: Model
    /// Whether the model came from the metadata, the caller, or the tensor names.
    public var source: ModelSource
    /// Changes made while loading that the user should know of (unlinked C3 kernels zeroed).
    public var warnings: [String]
  }

  /// The `__metadata__` key of the model's recipe (`ModelRecipe.json`).
  public static let recipeKey = "lenet_tutor_model"

  /// The named tensors of `model` (trainable, then fixed, layer by layer), with its metadata:
  /// its name and, when every layer has one, its recipe.
  public static func tensors(of model: Model) -> SafeTensors {
    var tensors: [(name: String, tensor: Tensor)] = []
    for layer in model.layers {
      let prefix = layer.name.lowercased()
      for (name, tensor) in zip(layer.parameterNames, layer.parameters) + layer.fixedTensors {
        tensors.append(("\(prefix).\(name)", tensor))
      }
    }
    var metadata = ["model": model.name, "format": "pt"]
    metadata[recipeKey] = model.recipe?.json
    return SafeTensors(tensors: tensors, metadata: metadata)
  }

  /// Writes `model` to `url` atomically (a temporary file, then a rename).
  public static func save(_ model: Model, to url: URL) throws(DataError) {
    try AtomicFile.write(tensors(of: model).encoded(), to: url)
  }

  /// Reads the checkpoint at `url`, builds the model it holds and loads its tensors. When
  /// `expectedModel` is given, a checkpoint recorded as another model is an error, and a file
  /// without lenet-tutor metadata is read as `expectedModel`.
  public static func load(from url: URL, expectedModel: String? = nil) throws(DataError) -> Model {
    try read(from: url, model: expectedModel).model
  }

  /// `load`, also saying how the model was decided and what loading changed, for commands that
  /// report it.
  public static func read(from url: URL, model requested: String? = nil) throws(DataError)
    -> Loaded
  {
    let inside = url.appendingPathComponent("model.safetensors")
    let bytes = try FileProblem.readBytes(
      of: url, what: "a checkpoint",
      folderFix: FileManager.default.fileExists(atPath: inside.path)
        ? "use \(inside.path)" : "give the model.safetensors file that 'train' wrote")
    let file = try SafeTensors(decoding: bytes, file: url.path)
    return try read(file, model: requested, path: url.path)
  }

  /// Builds the model a decoded checkpoint holds and loads its tensors; `path` names it in errors.
  public static func model(from file: SafeTensors, expectedModel: String? = nil, path: String)
    throws(DataError) -> Model
  {
    try read(file, model: expectedModel, path: path).model
  }

  /// Which model `file` holds: the one its metadata records (which must agree with `requested`),
  /// else `requested`, else the one its tensor names imply.
  public static func identify(_ file: SafeTensors, requested: String? = nil, path: String)
    throws(DataError) -> (name: String, source: ModelSource)
  {
    guard let recorded = file.metadata["model"] else {
      if let requested { return (requested, .chosen) }
      return (file["s2.weight"] == nil ? "keras" : "lecun1998", .inferred)
    }
    if let requested, requested != recorded {
      throw DataError(
        .mismatch, file: path, "the checkpoint is for model '\(recorded)', not '\(requested)'",
        fix: "use --model \(recorded), or a checkpoint trained with --model \(requested)")
    }
    return (recorded, .metadata)
  }

  /// `read` for a decoded file: `identify`, then every tensor checked against the model's names
  /// and shapes, refused if it holds a NaN or an infinity, and loaded; `path` names the file in
  /// errors.
  public static func read(_ file: SafeTensors, model requested: String? = nil, path: String)
    throws(DataError) -> Loaded
  {
    let (name, source) = try identify(file, requested: requested, path: path)
    var model = try emptyModel(named: name, from: file, path: path)
    let inferred = source == .inferred ? " (inferred from its tensor names)" : ""
    let expected = tensors(of: model).tensors
    let expectedNames = Set(expected.map(\.name))
    if let extra = file.tensors.map(\.name).first(where: { !expectedNames.contains($0) }) {
      throw DataError(
        .mismatch, file: path, "unexpected tensor '\(extra)' for model '\(name)'\(inferred)",
        fix: "the tensor names of each model are listed in Docs/checkpoints.md")
    }
    var loaded: [String: Tensor] = [:]
    for (tensorName, shaped) in expected {
      guard let tensor = file[tensorName] else {
        throw DataError(
          .mismatch, file: path, "tensor '\(tensorName)' is missing for model '\(name)'\(inferred)",
          fix: "the tensor names of each model are listed in Docs/checkpoints.md")
      }
      guard tensor.shape == shaped.shape else {
        throw DataError(
          .mismatch, file: path,
          "tensor '\(tensorName)' has shape \(tensor.shape), model '\(name)'\(inferred) needs \(shaped.shape)"
        )
      }
      if let index = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
        let value = tensor.scalars[index]
        throw DataError(
          .invalidContent, file: path,
          "tensor '\(tensorName)' holds \(value.isNaN ? "NaN" : value > 0 ? "+infinity" : "-infinity") "
            + "at element \(index) of \(tensor.count); a model with such weights outputs nonsense",
          fix: "the training that wrote it diverged: train again with a smaller --lr")
      }
      loaded[tensorName] = tensor
    }
    var warnings: [String] = []
    for index in model.layers.indices {
      let layer = model.layers[index]
      let prefix = layer.name.lowercased()
      if !layer.fixedTensors.isEmpty {
        model.layers[index] = layer.replacingFixedTensors(
          layer.fixedTensors.map { loaded["\(prefix).\($0.name)"] ?? $0.tensor })
      }
      if !layer.parameterNames.isEmpty {
        let tensors = layer.parameterNames.map { loaded["\(prefix).\($0)"] ?? Tensor(shape: [0]) }
        if let convolution = layer as? Conv2D,
          let count = convolution.unlinkedKernelsWithWeights(in: tensors[0]), count > 0
        {
          warnings.append(
            "\(path): tensor '\(prefix).weight' has nonzero weights on \(count) kernels its "
              + "connection table does not link; they are set to zero, as a module that masks "
              + "them in its forward pass ignores them")
        }
        model.layers[index].parameters = tensors
      }
    }
    return Loaded(model: model, source: source, warnings: warnings)
  }

  /// The model `name` before its tensors are loaded: built from the recipe the file records,
  /// else (older checkpoints, PyTorch's files) one of the named models.
  static func emptyModel(named name: String, from file: SafeTensors, path: String)
    throws(DataError) -> Model
  {
    if let json = file.metadata[recipeKey], file.metadata["model"] == name {
      do throws(RecipeError) {
        let model = try Model(recipe: ModelRecipe(json: json))
        guard model.name == name else {
          throw RecipeError("the recipe is for model '\(model.name)', the metadata says '\(name)'")
        }
        return model
      } catch {
        throw DataError(
          .invalidContent, file: path, "\(recipeKey) in __metadata__: \(error.message)",
          fix: "the file is damaged or was not written by lenet-tutor")
      }
    }
    guard let model = Model.named(name) else {
      throw DataError(
        .invalidContent, file: path,
        "the checkpoint is for model '\(name)', which is not one of "
          + Model.availableNames.joined(separator: ", "),
        fix: "a checkpoint of a model built from layers records its recipe; this one does not")
    }
    return model
  }
}
