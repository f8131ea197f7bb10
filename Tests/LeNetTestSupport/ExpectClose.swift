import LeNetKit
import Testing

/// The default relative tolerance for comparing `Float` results: about 2⁻¹⁷, a few dozen ULPs
/// at `Float`'s 24-bit precision. Sums of a few hundred products (a 5×5×16 convolution) lose
/// that much to rounding, and a real bug moves values far more.
public let defaultRelativeTolerance: Float = 1e-5

/// Expects `observed` to equal `expected` within `absolute + relative · |expected|` per element,
/// checking the shape first; a failure names the first bad element, both values and the error.
public func expectClose(
  _ observed: Tensor, _ expected: Tensor, relative: Float = defaultRelativeTolerance,
  absolute: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
  guard observed.shape == expected.shape else {
    Issue.record(
      "shape \(observed.shape) ≠ expected \(expected.shape)", sourceLocation: sourceLocation)
    return
  }
  expectClose(
    observed.scalars, expected.scalars, relative: relative, absolute: absolute,
    sourceLocation: sourceLocation)
}

/// Expects two arrays of the same length to agree element by element (see the tensor version).
public func expectClose(
  _ observed: [Float], _ expected: [Float], relative: Float = defaultRelativeTolerance,
  absolute: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
  guard observed.count == expected.count else {
    Issue.record(
      "\(observed.count) elements ≠ expected \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  for (index, (value, reference)) in zip(observed, expected).enumerated() {
    let error = abs(value - reference)
    if !(error <= absolute + relative * abs(reference)) {
      Issue.record(
        "element \(index): observed \(value), expected \(reference), error \(error) (relative \(error / max(abs(reference), .leastNormalMagnitude)))",
        sourceLocation: sourceLocation)
      return
    }
  }
}

/// Expects one number to equal another within `absolute + relative · |expected|`.
public func expectClose(
  _ observed: Float, _ expected: Float, relative: Float = defaultRelativeTolerance,
  absolute: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(
    [observed], [expected], relative: relative, absolute: absolute, sourceLocation: sourceLocation)
}

/// Expects every result of a gradient check to be below `tolerance`, printing the worst.
public func expectGradientsMatch(
  _ results: [GradientCheck.Result], tolerance: Double = 1e-3,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(!results.isEmpty, "the gradient check compared nothing", sourceLocation: sourceLocation)
  for result in results where !(result.relativeError < tolerance) {
    Issue.record("\(result) ≥ tolerance \(tolerance)", sourceLocation: sourceLocation)
  }
}

/// The bits of each of `layer`'s parameters, for tests that expect two runs to agree exactly.
/// Spelled out once with its types: inline in an `#expect`, the nested maps cost the type
/// checker a fifth of a second each.
public func parameterBits(of layer: any Layer) -> [[UInt32]] {
  layer.parameters.map { (tensor: Tensor) -> [UInt32] in tensor.scalars.map(\.bitPattern) }
}

/// The bits of a model's parameter gradients (one array of tensors per layer), for tests that
/// expect two ways of computing them to agree exactly. Spelled out once with its types: inline
/// in an `#expect`, the nested maps type-checked in 0.6-0.9 s (Docs/training.md, "Type-checking
/// hot spots in the build").
public func gradientBits(_ gradients: [[Tensor]]) -> [[[UInt32]]] {
  gradients.map { (layer: [Tensor]) -> [[UInt32]] in
    layer.map { (tensor: Tensor) -> [UInt32] in tensor.scalars.map(\.bitPattern) }
  }
}
