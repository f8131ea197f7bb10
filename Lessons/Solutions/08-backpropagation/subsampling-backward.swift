/// The backward pass of `output[n, m, y, x] = coefficient[m] · Σ_{dy, dx ∈ {0, 1}}
/// input[n, m, 2y + dy, 2x + dx] + bias[m]`: given ∂L/∂output, the gradients with respect to
/// the input, the coefficient and the bias.
func subsamplingBackward(coefficient: Tensor, input: Tensor, outputGradient: Tensor)
  -> (input: Tensor, coefficient: Tensor, bias: Tensor)
{
  let (samples, maps) = (outputGradient.shape[0], outputGradient.shape[1])
  let (outputHeight, outputWidth) = (outputGradient.shape[2], outputGradient.shape[3])
  var inputGradient = Tensor(shape: input.shape)
  var coefficientGradient = Tensor(shape: [maps])
  var biasGradient = Tensor(shape: [maps])
  for n in 0..<samples {
    for m in 0..<maps {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          let g = outputGradient[n, m, y, x]
          biasGradient[m] += g
          for dy in 0...1 {
            for dx in 0...1 {
              coefficientGradient[m] += g * input[n, m, 2 * y + dy, 2 * x + dx]
              inputGradient[n, m, 2 * y + dy, 2 * x + dx] += coefficient[m] * g
            }
          }
        }
      }
    }
  }
  return (inputGradient, coefficientGradient, biasGradient)
}
