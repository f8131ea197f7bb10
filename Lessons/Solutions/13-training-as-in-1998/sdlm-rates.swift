/// SDLM's rate for every parameter: ε_k = η / (μ + h_kk), same shape as `curvature`.
func sdlmRates(curvature: Tensor, eta: Float, mu: Float) -> Tensor {
  var rates = curvature
  for index in rates.scalars.indices {
    rates.scalars[index] = eta / (mu + curvature.scalars[index])
  }
  return rates
}
