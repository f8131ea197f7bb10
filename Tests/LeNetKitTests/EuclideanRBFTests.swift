import LeNetKit
import LeNetTestSupport
import Testing

/// LeCun's Euclidean RBF output layer and its digit codes.
@Suite struct EuclideanRBFTests {
  /// Centers [[1, 1, 1], [−1, 1, −1]], input [0.5, 1, −1]:
  /// unit 0: 0.5² + 0² + 2² = 4.25; unit 1: 1.5² + 0² + 0² = 2.25.
  @Test func penaltiesByHand() {
    let layer = EuclideanRBF(centers: Tensor(shape: [2, 3], scalars: [1, 1, 1, -1, 1, -1]))
    let output = layer.forward(Tensor(shape: [1, 3], scalars: [0.5, 1, -1]))
    expectClose(output, Tensor(shape: [1, 2], scalars: [4.25, 2.25]))
  }

  /// ∂y_i/∂x_j = 2 (x_j − c_ij). With ∂L/∂y = [1, 0]: 2 · ([0.5, 1, −1] − [1, 1, 1]) = [−1, 0, −4].
  @Test func gradientByHand() {
    let layer = EuclideanRBF(centers: Tensor(shape: [2, 3], scalars: [1, 1, 1, -1, 1, -1]))
    let input = Tensor(shape: [1, 3], scalars: [0.5, 1, -1])
    let gradient = layer.backward(
      input: input, output: layer.forward(input),
      outputGradient: Tensor(shape: [1, 2], scalars: [1, 0])
    ).input
    expectClose(gradient, Tensor(shape: [1, 3], scalars: [-1, 0, -4]))
  }

  /// Every code is a 12-row, 7-column picture of `#` and `.`, so the 10 × 84 codes are ±1.
  @Test func digitBitmapsAreSevenByTwelve() {
    #expect(EuclideanRBF.digitBitmaps.count == 10)
    for (digit, rows) in EuclideanRBF.digitBitmaps.enumerated() {
      #expect(rows.count == 12, "digit \(digit)")
      for row in rows {
        #expect(row.count == 7 && row.allSatisfy { $0 == "#" || $0 == "." }, "digit \(digit)")
      }
    }
    #expect(EuclideanRBF.digitCodes.shape == [10, 84])
    #expect(EuclideanRBF.digitCodes.scalars.allSatisfy { $0 == 1 || $0 == -1 })
  }

  /// An F6 output equal to digit d's code has penalty 0 for d and 4 × (pixels that differ) for
  /// every other digit, since each differing ±1 pixel adds 2² = 4. The codes must also differ
  /// from each other, or two digits could never be told apart.
  @Test func codeOfDigitHasZeroPenaltyForIt() {
    let codes = EuclideanRBF.digitCodes
    let output = EuclideanRBF().forward(codes)
    for digit in 0..<10 {
      for other in 0..<10 {
        let differing = (0..<84).filter {
          codes.scalars[digit * 84 + $0] != codes.scalars[other * 84 + $0]
        }.count
        #expect(output.scalars[digit * 10 + other] == Float(4 * differing))
        if other != digit { #expect(differing > 0, "digits \(digit) and \(other) share a code") }
      }
    }
  }

  /// The paper's output row: 0 trainable parameters, 84 · 10 = 840 fixed ones and connections.
  @Test func counts() {
    let layer = EuclideanRBF()
    #expect(layer.parameterCount == 0)
    #expect(layer.fixedParameterCount == 840)
    #expect(layer.connectionCount(for: [84]) == 840)
  }
}
