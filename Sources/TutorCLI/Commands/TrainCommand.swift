import Foundation
import LeNetKit
import TerminalKit

/// `lenet-tutor train`: the Keras tutorial's `model.fit`, with its plots and a checkpoint.
enum TrainCommand: TutorCommand {
  static let spec = CommandSpec(
    name: "train",
    abstract: "Train a LeNet-5 on MNIST with SGD; write its history, curves and checkpoint.",
    options: [
      .option(
        "--model", "name", "The model: \(Model.availableNames.joined(separator: " or ")).",
        default: "keras"),
      .option("--epochs", "n", "Passes over the 60,000 training images.", default: "10"),
      .option("--batch-size", "n", "Images per SGD step.", default: "128"),
      .option("--lr", "rate", "The SGD learning rate.", default: "0.01"),
      .option("--momentum", "m", "SGD momentum, in [0, 1).", default: "0"),
      .option(
        "--lr-decay", "factor", "Multiply the learning rate by this after each epoch.",
        default: "1"),
      .option(
        "--shift", "pixels", "Move each training image by up to this many pixels (augmentation).",
        default: "0"),
      .option("--seed", "n", "Seeds the initial weights and the shuffling.", default: "1"),
      DataOptions.option.spec,
      .option("--out", "dir", "Where to write the results.", default: "lenet-tutor-out"),
    ],
    discussion: """
      The defaults are the classic Keras LeNet-5 tutorial: SGD with learning rate 0.01, batch
      128, 10 epochs, validation on the 10,000 test images after each epoch. Keras reaches
      about 94.4% test accuracy with it.

      Writes into --out: history.csv (one row per epoch), training.svg (accuracy and loss
      curves) and model.safetensors (for 'evaluate' and 'predict', and loadable in PyTorch).

      Example: lenet-tutor train --lr 0.1 --momentum 0.9 --batch-size 64
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let name = try arguments.choice("--model", from: Model.availableNames, command: spec) ?? "keras"
    let epochs = try arguments.integer("--epochs", in: 1...1000, command: spec) ?? 10
    let batchSize = try arguments.integer("--batch-size", in: 1...60_000, command: spec) ?? 128
    let rate = try arguments.number("--lr", in: 1e-6...10, command: spec) ?? 0.01
    let momentum = try arguments.number("--momentum", in: 0...0.999, command: spec) ?? 0
    let decay = try arguments.number("--lr-decay", in: 0.01...1, command: spec) ?? 1
    let shift = try arguments.integer("--shift", in: 0...4, command: spec) ?? 0
    let seed = try arguments.integer("--seed", in: 0...Int(Int32.max), command: spec) ?? 1
    let output = URL(
      fileURLWithPath: arguments.string("--out") ?? "lenet-tutor-out", isDirectory: true)
    let mnist = try DataOptions.load(arguments, context: context)
    guard var model = Model.named(name, seed: UInt64(seed)) else { return 2 }

    let out = context.output
    out.line(
      "Training \(name) (\(grouped(model.parameterCount)) parameters) on \(grouped(mnist.train.count)) "
        + "images, validating on \(grouped(mnist.test.count)): SGD lr \(rate)"
        + (momentum > 0 ? " momentum \(momentum)" : "") + (decay < 1 ? " decay \(decay)" : "")
        + (shift > 0 ? ", shifts up to \(shift) px" : "")
        + ", batch \(batchSize), \(epochs) epochs, seed \(seed)")
    var bar = ProgressBar(label: "", total: 1, terminal: context.terminal, sink: out)
    let history = model.fit(
      mnist.train, epochs: epochs, batchSize: batchSize,
      optimizer: SGD(learningRate: rate, momentum: momentum), learningRateDecay: decay,
      maximumShift: shift, validation: mnist.test, seed: UInt64(seed),
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
      })

    let files = [
      ("history.csv", Array(history.csv.utf8)),
      ("training.svg", Array(TrainingPlot.svg(history, title: "\(name) on MNIST").utf8)),
    ]
    do {
      for (file, bytes) in files {
        try AtomicFile.write(bytes, to: output.appendingPathComponent(file))
      }
      try Checkpoint.save(model, to: output.appendingPathComponent("model.safetensors"))
    } catch {
      throw ToolError(error)
    }
    out.line("")
    for line in TrainingPlot.text(history) { out.line(line) }
    out.line("")
    let last = history.epochs.last
    if let accuracy = last?.validationAccuracy {
      out.line(String(format: "Test accuracy after %d epochs: %.2f%%", epochs, 100 * accuracy))
    }
    out.line(
      "Wrote \(output.path)/history.csv, training.svg and model.safetensors "
        + "(try: lenet-tutor evaluate --checkpoint \(output.path)/model.safetensors)")
    return 0
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

  static func grouped(_ value: some BinaryInteger) -> String { grouped(Double(value)) }

  static func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var result = ""
    for (index, character) in digits.reversed().enumerated() {
      if index > 0 && index % 3 == 0 && character != "-" { result.append(",") }
      result.append(character)
    }
    return String(result.reversed())
  }

  static func duration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return String(format: "%d:%02d", whole / 60, whole % 60)
  }
}
