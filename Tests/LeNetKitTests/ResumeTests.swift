import Foundation
import LeNetTestSupport
import Testing

@testable import LeNetKit

/// A training run stopped after an epoch and continued gives what an uninterrupted run gives
/// (issue 10 §4): the same weights, bit for bit, and the same history.
@Suite struct ResumeTests {
  func split(_ count: Int, seed: UInt64) -> MNIST.Split {
    let generated = SyntheticMNIST.split(count: count, seed: seed)
    return MNIST.Split(name: "generated", images: generated.images, labels: generated.labels)
  }

  /// Every source of state at once: momentum (the velocity), a decaying learning rate, random
  /// shifts and a last batch smaller than the others (25 images in batches of 10).
  static let settings = TrainingState.Settings(
    epochs: 3, batchSize: 10, learningRate: 0.05, momentum: 0.9, learningRateDecay: 0.5,
    maximumShift: 2, seed: 4, trainingImages: 25)

  func train(_ model: inout Model, from state: TrainingState?, until epochs: Int) throws -> (
    history: History, last: TrainingState?
  ) {
    let settings = Self.settings
    var saved: TrainingState?
    var history = state?.history ?? History()
    let new = try model.fit(
      split(25, seed: 1), epochs: epochs, batchSize: settings.batchSize,
      optimizer: state?.optimizer
        ?? SGD(learningRate: settings.learningRate, momentum: settings.momentum),
      learningRateDecay: settings.learningRateDecay, maximumShift: settings.maximumShift,
      validation: split(10, seed: 2), seed: settings.seed,
      firstEpoch: (state?.completedEpochs ?? 0) + 1,
      onEpoch: { history.epochs.append($0) },
      afterEpoch: { model, optimizer, _ in
        // Through the file's bytes, as `train --resume` reads it.
        let bytes = TrainingState(
          settings: settings, model: model, optimizer: optimizer, history: history
        ).encoded().encoded()
        saved = try TrainingState(decoding: SafeTensors(decoding: bytes, file: "s"), path: "s")
      })
    return (new, saved)
  }

  @Test func oneEpochThenTwoMoreEqualsThreeStraight() throws {
    var straight = Model.keras(seed: 4)
    let uninterrupted = try train(&straight, from: nil, until: 3).history

    var first = Model.keras(seed: 4)
    let stopped = try #require(try train(&first, from: nil, until: 1).last)
    #expect(stopped.completedEpochs == 1)
    // The learning rate the second epoch starts with: 0.05 · 0.5.
    #expect(stopped.optimizer.learningRate == 0.025)
    var resumed = stopped.model
    let rest = try train(&resumed, from: stopped, until: 3).history

    #expect(rest.epochs.map(\.epoch) == [2, 3])
    #expect(
      (stopped.history.epochs + rest.epochs).map(\.withoutTimings)
        == uninterrupted.epochs.map(\.withoutTimings))
    for (a, b) in zip(straight.layers, resumed.layers) {
      #expect(parameterBits(of: a) == parameterBits(of: b), "layer \(a.name)")
    }
  }

  /// Without the velocity the continued run differs: the test above would catch a resume that
  /// dropped the momentum.
  @Test func droppingTheMomentumChangesTheResult() throws {
    var straight = Model.keras(seed: 4)
    _ = try train(&straight, from: nil, until: 2)
    var first = Model.keras(seed: 4)
    var stopped = try #require(try train(&first, from: nil, until: 1).last)
    stopped.optimizer = SGD(learningRate: stopped.optimizer.learningRate, momentum: 0.9)
    var resumed = stopped.model
    _ = try train(&resumed, from: stopped, until: 2)
    #expect(straight.layers[0].parameters[0] != resumed.layers[0].parameters[0])
  }

  /// The schedule draws what the loop drew before it existed: one generator, each epoch a
  /// Fisher–Yates shuffle of the previous order, then each batch's offsets in batch order.
  @Test func scheduleDrawsInTheOriginalOrder() {
    var generator = SplitMix64(seed: 9)
    var order = Array(0..<25)
    var schedule = EpochSchedule(count: 25, batchSize: 10, maximumShift: 2, seed: 9)
    for _ in 0..<3 {
      generator.shuffle(&order)
      let offsets = [10, 10, 5].map {
        Shift.randomOffsets(count: $0, maximum: 2, generator: &generator)
      }
      let drawn = schedule.advance()
      #expect(schedule.order == order)
      #expect(drawn.map { $0.map(\.dy) } == offsets.map { $0.map(\.dy) })
      #expect(drawn.map { $0.map(\.dx) } == offsets.map { $0.map(\.dx) })
    }
  }

  /// The CSV reads back to the same records, bit for bit (Float's description is the shortest
  /// text that reads back to the same value); timings keep their printed precision.
  @Test func historyCSVReadsBack() throws {
    let history = History(epochs: [
      EpochRecord(
        epoch: 1, learningRate: 0.1, loss: 1 / 3, accuracy: 0.7, validationLoss: 0.123_456_79,
        validationAccuracy: 0.8, seconds: 4.25, imagesPerSecond: 14_118),
      EpochRecord(
        epoch: 2, learningRate: 0.05, loss: .pi, accuracy: 0.9, validationLoss: nil,
        validationAccuracy: nil, seconds: 4, imagesPerSecond: 15_000),
    ])
    #expect(try History(csv: history.csv, file: "h") == history)
    let error = #expect(throws: DataError.self) {
      try History(csv: history.csv + "3,x\n", file: "h.csv")
    }
    #expect(error?.description == "h.csv: history line 4 cannot be read: '3,x'")
  }

  @Test func stateWithoutItsFieldsIsRefused() throws {
    let checkpoint = Checkpoint.tensors(of: .keras())
    let error = #expect(throws: DataError.self) {
      try TrainingState(decoding: checkpoint, path: "m.safetensors")
    }
    #expect(
      error?.description
        == "m.safetensors: no \"training_state\" in __metadata__: not a training state")
  }
}
