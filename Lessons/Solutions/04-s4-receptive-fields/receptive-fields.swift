/// The receptive field (in input pixels, along one side) of a unit after each layer, for
/// layers given as (window, stride) pairs.
func receptiveFields(of layers: [(window: Int, stride: Int)]) -> [Int] {
  var fields: [Int] = []
  var field = 1
  var jump = 1
  for layer in layers {
    field += (layer.window - 1) * jump
    jump *= layer.stride
    fields.append(field)
  }
  return fields
}
