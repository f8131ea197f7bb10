import Foundation
import LeNetKit
import TerminalKit

/// `lenet-tutor train`: the Keras tutorial's `model.fit`, with its plots and a checkpoint.
enum TrainCommand: TutorCommand {
  static let model = Option.choice(
    "--model", "name", "The model.", from: Model.availableNames, default: "keras")
  static let epochs = Option.integer(
    "--epochs", "n", "Passes over the 60,000 training images.", in: 1...1000, default: 10)
  static let batchSize = Option.integer(
    "--batch-size", "n", "Images per SGD step.", in: 1...60_000, default: 128)
  static let learningRate = Option.number(
    "--lr", "rate", "The SGD learning rate.", in: 1e-6...10, default: 0.01)
  static let momentum = Option.number(
    "--momentum", "m", "SGD momentum.", in: 0...0.999, default: 0)
  static let learningRateDecay = Option.number(
    "--lr-decay", "factor", "Multiply the learning rate by this after each epoch.",
    in: 0.01...1, default: 1)
  static let shift = Option.integer(
    "--shift", "pixels", "Move each training image by up to this many pixels (augmentation).",
    in: 0...4, default: 0)
  static let seed = Option.integer(
    "--seed", "n", "Seeds the initial weights and the shuffling.", in: 0...Int(Int32.max),
    default: 1)
  static let out = Option.text(
    "--out", "dir", "Where to write the results.", default: "lenet-tutor-out",
    expecting: "a folder name")
  static let resume = Option.text(
    "--resume", "dir", "Continue the run saved in this --out folder from its last finished epoch.",
    expecting: "a folder name")

  static let spec = CommandSpec(
    name: "train",
    abstract: "Train a LeNet-5 on MNIST, with SGD or the paper's SDLM; write history and weights.",
    options: [
      Self.model.spec, epochs.spec, batchSize.spec, learningRate.spec, momentum.spec,
      learningRateDecay.spec, shift.spec, seed.spec, DataOptions.option.spec, out.spec,
      resume.spec,
    ] + paperOptions,
    discussion: """
      The defaults are the classic Keras LeNet-5 tutorial: SGD with learning rate 0.01, batch
      128, 10 epochs, validation on the 10,000 test images after each epoch. Keras reaches
      about 94.4% test accuracy with it.

      Writes into --out after every epoch, each file replaced whole: history.csv (one row per
      epoch), training.svg (accuracy and loss curves), model.safetensors (for 'evaluate' and
      'predict', and loadable in PyTorch) and training-state.safetensors (what --resume needs).
      An interrupted run loses at most the epoch it was in: 'train --resume DIR' continues it
      with the settings it was started with (--epochs may raise the target), and ends with the
      same weights as a run that was never interrupted.

      Example: lenet-tutor train --lr 0.1 --momentum 0.9 --batch-size 64

      \(paperDiscussion)
      """)

  /// The options a resumed run takes from its saved state instead.
  static let fixedByResume = [
    model.spec, batchSize.spec, learningRate.spec, momentum.spec, learningRateDecay.spec,
    shift.spec, seed.spec, out.spec,
  ].map(\.name)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    if try wantsPatternTraining(arguments) {
      return try runPatternTraining(arguments, context: context)
    }
    let resumed: TrainingState?
    var settings: TrainingState.Settings
    let output: URL
    var madeOutput = false
    var model: Model
    if let folder = try arguments.value(of: resume) {
      if let given = fixedByResume.first(where: { arguments.values[$0] != nil }) {
        throw UsageError(
          "'\(given)' cannot be given with '--resume': a resumed run keeps its own settings",
          command: spec)
      }
      output = try outputFolder(folder, option: "--resume")
      let state = try toolError { () throws(DataError) in try TrainingState.load(from: output) }
      settings = state.settings
      if arguments.isGiven(epochs) { settings.epochs = try arguments.value(of: epochs) }
      guard settings.epochs > state.completedEpochs else {
        context.output.line(
          "Nothing to do: \(output.path) has finished \(state.completedEpochs) epochs; "
            + "give --epochs above \(state.completedEpochs) to train further.")
        return 0
      }
      (resumed, model) = (state, state.model)
    } else {
      let name = try arguments.value(of: Self.model)
      settings = TrainingState.Settings(
        epochs: try arguments.value(of: epochs),
        batchSize: try arguments.value(of: batchSize),
        learningRate: try arguments.value(of: learningRate),
        momentum: try arguments.value(of: momentum),
        learningRateDecay: try arguments.value(of: learningRateDecay),
        maximumShift: try arguments.value(of: shift),
        seed: UInt64(try arguments.value(of: seed)),
        trainingImages: 0)
      let path = try arguments.value(of: out)
      madeOutput = !FileManager.default.fileExists(atPath: path)
      output = try outputFolder(path, option: "--out")
      guard let fresh = Model.named(name, seed: settings.seed) else {
        throw ToolError("no model named '\(name)'")
      }
      (resumed, model) = (nil, fresh)
    }
    let mnist = try loadData(
      arguments, context: context, removingOnFailure: madeOutput ? output : nil)
    if let resumed, resumed.settings.trainingImages != mnist.train.count {
      throw ToolError(
        "\(output.path) was trained on \(grouped(resumed.settings.trainingImages)) images; "
          + "this data has \(grouped(mnist.train.count))",
        fix: "give the --data the run was started with")
    }
    settings.trainingImages = mnist.train.count
    let out = context.output
    out.line(introduction(settings, model: model, resumed: resumed, mnist: mnist))
    out.line(
      "Saving into \(output.path) after every epoch; continue an interrupted run with "
        + "'lenet-tutor train --resume \(output.path)'.")
    var history = resumed?.history ?? History()
    var bar = ProgressBar(label: "", total: 1, terminal: context.terminal, sink: out)
    let epochs = settings.epochs
    try model.fit(
      mnist.train, epochs: epochs, batchSize: settings.batchSize,
      optimizer: resumed?.optimizer
        ?? SGD(learningRate: settings.learningRate, momentum: settings.momentum),
      learningRateDecay: settings.learningRateDecay, maximumShift: settings.maximumShift,
      validation: mnist.test, seed: settings.seed,
      firstEpoch: (resumed?.completedEpochs ?? 0) + 1,
      onBatch: { progress in
        if progress.batch == 1 {
          bar = ProgressBar(
            label: "epoch \(progress.epoch)/\(progress.epochs)", total: progress.batches,
            terminal: context.terminal, sink: out)
        }
        bar.update(
          done: progress.batch,
          detail: String(format: "loss %.4f  acc %.1f%%  ", progress.loss, 100 * progress.accuracy)
            + "\(grouped(progress.imagesPerSecond)) img/s  ETA \(duration(progress.secondsLeft))")
      },
      onEpoch: { record in
        bar.finish()
        out.line(epochLine(record, epochs: epochs))
        history.epochs.append(record)
      },
      afterEpoch: { model, optimizer, _ in
        let state = TrainingState(
          settings: settings, model: model, optimizer: optimizer, history: history)
        try toolError { () throws(DataError) in try save(state, in: output) }
      })

