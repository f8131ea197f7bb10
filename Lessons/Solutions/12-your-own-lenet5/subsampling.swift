/// LeCun's subsampling (chapter 2): output = coefficient[c] · (sum of the 2×2 block) + bias[c].
func subsamplingForward(_ input: Tensor, coefficient: Tensor, bias: Tensor) -> Tensor {
  let (batch, maps, height, width) = (
    input.shape[0], input.shape[1], input.shape[2], input.shape[3]
  )
  let (inputs, coefficients, biases) = (input.scalars, coefficient.scalars, bias.scalars)
  var output = [Float](repeating: 0, count: batch * maps * (height / 2) * (width / 2))
  for n in 0..<batch {
    for c in 0..<maps {
      for y in 0..<height / 2 {
        for x in 0..<width / 2 {
          let topLeft = ((n * maps + c) * height + 2 * y) * width + 2 * x
          let sum =
            inputs[topLeft] + inputs[topLeft + 1] + inputs[topLeft + width]
            + inputs[topLeft + width + 1]
          output[((n * maps + c) * (height / 2) + y) * (width / 2) + x] =
            coefficients[c] * sum + biases[c]
        }
      }
    }
  }
  return Tensor(shape: [batch, maps, height / 2, width / 2], scalars: output)
}

/// Its backward pass (chapter 8): g = ∂L/∂output goes to the coefficient as g · (block sum), to
/// the bias as g, and to each of the block's four inputs as g · coefficient.
func subsamplingBackward(input: Tensor, coefficient: Tensor, outputGradient: Tensor) -> (
  input: Tensor, coefficient: Tensor, bias: Tensor
) {
  let (batch, maps, height, width) = (
    input.shape[0], input.shape[1], input.shape[2], input.shape[3]
  )
  let (inputs, coefficients, gradients) = (
    input.scalars, coefficient.scalars, outputGradient.scalars
  )
  var inputGradient = [Float](repeating: 0, count: inputs.count)
  var coefficientGradient = [Float](repeating: 0, count: maps)
  var biasGradient = [Float](repeating: 0, count: maps)
  for n in 0..<batch {
    for c in 0..<maps {
      for y in 0..<height / 2 {
        for x in 0..<width / 2 {
          let g = gradients[((n * maps + c) * (height / 2) + y) * (width / 2) + x]
          let topLeft = ((n * maps + c) * height + 2 * y) * width + 2 * x
          var sum: Float = 0
          for dy in 0..<2 {
            for dx in 0..<2 {
              sum += inputs[topLeft + dy * width + dx]
              inputGradient[topLeft + dy * width + dx] += g * coefficients[c]
            }
          }
          coefficientGradient[c] += g * sum
          biasGradient[c] += g
        }
      }
    }
  }
  return (
    Tensor(shape: input.shape, scalars: inputGradient),
    Tensor(shape: [maps], scalars: coefficientGradient),
    Tensor(shape: [maps], scalars: biasGradient)
  )
}
