/// A network: an input shape and a chain of layers, each one's output the next one's input.
///
/// The shape chain is checked once, when the model is built, so a layer that does not fit its
/// input is reported by name before any data flows.
public struct Model: Sendable {
  /// What the last layer's output means.
  public enum Output: String, Sendable, Equatable {
    /// Unnormalised class scores; softmax turns them into probabilities (the Keras model).
    case logits
    /// Penalties, lowest for the best class: the RBF units' distances (the 1998 model).
    /// Their negatives are used as logits, which makes softmax cross-entropy the paper's
    /// discriminative criterion (eq. 9) with its constant `j` taken to infinity.
    case penalties
  }

  /// The model's name (`lecun1998`, `keras` …).
  public let name: String
  /// One sample's shape, e.g. `[1, 32, 32]`.
  public let inputShape: [Int]
  /// The layers, in order.
  public var layers: [any Layer]
  /// What the last layer's output means.
  public let output: Output
  /// Each layer's per-sample output shape, in order.
  public let layerOutputShapes: [[Int]]
  /// How MNIST bytes become this model's input.
  public let preprocessing: Preprocessing
  /// Published figures to compare the summary with (the paper's, for `lecun1998`), if any.
  public let referenceFigures: PaperFigures?

  /// Builds a model, checking that every layer accepts the previous layer's output.
  ///
  /// Without `preprocessing`, a 1×32×32 input takes the paper's (`lecun1998`) and any other the
  /// Keras tutorial's division by 255.
  public init(
    name: String, inputShape: [Int], layers: [any Layer], output: Output = .logits,
    preprocessing: Preprocessing? = nil, referenceFigures: PaperFigures? = nil
  ) throws(ShapeError) {
    var shape = inputShape
    var shapes: [[Int]] = []
    for layer in layers {
      do {
        shape = try layer.outputShape(for: shape)
      } catch {
        throw ShapeError("\(name): layer \(layer.name) (\(layer.kind)) \(error.message)")
      }
      shapes.append(shape)
    }
    self.name = name
    self.inputShape = inputShape
    self.layers = layers
    self.output = output
    self.layerOutputShapes = shapes
    self.preprocessing = preprocessing ?? (inputShape == [1, 32, 32] ? .lecun1998 : .keras)
    self.referenceFigures = referenceFigures
  }

  /// The per-sample shape the model produces.
  public var outputShape: [Int] { layerOutputShapes.last ?? inputShape }

  /// Trainable parameters of all layers.
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

  /// Connections of all layers for one input sample.
  public var connectionCount: Int {
    zip(layers, [inputShape] + layerOutputShapes).reduce(0) { $0 + $1.0.connectionCount(for: $1.1) }
  }

  /// Draws every layer's parameters with `scheme`, from one generator seeded with `seed`.
  public mutating func initialize(_ scheme: Initialization, seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    for index in layers.indices { layers[index].initialize(scheme, generator: &generator) }
  }

  // MARK: Running

  /// The last layer's output for a mini-batch; the batch is split across the cores, and each
  /// core's share runs through the layers `samplesPerForwardSlice` samples at a time.
  public func forward(_ input: Tensor) -> Tensor {
    let parts = Parallel.map(input.batchSize, minimumChunk: Self.samplesPerCore) { samples in
      let starts = stride(
        from: samples.lowerBound, to: samples.upperBound, by: Self.samplesPerForwardSlice)
      let slices = starts.map { start in
        let slice = start..<min(start + Self.samplesPerForwardSlice, samples.upperBound)
        return forwardThroughLayers(slice.count == input.batchSize ? input : input.samples(slice))
      }
      return slices.count == 1 ? slices[0] : Tensor(concatenating: slices)
    }
    return parts.count == 1 ? parts[0] : Tensor(concatenating: parts)
  }

  /// Every layer's `forward` in turn, except that a convolution takes the squashing and
  /// pooling after it into its output pass (`Conv2D.fusedForward`): the same arithmetic, in one
  /// pass over its maps instead of three, and two fewer tensors per convolution.
  func forwardThroughLayers(_ input: Tensor) -> Tensor {
    var output = input
    var index = 0
    while index < layers.count {
      if let convolution = layers[index] as? Conv2D,
        let fused = convolution.fusedForward(output, following: layers[(index + 1)...])
      {
        output = fused.output
        index += 1 + fused.layersTaken
        continue
      }
      output = layers[index].forward(output)
      index += 1
    }
    return output
  }

