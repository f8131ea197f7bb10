/// Trains `model` on `data` minus a held-out validation split, as `fit` does, and returns one
/// result per epoch.
func trainingLoop(
  _ model: inout Model, on data: MNIST.Split, validationSplit: Double, epochs: Int,
  batchSize: Int, optimizer: SGD, seed: UInt64
) -> [EpochResult] {
  let (training, validation) = holdOut(data, fraction: validationSplit)
  var optimizer = optimizer
  var generator = SplitMix64(seed: seed)
  var order = Array(0..<training.count)
  var results: [EpochResult] = []
  let batches = (training.count + batchSize - 1) / batchSize
  for epoch in 1...epochs {
    generator.shuffle(&order)
    var (lossSum, correct, seen) = (0.0, 0, 0)
    for batch in 0..<batches {
      let indices = order[batch * batchSize..<min(training.count, (batch + 1) * batchSize)]
      let (input, labels) = training.batch(indices, preprocessing: model.preprocessing)
      let step = model.lossAndGradients(input: input, labels: labels)
      optimizer.step(&model, gradients: step.gradients)
      lossSum += Double(step.loss) * Double(labels.count)
      correct += step.correct
      seen += labels.count
    }
    let validated = model.evaluate(validation)
    results.append(
      EpochResult(
        epoch: epoch, loss: Float(lossSum / Double(seen)),
        accuracy: Float(correct) / Float(seen), validationLoss: validated.loss,
        validationAccuracy: validated.accuracy))
  }
  return results
}
