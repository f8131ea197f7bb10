import Foundation

/// A trained model saved as a safetensors file that PyTorch can load, and loaded back.
///
/// Each trainable tensor is named `<layer>.<parameter>`, the layer's paper name in lowercase
/// (`c1.weight`, `s2.bias`, `f6.weight`), in PyTorch's layouts: convolution weights
/// out × in × kh × kw, dense weights out × in. The `lecun1998` output layer's fixed RBF codes
/// are saved as `output.weight` (10 × 84), with no bias. `__metadata__` records the model
/// (`"model": "lecun1998"`). The full list is in `Docs/checkpoints.md`.
public enum Checkpoint {
  /// The named tensors of `model`, in layer order, with its metadata.
  public static func tensors(of model: Model) -> SafeTensors {
    var tensors: [(name: String, tensor: Tensor)] = []
    for layer in model.layers {
      let prefix = layer.name.lowercased()
      if let output = layer as? EuclideanRBF {
        tensors.append(("\(prefix).weight", output.centers))
        continue
      }
      for (name, tensor) in zip(layer.parameterNames, layer.parameters) {
        tensors.append(("\(prefix).\(name)", tensor))
      }
    }
    return SafeTensors(tensors: tensors, metadata: ["model": model.name, "format": "pt"])
  }

  /// Writes `model` to `url` atomically (a temporary file, then a rename).
  public static func save(_ model: Model, to url: URL) throws(DataError) {
    try AtomicFile.write(tensors(of: model).encoded(), to: url)
  }

  /// Reads the checkpoint at `url`, builds the model it names and loads its tensors. When
  /// `expectedModel` is given, a checkpoint of another model is an error.
  public static func load(from url: URL, expectedModel: String? = nil) throws(DataError) -> Model {
    let file = try SafeTensors(decoding: readFile(url), file: url.path)
    return try model(from: file, expectedModel: expectedModel, path: url.path)
  }

  /// Builds the model a decoded checkpoint names and loads its tensors; `path` names it in errors.
  public static func model(from file: SafeTensors, expectedModel: String? = nil, path: String)
    throws(DataError) -> Model
  {
    guard let name = file.metadata["model"] else {
      throw DataError(
        .invalidContent, file: path, "no \"model\" entry in __metadata__",
        fix: "this is not a lenet-tutor checkpoint; save one with 'lenet-tutor train'")
    }
    guard var model = Model.named(name) else {
      throw DataError(
        .invalidContent, file: path,
        "the checkpoint is for model '\(name)', which is not one of "
          + Model.availableNames.joined(separator: ", "))
    }
    if let expectedModel, expectedModel != name {
      throw DataError(
        .mismatch, file: path, "the checkpoint is for model '\(name)', not '\(expectedModel)'",
        fix: "use --model \(name), or a checkpoint trained with --model \(expectedModel)")
    }
    let expected = tensors(of: model).tensors
    let expectedNames = Set(expected.map(\.name))
    if let extra = file.tensors.map(\.name).first(where: { !expectedNames.contains($0) }) {
      throw DataError(
        .mismatch, file: path, "unexpected tensor '\(extra)' for model '\(name)'",
        fix: "the tensor names of each model are listed in Docs/checkpoints.md")
    }
    var loaded: [String: Tensor] = [:]
    for (tensorName, shaped) in expected {
      guard let tensor = file[tensorName] else {
        throw DataError(
          .mismatch, file: path, "tensor '\(tensorName)' is missing for model '\(name)'",
          fix: "the tensor names of each model are listed in Docs/checkpoints.md")
      }
      guard tensor.shape == shaped.shape else {
        throw DataError(
          .mismatch, file: path,
          "tensor '\(tensorName)' has shape \(tensor.shape), model '\(name)' needs \(shaped.shape)")
      }
      loaded[tensorName] = tensor
    }
    for index in model.layers.indices {
      let layer = model.layers[index]
      let prefix = layer.name.lowercased()
      if let output = layer as? EuclideanRBF {
        model.layers[index] = EuclideanRBF(
          output.name, centers: loaded["\(prefix).weight"] ?? output.centers)
      } else if !layer.parameterNames.isEmpty {
        model.layers[index].parameters = layer.parameterNames.map {
          loaded["\(prefix).\($0)"] ?? Tensor(shape: [0])
        }
      }
    }
    return model
  }
}
