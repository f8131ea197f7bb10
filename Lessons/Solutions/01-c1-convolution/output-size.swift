/// The width of a stride-1 convolution's output: `kernelSize`-wide kernels over an
/// `inputSize`-wide input padded with `padding` zeros on each side.
func outputSize(inputSize: Int, kernelSize: Int, padding: Int) -> Int {
  inputSize + 2 * padding - kernelSize + 1
}
