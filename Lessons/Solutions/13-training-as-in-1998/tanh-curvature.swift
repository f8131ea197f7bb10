/// The second derivative of the loss with respect to the scaled tanh's inputs, in the
/// Gauss-Newton approximation, given its outputs `y` (any shape) and the second derivative
/// `outputCurvature` with respect to them.
func tanhCurvature(outputs y: Tensor, outputCurvature: Tensor) -> Tensor {
  let amplitude: Float = 1.7159
  let slope: Float = 2.0 / 3.0
  var result = outputCurvature
  for index in result.scalars.indices {
    let derivative =
      slope / amplitude * (amplitude * amplitude - y.scalars[index] * y.scalars[index])
    result.scalars[index] *= derivative * derivative
  }
  return result
}
