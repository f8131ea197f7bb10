/// The valid (unpadded) cross-correlation of `image` with `kernel`, plus `bias`.
func crossCorrelate(_ image: Tensor, _ kernel: Tensor, bias: Float) -> Tensor {
  let (height, width) = (image.shape[0], image.shape[1])
  let kernelSize = kernel.shape[0]
  var output = Tensor(shape: [height - kernelSize + 1, width - kernelSize + 1])
  for y in 0..<output.shape[0] {
    for x in 0..<output.shape[1] {
      var sum = bias
      for ky in 0..<kernelSize {
        for kx in 0..<kernelSize {
          sum += kernel[ky, kx] * image[y + ky, x + kx]
        }
      }
      output[y, x] = sum
    }
  }
  return output
}