  /// The smallest share of a mini-batch worth sending to another core.
  static let samplesPerCore = 16

  /// How many samples go through the layers together in `forward`: few enough that a layer's
  /// output (C1's: 18 KB per sample) is still in the core's cache when the next layer reads
  /// it, enough that C5's and F6's matrix products read their weights once for many samples.
  /// A batch of 1000 in one piece sent each 9 MB activation through memory.
  static let samplesPerForwardSlice = 32

  /// The input followed by every layer's output: what `backward` needs.
  public func activations(_ input: Tensor) -> [Tensor] {
    checkInput(input)
    var activations = [input]
    activations.reserveCapacity(layers.count + 1)
    for layer in layers {
      activations.append(layer.forward(activations[activations.count - 1]))
    }
    return activations
  }

  /// Backpropagates `outputGradient` through every layer, given the forward pass's activations.
  /// Returns each layer's parameter gradients (empty for layers without parameters) and the
  /// gradient with respect to the input.
  public func backward(activations: [Tensor], outputGradient: Tensor) -> (
    parameters: [[Tensor]], input: Tensor
  ) {
    var gradient = outputGradient
    let parameters = backpropagate(activations: activations, gradient: &gradient, toInput: true)
    return (parameters, gradient)
  }

  /// `backward`'s parameter gradients alone: training never uses the gradient with respect to
  /// the images, so the first layer skips it (C1's share is about a tenth of a training step).
  func parameterGradients(activations: [Tensor], outputGradient: Tensor) -> [[Tensor]] {
    var gradient = outputGradient
    return backpropagate(activations: activations, gradient: &gradient, toInput: false)
  }

  /// The loop behind `backward` and `parameterGradients`: turns `gradient` from ∂L/∂output into
  /// ∂L/∂input (left at the first layer's output gradient when `toInput` is false). With `sums`
  /// (a slice of a share in training), the parameter gradients go on in `sums` instead of being
  /// returned, and the result is empty.
  func backpropagate(
    activations: [Tensor], gradient: inout Tensor, toInput: Bool, sums: [LayerSums]? = nil
  ) -> [[Tensor]] {
    precondition(
      activations.count == layers.count + 1, "backward needs the input and every layer's output")
    var parameterGradients = [[Tensor]](repeating: [], count: sums == nil ? layers.count : 0)
    let groups = fusedBackwardGroups()
    var index = layers.count - 1
    while index >= 0 {
      if index == 0 && !toInput {
        if let sums {
          _ = accumulate(
            layer: 0, sums: sums[0], input: activations[0], outputGradient: gradient,
            toInput: false)
        } else {
          parameterGradients[0] = layers[0].parameterGradients(
            input: activations[0], output: activations[1], outputGradient: gradient)
        }
        break
      }
      // A tanh followed by 2×2 average pooling (keras' model): both gradients in one pass.
      if groups[index] == 2, let squashing = layers[index - 1] as? Activation,
        let fused = squashing.backwardThroughPoolingOf2(
          output: activations[index], poolingGradient: gradient)
      {
        gradient = fused
        index -= 2
        continue
      }
      // A squashing, a trainable subsampling and a squashing (lecun1998's S2 and S4): the
      // three gradients in one pass.
      if groups[index] == 3, let subsampling = layers[index - 1] as? Subsampling,
        let after = layers[index] as? Activation, let before = layers[index - 2] as? Activation
      {
        if let sums, case .subsampling(let running) = sums[index - 1],
          let input = subsampling.backwardBetweenSquashings(
            before: before, input: activations[index - 1], after: after,
            squashedOutput: activations[index + 1], outputGradient: gradient, into: running)
        {
          gradient = input
          index -= 3
          continue
        }
        if sums == nil,
          let fused = subsampling.backwardBetweenSquashings(
            before: before, input: activations[index - 1], after: after,
            squashedOutput: activations[index + 1], outputGradient: gradient)
        {
          parameterGradients[index - 1] = fused.parameters
          gradient = fused.input
          index -= 3
          continue
        }
      }
      if let sums,
        let input = accumulate(
          layer: index, sums: sums[index], input: activations[index], outputGradient: gradient,
          toInput: true)
      {
        gradient = input
        index -= 1
        continue
      }
      let result = layers[index].backward(
        input: activations[index], output: activations[index + 1], outputGradient: gradient)
      if sums == nil {
        parameterGradients[index] = result.parameters
      } else {
        precondition(
          result.parameters.isEmpty, "\(layers[index].name): its gradient sums were not carried")
      }
      gradient = result.input
      index -= 1
    }
    return parameterGradients
  }

