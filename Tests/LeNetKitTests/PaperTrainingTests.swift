import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// The paper's loss (eq. 9, eq. 8), the SDLM second derivatives (appendix C) and the distortions
/// (section III.B), each against hand computation or an independent `Double` computation.
@Suite struct MAPLossTests {
  /// Penalties (1, 2, 3), class 0, j = 2, worked by hand:
  /// e^−1 = 0.367879441, e^−2 = 0.135335283, e^−3 = 0.049787068;
  /// S = e^−j + Σ e^−y = 0.135335283 + 0.367879441 + 0.135335283 + 0.049787068 = 0.688337075;
  /// E = 1 + ln S = 1 − 0.373477 = 0.626523; p = (0.534447, 0.196612, 0.072329);
  /// ∂E/∂y = (1 − 0.534447, −0.196612, −0.072329); ∂²E/∂y² = p (1 − p).
  @Test func handWorkedCase() {
    let penalties = Tensor(shape: [1, 3], scalars: [1, 2, 3])
    let result = MAPLoss.loss(penalties: penalties, labels: [0], j: 2)
    let sum = 0.135335283 + 0.367879441 + 0.135335283 + 0.049787068
    #expect(abs(Double(result.loss) - (1 + log(sum))) < 1e-6)
    let shares = [0.367879441, 0.135335283, 0.049787068].map { $0 / sum }
    let expectedGradient = [1 - shares[0], -shares[1], -shares[2]]
    for index in 0..<3 {
      #expect(abs(Double(result.gradient.scalars[index]) - expectedGradient[index]) < 1e-6)
      let curvature = shares[index] * (1 - shares[index])
      #expect(abs(Double(result.curvature.scalars[index]) - curvature) < 1e-6)
    }
    // The same figures as the comment's decimals, to its six places.
    #expect(abs(Double(result.loss) - 0.626523) < 1e-6)
    #expect(abs(Double(result.gradient.scalars[0]) - (1 - 0.534447)) < 1e-6)
  }

  /// The loss in `Double`, written out from eq. 9 without any stabilising shift.
  func referenceLoss(_ penalties: [Double], label: Int, j: Double) -> Double {
    penalties[label] + log(exp(-j) + penalties.reduce(0) { $0 + exp(-$1) })
  }

  @Test func gradientAndCurvatureMatchFiniteDifferences() {
    let penalties: [Float] = [3.5, 0.7, 6.2, 2.9, 9.0, 1.4, 4.4, 12.0, 0.2, 5.1]
    let j: Float = 4
    let batch = Tensor(shape: [2, 5], scalars: penalties)
    let labels = [1, 3]
    let result = MAPLoss.loss(penalties: batch, labels: labels, j: j)
    let step = 1e-4
    for sample in 0..<2 {
      let row = penalties[sample * 5..<(sample + 1) * 5].map(Double.init)
      for index in 0..<5 {
        func loss(_ offset: Double) -> Double {
          var moved = row
          moved[index] += offset
          return referenceLoss(moved, label: labels[sample], j: Double(j)) / 2
        }
        let slope = (loss(step) - loss(-step)) / (2 * step)
        let curvature = (loss(step) - 2 * loss(0) + loss(-step)) / (step * step)
        #expect(abs(Double(result.gradient.scalars[sample * 5 + index]) - slope) < 1e-5)
        #expect(abs(Double(result.curvature.scalars[sample * 5 + index]) - curvature) < 1e-4)
      }
    }
    let mean =
      (referenceLoss(penalties[0..<5].map(Double.init), label: 1, j: 4)
        + referenceLoss(penalties[5..<10].map(Double.init), label: 3, j: 4)) / 2
    #expect(abs(Double(result.loss) - mean) < 1e-5)
  }

  /// Large penalties (about 1,000) stay finite, and a huge j gives softmax cross-entropy on −y.
  @Test func largePenaltiesAndTheCrossEntropyLimit() {
    let penalties = Tensor(shape: [1, 3], scalars: [1000, 1001, 1003])
    let map = MAPLoss.loss(penalties: penalties, labels: [1], j: 1e6)
    let negated = Tensor(shape: [1, 3], scalars: [-1000, -1001, -1003])
    let crossEntropy = SoftmaxCrossEntropy.loss(logits: negated, labels: [1])
    #expect(map.loss.isFinite)
    #expect(abs(map.loss - crossEntropy.loss) < 1e-4)
    for index in 0..<3 {
      #expect(abs(map.gradient.scalars[index] + crossEntropy.gradient.scalars[index]) < 1e-6)
    }
  }

