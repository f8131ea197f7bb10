import Dispatch
import Foundation

/// Training and evaluation, named as in Keras: `model.fit(...)`, `model.evaluate(...)`.
///
/// ```swift
/// let mnist = try MNIST.load(from: folder)
/// var model = Model.keras(seed: 1)
/// let history = model.fit(
///   mnist.train, epochs: 10, batchSize: 128, optimizer: SGD(learningRate: 0.01),
///   validation: mnist.test, seed: 1)
/// print(model.evaluate(mnist.test).accuracy)
/// ```
/// Images stay bytes until their mini-batch is drawn: each batch is converted with the model's
/// `Preprocessing` (60,000 MNIST digits are 47 MB as bytes, 188 MB as `Float`s).
extension Model {
  /// Trains with mini-batch SGD on softmax cross-entropy and returns one record per epoch.
  ///
  /// Each epoch visits every training image once, in an order shuffled by a `SplitMix64`
  /// seeded with `seed`; the last batch may be smaller. With `validation`, the model is
  /// evaluated on it after each epoch. The same model, data, settings and seed give the same
  /// history on the same machine (the batch split across cores fixes the summation order).
  ///
  /// A run stopped after epoch `k` continues exactly with `firstEpoch: k + 1`, given the model
  /// and optimizer that `afterEpoch` received after epoch `k` (the optimizer carries the
  /// momentum and the decayed learning rate): the random choices of epochs 1…k are drawn again
  /// from `seed` and discarded, so epoch `k + 1` shuffles and shifts as it would have.
  ///
  /// - Parameters:
  ///   - data: the training images and labels.
  ///   - epochs: passes over `data`.
  ///   - batchSize: images per SGD step.
  ///   - optimizer: the optimizer, with its learning rate for the first epoch.
  ///   - learningRateDecay: the learning rate is multiplied by this after each epoch (1 keeps
  ///     it constant), the decreasing schedule of LeCun et al. (1998, section III.C).
  ///   - maximumShift: when positive, each training image is moved by up to this many pixels
  ///     along each axis, drawn anew every time it is used (`Shift`); 0 trains on the images
  ///     as they are.
  ///   - validation: images evaluated after each epoch, never trained on.
  ///   - seed: fixes the shuffling.
  ///   - onBatch: called after every SGD step, e.g. to draw a progress bar.
  ///   - onEpoch: called after every epoch with its record.
  @discardableResult
  public mutating func fit(
    _ data: MNIST.Split, epochs: Int, batchSize: Int = 32, optimizer: SGD,
    learningRateDecay: Float = 1, maximumShift: Int = 0, validation: MNIST.Split? = nil,
    seed: UInt64 = 0,
    onBatch: (BatchProgress) -> Void = { _ in }, onEpoch: (EpochRecord) -> Void = { _ in }
  ) -> History {
    train(
      data, epochs: epochs, batchSize: batchSize, optimizer: optimizer,
      learningRateDecay: learningRateDecay, maximumShift: maximumShift, validation: validation,
      seed: seed, firstEpoch: 1, onBatch: onBatch, onEpoch: onEpoch, afterEpoch: { _, _, _ in })
  }

  /// `fit` for a run that is saved as it goes and may continue a stopped one: it starts at
  /// `firstEpoch` (1 for a new run), and after every epoch hands `afterEpoch` the model and the
  /// optimizer as the next epoch starts from them, e.g. to save them. An error `afterEpoch`
  /// throws stops the run.
  @discardableResult
  public mutating func fit(
    _ data: MNIST.Split, epochs: Int, batchSize: Int = 32, optimizer: SGD,
    learningRateDecay: Float = 1, maximumShift: Int = 0, validation: MNIST.Split? = nil,
    seed: UInt64 = 0, firstEpoch: Int,
    onBatch: (BatchProgress) -> Void = { _ in }, onEpoch: (EpochRecord) -> Void = { _ in },
    afterEpoch: (_ model: Model, _ optimizer: SGD, _ record: EpochRecord) throws -> Void
  ) rethrows -> History {
    try train(
      data, epochs: epochs, batchSize: batchSize, optimizer: optimizer,
      learningRateDecay: learningRateDecay, maximumShift: maximumShift, validation: validation,
      seed: seed, firstEpoch: firstEpoch, onBatch: onBatch, onEpoch: onEpoch,
      afterEpoch: afterEpoch)
  }

