/// Compares a layer's or model's analytic gradients with finite differences, the referee for
/// every backward pass in the library.
///
/// The check turns the output into a scalar with a fixed random projection,
/// `L = Σ output · R` (`R` seeded, so every element of the output matters), then for each input
/// or parameter element `x` estimates `∂L/∂x` with the five-point central difference
///
/// ```
/// ∂L/∂x ≈ (−L(x + 2h) + 8 L(x + h) − 8 L(x − h) + L(x − 2h)) / (12 h)
/// ```
/// whose truncation error is O(h⁴). The forward passes run in `Float`, as the layers do; `L` is
/// summed and the difference taken in `Double`, so the estimate loses only the `Float` rounding
/// of the outputs (about 1e-7 · |L| / h).
///
/// The reported error is the largest element-wise difference divided by the largest gradient
/// magnitude, `max |analytic − numeric| / max |numeric|`: relative to the gradient's scale, so
/// that elements whose true gradient is zero do not divide by zero.
public enum GradientCheck {
  /// The outcome for one tensor (the input, or one parameter tensor).
  public struct Result: Sendable, CustomStringConvertible {
    /// `input`, or the parameter's name (`weight`, `bias` …).
    public var tensorName: String
    /// The largest element-wise difference relative to the largest gradient magnitude.
    public var relativeError: Double
    /// The number of elements compared.
    public var elementCount: Int

    public var description: String {
      "\(tensorName): worst relative error \(relativeError) over \(elementCount) elements"
    }
  }

  /// The finite-difference step. With inputs of order 1 it balances truncation (h⁴) against
  /// `Float` rounding (1e-7/h).
  public static let defaultStep: Float = 1e-2

  /// Checks `layer` at `input`: the input gradient and every parameter gradient.
  public static func check(
    _ layer: some Layer, input: Tensor, seed: UInt64 = 1, step: Float = defaultStep
  ) -> [Result] {
    let output = layer.forward(input)
    let projection = projectionTensor(shape: output.shape, seed: seed)
    let gradients = layer.backward(input: input, output: output, outputGradient: projection)
    var results = [
      compare(
        name: "input", analytic: gradients.input, at: input, step: step,
        objective: { projected(layer.forward($0), projection) })
    ]
    for (index, parameterName) in layer.parameterNames.enumerated() {
      let point = layer.parameters[index]
      results.append(
        compare(
          name: parameterName, analytic: gradients.parameters[index], at: point, step: step,
          objective: { value in
            var moved = layer
            var parameters = moved.parameters
            parameters[index] = value
            moved.parameters = parameters
            return projected(moved.forward(input), projection)
          }))
    }
    return results
  }

  /// Checks a whole model's parameter gradients under softmax cross-entropy at `input`, `labels`.
  ///
  /// `elementsPerTensor` limits the work on large tensors: that many elements are chosen with
  /// the seeded generator (every element when the tensor is smaller).
  public static func check(
    _ model: Model, input: Tensor, labels: [Int], seed: UInt64 = 1, step: Float = defaultStep,
    elementsPerTensor: Int = 40
  ) -> [Result] {
    let analytic = model.lossAndGradients(input: input, labels: labels).gradients
    var generator = SplitMix64(seed: seed)
    var results: [Result] = []
    for (layerIndex, layer) in model.layers.enumerated() {
      for (tensorIndex, tensorName) in layer.parameterNames.enumerated() {
        let point = layer.parameters[tensorIndex]
        var elements = Array(0..<point.count)
        generator.shuffle(&elements)
        let chosen = Array(elements.prefix(elementsPerTensor))
        results.append(
          compare(
            name: "\(layer.name).\(tensorName)", analytic: analytic[layerIndex][tensorIndex],
            at: point, step: step, elements: chosen,
            objective: { value in
              var moved = model
              var parameters = moved.layers[layerIndex].parameters
              parameters[tensorIndex] = value
              moved.layers[layerIndex].parameters = parameters
              let scores = moved.logits(fromOutput: moved.forward(input))
              return Double(SoftmaxCrossEntropy.loss(logits: scores, labels: labels).loss)
            }))
      }
    }
    return results
  }

  /// The central-difference estimate of `∂objective/∂point[element]` for the chosen elements
  /// (all by default), compared with `analytic`.
  public static func compare(
    name: String, analytic: Tensor, at point: Tensor, step: Float, elements: [Int]? = nil,
    objective: (Tensor) -> Double
  ) -> Result {
    precondition(
      analytic.shape == point.shape, "\(name): gradient \(analytic.shape) vs point \(point.shape)")
    let indices = elements ?? Array(0..<point.count)
    var worstDifference = 0.0
    var largestGradient = 0.0
    for index in indices {
      func value(at offset: Float) -> Double {
        var moved = point
        moved.scalars[index] += offset
        return objective(moved)
      }
      let numeric =
        (-value(at: 2 * step) + 8 * value(at: step) - 8 * value(at: -step) + value(at: -2 * step))
        / (12 * Double(step))
      worstDifference = max(worstDifference, abs(Double(analytic.scalars[index]) - numeric))
      largestGradient = max(largestGradient, abs(numeric))
    }
    let error = largestGradient > 0 ? worstDifference / largestGradient : worstDifference
    return Result(tensorName: name, relativeError: error, elementCount: indices.count)
  }

  /// A seeded tensor of values in [−1, 1] that weights every output element differently.
  static func projectionTensor(shape: [Int], seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: shape, uniformIn: -1...1, generator: &generator)
  }

  static func projected(_ output: Tensor, _ projection: Tensor) -> Double {
    var sum = 0.0
    for (value, weight) in zip(output.scalars, projection.scalars) {
      sum += Double(value) * Double(weight)
    }
    return sum
  }
}
