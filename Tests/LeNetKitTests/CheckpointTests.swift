import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

@Suite struct SafeTensorsTests {
  /// A file built by hand from the format description, independent of the writer: header
  /// `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}` (79 bytes,
  /// 0x4F, counted with Python's len), then 1.0 (0x3F800000) and −2.0 (0xC0000000), little-endian.
  static let handBuilt: [UInt8] = {
    let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#
    return [0x4F, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]
  }()

  @Test func readsAHandBuiltFile() throws {
    #expect(Self.handBuilt.count == 8 + 79 + 8)
    let file = try SafeTensors(decoding: Self.handBuilt, file: "a.safetensors")
    #expect(file.metadata == ["k": "v"])
    #expect(file.tensors.map(\.name) == ["a"])
    #expect(file["a"] == Tensor(shape: [2], scalars: [1, -2]))
  }

  @Test func writerPadsTheHeaderTo8BytesAndReadsBack() throws {
    let file = SafeTensors(
      tensors: [
        ("w", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, .pi])),
        ("b", Tensor(shape: [0], scalars: [])),
      ], metadata: ["model": "x"])
    let bytes = file.encoded()
    let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
    #expect(headerLength % 8 == 0)
    #expect(bytes.count == 8 + headerLength + 24)
    #expect(try SafeTensors(decoding: bytes, file: "x") == file)
  }

  @Test func shortFileIsTruncated() {
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: [1, 2, 3], file: "m.safetensors")
    }
    #expect(error?.kind == .truncated)
    #expect(error?.description == "m.safetensors: 3 bytes, too few for the 8-byte header length")
  }

  @Test func headerLongerThanTheFileIsTruncated() {
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: Array(Self.handBuilt.prefix(50)), file: "m")
    }
    #expect(error?.description == "m: the header length says 79 bytes, only 42 follow")
  }

  @Test func missingDataIsTruncated() {
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: Array(Self.handBuilt.dropLast(3)), file: "m")
    }
    #expect(error?.kind == .truncated)
    #expect(error?.description == "m: tensor 'a' ends at data byte 8, the file has 5")
  }

  @Test func bytesAfterTheLastTensorAreReported() {
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: Self.handBuilt + [0, 0, 0, 0], file: "m")
    }
    #expect(error?.kind == .extraBytes)
    #expect(error?.description == "m: 4 bytes after the last tensor")
  }

  @Test func damagedJSONIsReported() {
    var bytes = Self.handBuilt
    bytes[8] = UInt8(ascii: "[")
    let error = #expect(throws: DataError.self) { try SafeTensors(decoding: bytes, file: "m") }
    #expect(error?.description == "m: the header is not valid JSON")
    #expect(error?.fix == "the file is damaged or not a safetensors file")
  }

  @Test func otherDtypesAreUnsupported() {
    let header = #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}   "#
    let bytes =
      [UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [0, 0, 0, 0]
    let error = #expect(throws: DataError.self) { try SafeTensors(decoding: bytes, file: "m") }
    #expect(error?.kind == .unsupported)
    #expect(error?.description == "m: tensor 'a' has dtype F16; only F32 is supported")
  }

  @Test func rangeThatDisagreesWithTheShapeIsReported() {
    let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
    let bytes =
      [UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
      + [UInt8](repeating: 0, count: 8)
    let error = #expect(throws: DataError.self) { try SafeTensors(decoding: bytes, file: "m") }
    #expect(
      error?.description == "m: tensor 'a' of shape [3] needs 12 bytes, data_offsets give 8")
  }

  @Test func overlappingTensorsAreReported() {
    let header =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
    let bytes =
      [UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
      + [UInt8](repeating: 0, count: 8)
    let error = #expect(throws: DataError.self) { try SafeTensors(decoding: bytes, file: "m") }
    #expect(
      error?.description == "m: tensor 'b' starts at data byte 4, expected 8 (overlap or gap)")
  }
}

