import Foundation

/// A training run as it stands after an epoch: enough to continue it later with the same
/// result as if it had never stopped.
///
/// One safetensors file, written atomically after every epoch, so an interrupted run loses at
/// most the epoch it was in:
///
/// ```
/// c1.weight, c1.bias, …            the model, named as in its checkpoint (Docs/checkpoints.md)
/// velocity.c1.weight, …            SGD's momentum, one tensor per trainable tensor
/// __metadata__                     the model's name, the settings, the optimizer's learning rate
///                                  for the next epoch, and the history so far (CSV)
/// ```
/// The random choices (shuffling, shifts) are not stored: `Model.fit` draws them again from the
/// seed (see its `firstEpoch`).
public struct TrainingState: Sendable {
  /// The settings that fix a run: what `lenet-tutor train` takes on its command line.
  public struct Settings: Sendable, Equatable {
    /// The epoch count the run aims at.
    public var epochs: Int
    /// Images per SGD step.
    public var batchSize: Int
    /// The learning rate of the first epoch.
    public var learningRate: Float
    /// SGD momentum.
    public var momentum: Float
    /// The learning rate's factor after each epoch.
    public var learningRateDecay: Float
    /// The largest random shift of a training image, in pixels.
    public var maximumShift: Int
    /// Seeds the initial weights and the random choices.
    public var seed: UInt64
    /// How many training images the run uses; a resumed run must be given the same set.
    public var trainingImages: Int

    /// Creates settings.
    public init(
      epochs: Int, batchSize: Int, learningRate: Float, momentum: Float,
      learningRateDecay: Float, maximumShift: Int, seed: UInt64, trainingImages: Int
    ) {
      self.epochs = epochs
      self.batchSize = batchSize
      self.learningRate = learningRate
      self.momentum = momentum
      self.learningRateDecay = learningRateDecay
      self.maximumShift = maximumShift
      self.seed = seed
      self.trainingImages = trainingImages
    }
  }

  /// The file name inside a run's output folder.
  public static let fileName = "training-state.safetensors"

  /// The run's settings.
  public var settings: Settings
  /// The model after the last finished epoch.
  public var model: Model
  /// The optimizer as the next epoch starts from it: decayed learning rate and velocity.
  public var optimizer: SGD
  /// The finished epochs.
  public var history: History

  /// Creates a state from its parts.
  public init(settings: Settings, model: Model, optimizer: SGD, history: History) {
    self.settings = settings
    self.model = model
    self.optimizer = optimizer
    self.history = history
  }

  /// The epochs finished so far.
  public var completedEpochs: Int { history.epochs.count }

  // MARK: Writing

  /// The file's content.
  public func encoded() -> SafeTensors {
    var file = Checkpoint.tensors(of: model)
    let names = velocityNames(of: model)
    for (layer, tensors) in optimizer.velocity.enumerated() where layer < names.count {
      for (name, tensor) in zip(names[layer], tensors) { file.tensors.append((name, tensor)) }
    }
    let fields: [String: String] = [
      "training_state": "1",
      "epochs": String(settings.epochs),
      "batch_size": String(settings.batchSize),
      "initial_learning_rate": "\(settings.learningRate)",
      "momentum": "\(settings.momentum)",
      "learning_rate_decay": "\(settings.learningRateDecay)",
      "maximum_shift": String(settings.maximumShift),
      "seed": String(settings.seed),
      "training_images": String(settings.trainingImages),
      "next_learning_rate": "\(optimizer.learningRate)",
      "history": history.csv,
    ]
    file.metadata.merge(fields) { _, new in new }
    return file
  }

  /// Writes the state into `folder` atomically.
  public func save(in folder: URL) throws(DataError) {
    try AtomicFile.write(encoded().encoded(), to: folder.appendingPathComponent(Self.fileName))
  }

  // MARK: Reading

