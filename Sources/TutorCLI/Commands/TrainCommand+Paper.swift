import Foundation
import LeNetKit
import TerminalKit

/// `train`'s second loop: the paper's training (LeCun et al. 1998, section III.B, appendix C),
/// pattern by pattern, with its loss, SDLM and distortions (`PatternTraining`).
extension TrainCommand {
  static let loss = Option.choice(
    "--loss", "name", "The criterion: cross-entropy, the paper's eq. 9 (map) or eq. 8 (mse).",
    from: ["cross-entropy", "map", "mse"], defaultText: "cross-entropy")
  static let mapJ = Option.number(
    "--map-j", "j", "The constant j of eq. 9 (with --loss map).", in: 0.001...1000,
    default: MAPLoss.defaultJ)
  static let optimizer = Option.choice(
    "--optimizer", "name",
    "sgd, or sdlm: stochastic diagonal Levenberg-Marquardt (the paper's appendix C).",
    from: ["sgd", "sdlm"], defaultText: "sgd")
  static let mu = Option.number(
    "--mu", "m",
    "SDLM's μ in ε = η / (μ + h); the paper's is 0.02 (--recipe paper1998 uses 0.5: see its help).",
    in: 1e-6...100, default: SDLM.paperMu)
  static let distort = Flag(
    "--distort",
    "Enlarge the training set with 9 distorted copies of each image (the paper's 540,000);"
      + " a pass still presents one set's worth of patterns.")
  static let recipe = Option.choice(
    "--recipe", "name",
    "paper1998: lecun1998, eq. 9, SDLM, batch 1, the paper's η schedule, 20 passes.",
    from: ["paper1998"], defaultText: "none")

  static let curvatureEvery = Option.integer(
    "--curvature-every", "n",
    "With sdlm: re-estimate the curvature also after every n patterns, not only before each pass.",
    in: 100...10_000_000, defaultText: "before each pass (the recipe: see its help)")

  static var paperOptions: [OptionSpec] {
    [loss.spec, mapJ.spec, optimizer.spec, mu.spec, distort.spec, recipe.spec, curvatureEvery.spec]
  }

  static let paperDiscussion = """
    The paper's training: --recipe paper1998, or any of --loss map|mse, --optimizer sdlm,
    --distort. The recipe takes μ = 0.5, not the paper's 0.02: with the paper's initialisation
    the curvature of every weight below F6 is nearly 0, their rates sit at η / μ, and at the
    paper's μ that rate (0.025) makes pattern-by-pattern training diverge (Docs/training.md).
    It trains pattern by pattern (batch 1 unless --batch-size is given) in one seeded order
    kept for every pass; with sdlm and no --lr, η follows the paper's schedule (0.0005 ×2,
    0.0002 ×3, 0.0001 ×3, 0.00005 ×4, then 0.00001), and the curvature is re-estimated on
    500 images before each pass. With --distort, as in the paper, the 60,000 images and
    540,000 fixed distorted copies form one set of 600,000 patterns in one seeded order, and
    each pass takes the next 60,000 of them, so 20 passes see each pattern twice. It writes
    history.csv (training and test error per pass), errors.svg (as the paper's figure 5),
    misclassified.svg (the misclassified test digits, as its figure 8) and model.safetensors;
    it cannot be resumed.

    Example: lenet-tutor train --recipe paper1998 --seed 1
    """

  /// Whether the command line asks for the paper's loop rather than `fit`.
  static func wantsPatternTraining(_ arguments: ParsedArguments) throws -> Bool {
    let lossName = try arguments.value(of: loss) ?? "cross-entropy"
    let optimizerName = try arguments.value(of: optimizer) ?? "sgd"
    return arguments.isGiven(recipe) || arguments.isSet(distort) || lossName != "cross-entropy"
      || optimizerName == "sdlm" || arguments.isGiven(mapJ) || arguments.isGiven(mu)
      || arguments.isGiven(curvatureEvery)
  }

