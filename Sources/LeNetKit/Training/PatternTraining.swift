import Dispatch
import Foundation

/// How to train pattern by pattern as LeCun et al. (1998, section III.B and appendix C) did:
/// which loss, which optimizer, the rate schedule, distortions, and the seed.
///
/// `Model.fit` is the Keras-style loop (mini-batches, softmax cross-entropy, momentum); this is
/// the paper's: one update per pattern (or per `batchSize` patterns), the patterns in one
/// random order kept for the whole run, and for SDLM the curvature re-estimated before each
/// pass.
public struct PatternTraining: Sendable, Equatable {
  /// The update rule.
  public enum Optimizer: Sendable, Equatable {
    /// `parameter −= η · gradient`.
    case sgd
    /// `parameter −= η / (μ + h_kk) · gradient` (`SDLM`).
    case sdlm(mu: Float)
  }

  /// The global rate of each pass.
  public enum Schedule: Sendable, Equatable {
    /// The same `η` every pass.
    case constant(Float)
    /// The paper's: 0.0005, 0.0005, 0.0002 ×3, 0.0001 ×3, 0.00005 ×4, then 0.00001.
    case paper1998

    /// `η` for pass `pass` (from 1).
    public func learningRate(pass: Int) -> Float {
      switch self {
      case .constant(let rate): return rate
      case .paper1998: return SDLM.paperLearningRate(pass: pass)
      }
    }
  }

  public var loss: TrainingLoss
  public var optimizer: Optimizer
  public var schedule: Schedule
  /// Passes over the training set.
  public var passes: Int
  /// Patterns per update; the paper's is 1.
  public var batchSize: Int = 1
  /// Distortions, or nil to train on the images as they are.
  public var distortion: Distortion?
  /// With `distortion`, how many distorted copies of each image join the originals in the
  /// enlarged training set: the paper's 540,000 on 60,000 images is 9 per image.
  public var distortedCopies: Int = 9
  /// Patterns the curvature is estimated on before each pass (the paper's 500).
  public var curvaturePatterns: Int = 500
  /// Re-estimate the curvature also after every this many patterns within a pass (nil: only
  /// before each pass, as the paper says). See `PatternTraining.paper1998` for why it helps.
  public var curvatureInterval: Int?
  /// Evaluate the whole training set after each pass (the paper's figure 5 plots it); without
  /// it, a pass's training error is the running error of the patterns as they were presented.
  public var measureTrainingSet: Bool = true
  /// Fixes the order, the curvature patterns and the distortions (the weights have their own).
  public var seed: UInt64

  /// Creates settings; see the properties.
  public init(
    loss: TrainingLoss, optimizer: Optimizer, schedule: Schedule, passes: Int,
    batchSize: Int = 1, distortion: Distortion? = nil, seed: UInt64
  ) {
    self.loss = loss
    self.optimizer = optimizer
    self.schedule = schedule
    self.passes = passes
    self.batchSize = batchSize
    self.distortion = distortion
    self.seed = seed
  }

  /// The paper's recipe without distortions: eq. 9, SDLM, the η schedule, one pattern per
  /// update, 20 passes (section III.B, appendix C), with one change: μ = `recipeMu`, not the
  /// paper's 0.02.
  ///
  /// Why: at the paper's initialisation (±2.4 / F_i) the signals shrink layer after layer (C5's
  /// outputs are a few hundredths), so the loss is nearly flat along every weight below F6 and their
  /// `h_kk` come out between 1e-5 and 1e-2 (measured on 500 MNIST patterns). Their rates then
  /// sit at the cap η / μ, which with μ = 0.02 is 0.025; pattern-by-pattern training at that
  /// rate diverges (90% error after the first pass, as plain SGD at 0.025 does), and so does
  /// μ = 0.1 (cap 0.005). μ = 0.5 (cap 0.001) trains. See Docs/training.md.
  public static func paper1998(seed: UInt64, j: Float = MAPLoss.defaultJ, mu: Float = recipeMu)
    -> PatternTraining
  {
    PatternTraining(
      loss: .map(j: j), optimizer: .sdlm(mu: mu), schedule: .paper1998, passes: 20, seed: seed)
  }

  /// The μ of `paper1998` (see there).
  public static let recipeMu: Float = 0.5
}

