/// How many multiply-adds a model does per image: the work `lenet-tutor bench` divides by the
/// time to get FLOP/s (a multiply-add is 2 floating-point operations).
///
/// Counted as frameworks count a network's work: the products of the weighted layers, padding
/// taps included (a same-padded convolution multiplies them too), only the linked kernels of a
/// partial connection table (the zeros of C3's unlinked kernels are not work the model needs).
/// Activations, pooling and subsampling are not counted: their few thousand operations per
/// image show up as time, not as work.
///
/// ```
/// Conv2D:        outH · outW · k² · links        (links: linked input–output map pairs)
/// Dense:         inputs · outputs
/// EuclideanRBF:  inputs · classes                (one (x − c)² per code element)
/// ```
/// Backward, a weighted layer does its forward products twice more, once for the weight
/// gradient and once for the input gradient; the first layer skips the input gradient (nothing
/// uses the gradient with respect to the images), and the RBF, with fixed codes, has only the
/// input gradient. A training image thus costs its forward count plus that backward count.
public struct MultiplyAdds: Sendable, Equatable {
  /// The forward pass.
  public var forward: Int
  /// The backward pass of a training step (parameter gradients, and input gradients but the
  /// first layer's).
  public var backward: Int

  /// One training image: forward and backward.
  public var training: Int { forward + backward }
}

extension Model {
  /// The multiply-adds per image of a forward pass and of a training step.
  public var multiplyAddsPerImage: MultiplyAdds {
    var total = MultiplyAdds(forward: 0, backward: 0)
    for (index, (layer, inputShape)) in zip(layers, [inputShape] + layerOutputShapes).enumerated() {
      guard let counted = layer as? any MultiplyAddCounting else { continue }
      let forward = counted.multiplyAdds(for: inputShape)
      total.forward += forward
      let inputGradient = index == 0 ? 0 : forward
      total.backward += (counted.hasWeights ? forward : 0) + inputGradient
    }
    return total
  }
}

/// A layer whose forward pass is multiply-adds (see `MultiplyAdds`).
protocol MultiplyAddCounting {
  /// Multiply-adds of one sample's forward pass, for a per-sample input shape.
  func multiplyAdds(for inputShape: [Int]) -> Int
  /// Whether the products involve trainable weights (then backward computes their gradient).
  var hasWeights: Bool { get }
}

extension Conv2D: MultiplyAddCounting {
  func multiplyAdds(for inputShape: [Int]) -> Int {
    guard let shape = try? outputShape(for: inputShape) else { return 0 }
    return shape[1] * shape[2] * kernelSize * kernelSize * connectionTable.linkCount
  }
  var hasWeights: Bool { true }
}

extension Dense: MultiplyAddCounting {
  func multiplyAdds(for inputShape: [Int]) -> Int { inputFeatures * outputFeatures }
  var hasWeights: Bool { true }
}

extension EuclideanRBF: MultiplyAddCounting {
  func multiplyAdds(for inputShape: [Int]) -> Int { inputFeatures * classes }
  var hasWeights: Bool { false }
}