@Suite struct CheckpointTests {
  @Test func lecun1998TensorNamesAndShapesFollowPyTorch() {
    let file = Checkpoint.tensors(of: .lecun1998(seed: 1))
    #expect(file.metadata["model"] == "lecun1998")
    // Shapes from the layer table (LeNet5.swift): C1 6 maps of 1×5×5 … F6 84×120, RBF 10×84.
    let expected: [(String, [Int])] = [
      ("c1.weight", [6, 1, 5, 5]), ("c1.bias", [6]), ("s2.weight", [6]), ("s2.bias", [6]),
      ("c3.weight", [16, 6, 5, 5]), ("c3.bias", [16]), ("s4.weight", [16]), ("s4.bias", [16]),
      ("c5.weight", [120, 16, 5, 5]), ("c5.bias", [120]), ("f6.weight", [84, 120]),
      ("f6.bias", [84]), ("output.weight", [10, 84]),
    ]
    #expect(file.tensors.map(\.name) == expected.map(\.0))
    #expect(file.tensors.map(\.tensor.shape) == expected.map(\.1))
  }

  @Test func kerasTensorNames() {
    let file = Checkpoint.tensors(of: .keras())
    #expect(
      file.tensors.map(\.name) == [
        "c1.weight", "c1.bias", "c3.weight", "c3.bias", "c5.weight", "c5.bias", "f6.weight",
        "f6.bias", "output.weight", "output.bias",
      ])
    // 61,706 trainable parameters, as Keras' model.summary() prints.
    #expect(file.tensors.reduce(0) { $0 + $1.tensor.count } == 61_706)
  }

  @Test(arguments: ["lecun1998", "keras"])
  func roundTripIsBitExactWithTheSamePredictions(name: String) throws {
    try withTemporaryDirectory { directory in
      let model = try #require(Model.named(name, seed: 42))
      let url = directory.appendingPathComponent("model.safetensors")
      try Checkpoint.save(model, to: url)
      let loaded = try Checkpoint.load(from: url, expectedModel: name)
      #expect(loaded.name == name)
      for (saved, read) in zip(model.layers, loaded.layers) {
        #expect(parameterBits(of: saved) == parameterBits(of: read))
      }
      #expect(Checkpoint.tensors(of: loaded) == Checkpoint.tensors(of: model))
      var generator = SplitMix64(seed: 3)
      let input = Tensor(shape: [4] + model.inputShape, uniformIn: -1...1, generator: &generator)
      #expect(loaded.forward(input) == model.forward(input))
      #expect(fileNames(in: directory) == ["model.safetensors"])
    }
  }

  func save(_ file: SafeTensors, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent("m.safetensors")
    try Data(file.encoded()).write(to: url)
    return url
  }

  @Test func checkpointOfAnotherModelIsRejected() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.safetensors")
      try Checkpoint.save(.keras(), to: url)
      let error = #expect(throws: DataError.self) {
        try Checkpoint.load(from: url, expectedModel: "lecun1998")
      }
      #expect(
        error?.description == "\(url.path): the checkpoint is for model 'keras', not 'lecun1998'")
      #expect(error?.fix == "use --model keras, or a checkpoint trained with --model lecun1998")
    }
  }

  @Test func missingTensorIsNamed() throws {
    try withTemporaryDirectory { directory in
      var file = Checkpoint.tensors(of: .keras())
      file.tensors.removeAll { $0.name == "f6.bias" }
      let url = try save(file, in: directory)
      let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
      #expect(error?.description == "\(url.path): tensor 'f6.bias' is missing for model 'keras'")
    }
  }

  @Test func extraTensorIsNamed() throws {
    try withTemporaryDirectory { directory in
      var file = Checkpoint.tensors(of: .keras())
      file.tensors.append(("f7.weight", Tensor(shape: [1])))
      let url = try save(file, in: directory)
      let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
      #expect(error?.description == "\(url.path): unexpected tensor 'f7.weight' for model 'keras'")
    }
  }

  @Test func wrongShapeIsNamed() throws {
    try withTemporaryDirectory { directory in
      var file = Checkpoint.tensors(of: .keras())
      let index = try #require(file.tensors.firstIndex { $0.name == "f6.weight" })
      file.tensors[index].tensor = Tensor(shape: [120, 84])
      let url = try save(file, in: directory)
      let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
      #expect(
        error?.description
          == "\(url.path): tensor 'f6.weight' has shape [120, 84], model 'keras' needs [84, 120]")
    }
  }

  @Test func unknownModelNameIsReported() throws {
    try withTemporaryDirectory { directory in
      // A checkpoint without a recipe (older ones) names a model that must be a known one.
      var file = Checkpoint.tensors(of: .keras())
      file.metadata["model"] = "alexnet"
      file.metadata[Checkpoint.recipeKey] = nil
      let url = try save(file, in: directory)
      let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
      #expect(
        error?.description
          == "\(url.path): the checkpoint is for model 'alexnet', which is not one of lecun1998, keras"
      )
    }
  }

  @Test func truncatedCheckpointIsReported() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.safetensors")
      try Checkpoint.save(.keras(), to: url)
      let bytes = try Data(contentsOf: url)
      try bytes.prefix(bytes.count - 100).write(to: url)
      let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
      #expect(error?.kind == .truncated)
      // output.bias (10 floats, the last 40 bytes) and 60 bytes of output.weight are gone.
      #expect(error?.message.hasSuffix("the file has \(4 * 61_706 - 100)") == true)
    }
  }

  @Test func missingFileIsReported() {
    let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
    let error = #expect(throws: DataError.self) { try Checkpoint.load(from: url) }
    #expect(error?.kind == .missing)
    #expect(error?.file == "/nonexistent/model.safetensors")
  }
}

