import Foundation
import LeNetKit
import LeNetTestSupport
import Synchronization
import Testing

/// Issue 14's bars: the paper's own training (`PatternTraining.paper1998`) on the real MNIST,
/// opt-in like `LongTrainingTests` (`LENET_TUTOR_LONG_TESTS=1 swift test -c release`). A pass
/// takes 10-40 s (one core does the updates), with or without distortions (a distorted pass
/// also presents 60,000 patterns, as in the paper); Docs/training.md records the runs.
@Suite(
  .enabled(if: longTestsEnabled, "long training runs: set LENET_TUTOR_LONG_TESTS=1"),
  .serialized)
struct PaperLongTrainingTests {
  func mnist() throws -> MNIST {
    let directory = try #require(
      realMNISTDirectory,
      "LENET_TUTOR_LONG_TESTS is set but MNIST is missing: \(realMNISTSkipReason)")
    return try MNIST.load(from: directory)
  }

  /// One run of the recipe: its seed, and whether it adds the paper's distortions.
  struct Run: Hashable {
    var seed: UInt64
    var distorted: Bool
  }

  /// The recipe's final test error by run, for every test here.
  static let recipeErrors = Mutex<[Run: Float]>([:])

  /// The recipe's final test error for `seed`, with or without the paper's distortions, trained
  /// once in the process: seed 1 is both the single run's and one of the median's three, and a
  /// run is 20 passes.
  func recipeError(seed: UInt64, distorted: Bool = false, data: MNIST) throws -> Float {
    let key = Run(seed: seed, distorted: distorted)
    if let known = Self.recipeErrors.withLock({ $0[key] }) { return known }
    var model = Model.lecun1998(seed: seed)
    var training = PatternTraining.paper1998(seed: seed)
    training.distortion = distorted ? Distortion() : nil
    training.measureTrainingSet = false
    let records = model.train(data.train, with: training, test: data.test)
    let error = try #require(records.last?.testError)
    Self.recipeErrors.withLock { $0[key] = error }
    return error
  }

  /// The paper: 0.95% test error after 20 passes without distortions; the bar 1.1%.
  @Test func paperRecipeReachesOnePointOnePercent() throws {
    let error = try recipeError(seed: 1, data: try mnist())
    #expect(error <= 0.011, "test error \(error)")
  }

  /// One seed's test error varies by about 0.1 point (the paper's own uncertainty); the median
  /// of seeds 1, 2 and 3 (chosen before any of them was run on the test set) against the same bar.
  @Test func paperRecipesMedianOverThreeSeedsReachesOnePointOnePercent() throws {
    let data = try mnist()
    var errors: [Float] = []
    for seed: UInt64 in 1...3 {
      errors.append(try recipeError(seed: seed, data: data))
    }
    #expect(errors.sorted()[1] <= 0.011, "test errors \(errors)")
  }

  /// The paper: 0.8% with the training set enlarged by 540,000 distorted copies, still 20
  /// passes of 60,000 patterns; the bar 0.9%.
  @Test func paperRecipeWithDistortionsReachesZeroPointNinePercent() throws {
    let error = try recipeError(seed: 1, distorted: true, data: try mnist())
    #expect(error <= 0.009, "test error \(error)")
  }

  /// The same bar for the median of the pre-registered seeds 1, 2 and 3.
  @Test func paperRecipeWithDistortionsMedianOverThreeSeedsReachesZeroPointNinePercent() throws {
    let data = try mnist()
    var errors: [Float] = []
    for seed: UInt64 in 1...3 {
      errors.append(try recipeError(seed: seed, distorted: true, data: data))
    }
    #expect(errors.sorted()[1] <= 0.009, "test errors \(errors)")
  }

  /// The paper gives no `j`; `MAPLoss.defaultJ` was chosen on training images held out from
  /// training, never on the test set: train on the first 50,000, measure on the last 10,000.
  /// Measured (seed 1, after 12 passes): 1.17% with j = 5, 1.49% with j = 50.
  @Test func theDefaultJBeatsFiftyOnHeldOutTrainingImages() throws {
    let data = try mnist()
    let kept = data.train.images(0..<50_000, name: "train")
    let heldOut = data.train.images(50_000..<60_000, name: "validation")
    func heldOutError(j: Float) throws -> Float {
      var model = Model.lecun1998(seed: 1)
      var training = PatternTraining.paper1998(seed: 1, j: j)
      training.passes = 12
      training.measureTrainingSet = false
      let records = model.train(kept, with: training, test: heldOut)
      return try #require(records.last?.testError)
    }
    let chosen = try heldOutError(j: MAPLoss.defaultJ)
    let fifty = try heldOutError(j: 50)
    #expect(
      chosen < fifty, "held-out error \(chosen) with j = \(MAPLoss.defaultJ), \(fifty) with 50")
  }

  /// The paper gives no distortion ranges either; `Distortion()`'s were checked the same way,
  /// against every range halved and every range made 1.5 times wider, on seeds 1 and 2 (the
  /// whole distorted recipe, 20 passes). Measured means: 0.88% as they are, 0.92% halved, 1.09%
  /// wider.
  @Test func theDistortionRangesBeatHalfAndOneAndAHalfTimesThemOnHeldOutTrainingImages() throws {
    let data = try mnist()
    let kept = data.train.images(0..<50_000, name: "train")
    let heldOut = data.train.images(50_000..<60_000, name: "validation")
    func meanHeldOutError(strength: Float) throws -> Float {
      var distortion = Distortion()
      distortion.maximumTranslation *= strength
      distortion.scaling *= strength
      distortion.squeezing *= strength
      distortion.shearing *= strength
      var errors: [Float] = []
      for seed: UInt64 in 1...2 {
        var model = Model.lecun1998(seed: seed)
        var training = PatternTraining.paper1998(seed: seed)
        training.distortion = distortion
        training.measureTrainingSet = false
        let records = model.train(kept, with: training, test: heldOut)
        errors.append(try #require(records.last?.testError))
      }
      return errors.reduce(0, +) / Float(errors.count)
    }
    let chosen = try meanHeldOutError(strength: 1)
    let halved = try meanHeldOutError(strength: 0.5)
    let wider = try meanHeldOutError(strength: 1.5)
    #expect(
      chosen < halved && chosen < wider, "held-out \(chosen), halved \(halved), wider \(wider)")
  }
}