  /// Where `backpropagate`, walking down from the last layer, takes several layers in one
  /// fused pass: the top layer's index of each group, and the group's size (2: a squashing and
  /// 2×2 average pooling, keras' model; 3: a squashing, a trainable subsampling and a squashing,
  /// lecun1998's S2 and S4). One home for the walk, so that `zeroLayerSums` sets up fused sums
  /// for exactly the subsamplings the walk fuses (two subsamplings that share a squashing
  /// cannot both be).
  func fusedBackwardGroups() -> [Int: Int] {
    func isSquashing(_ index: Int) -> Bool {
      (layers[index] as? Activation)?.function.squashing != nil
    }
    var groups: [Int: Int] = [:]
    var index = layers.count - 1
    while index >= 0 {
      if index >= 2, (layers[index] as? AveragePooling)?.size == 2, isSquashing(index - 1) {
        groups[index] = 2
      } else if index >= 3, layers[index - 1] is Subsampling, isSquashing(index),
        isSquashing(index - 2)
      {
        groups[index] = 3
      }
      index -= groups[index] ?? 1
    }
    return groups
  }

  /// A layer's parameter-gradient sums in training, carried from one slice of a core's share
  /// into the next (see `shareLossAndGradients`).
  enum LayerSums {
    /// A layer without parameters.
    case none
    case convolution(Convolution.GradientSums)
    /// A `Dense` layer's slices, its gradients taken once for the whole share.
    case dense(AffineSlices)
    /// A `Subsampling` between two squashings, whose gradients run in one pass.
    case subsampling(ParameterSums)
  }

  /// Zero sums for every layer, or nil when some layer's sums cannot be carried from slice to
  /// slice (a convolution on the im2col path, a layer type this does not know, a subsampling
  /// outside the fused squashing-subsampling-squashing pass): then a share runs in one piece.
  func zeroLayerSums() -> [LayerSums]? {
    let groups = fusedBackwardGroups()
    var sums: [LayerSums] = []
    for (index, layer) in layers.enumerated() {
      let shape = index == 0 ? inputShape : layerOutputShapes[index - 1]
      if layer.parameters.isEmpty {
        sums.append(.none)
      } else if let convolution = layer as? Conv2D,
        let running = convolution.gradientSums(for: shape)
      {
        sums.append(.convolution(running))
      } else if layer is Dense {
        sums.append(.dense(AffineSlices()))
      } else if let subsampling = layer as? Subsampling, groups[index + 1] == 3 {
        sums.append(
          .subsampling(
            ParameterSums(weightCount: subsampling.channels, biasCount: subsampling.channels)))
      } else {
        return nil
      }
    }
    return sums
  }

  /// One layer's gradients on a slice with its sums carried on; returns its input gradient, nil
  /// for a layer without sums (its `backward` runs instead) or a first layer (`toInput` false).
  private func accumulate(
    layer index: Int, sums: LayerSums, input: Tensor, outputGradient: Tensor, toInput: Bool
  ) -> Tensor? {
    switch sums {
    case .none:
      return nil
    case .convolution(let running):
      guard let convolution = layers[index] as? Conv2D else { break }
      return convolution.accumulateGradients(
        input: input, outputGradient: outputGradient, toInput: toInput, into: running)
        ?? Tensor(shape: input.shape)
    case .dense(let slices):
      guard let dense = layers[index] as? Dense else { break }
      // A first layer's input gradient is not wanted in training (`parameterGradients`).
      return slices.append(
        input: input, outputGradient: outputGradient, weight: dense.weight,
        features: dense.inputFeatures, outputs: dense.outputFeatures, toInput: toInput)
    case .subsampling:
      break
    }
    preconditionFailure("\(layers[index].name): gradient sums of another kind of layer")
  }

