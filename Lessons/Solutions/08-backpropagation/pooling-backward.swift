/// The backward pass of non-overlapping `size`×`size` max pooling: each output's gradient goes
/// to the input that was largest in its block (the first one, on a tie); the others get 0.
func maxPoolingBackward(input: Tensor, outputGradient: Tensor, size: Int) -> Tensor {
  let (samples, maps) = (outputGradient.shape[0], outputGradient.shape[1])
  let (outputHeight, outputWidth) = (outputGradient.shape[2], outputGradient.shape[3])
  var inputGradient = Tensor(shape: input.shape)
  for n in 0..<samples {
    for m in 0..<maps {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          var best = (size * y, size * x)
          for row in size * y..<size * y + size {
            for column in size * x..<size * x + size
            where input[n, m, row, column] > input[n, m, best.0, best.1] {
              best = (row, column)
            }
          }
          inputGradient[n, m, best.0, best.1] += outputGradient[n, m, y, x]
        }
      }
    }
  }
  return inputGradient
}
