import Foundation
import LeNetTestSupport
import Testing

@testable import LeNetKit

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `Model.fit` and `Model.evaluate` on small generated data sets (`SyntheticMNIST`: one bright
/// block per digit, at a position that depends only on the digit), and their artifacts.
@Suite struct TrainingTests {
  func split(_ count: Int, seed: UInt64) -> MNIST.Split {
    let generated = SyntheticMNIST.split(count: count, seed: seed)
    return MNIST.Split(name: "generated", images: generated.images, labels: generated.labels)
  }

  @Test func fitReducesTheLossAndLearnsTheGeneratedDigits() {
    var model = Model.keras(seed: 1)
    let history = model.fit(
      split(60, seed: 1), epochs: 4, batchSize: 10,
      optimizer: SGD(learningRate: 0.1, momentum: 0.9),
      validation: split(20, seed: 2), seed: 3)
    #expect(history.epochs.count == 4)
    let (first, last) = (history.epochs[0], history.epochs[3])
    #expect(last.loss < first.loss / 2, "loss \(first.loss) → \(last.loss)")
    // Ten well-separated blocks: a trained network tells them apart; chance is 10%.
    #expect(
      (last.validationAccuracy ?? 0) >= 0.9,
      "validation accuracy \(String(describing: last.validationAccuracy))")
  }

  @Test func sameSeedGivesTheSameHistory() {
    let data = split(30, seed: 1)
    func run(seed: UInt64) -> [EpochRecord] {
      var model = Model.keras(seed: 5)
      return model.fit(
        data, epochs: 2, batchSize: 8, optimizer: SGD(learningRate: 0.05), seed: seed
      )
      .epochs.map(\.withoutTimings)
    }
    #expect(run(seed: 7) == run(seed: 7))
    #expect(run(seed: 7) != run(seed: 8), "another seed shuffles differently")
  }

  @Test func progressIsReportedAfterEveryBatch() {
    var model = Model.keras(seed: 1)
    var seen: [(Int, Int, Int)] = []
    model.fit(
      split(25, seed: 1), epochs: 2, batchSize: 10, optimizer: SGD(learningRate: 0.01),
      onBatch: { seen.append(($0.epoch, $0.batch, $0.images)) })
    // 25 images in batches of 10: 10, 20, then a last batch of 5.
    #expect(seen.map(\.0) == [1, 1, 1, 2, 2, 2])
    #expect(seen.map(\.1) == [1, 2, 3, 1, 2, 3])
    #expect(seen.map(\.2) == [10, 20, 25, 10, 20, 25])
  }

  @Test func learningRateDecaysAfterEachEpoch() {
    var model = Model.keras(seed: 1)
    let history = model.fit(
      split(10, seed: 1), epochs: 3, batchSize: 10, optimizer: SGD(learningRate: 0.1),
      learningRateDecay: 0.5)
    expectClose(history.epochs.map(\.learningRate), [0.1, 0.05, 0.025])
  }

  /// Worked by hand on a 3×3 image 1…9: moved down one and left one, with fill 0.
  @Test func shiftMovesEachSampleByItsOffset() {
    let oneToNine: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let image = Tensor(shape: [2, 1, 3, 3], scalars: oneToNine + oneToNine)
    let moved = Shift.apply(image, offsets: [(dy: 1, dx: -1), (dy: 0, dx: 0)], fill: 0)
    let movedFirst: [Float] = [0, 0, 0, 2, 3, 0, 5, 6, 0]
    #expect(moved.scalars == movedFirst + oneToNine)
  }

  @Test func shiftedTrainingStillLearnsAndStaysDeterministic() {
    func run() -> [EpochRecord] {
      var model = Model.keras(seed: 1)
      return model.fit(
        split(60, seed: 1), epochs: 3, batchSize: 10,
        optimizer: SGD(learningRate: 0.1, momentum: 0.9), maximumShift: 2, seed: 3
      ).epochs.map(\.withoutTimings)
    }
    let history = run()
    #expect(history[2].loss < history[0].loss)
    #expect(history == run())
  }

  /// Counted by hand: labels 0 1 1 2, predictions 0 1 2 2.
  @Test func evaluationCountsByHand() {
    let result = Evaluation(
      labels: [0, 1, 1, 2], predictions: [0, 1, 2, 2], loss: 0.5, classes: 3)
    #expect(result.confusion == [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    #expect(result.correct == 3)
    expectClose(result.accuracy, 0.75)
    expectClose(result.errorRate, 0.25)
    expectClose(result.classAccuracy, [1, 0.5, 1])
    #expect(result.misclassified == [2])
  }

  @Test func evaluateAgreesWithPredict() {
    let model = Model.keras(seed: 4)
    let data = split(30, seed: 9)
    let result = model.evaluate(data, batchSize: 7)
    let (input, labels) = data.batch(0..<30, preprocessing: .keras)
    #expect(result.predictions == model.predict(input))
    #expect(result.labels == labels)
    let loss = SoftmaxCrossEntropy.loss(logits: model.forward(input), labels: labels).loss
    expectClose(result.loss, loss, relative: 1e-5)
  }

  static let history = History(epochs: [
    EpochRecord(
      epoch: 1, learningRate: 0.01, loss: 1.5, accuracy: 0.5, validationLoss: 1.25,
      validationAccuracy: 0.625, seconds: 4.25, imagesPerSecond: 14_117.6),
    EpochRecord(
      epoch: 2, learningRate: 0.01, loss: 0.75, accuracy: 0.875, validationLoss: nil,
      validationAccuracy: nil, seconds: 4, imagesPerSecond: 15_000),
  ])

  @Test func csvHasAHeaderAndOneRowPerEpoch() {
    #expect(
      Self.history.csv == """
        epoch,learning_rate,loss,accuracy,validation_loss,validation_accuracy,seconds,images_per_second
        1,0.01,1.5,0.5,1.25,0.625,4.250,14118
        2,0.01,0.75,0.875,,,4.000,15000

        """)
  }

  @Test func svgIsWellFormedWithTwoPanelsAndLegends() throws {
    let svg = TrainingPlot.svg(Self.history, title: "a < b & c")
    let counter = ElementCounter()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = counter
    #expect(parser.parse(), "XMLParser: \(String(describing: parser.parserError))")
    #expect(counter.counts["svg"] == 1)
    // Accuracy and loss, training and validation: four curves (validation has one point).
    #expect(counter.counts["polyline"] == 4)
    for label in [
      "Accuracy", "Loss", "epoch", "accuracy", "loss", "training", "validation", "a < b & c",
    ] {
      #expect(counter.texts.contains(label), "missing text '\(label)'")
    }
  }

  @Test func svgAxisTicksAreRoundNumbers() {
    // By hand: accuracies 0.703…0.968 span 0.265; a quarter of it is 0.066, and the first of
    // 0.01, 0.02, 0.05, 0.1 at least that large is 0.1: ticks 0.7, 0.8, 0.9, 1.0.
    let accuracy = TrainingPlot.niceAxis([0.703, 0.85, 0.968])
    // Tolerance 1e-12: the ticks are multiples of 0.1 computed in Double.
    #expect(abs(accuracy.low - 0.7) < 1e-12)
    #expect(abs(accuracy.high - 1.0) < 1e-12)
    #expect(accuracy.ticks.map { ($0 * 10).rounded() } == [7, 8, 9, 10])
    #expect(accuracy.decimals == 1)
    // Losses 0.0791…1.39: a quarter of the span is 0.33, so the step is 0.5: 0, 0.5, 1, 1.5.
    let loss = TrainingPlot.niceAxis([1.39, 0.0791])
    #expect(loss.ticks == [0, 0.5, 1, 1.5])
    #expect(loss.decimals == 1)
  }

  @Test func textPlotPutsRisingAccuracyBottomLeftToTopRight() {
    let history = History(epochs: [
      EpochRecord(
        epoch: 1, learningRate: 0.1, loss: 1, accuracy: 0.5, seconds: 1, imagesPerSecond: 1),
      EpochRecord(
        epoch: 2, learningRate: 0.1, loss: 0.5, accuracy: 0.9, seconds: 1, imagesPerSecond: 1),
    ])
    let lines = TrainingPlot.text(history, height: 4)
    // Title, 4 rows, axis, epoch labels: 7 lines per panel.
    #expect(lines.count == 14)
    #expect(lines[0] == "accuracy  (t training, v validation)")
    #expect(lines[1].hasSuffix("   t"), "top row ends with the last epoch: '\(lines[1])'")
    #expect(lines[4].hasSuffix("│t   ") || lines[4].hasSuffix("┤t   "), "'\(lines[4])'")
    #expect(lines[6] == "          1  2 epoch")
  }
}

/// Counts the elements of a parsed XML document and collects its text.
final class ElementCounter: NSObject, XMLParserDelegate {
  var counts: [String: Int] = [:]
  var texts: Set<String> = []
  private var text = ""

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    counts[elementName, default: 0] += 1
    text = ""
  }

  // The parser may deliver one element's text in several pieces (around `&amp;`).
  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName: String?
  ) {
    if !text.isEmpty { texts.insert(text) }
    text = ""
  }
}
