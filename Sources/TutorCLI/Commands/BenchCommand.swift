import Dispatch
import Foundation
import LeNetKit
import TerminalKit

/// `lenet-tutor bench`: training and inference speed of both models on synthetic data, as
/// images/s and as a share of the CPU's peak floating-point rate, measured at start.
enum BenchCommand: TutorCommand {
  static let model = Option.choice(
    "--model", "name", "One model.", from: Model.availableNames, defaultText: "both")
  static let runs = Option.integer(
    "--runs", "n", "Timed runs per figure; the median is printed.", in: 1...100, default: 5)
  static let batchSize = Option.integer(
    "--batch-size", "n", "Training mini-batch size.", in: 1...60_000, default: 128)
  static let threads = Option.integer(
    "--threads", "n", "Threads to split each batch across (to see how speed scales).",
    in: 1...256, defaultText: "one per core")

  static let spec = CommandSpec(
    name: "bench",
    abstract: "Measure training and inference speed (images/s) on synthetic data.",
    options: [model.spec, runs.spec, batchSize.spec, threads.spec],
    discussion: """
      Random images stand in for MNIST (speed does not depend on the pixels), so no data is
      needed. Build with 'swift build -c release' first: a debug build is many times slower.
      The epoch time is 60,000 divided by the training speed (one SGD step per mini-batch,
      forward, backward and update, no validation). The peak is measured first, by the same
      threads running nothing but independent fused multiply-adds on the widest vectors the
      build uses; GFLOP/s count each model's multiply-adds (printed below the table) as 2.
      """)

  static func run(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let names =
      try arguments.value(of: model).map { [$0] }
      ?? ["keras", "lecun1998"]
    let runs = try arguments.value(of: Self.runs)
    let batchSize = try arguments.value(of: Self.batchSize)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let threadCount = try arguments.value(of: threads) ?? cores
    return ThreadLimit.with(threadCount) {
      measure(
        names, runs: runs, batchSize: batchSize, threads: threadCount, cores: cores,
        output: context.output)
    }
  }

  private static func measure(
    _ names: [String], runs: Int, batchSize: Int, threads: Int, cores: Int, output: any TextSink
  ) -> Int32 {
    output.line(
      "Synthetic data, batch \(batchSize), \(threads) of \(cores) cores; "
        + (runs == 1
          ? "each figure is from a single run." : "each figure is the median of \(runs) runs."))
    let peak = PeakRate.measure(threads: threads)
    output.line(
      "Peak: \(String(format: "%.1f", peak / 1e9)) GFLOP/s (\(counted(threads, "thread")), "
        + "each running \(PeakRate.chains) independent \(PeakRate.lanes)-lane fused multiply-adds)."
    )
    let header = [
      "model".rightPadded(to: 10), "train img/s".leftPadded(to: 12), "s/epoch".leftPadded(to: 8),
      "GFLOP/s".leftPadded(to: 8), "% peak".leftPadded(to: 7),
      "infer img/s (1000)".leftPadded(to: 19), "% peak".leftPadded(to: 7),
      "ms/img (1)".leftPadded(to: 11),
    ]
    output.line(header.joined(separator: " "))
    var footnotes: [String] = []
    for name in names {
      guard let model = Model.named(name, seed: 1) else { continue }
      let work = model.multiplyAddsPerImage
      let training = median(runs) { trainingSpeed(model, batchSize: batchSize) }
      let inferenceLarge = median(runs) { inferenceSpeed(model, batchSize: 1000, batches: 1) }
      let inferenceSingle = median(runs) { inferenceSpeed(model, batchSize: 1, batches: 200) }
      let trainingRate = training * Double(2 * work.training)
      let inferenceRate = inferenceLarge * Double(2 * work.forward)
      let row = [
        name.rightPadded(to: 10), grouped(training).leftPadded(to: 12),
        String(format: "%.2f", 60_000 / training).leftPadded(to: 8),
        String(format: "%.1f", trainingRate / 1e9).leftPadded(to: 8),
        percentOf(trainingRate, peak).leftPadded(to: 7),
        grouped(inferenceLarge).leftPadded(to: 19),
        percentOf(inferenceRate, peak).leftPadded(to: 7),
        String(format: "%.4f", 1000 / inferenceSingle).leftPadded(to: 11),
      ]
      output.line(row.joined(separator: " "))
      footnotes.append(
        "\(name): \(grouped(work.forward)) multiply-adds per image forward, "
          + "\(grouped(work.training)) per training image (forward + backward).")
    }
    for line in footnotes { output.line(line) }
    output.line(
      "Backward repeats each weighted layer's products twice (weight and input gradients), "
        + "the first layer's once (no input gradient).")
    return 0
  }

  /// `part` as a percentage of `whole`, one decimal.
  static func percentOf(_ part: Double, _ whole: Double) -> String {
    whole > 0 ? String(format: "%.1f%%", 100 * part / whole) : "-"
  }

  /// Images per second for SGD steps on random data, timed over about a second of work.
  static func trainingSpeed(_ model: Model, batchSize: Int) -> Double {
    var model = model
    var optimizer = SGD(learningRate: 0.01)
    let (input, labels) = syntheticBatch(model, size: batchSize)
    let steps = max(3, 4096 / batchSize)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
      let result = model.lossAndGradients(input: input, labels: labels)
      optimizer.step(&model, gradients: result.gradients)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Double(steps * batchSize) / seconds
  }

  /// Images per second for forward passes alone.
  static func inferenceSpeed(_ model: Model, batchSize: Int, batches: Int) -> Double {
    let (input, _) = syntheticBatch(model, size: batchSize)
    var checksum: Float = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<batches { checksum += model.forward(input).scalars[0] }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    // Reading the result keeps the optimizer from dropping the work.
    return checksum.isNaN ? 0 : Double(batches * batchSize) / seconds
  }

  static func syntheticBatch(_ model: Model, size: Int) -> (Tensor, [Int]) {
    var generator = SplitMix64(seed: 7)
    let input = Tensor(shape: [size] + model.inputShape, uniformIn: 0...1, generator: &generator)
    let labels = (0..<size).map { _ in generator.nextInt(below: 10) }
    return (input, labels)
  }

  static func median(_ runs: Int, _ measure: () -> Double) -> Double {
    _ = measure()  // warm-up: first-touch page faults and caches
    let values = (0..<runs).map { _ in measure() }.sorted()
    return values[values.count / 2]
  }
}