/// Checkpoints written by PyTorch's `safetensors.torch.save_file`, with no lenet-tutor metadata
/// (issue 9 §5), produced by the test support's `PyTorchSafeTensors`.
@Suite struct PyTorchCheckpointTests {
  /// The writer reproduces the safetensors library's own test vectors byte for byte
  /// (`safetensors/src/tensor.rs`, `test_serialization` and `test_empty`).
  @Test func writerMatchesTheLibrarysTestVectors() {
    let attention = Tensor(shape: [1, 2, 3], scalars: [0, 1, 2, 3, 4, 5])
    let expected: [UInt8] = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]
    #expect(PyTorchSafeTensors.encode(["attn.0": attention]) == expected)
    let emptyWithMetadata: [UInt8] = [
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]
    #expect(PyTorchSafeTensors.encode([:], metadata: ["framework": "pt"]) == emptyWithMetadata)
    #expect(
      PyTorchSafeTensors.encode([:]) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
  }

  /// A model's tensors as a PyTorch state dict (name → tensor), written the library's way.
  static func pyTorchFile(of model: Model, metadata: [String: String]? = nil) -> [UInt8] {
    var stateDict: [String: Tensor] = [:]
    for (name, tensor) in Checkpoint.tensors(of: model).tensors { stateDict[name] = tensor }
    return PyTorchSafeTensors.encode(stateDict, metadata: metadata)
  }

  /// The file (tensors sorted by name, so `c1.bias` before `c1.weight`, no metadata) loads as
  /// the model its names imply, with every weight bit-exact: the same outputs as the model the
  /// weights came from.
  @Test(arguments: ["lecun1998", "keras"])
  func fileWithoutMetadataLoadsAsTheInferredModel(name: String) throws {
    try withTemporaryDirectory { directory in
      let model = try #require(Model.named(name, seed: 11))
      let url = directory.appendingPathComponent("pytorch.safetensors")
      let bytes = Self.pyTorchFile(of: model)
      #expect(try SafeTensors(decoding: bytes, file: "x").metadata.isEmpty)
      try Data(bytes).write(to: url)
      let loaded = try Checkpoint.read(from: url)
      #expect(loaded.model.name == name)
      #expect(loaded.source == .inferred)
      #expect(loaded.warnings.isEmpty)
      var generator = SplitMix64(seed: 5)
      let input = Tensor(shape: [8] + model.inputShape, uniformIn: -1...1, generator: &generator)
      #expect(loaded.model.forward(input) == model.forward(input))
    }
  }

  /// `save_model` adds `{"format": "pt"}`: still no "model" entry, still inferred.
  @Test func formatMetadataAloneIsInferredToo() throws {
    let bytes = Self.pyTorchFile(of: .lecun1998(seed: 2), metadata: ["format": "pt"])
    let file = try SafeTensors(decoding: bytes, file: "m")
    let identity = try Checkpoint.identify(file, path: "m")
    #expect(identity.name == "lecun1998")
    #expect(identity.source == .inferred)
  }

  /// A chosen model is used for a file without metadata; a wrong choice names the tensor that
  /// does not fit.
  @Test func chosenModelOverridesTheInference() throws {
    let keras = try SafeTensors(decoding: Self.pyTorchFile(of: .keras(seed: 2)), file: "k")
    let identity = try Checkpoint.identify(keras, requested: "keras", path: "k")
    #expect(identity.name == "keras")
    #expect(identity.source == .chosen)
    let lecun = try SafeTensors(decoding: Self.pyTorchFile(of: .lecun1998(seed: 2)), file: "l")
    let error = #expect(throws: DataError.self) {
      try Checkpoint.model(from: lecun, expectedModel: "keras", path: "l")
    }
    // Sorted by name, the first tensor keras lacks is s2.bias.
    #expect(error?.description == "l: unexpected tensor 's2.bias' for model 'keras'")
  }

  /// Errors in an inferred file say that the model was inferred.
  @Test func errorsSayTheModelWasInferred() throws {
    var stateDict: [String: Tensor] = [:]
    for (name, tensor) in Checkpoint.tensors(of: .keras()).tensors where name != "f6.bias" {
      stateDict[name] = tensor
    }
    let file = try SafeTensors(decoding: PyTorchSafeTensors.encode(stateDict), file: "p")
    let error = #expect(throws: DataError.self) { try Checkpoint.model(from: file, path: "p") }
    #expect(
      error?.description
        == "p: tensor 'f6.bias' is missing for model 'keras' (inferred from its tensor names)")
  }

  /// A PyTorch C3 that applies Table I as a mask in its forward pass keeps its unlinked kernels'
  /// initial values: loading zeroes them (what that forward pass computes) and says so. Table I
  /// leaves 96 − 60 = 36 kernels unlinked.
  @Test func unlinkedKernelsWithWeightsAreZeroedWithAWarning() throws {
    let model = Model.lecun1998(seed: 3)
    var stateDict: [String: Tensor] = [:]
    for (name, tensor) in Checkpoint.tensors(of: model).tensors { stateDict[name] = tensor }
    let c3 = try #require(stateDict["c3.weight"])
    stateDict["c3.weight"] = Tensor(
      shape: c3.shape, scalars: c3.scalars.map { $0 == 0 ? 0.5 : $0 })
    let file = try SafeTensors(decoding: PyTorchSafeTensors.encode(stateDict), file: "p")
    let loaded = try Checkpoint.read(file, path: "p")
    #expect(
      loaded.warnings == [
        "p: tensor 'c3.weight' has nonzero weights on 36 kernels its connection table does not "
          + "link; they are set to zero, as a module that masks them in its forward pass ignores them"
      ])
    #expect(Checkpoint.tensors(of: loaded.model) == Checkpoint.tensors(of: model))
  }
}

