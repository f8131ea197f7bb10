/// The backward pass of a valid, stride-1 convolution wired by `table`: given ∂L/∂output
/// (`[N, O, H−k+1, W−k+1]`), the gradients with respect to the input (`[N, I, H, W]`), the
/// weight (`[O, I, k, k]`, zero for every kernel the table does not link) and the bias (`[O]`).
func convBackward(weight: Tensor, table: ConnectionTable, input: Tensor, outputGradient: Tensor)
  -> (input: Tensor, weight: Tensor, bias: Tensor)
{
  let (samples, outputMaps) = (outputGradient.shape[0], outputGradient.shape[1])
  let (outputHeight, outputWidth) = (outputGradient.shape[2], outputGradient.shape[3])
  let kernelSize = weight.shape[2]
  var inputGradient = Tensor(shape: input.shape)
  var weightGradient = Tensor(shape: weight.shape)
  var biasGradient = Tensor(shape: [outputMaps])
  for n in 0..<samples {
    for o in 0..<outputMaps {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          let g = outputGradient[n, o, y, x]
          biasGradient[o] += g
          for i in table.inputsOfOutput[o] {
            for ky in 0..<kernelSize {
              for kx in 0..<kernelSize {
                inputGradient[n, i, y + ky, x + kx] += weight[o, i, ky, kx] * g
                weightGradient[o, i, ky, kx] += input[n, i, y + ky, x + kx] * g
              }
            }
          }
        }
      }
    }
  }
  return (inputGradient, weightGradient, biasGradient)
}