  /// The loop behind both `fit`s (a `rethrows` function's defaulted closure counts as throwing,
  /// so the plain `fit` passes its non-throwing one explicitly).
  private mutating func train(
    _ data: MNIST.Split, epochs: Int, batchSize: Int, optimizer: SGD, learningRateDecay: Float,
    maximumShift: Int, validation: MNIST.Split?, seed: UInt64, firstEpoch: Int,
    onBatch: (BatchProgress) -> Void, onEpoch: (EpochRecord) -> Void,
    afterEpoch: (_ model: Model, _ optimizer: SGD, _ record: EpochRecord) throws -> Void
  ) rethrows -> History {
    precondition(epochs >= 0, "epochs must not be negative, got \(epochs)")
    precondition(firstEpoch >= 1, "the first epoch is 1 or later, got \(firstEpoch)")
    precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
    precondition(data.count > 0, "there is nothing to train on: \(data.name) has no images")
    let preprocessing = self.preprocessing
    var optimizer = optimizer
    var schedule = EpochSchedule(
      count: data.count, batchSize: batchSize, maximumShift: maximumShift, seed: seed)
    for _ in 1..<firstEpoch { _ = schedule.advance() }
    var history = History()
    let batches = schedule.batches
    guard epochs >= firstEpoch else { return history }
    for epoch in firstEpoch...epochs {
      let shifts = schedule.advance()
      let order = schedule.order
      let start = DispatchTime.now().uptimeNanoseconds
      var (lossSum, correct, seen) = (0.0, 0, 0)
      for batch in 0..<batches {
        let indices = order[batch * batchSize..<min(data.count, (batch + 1) * batchSize)]
        var (input, labels) = data.batch(indices, preprocessing: preprocessing)
        if maximumShift > 0 {
          input = Shift.apply(input, offsets: shifts[batch], fill: preprocessing.background)
        }
        let step = lossAndGradients(input: input, labels: labels)
        optimizer.step(&self, gradients: step.gradients)
        lossSum += Double(step.loss) * Double(labels.count)
        correct += step.correct
        seen += labels.count
        onBatch(
          BatchProgress(
            epoch: epoch, epochs: epochs, batch: batch + 1, batches: batches,
            loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen),
            images: seen, seconds: seconds(since: start)))
      }
      let trainingSeconds = seconds(since: start)
      // Batches of 250, not `evaluate`'s 1000: a batch's activations are the largest memory of
      // a run after the images (C1's 4,704 floats per image, twice), and the predictions do not
      // depend on the batch size.
      let check = validation.map { evaluate($0, batchSize: Self.validationBatchSize) }
      let record = EpochRecord(
        epoch: epoch, learningRate: optimizer.learningRate,
        loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen),
        validationLoss: check?.loss, validationAccuracy: check?.accuracy,
        seconds: seconds(since: start), imagesPerSecond: Double(seen) / trainingSeconds)
      history.epochs.append(record)
      onEpoch(record)
      optimizer.learningRate *= learningRateDecay
      try afterEpoch(self, optimizer, record)
    }
    return history
  }

  /// The mean loss, the accuracy, and the confusion matrix on `data`, in batches of `batchSize`.
  public func evaluate(_ data: MNIST.Split, batchSize: Int = 1000) -> Evaluation {
    precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
    let preprocessing = self.preprocessing
    var predictions: [Int] = []
    predictions.reserveCapacity(data.count)
    var lossSum = 0.0
    for first in stride(from: 0, to: data.count, by: batchSize) {
      let (input, labels) = data.batch(
        first..<min(data.count, first + batchSize), preprocessing: preprocessing)
      let scores = logits(fromOutput: forward(input))
      lossSum +=
        Double(SoftmaxCrossEntropy.loss(logits: scores, labels: labels).loss)
        * Double(labels.count)
      predictions += argmaxOfRows(scores)
    }
    return Evaluation(
      labels: data.labels.map { Int($0) }, predictions: predictions,
      loss: data.count > 0 ? Float(lossSum / Double(data.count)) : 0)
  }

  /// The batch size of the validation after each epoch.
  static let validationBatchSize = 250

  private func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}