  /// Reads the state saved in `folder`.
  public static func load(from folder: URL) throws(DataError) -> TrainingState {
    let url = folder.appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw DataError(
        .missing, file: folder.path, "holds no training run to resume (no \(fileName))",
        fix: "give the --out folder of a run that 'lenet-tutor train' saved")
    }
    let bytes = try FileProblem.readBytes(of: url, what: "a training state")
    return try TrainingState(decoding: SafeTensors(decoding: bytes, file: url.path), path: url.path)
  }

  /// Reads a decoded state file; `path` names it in errors.
  public init(decoding file: SafeTensors, path: String) throws(DataError) {
    func field(_ key: String) throws(DataError) -> String {
      guard let value = file.metadata[key] else {
        throw DataError(
          .invalidContent, file: path, "no \"\(key)\" in __metadata__: not a training state",
          fix: "give the --out folder of a run that 'lenet-tutor train' saved")
      }
      return value
    }
    func number<Value: LosslessStringConvertible>(_ key: String, _ type: Value.Type)
      throws(DataError) -> Value
    {
      let text = try field(key)
      guard let value = Value(text) else {
        throw DataError(.invalidContent, file: path, "\"\(key)\" is '\(text)', not a number")
      }
      return value
    }
    _ = try field("training_state")
    let settings = Settings(
      epochs: try number("epochs", Int.self), batchSize: try number("batch_size", Int.self),
      learningRate: try number("initial_learning_rate", Float.self),
      momentum: try number("momentum", Float.self),
      learningRateDecay: try number("learning_rate_decay", Float.self),
      maximumShift: try number("maximum_shift", Int.self), seed: try number("seed", UInt64.self),
      trainingImages: try number("training_images", Int.self))
    let nextRate = try number("next_learning_rate", Float.self)
    guard settings.epochs >= 1, settings.batchSize >= 1, settings.maximumShift >= 0,
      settings.trainingImages >= 1, nextRate > 0, nextRate.isFinite,
      (0..<1).contains(settings.momentum)
    else {
      throw DataError(.invalidContent, file: path, "the saved settings are out of range")
    }
    let history = try History(csv: field("history"), file: path)
    let isVelocity = { (name: String) in name.hasPrefix("velocity.") }
    let modelFile = SafeTensors(
      tensors: file.tensors.filter { !isVelocity($0.name) }, metadata: file.metadata)
    let model = try Checkpoint.read(modelFile, path: path).model
    var velocity: [[Tensor]] = []
    for (layer, names) in zip(model.layers, velocityNames(of: model)) {
      var tensors: [Tensor] = []
      for (name, parameter) in zip(names, layer.parameters) {
        guard let tensor = file[name], tensor.shape == parameter.shape else {
          throw DataError(
            .invalidContent, file: path,
            "tensor '\(name)' is missing or not shaped \(parameter.shape)")
        }
        tensors.append(tensor)
      }
      velocity.append(tensors)
    }
    self.init(
      settings: settings, model: model,
      optimizer: SGD(learningRate: nextRate, momentum: settings.momentum, velocity: velocity),
      history: history)
  }
}

/// The velocity tensors' names, per layer: `velocity.` and the parameter's checkpoint name.
private func velocityNames(of model: Model) -> [[String]] {
  model.layers.map { layer in
    layer.parameterNames.map { "velocity.\(layer.name.lowercased()).\($0)" }
  }
}

extension History {
  /// Reads the CSV that `csv` writes back, exactly (numbers are written in the shortest form that
  /// reads back to the same `Float`); `file` names it in errors.
  public init(csv: String, file: String) throws(DataError) {
    var lines = csv.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    guard lines.first == History().csv.split(separator: "\n").first.map(String.init) else {
      throw DataError(.invalidContent, file: file, "the history does not start with its header")
    }
    lines.removeFirst()
    var records: [EpochRecord] = []
    for (index, line) in lines.enumerated() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let optional = { (text: String) -> Float?? in text.isEmpty ? .some(nil) : Float(text) }
      guard fields.count == 8, let epoch = Int(fields[0]), epoch == index + 1,
        let rate = Float(fields[1]), let loss = Float(fields[2]), let accuracy = Float(fields[3]),
        let validationLoss = optional(fields[4]), let validationAccuracy = optional(fields[5]),
        let seconds = Double(fields[6]), let speed = Double(fields[7])
      else {
        throw DataError(
          .invalidContent, file: file, "history line \(index + 2) cannot be read: '\(line)'")
      }
      records.append(
        EpochRecord(
          epoch: epoch, learningRate: rate, loss: loss, accuracy: accuracy,
          validationLoss: validationLoss, validationAccuracy: validationAccuracy,
          seconds: seconds, imagesPerSecond: speed))
    }
    self.init(epochs: records)
  }
}