/// One pass of `Model.train(_:with:test:)`.
public struct PassRecord: Sendable, Equatable {
  /// The pass, from 1.
  public var pass: Int
  /// `η` during the pass.
  public var learningRate: Float
  /// Mean loss of the patterns as they were presented (before their own update).
  public var loss: Float
  /// Error on the training set: measured after the pass over all of it with
  /// `measureTrainingSet`, else the running error during the pass.
  public var trainingError: Float
  /// Error on the test set after the pass, if one was given.
  public var testError: Float?
  /// Wall-clock seconds for the pass, evaluations included.
  public var seconds: Double
  /// Patterns presented per second during the updates.
  public var patternsPerSecond: Double

  /// A record from its values.
  public init(
    pass: Int, learningRate: Float, loss: Float, trainingError: Float, testError: Float?,
    seconds: Double, patternsPerSecond: Double
  ) {
    self.pass = pass
    self.learningRate = learningRate
    self.loss = loss
    self.trainingError = trainingError
    self.testError = testError
    self.seconds = seconds
    self.patternsPerSecond = patternsPerSecond
  }

  /// The history as CSV, one row per pass (errors as fractions).
  public static func csv(_ records: [PassRecord]) -> String {
    var lines = ["pass,learning_rate,loss,training_error,test_error,seconds,patterns_per_second"]
    for record in records {
      lines.append(
        [
          String(record.pass), "\(record.learningRate)", "\(record.loss)",
          "\(record.trainingError)", record.testError.map { "\($0)" } ?? "",
          String(format: "%.1f", record.seconds), String(format: "%.0f", record.patternsPerSecond),
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension Model {
  /// Trains as `training` says and returns one record per pass.
  ///
  /// The patterns come in one random order drawn from `training.seed` and kept for the whole run
  /// (the paper's "constant random order"); with distortions they are the enlarged set of
  /// `PatternSchedule`, a pass still presenting as many patterns as there are images. For SDLM,
  /// `h_kk` is estimated on `curvaturePatterns` images drawn before each pass. The same model,
  /// data and settings give the same records (timings aside) on the same machine.
  ///
  /// - Parameters:
  ///   - onProgress: called every 1,000 patterns with (pass, patterns done, patterns per pass,
  ///     running error), e.g. for a progress bar.
  ///   - onPass: called after each pass with its record, the model and its evaluation on
  ///     `test` (the one the record's test error comes from), so callers need not run it again.
  @discardableResult
  public mutating func train(
    _ data: MNIST.Split, with training: PatternTraining, test: MNIST.Split? = nil,
    onProgress: (_ pass: Int, _ done: Int, _ total: Int, _ error: Float) -> Void = { _, _, _, _ in
    },
    onPass: (_ record: PassRecord, _ model: Model, _ testEvaluation: Evaluation?) -> Void = {
      _, _, _ in
    }
  ) -> [PassRecord] {
    precondition(training.passes >= 0, "passes must not be negative")
    precondition(training.batchSize > 0, "batch size must be positive")
    precondition(data.count > 0, "there is nothing to train on: \(data.name) has no images")
    if let problem = training.loss.problem(with: self) { preconditionFailure(problem) }
    let preprocessing = self.preprocessing
    var generator = SplitMix64(seed: training.seed)
    let patterns = PatternSchedule(
      imageCount: data.count, training: training, generator: &generator)
    var sdlm: SDLM?
    if case .sdlm(let mu) = training.optimizer {
      sdlm = SDLM(learningRate: training.schedule.learningRate(pass: 1), mu: mu)
    }
    var records: [PassRecord] = []
    guard training.passes > 0 else { return records }
    for pass in 1...training.passes {
      let start = DispatchTime.now().uptimeNanoseconds
      let rate = training.schedule.learningRate(pass: pass)
      func estimateCurvature() {
        guard sdlm != nil else { return }
        var sample = Array(0..<data.count)
        generator.shuffle(&sample)
        let (input, labels) = data.batch(
          sample.prefix(min(training.curvaturePatterns, data.count)), preprocessing: preprocessing)
        sdlm?.learningRate = rate
        sdlm?.estimateCurvature(of: self, input: input, labels: labels, loss: training.loss)
      }
      estimateCurvature()
      // Once a pass, as when each pass drew fresh distortions, so that the curvature samples,
      // and with them the runs recorded in Docs/training.md, stay the same.
      _ = generator.next()
      var (lossSum, wrong, seen) = (0.0, 0, 0)
      let updateStart = DispatchTime.now().uptimeNanoseconds
      let passPatterns = patterns.patterns(ofPass: pass)
      for first in stride(
        from: passPatterns.startIndex, to: passPatterns.endIndex, by: training.batchSize)
      {
        let presentations = passPatterns[
          first..<min(passPatterns.endIndex, first + training.batchSize)]
        var (input, labels) = data.batch(
          presentations.map { $0 % data.count }, preprocessing: preprocessing)
        if training.distortion != nil {
          input = Distortion.apply(
            presentations.map(patterns.transform(ofPattern:)), to: input,
            background: preprocessing.background)
        }
        let activations = activations(input)
        let evaluated = training.loss.evaluate(
          output: activations[activations.count - 1], labels: labels, model: self)
        let gradients = parameterGradients(
          activations: activations, outputGradient: evaluated.gradient)
        if let sdlm {
          sdlm.step(&self, gradients: gradients)
        } else {
          plainStep(gradients, rate: rate)
        }
        lossSum += Double(evaluated.loss) * Double(labels.count)
        wrong += labels.count - evaluated.correct
        let before = seen
        seen += labels.count
        if let interval = training.curvatureInterval, seen / interval != before / interval,
          seen < passPatterns.count
        {
          estimateCurvature()
        }
        if seen / 1000 != before / 1000 || seen == passPatterns.count {
          onProgress(pass, seen, passPatterns.count, Float(wrong) / Float(seen))
        }
      }
      let updateSeconds = Double(DispatchTime.now().uptimeNanoseconds - updateStart) / 1e9
      let trainingError =
        training.measureTrainingSet ? evaluate(data).errorRate : Float(wrong) / Float(seen)
      let testEvaluation = test.map { evaluate($0) }
      let record = PassRecord(
        pass: pass, learningRate: rate, loss: Float(lossSum / Double(seen)),
        trainingError: trainingError, testError: testEvaluation?.errorRate,
        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
        patternsPerSecond: Double(seen) / max(updateSeconds, 1e-9))
      records.append(record)
      onPass(record, self, testEvaluation)
    }
    return records
  }

  /// `parameter −= rate · gradient` for every parameter.
  mutating func plainStep(_ gradients: [[Tensor]], rate: Float) {
    for layer in layers.indices where !gradients[layer].isEmpty {
      var parameters = layers[layer].parameters
      for tensor in parameters.indices {
        gradients[layer][tensor].scalars.withUnsafeBufferPointer { slope in
          parameters[tensor].scalars.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] -= rate * slope[index] }
          }
        }
      }
      layers[layer].parameters = parameters
    }
  }
}

/// Which patterns a pattern-by-pattern run presents, and when (LeCun et al. 1998, section III.B).
///
/// Without distortions the patterns are the training images. With them the training set is
/// enlarged to the images plus `distortedCopies` distorted copies of each (the paper's 60,000 +
/// 540,000); pattern `k` is image `k % imageCount` as copy `k / imageCount` (copy 0: the
/// original), and each copy's transformation is fixed for the run, so the enlarged set is a set,
/// not a stream. Either way the patterns stand in one random order kept for the run, and a pass
/// presents the next `imageCount` of them, wrapping round: "the total length of the training
/// session was left unchanged", so 20 passes show each of 600,000 patterns twice.
struct PatternSchedule {
  let imageCount: Int
  /// Every pattern once, in the run's order.
  let order: [Int]
  let distortion: Distortion?
  /// Copy `k`'s transformation comes from a generator seeded with `distortionSeed + k`: the
  /// same each time the pattern comes round. The streams of different `k` never meet, since
  /// SplitMix64 steps its state by an odd constant far larger than the number of patterns.
  let distortionSeed: UInt64

  /// Draws the order from `generator` (its first use in a run).
  init(imageCount: Int, training: PatternTraining, generator: inout SplitMix64) {
    self.imageCount = imageCount
    distortion = training.distortion
    let copies = distortion == nil ? 1 : 1 + training.distortedCopies
    var order = Array(0..<imageCount * copies)
    generator.shuffle(&order)
    self.order = order
    // Not from `generator`, whose later draws pick the curvature patterns: a run without
    // distortions keeps the draws it had before the distortions were added.
    var seeds = SplitMix64(seed: training.seed ^ 0x6469_7374_6F72_7421)
    distortionSeed = seeds.next()
  }

  /// The patterns pass `pass` (from 1) presents.
  func patterns(ofPass pass: Int) -> ArraySlice<Int> {
    let start = (pass - 1) * imageCount % order.count
    return order[start..<start + imageCount]
  }

  /// Pattern `pattern`'s transformation; nil for an original image.
  func transform(ofPattern pattern: Int) -> Distortion.Transform? {
    guard let distortion, pattern >= imageCount else { return nil }
    var generator = SplitMix64(seed: distortionSeed &+ UInt64(pattern))
    return distortion.draw(&generator)
  }
}