/// The random choices of a training run, epoch after epoch, all from one generator seeded with
/// the run's seed: each epoch shuffles the previous epoch's order, then draws every batch's
/// shifts in batch order. Drawing an epoch's choices and discarding them is how a resumed run
/// reaches the state an uninterrupted one would have.
struct EpochSchedule {
  /// The image indices in this epoch's order.
  private(set) var order: [Int]
  private var generator: SplitMix64
  let batchSize: Int
  let maximumShift: Int

  init(count: Int, batchSize: Int, maximumShift: Int, seed: UInt64) {
    order = Array(0..<count)
    generator = SplitMix64(seed: seed)
    self.batchSize = batchSize
    self.maximumShift = maximumShift
  }

  /// Mini-batches per epoch, the last one possibly smaller.
  var batches: Int { (order.count + batchSize - 1) / batchSize }

  /// Shuffles the order for the next epoch and returns each batch's shifts (empty lists when
  /// `maximumShift` is 0).
  mutating func advance() -> [[(dy: Int, dx: Int)]] {
    generator.shuffle(&order)
    guard maximumShift > 0 else { return Array(repeating: [], count: batches) }
    return (0..<batches).map { batch in
      let count = min(order.count, (batch + 1) * batchSize) - batch * batchSize
      return Shift.randomOffsets(count: count, maximum: maximumShift, generator: &generator)
    }
  }
}

/// Where `fit` is within an epoch, passed to its `onBatch` callback.
public struct BatchProgress: Sendable {
  /// The epoch, from 1.
  public var epoch: Int
  /// Epochs in the run.
  public var epochs: Int
  /// Mini-batches done in this epoch, from 1.
  public var batch: Int
  /// Mini-batches per epoch.
  public var batches: Int
  /// Mean training loss over this epoch's batches so far.
  public var loss: Float
  /// Fraction of this epoch's images so far that were classified right (before their step).
  public var accuracy: Float
  /// Images trained on in this epoch so far.
  public var images: Int
  /// Seconds since the epoch began.
  public var seconds: Double

  /// Training speed so far.
  public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }
  /// Seconds left in this epoch at the speed so far.
  public var secondsLeft: Double {
    batch > 0 ? seconds / Double(batch) * Double(batches - batch) : 0
  }
}

/// One epoch of a `History`.
public struct EpochRecord: Sendable, Equatable {
  /// The epoch, from 1.
  public var epoch: Int
  /// The learning rate used in this epoch.
  public var learningRate: Float
  /// Mean training loss over the epoch (each batch's loss measured before its step, as Keras).
  public var loss: Float
  /// Training accuracy over the epoch, measured the same way.
  public var accuracy: Float
  /// Loss on the validation data after the epoch, if there was validation data.
  public var validationLoss: Float?
  /// Accuracy on the validation data after the epoch.
  public var validationAccuracy: Float?
  /// Wall-clock seconds for the epoch, validation included.
  public var seconds: Double
  /// Training images per second (validation excluded).
  public var imagesPerSecond: Double

  /// The record without its timings, for comparing two runs.
  public var withoutTimings: EpochRecord {
    var copy = self
    (copy.seconds, copy.imagesPerSecond) = (0, 0)
    return copy
  }
}

/// What `fit` returns: one record per epoch, like Keras' `History.history`.
public struct History: Sendable, Equatable {
  /// The epochs, in order.
  public var epochs: [EpochRecord] = []

  /// Creates a history from its records.
  public init(epochs: [EpochRecord] = []) { self.epochs = epochs }

  /// The history as CSV: a header, then one row per epoch (accuracies as fractions; empty
  /// validation fields when there was no validation).
  public var csv: String {
    var lines = [
      "epoch,learning_rate,loss,accuracy,validation_loss,validation_accuracy,seconds,images_per_second"
    ]
    for record in epochs {
      // Typed to spare the type checker (Docs/training.md: type-checking hot spots).
      let fields: [String] = [
        String(record.epoch), "\(record.learningRate)", "\(record.loss)", "\(record.accuracy)",
        record.validationLoss.map { "\($0)" } ?? "",
        record.validationAccuracy.map { "\($0)" } ?? "",
        String(format: "%.3f", record.seconds), String(format: "%.0f", record.imagesPerSecond),
      ]
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
