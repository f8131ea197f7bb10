/// One layer's parameter-gradient sums, carried from one slice of a core's share of a batch into
/// the next: training runs the share through the layers a slice at a time (`Model`), and each
/// sum goes on from where the previous slice left it, adding its terms in the order one call
/// on the whole share adds them, so the gradients have the same bits however the share is cut.
final class ParameterSums {
  /// The weights' running sums (a subsampling's coefficients).
  var weight: [Float]
  /// One running sum per bias.
  var bias: [Float]

  init(weightCount: Int, biasCount: Int) {
    weight = [Float](repeating: 0, count: weightCount)
    bias = [Float](repeating: 0, count: biasCount)
  }
}

/// A dense product's (`Dense`, and C5 as `Conv2D`'s dense path) slices of a share in training:
/// each slice's input and output gradient, kept until the share's last slice, so that the
/// weight and bias gradients are one `Dense.affineGradients` on the whole share, as before the
/// slices (the same call, so the same bits). They are small (C5's input is 400 floats a sample,
/// its output gradient 120), and one product over the whole share sums each weight over all its
/// samples in registers, where carrying the sums from slice to slice stored and reloaded C5's
/// 48,000 of them every slice.
final class AffineSlices {
  var inputs: [Tensor] = []
  var outputGradients: [Tensor] = []

  /// Keeps a slice's input (`N × features`) and output gradient (`N × outputs`), and returns
  /// the slice's input gradient, `∂L/∂y · weight`, when `toInput` is true.
  func append(
    input: Tensor, outputGradient: Tensor, weight: Tensor, features: Int, outputs: Int,
    toInput: Bool
  ) -> Tensor? {
    inputs.append(input)
    outputGradients.append(outputGradient)
    guard toInput else { return nil }
    let scalars = weight.scalars.withUnsafeBufferPointer { w in
      outputGradient.scalars.withUnsafeBufferPointer { dy in
        Dense.affineInputGradient(
          dy.baseAddress.unsafelyUnwrapped, weight: w.baseAddress.unsafelyUnwrapped,
          batch: input.batchSize, inputs: features, outputs: outputs)
      }
    }
    return Tensor(shape: input.shape, scalars: scalars)
  }

  /// The weight and bias gradients of all the slices kept, in order, shaped as `weight` and
  /// `[outputs]`.
  func finished(weight: Tensor, features: Int, outputs: Int) -> (weight: Tensor, bias: Tensor) {
    let input = inputs.count == 1 ? inputs[0] : Tensor(concatenating: inputs)
    let outputGradient =
      outputGradients.count == 1 ? outputGradients[0] : Tensor(concatenating: outputGradients)
    let gradients = Dense.affineGradients(
      input: input, outputGradient: outputGradient, weight: weight, inputs: features,
      outputs: outputs, toInput: false)
    return (
      Tensor(shape: weight.shape, scalars: gradients.weight),
      Tensor(shape: [outputs], scalars: gradients.bias)
    )
  }
}
