/// The convolution's backward pass (chapter 8): every output gradient g = ∂L/∂output[n, o, y, x]
/// adds g to the bias gradient of map o, g · input to the weight it multiplied, and g · weight to
/// the input it read. Unlinked kernels are never visited, so their gradients stay zero.
func convolutionBackward(
  input: Tensor, weight: Tensor, table: ConnectionTable, outputGradient: Tensor
) -> (input: Tensor, weight: Tensor, bias: Tensor) {
  let (batch, inputMaps, height, width) = (
    input.shape[0], input.shape[1], input.shape[2], input.shape[3]
  )
  let (outputMaps, size) = (weight.shape[0], weight.shape[2])
  let (outputHeight, outputWidth) = (height - size + 1, width - size + 1)
  let (inputs, weights, gradients, links) = (
    input.scalars, weight.scalars, outputGradient.scalars, table.inputsOfOutput
  )
  var inputGradient = [Float](repeating: 0, count: inputs.count)
  var weightGradient = [Float](repeating: 0, count: weights.count)
  var biasGradient = [Float](repeating: 0, count: outputMaps)
  for n in 0..<batch {
    for o in 0..<outputMaps {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          let g = gradients[((n * outputMaps + o) * outputHeight + y) * outputWidth + x]
          biasGradient[o] += g
          for i in links[o] {
            for ky in 0..<size {
              for kx in 0..<size {
                let w = ((o * inputMaps + i) * size + ky) * size + kx
                let a = ((n * inputMaps + i) * height + y + ky) * width + x + kx
                weightGradient[w] += g * inputs[a]
                inputGradient[a] += g * weights[w]
              }
            }
          }
        }
      }
    }
  }
  return (
    Tensor(shape: input.shape, scalars: inputGradient),
    Tensor(shape: weight.shape, scalars: weightGradient),
    Tensor(shape: [outputMaps], scalars: biasGradient)
  )
}
