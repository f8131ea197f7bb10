/// LeCun's 2×2 subsampling of one H × W map (H and W even).
func subsample(_ map: Tensor, coefficient: Float, bias: Float) -> Tensor {
  var output = Tensor(shape: [map.shape[0] / 2, map.shape[1] / 2])
  for y in 0..<output.shape[0] {
    for x in 0..<output.shape[1] {
      let sum =
        map[2 * y, 2 * x] + map[2 * y, 2 * x + 1] + map[2 * y + 1, 2 * x]
        + map[2 * y + 1, 2 * x + 1]
      output[y, x] = coefficient * sum + bias
    }
  }
  return output
}