    out.line("")
    for line in TrainingPlot.text(history) { out.line(line) }
    out.line("")
    if let accuracy = history.epochs.last?.validationAccuracy {
      out.line(
        "Test accuracy after \(counted(epochs, "epoch")): "
          + String(format: "%.2f%%", 100 * accuracy))
    }
    out.line(
      "Wrote \(output.path)/history.csv, training.svg, model.safetensors and "
        + "\(TrainingState.fileName) (try: lenet-tutor evaluate --checkpoint "
        + "\(output.path)/model.safetensors)")
    return 0
  }

  /// The first line: the model, the data and the settings.
  static func introduction(
    _ settings: TrainingState.Settings, model: Model, resumed: TrainingState?, mnist: MNIST
  ) -> String {
    let start =
      resumed.map { "Resuming \(model.name) after epoch \($0.completedEpochs)" }
      ?? "Training \(model.name)"
    return start
      + " (\(grouped(model.parameterCount)) parameters) on \(grouped(mnist.train.count)) "
      + "images, validating on \(grouped(mnist.test.count)): SGD lr \(settings.learningRate)"
      + (settings.momentum > 0 ? " momentum \(settings.momentum)" : "")
      + (settings.learningRateDecay < 1 ? " decay \(settings.learningRateDecay)" : "")
      + (settings.maximumShift > 0 ? ", shifts up to \(settings.maximumShift) px" : "")
      + ", batch \(settings.batchSize), \(counted(settings.epochs, "epoch")), seed \(settings.seed)"
  }

  /// The folder an option names, checked before any training: a folder that exists or can be
  /// made, and that takes files (the option itself refuses an empty name).
  static func outputFolder(_ path: String, option: String) throws -> URL {
    let folder = URL(fileURLWithPath: path, isDirectory: true)
    do {
      try AtomicFile.prepareFolder(folder)
    } catch {
      throw ToolError(error.description, fix: "choose another \(option) folder")
    }
    return folder
  }

  /// MNIST as the command line asks; when it cannot be loaded, removes `newFolder` (the --out
  /// folder `outputFolder` made moments ago), so a run that never started leaves no folder.
  static func loadData(
    _ arguments: ParsedArguments, context: Context, removingOnFailure newFolder: URL?
  ) throws -> MNIST {
    do {
      return try DataOptions.load(arguments, context: context)
    } catch {
      if let newFolder { try? FileManager.default.removeItem(at: newFolder) }
      throw error
    }
  }

  /// Writes the state after an epoch, then the files a user reads; each replaced whole.
  static func save(_ state: TrainingState, in folder: URL) throws(DataError) {
    try state.save(in: folder)
    try Checkpoint.save(state.model, to: folder.appendingPathComponent("model.safetensors"))
    try AtomicFile.write(
      Array(state.history.csv.utf8), to: folder.appendingPathComponent("history.csv"))
    try AtomicFile.write(
      Array(TrainingPlot.svg(state.history, title: "\(state.model.name) on MNIST").utf8),
      to: folder.appendingPathComponent("training.svg"))
  }

  /// `body`'s `DataError` as the `ToolError` a command reports.
  static func toolError<Result>(_ body: () throws(DataError) -> Result) throws(ToolError)
    -> Result
  {
    do {
      return try body()
    } catch {
      throw ToolError(error)
    }
  }

  /// `epoch  3/10  loss 0.3123  acc 91.02%  val_loss 0.2871  val_acc 91.84%  4.1 s  15,210 img/s`
  static func epochLine(_ record: EpochRecord, epochs: Int) -> String {
    let width = String(epochs).count
    let number =
      String(repeating: " ", count: width - String(record.epoch).count) + "\(record.epoch)"
    var text =
      "epoch \(number)/\(epochs)"
      + String(format: "  loss %.4f  acc %.2f%%", record.loss, 100 * record.accuracy)
    if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
      text += String(format: "  val_loss %.4f  val_acc %.2f%%", loss, 100 * accuracy)
    }
    return text + String(format: "  %.1f s  ", record.seconds)
      + "\(grouped(record.imagesPerSecond)) img/s"
  }

  static func duration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return String(format: "%d:%02d", whole / 60, whole % 60)
  }
}