/// Hostile or broken checkpoints get located errors, never a trap (issue 10 §1).
@Suite struct HostileCheckpointTests {
  /// 2⁴⁰ · 2⁴⁰ elements overflow a 64-bit size; the library itself reports `ValidationOverflow`.
  @Test func shapeWhoseSizeOverflowsIsAnError() {
    let header =
      #"{"c1.weight":{"dtype":"F32","shape":[1099511627776,1099511627776,1,1],"data_offsets":[0,4]}}"#
    let bytes =
      withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
      + [0, 0, 0, 0]
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: bytes, file: "big.safetensors")
    }
    #expect(error?.kind == .invalidContent)
    #expect(
      error?.description
        == "big.safetensors: tensor 'c1.weight' has shape [1099511627776, 1099511627776, 1, 1], whose size does not fit in a 64-bit integer"
    )
  }

  /// A size that fits `Int` only before the × 4 bytes per float: 2⁶² elements.
  @Test func byteCountOverflowIsAnError() {
    let header = #"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}"#
    let bytes =
      withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
      + [0, 0, 0, 0]
    let error = #expect(throws: DataError.self) { try SafeTensors(decoding: bytes, file: "m") }
    #expect(
      error?.description
        == "m: tensor 'a' has shape [4611686018427387904], whose size does not fit in a 64-bit integer"
    )
  }

  /// NaN and infinities are refused by name, with the element and the likely cause.
  @Test(arguments: [
    (Float.nan, "NaN"), (Float.infinity, "+infinity"), (-Float.infinity, "-infinity"),
  ])
  func nonFiniteWeightsAreRefused(value: Float, shown: String) throws {
    var file = Checkpoint.tensors(of: .keras(seed: 1))
    let index = try #require(file.tensors.firstIndex { $0.name == "f6.weight" })
    file.tensors[index].tensor.scalars[17] = value
    let error = #expect(throws: DataError.self) {
      try Checkpoint.read(SafeTensors(decoding: file.encoded(), file: "m"), path: "m")
    }
    #expect(
      error?.description
        == "m: tensor 'f6.weight' holds \(shown) at element 17 of 10080; a model with such weights outputs nonsense"
    )
    #expect(error?.fix == "the training that wrote it diverged: train again with a smaller --lr")
  }
}