  /// Eq. 8: the correct class's penalty, gradient one-hot / N, no curvature.
  @Test func equationEightIsTheCorrectPenalty() {
    let penalties = Tensor(shape: [2, 3], scalars: [4, 1, 9, 2, 8, 5])
    let result = PenaltyMeanSquaredError.loss(penalties: penalties, labels: [2, 0])
    #expect(result.loss == 5.5)  // (9 + 2) / 2
    #expect(result.gradient.scalars == [0, 0, 0.5, 0.5, 0, 0])
    #expect(result.curvature.scalars.allSatisfy { $0 == 0 })
  }
}

@Suite struct SecondDerivativeTests {
  /// `Σ_o J[o, k]² D[o]`, the diagonal of `Jᵀ D J` for a diagonal `D`, with the Jacobian of
  /// `function` (a map from `values` to outputs) taken by central differences in `Double`.
  func exactDiagonal(
    _ values: [Float], outputCurvature: [Float], step: Float = 1e-2,
    _ function: ([Float]) -> [Float]
  ) -> [Double] {
    values.indices.map { index in
      var (up, down) = (values, values)
      up[index] += step
      down[index] -= step
      let (high, low) = (function(up), function(down))
      var total = 0.0
      for output in high.indices {
        let slope = (Double(high[output]) - Double(low[output])) / (2 * Double(step))
        total += slope * slope * Double(outputCurvature[output])
      }
      return total
    }
  }