  /// The parameter gradients the carried sums have reached, as `parameterGradients` on the
  /// whole share returns them.
  func finishedGradients(_ sums: [LayerSums]) -> [[Tensor]] {
    zip(layers.indices, sums).map { index, running in
      let layer = layers[index]
      switch running {
      case .none: return []
      case .convolution(let convolutionSums):
        let inputShape = index == 0 ? self.inputShape : layerOutputShapes[index - 1]
        return (layer as? Conv2D)?.finishedGradients(convolutionSums, inputShape: inputShape)
          ?? []
      case .dense(let slices):
        guard let dense = layer as? Dense else { return [] }
        let gradients = slices.finished(
          weight: dense.weight, features: dense.inputFeatures, outputs: dense.outputFeatures)
        return [gradients.weight, gradients.bias]
      case .subsampling(let subsamplingSums):
        return [
          Tensor(shape: layer.parameters[0].shape, scalars: subsamplingSums.weight),
          Tensor(shape: layer.parameters[1].shape, scalars: subsamplingSums.bias),
        ]
      }
    }
  }

  /// Class scores for softmax: the output itself, or the negated penalties.
  public func logits(fromOutput output: Tensor) -> Tensor {
    switch self.output {
    case .logits: return output
    case .penalties:
      var negated = output
      for index in negated.scalars.indices { negated.scalars[index].negate() }
      return negated
    }
  }

  /// Class probabilities for a mini-batch.
  public func probabilities(_ input: Tensor) -> Tensor {
    SoftmaxCrossEntropy.probabilities(logits(fromOutput: forward(input)))
  }

  /// The most likely class of each sample.
  public func predict(_ input: Tensor) -> [Int] {
    argmaxOfRows(logits(fromOutput: forward(input)))
  }

  /// The mean softmax cross-entropy on a mini-batch, the number of correct predictions, and the
  /// gradient of the loss with respect to every parameter tensor.
  ///
  /// Each core takes a contiguous share of the batch through the whole network, 16 samples at
  /// a time where every layer's sums can be carried (`shareLossAndGradients`; the layers
  /// themselves run on one thread); the shares' mean losses and gradients are then averaged,
  /// weighted by their sizes, which gives exactly the batch mean.
  public func lossAndGradients(input: Tensor, labels: [Int]) -> (
    loss: Float, correct: Int, gradients: [[Tensor]]
  ) {
    precondition(
      labels.count == input.batchSize, "\(labels.count) labels for \(input.batchSize) samples")
    let batch = input.batchSize
    let parts = Parallel.map(batch, minimumChunk: Self.samplesPerCore) { samples in
      let part = shareLossAndGradients(
        input: samples.count == batch ? input : input.samples(samples),
        labels: Array(labels[samples]))
      return (part, Float(samples.count) / Float(batch))
    }
    if parts.count == 1 { return parts[0].0 }
    var (loss, correct) = (Float(0), 0)
    for (part, weight) in parts {
      loss += weight * part.loss
      correct += part.correct
    }
    let gradients = parts[0].0.gradients.indices.map { layer in
      parts[0].0.gradients[layer].indices.map { tensor in
        Self.weightedSum(parts.map { ($0.0.gradients[layer][tensor], $0.1) })
      }
    }
    return (loss, correct, gradients)
  }

  /// `0 + w₁ · share₁ + w₂ · share₂ + …` element by element, in that order, eight lanes at a
  /// time, into a new tensor: the shares' gradients averaged. This runs on one core while the
  /// other waits, so it is one pass over the shares (a scalar loop over a zero-filled total
  /// was about 1% of a two-core step).
  static func weightedSum(_ shares: [(tensor: Tensor, weight: Float)]) -> Tensor {
    Tensor(shape: shares[0].tensor.shape) { total in
      let count = total.count
      let target = total.baseAddress.unsafelyUnwrapped
      for (number, share) in shares.enumerated() {
        share.tensor.scalars.withUnsafeBufferPointer { buffer in
          let source = buffer.baseAddress.unsafelyUnwrapped
          let (weight, lanes) = (share.weight, SIMD8<Float>(repeating: share.weight))
          // The first share is added to a zero total: `0 + w · x` keeps the sign of a zero
          // as the running sum did.
          var index = 0
          while index + 8 <= count {
            let product =
              lanes * UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            let sum =
              number == 0
              ? SIMD8<Float>.zero + product
              : UnsafeRawPointer(target + index).loadUnaligned(as: SIMD8<Float>.self) + product
            UnsafeMutableRawPointer(target + index).storeBytes(of: sum, as: SIMD8<Float>.self)
            index += 8
          }
          while index < count {
            target[index] = (number == 0 ? 0 : target[index]) + weight * source[index]
            index += 1
          }
        }
      }
    }
  }