/// Foundation's file errors in plain words (issue 10 §4): the codes are those Foundation on Linux
/// throws (a Cocoa 512 or 256 around the system's errno), observed with `Data.write(to:)` and
/// `Data(contentsOf:)` on a path under a file, a folder, and a path under /sys.
@Suite struct FileProblemTests {
  static func cocoa(_ code: Int, errno: Int32?) -> NSError {
    NSError(
      domain: NSCocoaErrorDomain, code: code,
      userInfo: errno.map {
        [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int($0))]
      }
        ?? [:])
  }

  @Test(arguments: [
    (512, EACCES, "permission denied"),
    (512, ENOTDIR, "a part of the path is a file, not a folder"),
    (512, EISDIR, "it is a folder"), (256, EISDIR, "it is a folder"),
    (513, EACCES, "permission denied"), (260, ENOENT, "no such file or folder"),
    (512, EROFS, "the file system is read-only"), (512, ENOSPC, "the disk is full"),
  ])
  func underlyingErrnoIsNamed(code: Int, errno: Int32, reason: String) {
    #expect(FileProblem.describe(Self.cocoa(code, errno: errno)) == reason)
  }

  @Test func cocoaCodeAloneIsNamed() {
    #expect(FileProblem.describe(Self.cocoa(513, errno: nil)) == "permission denied")
    #expect(FileProblem.describe(Self.cocoa(4, errno: nil)) == "no such file or folder")
    #expect(FileProblem.describe(Self.cocoa(640, errno: nil)) == "the disk is full")
  }

  /// A real failure: writing under a file.
  @Test func atomicWriteUnderAFileSaysSo() throws {
    try withTemporaryDirectory { folder in
      let file = folder.appendingPathComponent("plain")
      try Data([1]).write(to: file)
      let target = file.appendingPathComponent("model.safetensors")
      let error = #expect(throws: DataError.self) { try AtomicFile.write([1], to: target) }
      #expect(
        error?.description
          == "\(target.path): cannot be written: \(file.path) is a file, not a folder")
      // One level deeper, creating the folders fails on the file: the system's reason, in words.
      let deeper = file.appendingPathComponent("run/model.safetensors")
      let deeperError = #expect(throws: DataError.self) { try AtomicFile.write([1], to: deeper) }
      #expect(
        deeperError?.description
          == "\(deeper.path): cannot be written: a part of the path is a file, not a folder")
    }
  }
}