  /// The settings the command line gives, or a usage error for options that do not go with them.
  static func patternSettings(_ arguments: ParsedArguments) throws -> (
    model: String, training: PatternTraining
  ) {
    let isRecipe = try arguments.value(of: recipe) == "paper1998"
    let notHere =
      [resume.spec, momentum.spec, learningRateDecay.spec, shift.spec]
      + (isRecipe ? [Self.model.spec, loss.spec, optimizer.spec] : [])
    if let given = notHere.first(where: { arguments.values[$0.name] != nil }) {
      throw UsageError(
        "'\(given.name)' does not go with the paper's training"
          + (isRecipe ? " (--recipe paper1998 sets the model, loss and optimizer)" : ""),
        command: spec)
    }
    let seed = UInt64(try arguments.value(of: Self.seed))
    let j = try arguments.value(of: mapJ)
    let lossName = isRecipe ? "map" : (try arguments.value(of: loss) ?? "cross-entropy")
    let trainingLoss: TrainingLoss =
      switch lossName {
      case "map": .map(j: j)
      case "mse": .meanSquared
      default: .crossEntropy
      }
    if arguments.isGiven(mapJ) && trainingLoss != .map(j: j) {
      throw UsageError("'--map-j' needs '--loss map'", command: spec)
    }
    let optimizerName = try arguments.value(of: optimizer) ?? "sgd"
    let isSDLM = isRecipe || optimizerName == "sdlm"
    if arguments.isGiven(mu) && !isSDLM {
      throw UsageError("'--mu' needs '--optimizer sdlm'", command: spec)
    }
    let schedule: PatternTraining.Schedule =
      arguments.isGiven(learningRate) || !isSDLM
      ? .constant(try arguments.value(of: learningRate)) : .paper1998
    var training = PatternTraining(
      loss: trainingLoss,
      optimizer: isSDLM
        ? .sdlm(
          mu: isRecipe && !arguments.isGiven(mu)
            ? PatternTraining.recipeMu : try arguments.value(of: mu)) : .sgd,
      schedule: schedule,
      passes: arguments.isGiven(epochs) || !isRecipe ? try arguments.value(of: epochs) : 20,
      batchSize: arguments.isGiven(batchSize) ? try arguments.value(of: batchSize) : 1,
      distortion: arguments.isSet(distort) ? Distortion() : nil, seed: seed)
    training.measureTrainingSet = true
    if let interval = try arguments.value(of: curvatureEvery) {
      guard isSDLM else {
        throw UsageError("'--curvature-every' needs '--optimizer sdlm'", command: spec)
      }
      training.curvatureInterval = interval
    }
    let modelName = isRecipe ? "lecun1998" : try arguments.value(of: Self.model)
    return (modelName, training)
  }

