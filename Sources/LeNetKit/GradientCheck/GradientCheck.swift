import Foundation

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
/// that elements whose true gradient is zero do not divide by zero. The `Float` forward pass sets
/// a floor on that error of about 1e-7 · |L| / (h · |gradient|): well under 1e-3 for layers and
/// for the Keras model, but about 1e-2 for `lecun1998`, whose penalties near 84 are rounded to
/// 4e-6 while its C1 gradients are near 1e-3 (its tests use a `Double` reference instead). A backward pass that returns
/// a gradient of the wrong shape, or too few parameter gradients, is reported as an infinite
/// error with the reason, not a crash: a learner's first backward pass is often like that.
public enum GradientCheck {
  /// The outcome for one tensor (the input, or one parameter tensor).
  public struct Result: Sendable, CustomStringConvertible {
    /// `input`, or the parameter's name (`weight`, `bias` …).
    public var tensorName: String
    /// The largest element-wise difference relative to the largest gradient magnitude.
    public var relativeError: Double
    /// The number of elements compared.
    public var elementCount: Int
    /// Why nothing could be compared (a gradient of the wrong shape, a missing gradient).
    public var problem: String?

    /// Creates a result (checkers outside the library report in the same form).
    public init(
      tensorName: String, relativeError: Double, elementCount: Int, problem: String? = nil
    ) {
      self.tensorName = tensorName
      self.relativeError = relativeError
      self.elementCount = elementCount
      self.problem = problem
    }

    public var description: String {
      if let problem { return "\(tensorName): \(problem)" }
      return "\(tensorName): worst relative error \(relativeError) over \(elementCount) elements"
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
      guard index < gradients.parameters.count else {
        results.append(
          Result(
            tensorName: parameterName, relativeError: .infinity, elementCount: 0,
            problem: "backward returned no gradient for it"))
        continue
      }
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
              return crossEntropy(moved.logits(fromOutput: moved.forward(input)), labels: labels)
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
    guard analytic.shape == point.shape else {
      return Result(
        tensorName: name, relativeError: .infinity, elementCount: 0,
        problem: "gradient has shape \(analytic.shape), expected \(point.shape)")
    }
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
    return Result(
      tensorName: name, relativeError: error, elementCount: indices.count, problem: nil)
  }

  /// A seeded tensor of values in [−1, 1] that weights every output element differently.
  static func projectionTensor(shape: [Int], seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: shape, uniformIn: -1...1, generator: &generator)
  }

  /// The mean softmax cross-entropy, summed in `Double` so the loss adds no rounding of its own
  /// to the `Float` logits (the same formula as `SoftmaxCrossEntropy.loss`).
  static func crossEntropy(_ logits: Tensor, labels: [Int]) -> Double {
    let classes = logits.shape[1]
    var total = 0.0
    for (sample, label) in labels.enumerated() {
      let row = logits.scalars[sample * classes..<(sample + 1) * classes].map(Double.init)
      let largest = row.max() ?? 0
      let sum = row.reduce(0) { $0 + Foundation.exp($1 - largest) }
      total += largest + Foundation.log(sum) - row[label]
    }
    return total / Double(labels.count)
  }

  static func projected(_ output: Tensor, _ projection: Tensor) -> Double {
    var sum = 0.0
    for (value, weight) in zip(output.scalars, projection.scalars) {
      sum += Double(value) * Double(weight)
    }
    return sum
  }
}
