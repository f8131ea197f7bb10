/// LeCun's squashing function, f(a) = 1.7159 · tanh(2a / 3).
func scaledTanh(_ a: Double) -> Double {
  1.7159 * tanh(2.0 / 3.0 * a)
}

/// The derivative f'(a) of `scaledTanh`.
func scaledTanhDerivative(_ a: Double) -> Double {
  let t = tanh(2.0 / 3.0 * a)
  return 1.7159 * (2.0 / 3.0) * (1 - t * t)
}
