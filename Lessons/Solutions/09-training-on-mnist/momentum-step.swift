/// One SGD step with momentum, element by element:
/// velocity ← momentum · velocity − learningRate · gradient; parameter ← parameter + velocity.
func momentumStep(
  parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor, learningRate: Float,
  momentum: Float
) {
  for i in parameter.scalars.indices {
    velocity.scalars[i] = momentum * velocity.scalars[i] - learningRate * gradient.scalars[i]
    parameter.scalars[i] += velocity.scalars[i]
  }
}