  func randomTensor(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: shape, uniformIn: range, generator: &generator)
  }

  func expectClose(_ actual: [Float], _ expected: [Double], tolerance: Double = 2e-3) {
    #expect(actual.count == expected.count)
    for (a, e) in zip(actual, expected) {
      #expect(abs(Double(a) - e) <= tolerance * max(1, abs(e)), "\(a) vs \(e)")
    }
  }

  /// Checks a layer's second derivatives for its input and every parameter tensor against the
  /// exact diagonal of `Jᵀ D J` (layers linear in what is moved: differences are exact).
  func checkLinearLayer<L: SecondDerivativeLayer>(_ layer: L, inputShape: [Int], seed: UInt64) {
    let input = randomTensor(inputShape, seed: seed)
    let output = layer.forward(input)
    let curvature = randomTensor(output.shape, seed: seed + 1, range: 0...2)
    let result = layer.secondDerivatives(
      input: input, output: output, outputGradient: Tensor(shape: output.shape),
      outputCurvature: curvature)
    expectClose(
      result.input.scalars,
      exactDiagonal(input.scalars, outputCurvature: curvature.scalars) {
        layer.forward(Tensor(shape: input.shape, scalars: $0)).scalars
      })
    for tensor in layer.parameters.indices {
      let values = layer.parameters[tensor]
      let exact = exactDiagonal(values.scalars, outputCurvature: curvature.scalars) { moved in
        var copy = layer
        var parameters = copy.parameters
        parameters[tensor] = Tensor(shape: values.shape, scalars: moved)
        copy.parameters = parameters
        return copy.forward(input).scalars
      }
      expectClose(result.parameters[tensor].scalars, exact)
    }
  }

  @Test func convolutionWithATableSumsSharedWeights() {
    var layer = Conv2D(
      "C", inputChannels: 3, outputChannels: 2, kernelSize: 3,
      connectionTable: ConnectionTable(inputChannels: 3, inputsOfOutput: [[0, 2], [1]]))
    var generator = SplitMix64(seed: 3)
    layer.initialize(.lecun1998, generator: &generator)
    layer.weight = randomTensor(layer.weight.shape, seed: 4)
    checkLinearLayer(layer, inputShape: [2, 3, 5, 5], seed: 5)
  }

  @Test func denseSubsamplingAndPooling() {
    var dense = Dense("F", inputFeatures: 5, outputFeatures: 3)
    dense.weight = randomTensor(dense.weight.shape, seed: 6)
    dense.bias = randomTensor(dense.bias.shape, seed: 7)
    checkLinearLayer(dense, inputShape: [2, 5], seed: 8)
    var subsampling = Subsampling("S", channels: 2)
    subsampling.coefficient = randomTensor([2], seed: 9)
    subsampling.bias = randomTensor([2], seed: 10)
    // The coefficient's output is linear in it, and the input's too.
    checkLinearLayer(subsampling, inputShape: [2, 2, 4, 4], seed: 11)
    checkLinearLayer(AveragePooling("P"), inputShape: [1, 2, 4, 4], seed: 12)
    checkLinearLayer(Flatten(), inputShape: [2, 2, 2, 2], seed: 13)
  }

  /// Subsampling's second derivatives worked by hand on a 2×6 ramp (0…5 over 6…11): a row of
  /// three blocks (an odd count, as S4's 5×5), block sums 14, 22 and 30, coefficient 3, output
  /// curvatures 1, 2 and 4. Each input gets 3² times its block's curvature: 9, 18, 36 in pairs
  /// on both rows; the coefficient Σ h · sum² = 196 + 2 · 484 + 4 · 900 = 4,764; the bias Σ h = 7.
  @Test func subsamplingSpreadsTheSquaredCoefficientTimesTheCurvature() {
    var layer = Subsampling("S", channels: 1)
    layer.parameters = [Tensor(shape: [1], scalars: [3]), Tensor(shape: [1], scalars: [0.5])]
    let input = Tensor(shape: [1, 1, 2, 6], scalars: (0..<12).map(Float.init))
    let result = layer.secondDerivatives(
      input: input, output: layer.forward(input), outputGradient: Tensor(shape: [1, 1, 1, 3]),
      outputCurvature: Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 4]))
    #expect(result.input.scalars == [9, 9, 18, 18, 36, 36, 9, 9, 18, 18, 36, 36])
    #expect(result.parameters.map(\.scalars) == [[4764], [7]])
  }

  /// Through a squashing function, `f'(a)² h`, with `f'` from the formula of appendix A in
  /// `Double`.
  @Test func activationUsesTheSquaredSlope() {
    let layer = Activation(.scaledTanh)
    let input = randomTensor([1, 6], seed: 14, range: -2...2)
    let output = layer.forward(input)
    let curvature = randomTensor([1, 6], seed: 15, range: 0...2)
    let result = layer.secondDerivatives(
      input: input, output: output, outputGradient: Tensor(shape: [1, 6]),
      outputCurvature: curvature)
    for index in 0..<6 {
      let a = Double(input.scalars[index])
      let slope = 1.7159 * (2.0 / 3.0) / pow(cosh(2.0 / 3.0 * a), 2)
      let expected = slope * slope * Double(curvature.scalars[index])
      #expect(abs(Double(result.input.scalars[index]) - expected) < 1e-4 * max(1, expected))
    }
  }

  /// For the RBF, the exact second derivative of `L(y(x))` where `L` has gradient `g` and a
  /// diagonal Hessian `D` at `y(x)`: `Σ_i D_i (∂y_i/∂x_j)² + Σ_i g_i ∂²y_i/∂x_j²`, by second
  /// differences in `Double` of `L(y) = Σ g_i y_i + ½ Σ D_i (y_i − y_i(x))²`.
  @Test func radialBasisUnitsAddTheirOwnCurvature() {
    let centers = Tensor(shape: [3, 4], scalars: [1, -1, 1, -1, -1, -1, 1, 1, 1, 1, -1, 1])
    let layer = EuclideanRBF("output", centers: centers)
    let input = randomTensor([1, 4], seed: 16)
    let output = layer.forward(input)
    let gradient: [Double] = [0.7, -0.2, 0.1]  // sums to 0.6 ≥ 0
    let diagonal: [Double] = [0.3, 0.5, 0.05]
    let result = layer.secondDerivatives(
      input: input, output: output,
      outputGradient: Tensor(shape: [1, 3], scalars: gradient.map(Float.init)),
      outputCurvature: Tensor(shape: [1, 3], scalars: diagonal.map(Float.init)))
    let x0 = input.scalars.map(Double.init)
    func penalties(_ x: [Double]) -> [Double] {
      (0..<3).map { unit in
        (0..<4).reduce(0.0) { total, feature in
          let difference = x[feature] - Double(centers.scalars[unit * 4 + feature])
          return total + difference * difference
        }
      }
    }
    let y0 = penalties(x0)
    func loss(_ x: [Double]) -> Double {
      let y = penalties(x)
      var total = 0.0
      for unit in 0..<3 {
        let change = y[unit] - y0[unit]
        total += gradient[unit] * y[unit] + 0.5 * diagonal[unit] * change * change
      }
      return total
    }
    let step = 1e-4
    for feature in 0..<4 {
      var (up, down) = (x0, x0)
      up[feature] += step
      down[feature] -= step
      let exact = (loss(up) - 2 * loss(x0) + loss(down)) / (step * step)
      #expect(abs(Double(result.input.scalars[feature]) - exact) < 1e-3 * max(1, exact))
    }
  }

  /// A tiny network in which every parameter reaches the loss along one path (a chain of single
  /// units): there the back-propagated `h_kk` is exactly the diagonal of the Gauss-Newton matrix
  /// `Jᵀ H J`, with `J = ∂x/∂θ` the Jacobian of F6's output and `H = ∂²E/∂x²` the second
  /// derivative of eq. 9 (through a one-class RBF), both computed here the slow way in `Double`
  /// by finite differences of a separate forward pass. (On wider networks the back-propagated
  /// estimate also drops the cross terms between units, as the paper's approximation does.)
  @Test func curvatureOfAChainIsTheGaussNewtonDiagonal() throws {
    let layers: [any Layer] = [
      Subsampling("S", channels: 1), Activation(.scaledTanh),
      Conv2D("C", inputChannels: 1, outputChannels: 1, kernelSize: 1), Activation(.scaledTanh),
      Flatten(), Dense("F", inputFeatures: 1, outputFeatures: 1), Activation(.scaledTanh),
      EuclideanRBF("output", centers: Tensor(shape: [1, 1], scalars: [1])),
    ]
    var model = try Model(
      name: "chain", inputShape: [1, 2, 2], layers: layers, output: .penalties)
    model.initialize(.lecun1998, seed: 3)
    // Larger weights than the initialisation's, so every factor matters.
    let values: [[Float]] = [[0.6, 0.1], [], [1.3, -0.2], [], [], [0.9, 0.3], [], []]
    for (index, parameters) in values.enumerated() where !parameters.isEmpty {
      model.layers[index].parameters = parameters.map { Tensor(shape: [1], scalars: [$0]) }
        .enumerated().map { tensorIndex, tensor in
          tensor.reshaped(to: model.layers[index].parameters[tensorIndex].shape)
        }
    }
    let input = Tensor(shape: [2, 1, 2, 2], scalars: [0.5, -0.1, 1.1, 0.3, -0.1, -0.1, 0.9, 1.0])
    let labels = [0, 0]
    let j = 1.5
    let h = model.diagonalCurvature(input: input, labels: labels, loss: .map(j: Float(j)))

    // The slow way: the chain's F6 output x(θ) in Double, E(x) of eq. 9 with one class.
    func squash(_ a: Double) -> Double { 1.7159 * tanh(2.0 / 3.0 * a) }
    func f6(_ theta: [Double], _ sample: Int) -> Double {
      let pixels = (0..<4).map { Double(input.scalars[sample * 4 + $0]) }
      let s = squash(theta[0] * pixels.reduce(0, +) + theta[1])
      let c = squash(theta[2] * s + theta[3])
      return squash(theta[4] * c + theta[5])
    }
    func loss(_ x: Double) -> Double {
      let y = (x - 1) * (x - 1)
      return y + log(exp(-j) + exp(-y))
    }
    let theta: [Double] = [0.6, 0.1, 1.3, -0.2, 0.9, 0.3]
    var expected = [Double](repeating: 0, count: 6)
    let step = 1e-5
    for sample in 0..<2 {
      let x = f6(theta, sample)
      let lossStep = 1e-4
      let curvature =
        (loss(x + lossStep) - 2 * loss(x) + loss(x - lossStep)) / (lossStep * lossStep)
      for k in 0..<6 {
        var (up, down) = (theta, theta)
        up[k] += step
        down[k] -= step
        let jacobian = (f6(up, sample) - f6(down, sample)) / (2 * step)
        expected[k] += jacobian * jacobian * curvature / 2  // the mean over the two samples
      }
    }
    let actual = [h[0][0], h[0][1], h[2][0], h[2][1], h[5][0], h[5][1]].map {
      Double($0.scalars[0])
    }
    for k in 0..<6 {
      #expect(
        abs(actual[k] - expected[k]) < 1e-3 * max(1, expected[k]),
        "θ\(k): \(actual[k]) vs \(expected[k])")
    }
  }

  /// ε_k = η / (μ + h_kk), and a step moves each parameter by ε_k times its gradient.
  @Test func sdlmRatesAndStep() throws {
    var model = try Model(
      name: "one", inputShape: [2], layers: [Dense("F", inputFeatures: 2, outputFeatures: 1)])
    model.layers[0].parameters = [
      Tensor(shape: [1, 2], scalars: [1, 2]), Tensor(shape: [1], scalars: [0.5]),
    ]
    var sdlm = SDLM(learningRate: 0.01, mu: 0.02)
    sdlm.setCurvature([
      [Tensor(shape: [1, 2], scalars: [0.98, 0]), Tensor(shape: [1], scalars: [0.18])]
    ])
    let rates = sdlm.rates[0].flatMap(\.scalars)
    #expect(abs(rates[0] - 0.01) < 1e-7)  // 0.01 / (0.02 + 0.98)
    #expect(abs(rates[1] - 0.5) < 1e-6)  // 0.01 / 0.02
    #expect(abs(rates[2] - 0.05) < 1e-7)  // 0.01 / 0.2
    sdlm.step(
      &model,
      gradients: [[Tensor(shape: [1, 2], scalars: [10, 1]), Tensor(shape: [1], scalars: [-2])]])
    let after = model.layers[0].parameters.flatMap(\.scalars)
    #expect(abs(after[0] - 0.9) < 1e-6)
    #expect(abs(after[1] - 1.5) < 1e-6)
    #expect(abs(after[2] - 0.6) < 1e-6)
  }

  @Test func thePaperSchedule() {
    let rates = (1...21).map { SDLM.paperLearningRate(pass: $0) }
    #expect(rates[0..<2].allSatisfy { $0 == 0.0005 })
    #expect(rates[2..<5].allSatisfy { $0 == 0.0002 })
    #expect(rates[5..<8].allSatisfy { $0 == 0.0001 })
    #expect(rates[8..<12].allSatisfy { $0 == 0.000_05 })
    #expect(rates[12...].allSatisfy { $0 == 0.000_01 })
  }
}

