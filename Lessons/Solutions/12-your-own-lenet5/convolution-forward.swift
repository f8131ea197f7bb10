/// A valid, stride-1 convolution with a connection table (chapter 1's loops, chapter 3's table):
/// output[n, o, y, x] = bias[o] + Σ_{i ∈ table(o)} Σ_{ky, kx} weight[o, i, ky, kx] · input[n, i, y + ky, x + kx].
func convolutionForward(_ input: Tensor, weight: Tensor, bias: Tensor, table: ConnectionTable)
  -> Tensor
{
  let (batch, inputMaps, height, width) = (
    input.shape[0], input.shape[1], input.shape[2], input.shape[3]
  )
  let (outputMaps, size) = (weight.shape[0], weight.shape[2])
  let (outputHeight, outputWidth) = (height - size + 1, width - size + 1)
  // Plain arrays: reading a Tensor's `scalars` inside the loop would fetch the array each time.
  let (inputs, weights, biases, links) = (
    input.scalars, weight.scalars, bias.scalars, table.inputsOfOutput
  )
  var output = [Float](repeating: 0, count: batch * outputMaps * outputHeight * outputWidth)
  for n in 0..<batch {
    for o in 0..<outputMaps {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          var sum = biases[o]
          for i in links[o] {
            for ky in 0..<size {
              for kx in 0..<size {
                sum +=
                  weights[((o * inputMaps + i) * size + ky) * size + kx]
                  * inputs[((n * inputMaps + i) * height + y + ky) * width + x + kx]
              }
            }
          }
          output[((n * outputMaps + o) * outputHeight + y) * outputWidth + x] = sum
        }
      }
    }
  }
  return Tensor(shape: [batch, outputMaps, outputHeight, outputWidth], scalars: output)
}