  static func runPatternTraining(_ arguments: ParsedArguments, context: Context) throws -> Int32 {
    let (modelName, training) = try patternSettings(arguments)
    guard var model = Model.named(modelName, seed: training.seed) else {
      throw ToolError("no model named '\(modelName)'")
    }
    if let problem = training.loss.problem(with: model) {
      throw UsageError("'--loss': \(problem)", command: spec)
    }
    let path = try arguments.value(of: out)
    let madeOutput = !FileManager.default.fileExists(atPath: path)
    let output = try outputFolder(path, option: "--out")
    let mnist = try loadData(
      arguments, context: context, removingOnFailure: madeOutput ? output : nil)
    let out = context.output
    out.line(
      "Training \(model.name) (\(grouped(model.parameterCount)) parameters) pattern by pattern on "
        + "\(grouped(mnist.train.count)) images"
        + (training.distortion != nil
          ? " and \(training.distortedCopies) distorted copies of each,"
            + " \(grouped(mnist.train.count)) patterns a pass" : "")
        + ", testing on \(grouped(mnist.test.count)): \(training.loss), "
        + describe(training) + ", \(counted(training.passes, "pass", plural: "passes")), "
        + "seed \(training.seed)")
    var bar = ProgressBar(label: "", total: 1, terminal: context.terminal, sink: out)
    var records: [PassRecord] = []
    var writeError: Error?
    model.train(
      mnist.train, with: training, test: mnist.test,
      onProgress: { pass, done, total, error in
        if done <= 1000 {
          bar = ProgressBar(
            label: "pass \(pass)/\(training.passes)", total: total, terminal: context.terminal,
            sink: out)
        }
        bar.update(done: done, detail: String(format: "running error %.2f%%", 100 * error))
      },
      onPass: { record, model, testEvaluation in
        bar.finish()
        out.line(passLine(record, passes: training.passes))
        records.append(record)
        guard writeError == nil else { return }
        do {
          try savePatternRun(
            records, model: model, testEvaluation: testEvaluation, mnist: mnist, in: output)
        } catch {
          writeError = error
        }
      })
    if let writeError { throw writeError }
    if let last = records.last, let test = last.testError {
      out.line(
        "Test error after \(counted(last.pass, "pass", plural: "passes")): \(String(format: "%.2f", 100 * test))% "
          + "(the paper: 0.95% without distortions, 0.8% with)")
    }
    out.line(
      "Wrote \(output.path)/history.csv, errors.svg, misclassified.svg and model.safetensors")
    return 0
  }

  static func describe(_ training: PatternTraining) -> String {
    let rate: String =
      switch training.schedule {
      case .paper1998: "η as the paper (0.0005 … 0.00001)"
      case .constant(let value): "η \(value)"
      }
    let optimizer: String =
      switch training.optimizer {
      case .sgd: "SGD"
      case .sdlm(let mu): "SDLM μ \(mu)"
      }
    return "\(optimizer), \(rate), batch \(training.batchSize)"
  }

  /// `pass  3/20  η 0.0002  loss 0.1234  train error 0.91%  test error 1.10%  61.0 s  1,234 patterns/s`
  static func passLine(_ record: PassRecord, passes: Int) -> String {
    let number = String(record.pass).leftPadded(to: String(passes).count)
    var text =
      "pass \(number)/\(passes)  η \(record.learningRate)"
      + String(format: "  loss %.4f  train error %.2f%%", record.loss, 100 * record.trainingError)
    if let test = record.testError { text += String(format: "  test error %.2f%%", 100 * test) }
    return text + String(format: "  %.1f s  ", record.seconds)
      + "\(grouped(record.patternsPerSecond)) patterns/s"
  }

  /// The files of a pattern-by-pattern run after each pass, each replaced whole.
  static func savePatternRun(
    _ records: [PassRecord], model: Model, testEvaluation: Evaluation?, mnist: MNIST,
    in folder: URL
  ) throws {
    try toolError { () throws(DataError) in
      try Checkpoint.save(model, to: folder.appendingPathComponent("model.safetensors"))
      try AtomicFile.write(
        Array(PassRecord.csv(records).utf8), to: folder.appendingPathComponent("history.csv"))
      try AtomicFile.write(
        Array(
          PaperPlots.errorCurves(records, title: "\(model.name): error per pass (figure 5)").utf8),
        to: folder.appendingPathComponent("errors.svg"))
      let evaluation = testEvaluation ?? model.evaluate(mnist.test)
      let digits = evaluation.misclassified.map { index in
        (
          pixels: Array(mnist.test.pixels(of: index)), label: evaluation.labels[index],
          prediction: evaluation.predictions[index]
        )
      }
      try AtomicFile.write(
        Array(
          PaperPlots.misclassified(
            digits, rows: mnist.test.rows, columns: mnist.test.columns,
            title: "The \(digits.count) misclassified test digits (true→predicted, figure 8)"
          ).utf8),
        to: folder.appendingPathComponent("misclassified.svg"))
    }
  }
}
