/// The backward pass of `output[n, o] = bias[o] + Σ_i weight[o, i] · input[n, i]`: given
/// ∂L/∂output, the gradients with respect to the input, the weight and the bias.
func denseBackward(weight: Tensor, input: Tensor, outputGradient: Tensor)
  -> (input: Tensor, weight: Tensor, bias: Tensor)
{
  let (samples, inputs, outputs) = (input.shape[0], input.shape[1], weight.shape[0])
  var inputGradient = Tensor(shape: [samples, inputs])
  var weightGradient = Tensor(shape: [outputs, inputs])
  var biasGradient = Tensor(shape: [outputs])
  for n in 0..<samples {
    for o in 0..<outputs {
      let g = outputGradient[n, o]
      biasGradient[o] += g
      for i in 0..<inputs {
        inputGradient[n, i] += weight[o, i] * g
        weightGradient[o, i] += input[n, i] * g
      }
    }
  }
  return (inputGradient, weightGradient, biasGradient)
}
