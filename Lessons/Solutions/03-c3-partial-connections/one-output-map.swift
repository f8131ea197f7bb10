/// Output map `map` of `layer` for sample 0 of `input`, by plain loops, with the number of
/// connections used (one per weight·input product, one per bias).
func outputMap(_ map: Int, of layer: Conv2D, input: Tensor) -> (values: Tensor, connections: Int) {
  let kernelSize = layer.kernelSize
  let height = input.shape[2] - kernelSize + 1
  let width = input.shape[3] - kernelSize + 1
  var values = Tensor(shape: [height, width])
  var connections = 0
  for y in 0..<height {
    for x in 0..<width {
      var sum = layer.bias[map]
      connections += 1
      for i in layer.connectionTable.inputsOfOutput[map] {
        for ky in 0..<kernelSize {
          for kx in 0..<kernelSize {
            sum += layer.weight[map, i, ky, kx] * input[0, i, y + ky, x + kx]
            connections += 1
          }
        }
      }
      values[y, x] = sum
    }
  }
  return (values, connections)
}