@Suite struct DistortionTests {
  /// A 32×32 image in the paper's scaling with a filled 20×20 box of ink at `(left, top)`.
  func box(left: Int = 6, top: Int = 6, size: Int = 20) -> [Float] {
    var image = [Float](repeating: -0.1, count: 32 * 32)
    for y in top..<top + size { for x in left..<left + size { image[y * 32 + x] = 1.175 } }
    return image
  }

  @Test func theInkStaysInsideTheImage() {
    let distortion = Distortion()
    var generator = SplitMix64(seed: 7)
    // The largest digit MNIST holds (20×20), placed at the centre and at a corner of the
    // 28×28 area, under 500 random transforms each, with extreme ones included.
    var transforms = (0..<500).map { _ in distortion.draw(&generator) }
    transforms.append(
      Distortion.Transform(scale: 1.1, squeeze: 1.1, shear: 0.15, translationX: 2, translationY: -2)
    )
    for image in [box(), box(left: 2, top: 2), box(left: 10, top: 10)] {
      let ink = image.reduce(0) { $0 + Double($1 + 0.1) }
      for transform in transforms {
        let output = Distortion.apply(
          transform, to: image, channels: 1, height: 32, width: 32, background: -0.1)
        for index in 0..<32 {
          for border in [index, 31 * 32 + index, index * 32, index * 32 + 31] {
            // Background up to Float rounding of the interpolation.
            #expect(
              abs(output[border] + 0.1) < 1e-5, "ink reached the border: \(transform) \(border)")
          }
        }
        // Roughly the same amount of ink (the area changes with the scale, by at most ±35%).
        let moved = output.reduce(0) { $0 + Double($1 + 0.1) }
        #expect(moved > 0.6 * ink && moved < 1.45 * ink)
      }
    }
  }

  @Test func theIdentityKeepsTheImage() {
    let image = box(left: 8, top: 5, size: 12)
    let identity = Distortion.Transform(
      scale: 1, squeeze: 1, shear: 0, translationX: 0, translationY: 0)
    let output = Distortion.apply(
      identity, to: image, channels: 1, height: 32, width: 32, background: -0.1)
    for (a, b) in zip(output, image) { #expect(abs(Double(a) - Double(b)) < 1e-5) }
    // A whole-pixel translation moves the box by exactly that much.
    let shifted = Distortion.apply(
      Distortion.Transform(scale: 1, squeeze: 1, shear: 0, translationX: 2, translationY: -1),
      to: image, channels: 1, height: 32, width: 32, background: -0.1)
    let inside: Float = shifted[4 * 32 + 10]
    let outside: Float = shifted[4 * 32 + 9]
    #expect(abs(inside - 1.175) < 1e-5)
    #expect(abs(outside + 0.1) < 1e-5)
  }

  @Test func aBatchTakesOneTransformationPerSampleAndNilLeavesASampleAsItIs() {
    let first = box()
    let second = box(left: 4, top: 9, size: 14)
    let batch = Tensor(shape: [2, 1, 32, 32], scalars: first + second)
    let shift = Distortion.Transform(
      scale: 1, squeeze: 1, shear: 0, translationX: 2, translationY: -1)
    let output = Distortion.apply([nil, shift], to: batch, background: -0.1)
    #expect(Array(output.scalars[0..<1024]) == first)
    // The second box (columns 4-17, rows 9-22) moved 2 right and 1 up: columns 6-19, rows 8-21.
    var moved = [Float](repeating: -0.1, count: 1024)
    for y in 8..<22 { for x in 6..<20 { moved[y * 32 + x] = 1.175 } }
    for (a, b) in zip(output.scalars[1024...], moved) { #expect(abs(a - b) < 1e-5) }
  }

  @Test func theSameSeedGivesTheSameDistortions() {
    let batch = Tensor(
      shape: [3, 1, 32, 32], scalars: box() + box(left: 4) + box(top: 9, size: 14))
    let distortion = Distortion()
    var first = SplitMix64(seed: 11)
    var second = SplitMix64(seed: 11)
    var other = SplitMix64(seed: 12)
    let a = distortion.apply(batch, background: -0.1, generator: &first)
    let b = distortion.apply(batch, background: -0.1, generator: &second)
    let c = distortion.apply(batch, background: -0.1, generator: &other)
    #expect(a == b)
    #expect(a != c)
    #expect(a != batch)
  }
}

@Suite struct PaperPlotsTests {
  /// Figure 8's picture: one rectangle per run of equal grey along a row, the labels under it.
  @Test func misclassifiedDigitsAreRunsOfGreyWithTheirLabels() {
    // A 2×4 digit: row 0 = 0, 255, 255, 0 (one run of black), row 1 = 40, 40, 200, 0.
    let pixels: [UInt8] = [0, 255, 255, 0, 40, 40, 200, 0]
    let svg = PaperPlots.misclassified(
      [(pixels: pixels, label: 3, prediction: 5)], rows: 2, columns: 4, title: "t")
    let rectangles = svg.components(separatedBy: "<rect").count - 1
    #expect(rectangles == 1 + 3, "the background, then three runs: \(svg)")
    // 255 is level 255 / 32 = 7, drawn at the level's middle, 7·32 + 16 = 240: grey 255 − 240.
    #expect(svg.contains(#"width="4.0" height="2.0" fill="rgb(15,15,15)""#))
    #expect(svg.contains("3→5"))
  }

  /// Figure 5's picture: one polyline per curve, a point per pass.
  @Test func errorCurvesHaveAPointPerPass() {
    let records = (1...3).map {
      PassRecord(
        pass: $0, learningRate: 0.0005, loss: 1, trainingError: 0.02 / Float($0),
        testError: 0.03 / Float($0), seconds: 1, patternsPerSecond: 1)
    }
    let svg = PaperPlots.errorCurves(records, title: "t")
    let polylines = svg.components(separatedBy: "<polyline").dropFirst()
    #expect(polylines.count == 2)
    for line in polylines {
      let points = line.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
      #expect(points.split(separator: " ").count == 3)
    }
  }
}