  /// How many samples of a core's share go through the layers together in training, forward
  /// and backward, before the next ones: few enough that a layer's activations and gradients
  /// are still in the core's cache when the next layer reads them (C1's output alone is 18.8 KB
  /// per sample, a 64-sample share's over 1 MB, past the 512 KB second-level cache).
  static let samplesPerTrainingSlice = 16

  /// `lossAndGradients` for one core's share of the batch, `samplesPerSlice` samples at a time
  /// through the whole network: each parameter gradient's sums go on from one slice into the
  /// next (`LayerSums`), in the order one pass over the whole share adds them, so the result
  /// has the same bits as `shareLossAndGradientsInOnePiece`, which runs when a layer's sums
  /// cannot be carried.
  func shareLossAndGradients(
    input: Tensor, labels: [Int], samplesPerSlice: Int = Self.samplesPerTrainingSlice
  ) -> (loss: Float, correct: Int, gradients: [[Tensor]]) {
    precondition(samplesPerSlice > 0, "slices of \(samplesPerSlice) samples")
    let batch = input.batchSize
    guard batch > samplesPerSlice, let sums = zeroLayerSums() else {
      return shareLossAndGradientsInOnePiece(input: input, labels: labels)
    }
    precondition(labels.count == batch, "\(labels.count) labels for \(batch) samples")
    var (total, correct) = (Double(0), 0)
    for start in stride(from: 0, to: batch, by: samplesPerSlice) {
      let slice = start..<min(start + samplesPerSlice, batch)
      let sliceLabels = Array(labels[slice])
      let activations = activations(input.samples(slice))
      let scores = logits(fromOutput: activations[activations.count - 1])
      var gradient = outputGradient(
        fromLogitGradient: SoftmaxCrossEntropy.accumulateLoss(
          logits: scores, labels: sliceLabels, batchSize: batch, total: &total))
      correct += Self.correctCount(scores: scores, labels: sliceLabels)
      _ = backpropagate(
        activations: activations, gradient: &gradient, toInput: false, sums: sums)
    }
    return (Float(total / Double(batch)), correct, finishedGradients(sums))
  }

  /// `lossAndGradients` for one core's share of the batch, each layer over the whole share.
  func shareLossAndGradientsInOnePiece(input: Tensor, labels: [Int]) -> (
    loss: Float, correct: Int, gradients: [[Tensor]]
  ) {
    let activations = activations(input)
    let outputs = activations[activations.count - 1]
    let scores = logits(fromOutput: outputs)
    let (loss, scoreGradient) = SoftmaxCrossEntropy.loss(logits: scores, labels: labels)
    let gradients = parameterGradients(
      activations: activations, outputGradient: outputGradient(fromLogitGradient: scoreGradient))
    return (loss, Self.correctCount(scores: scores, labels: labels), gradients)
  }

  /// ∂loss/∂output from ∂loss/∂logits. `logits(fromOutput:)` is the identity or, for
  /// penalties, a negation (logits = −penalties), so its gradient is the same map:
  /// ∂loss/∂penalties = −∂loss/∂logits.
  func outputGradient(fromLogitGradient gradient: Tensor) -> Tensor {
    logits(fromOutput: gradient)
  }

  /// How many samples' highest score is their label.
  static func correctCount(scores: Tensor, labels: [Int]) -> Int {
    zip(argmaxOfRows(scores), labels).filter { $0 == $1 }.count
  }

  func checkInput(_ input: Tensor) {
    precondition(
      input.sampleShape == inputShape,
      "\(name) expects samples of shape \(inputShape) (batch first: [N] + \(inputShape)), got \(input.shape)"
    )
  }
}

/// The index of the largest element in each row of an `N × K` tensor (the first, on a tie).
public func argmaxOfRows(_ tensor: Tensor) -> [Int] {
  precondition(tensor.shape.count == 2, "argmax expects N × K, got \(tensor.shape)")
  let classes = tensor.shape[1]
  return (0..<tensor.batchSize).map { sample in
    var best = 0
    for index in 1..<classes
    where tensor.scalars[sample * classes + index] > tensor.scalars[sample * classes + best] {
      best = index
    }
    return best
  }
}
