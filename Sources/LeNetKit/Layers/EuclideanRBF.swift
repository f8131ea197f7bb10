/// LeCun's output layer: one Euclidean radial basis function unit per class.
///
/// ```
/// output[n, i] = Σ_j (input[n, j] − center[i, j])²
/// ```
/// `n` is the sample, `i` a class (0–9), `j` one of F6's 84 outputs. Each unit outputs a
/// *penalty*: the squared distance between F6's output and the class's fixed code, so the
/// predicted class is the unit with the *smallest* output.
///
/// The codes are +1/−1 pictures of the digits on a 7×12 bitmap (84 = 7·12), drawn for this
/// project: the paper shows its bitmaps only as a figure (Fig. 3), so these are a
/// reconstruction, not the original. They are fixed, never trained.
///
/// ```
/// parameters = 0 trainable (840 fixed);  connections = 84 · 10 = 840
/// ```
public struct EuclideanRBF: Layer {
  public let name: String
  /// `classes × inputFeatures` codes, each +1 or −1.
  public let centers: Tensor

  /// Creates the output layer with the given codes (`classes × features`).
  public init(_ name: String = "output", centers: Tensor = EuclideanRBF.digitCodes) {
    precondition(centers.shape.count == 2, "\(name): centers must be classes × features")
    self.name = name
    self.centers = centers
  }

  /// The number of classes (units).
  public var classes: Int { centers.shape[0] }
  /// The number of inputs each unit compares.
  public var inputFeatures: Int { centers.shape[1] }

  public var kind: String { "Euclidean RBF" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape == [inputFeatures] else {
      throw ShapeError("expects \(inputFeatures) features per sample, got shape \(inputShape)")
    }
    return [classes]
  }

  public func forward(_ input: Tensor) -> Tensor {
    _ = checkInput(input)
    let (classes, features) = (classes, inputFeatures)
    // Sixteen units at a time, one per lane: each lane adds its unit's squared differences
    // feature by feature from +0, the same sums in the same order as unit by unit, but the
    // units' chains of dependent additions run side by side (one unit's 84 at a time took
    // about 1% of a lecun1998 training step). The codes are laid out feature-major, 16 units
    // per vector; the lanes past the last unit compare with 0 and are dropped.
    let groups = (classes + 15) / 16
    var lanes = [SIMD16<Float>](repeating: .zero, count: groups * features)
    for unit in 0..<classes {
      for feature in 0..<features {
        lanes[unit / 16 * features + feature][unit % 16] =
          centers.scalars[unit * features + feature]
      }
    }
    return Tensor(shape: [input.batchSize, classes]) { outputBuffer in
      input.scalars.withUnsafeBufferPointer { inputBuffer in
        lanes.withUnsafeBufferPointer { laneBuffer in
          let (x, codes) = (
            inputBuffer.baseAddress.unsafelyUnwrapped, laneBuffer.baseAddress.unsafelyUnwrapped
          )
          let output = outputBuffer.baseAddress.unsafelyUnwrapped
          for sample in 0..<input.batchSize {
            let row = x + sample * features
            for group in 0..<groups {
              let code = codes + group * features
              var distances = SIMD16<Float>.zero
              for feature in 0..<features {
                let differences = SIMD16(repeating: row[feature]) - code[feature]
                distances += differences * differences
              }
              for lane in 0..<min(16, classes - group * 16) {
                output[sample * classes + group * 16 + lane] = distances[lane]
              }
            }
          }
        }
      }
    }
  }

  public func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients {
    _ = checkInput(input)
    var inputGradient = Tensor(shape: input.shape)
    let (classes, features) = (classes, inputFeatures)
    input.scalars.withUnsafeBufferPointer { inputBuffer in
      centers.scalars.withUnsafeBufferPointer { centerBuffer in
        outputGradient.scalars.withUnsafeBufferPointer { gradientBuffer in
          inputGradient.scalars.withUnsafeMutableBufferPointer { targetBuffer in
            let (x, center) = (
              inputBuffer.baseAddress.unsafelyUnwrapped, centerBuffer.baseAddress.unsafelyUnwrapped
            )
            let target = targetBuffer.baseAddress.unsafelyUnwrapped
            for sample in 0..<input.batchSize {
              let (row, sampleTarget) = (x + sample * features, target + sample * features)
              for unit in 0..<classes {
                let gradient = 2 * gradientBuffer[sample * classes + unit]
                let code = center + unit * features
                // Unit by unit, as the formula's loops add them (the features run in parallel).
                for feature in 0..<features {
                  sampleTarget[feature] += gradient * (row[feature] - code[feature])
                }
              }
            }
          }
        }
      }
    }
    return LayerGradients(input: inputGradient)
  }

  public var fixedParameterCount: Int { centers.count }

  /// The codes, saved in checkpoints as `output.weight` (PyTorch's name for a layer's matrix).
  public var fixedTensors: [(name: String, tensor: Tensor)] { [("weight", centers)] }

  public func replacingFixedTensors(_ tensors: [Tensor]) -> EuclideanRBF {
    precondition(
      tensors.count == 1 && tensors[0].shape == centers.shape,
      "\(name) has one fixed tensor of shape \(centers.shape)")
    return EuclideanRBF(name, centers: tensors[0])
  }

  public func connectionCount(for inputShape: [Int]) -> Int {
    (try? outputShape(for: inputShape)) == nil ? 0 : inputFeatures * classes
  }

  /// The digits 0–9 drawn on 12 rows of 7 pixels: `#` is +1, `.` is −1.
  public static let digitBitmaps: [[String]] = [
    [
      "..###..", ".#...#.", "#.....#", "#.....#", "#.....#", "#.....#",
      "#.....#", "#.....#", "#.....#", "#.....#", ".#...#.", "..###..",
    ],
    [
      "...#...", "..##...", ".#.#...", "...#...", "...#...", "...#...",
      "...#...", "...#...", "...#...", "...#...", "...#...", ".#####.",
    ],
    [
      "..###..", ".#...#.", "#.....#", "......#", ".....#.", "....#..",
      "...#...", "..#....", ".#.....", "#......", "#......", "#######",
    ],
    [
      ".#####.", "#.....#", "......#", "......#", ".....#.", "..###..",
      ".....#.", "......#", "......#", "......#", "#.....#", ".#####.",
    ],
    [
      "....#..", "...##..", "..#.#..", ".#..#..", "#...#..", "#...#..",
      "#######", "....#..", "....#..", "....#..", "....#..", "....#..",
    ],
    [
      "#######", "#......", "#......", "#......", "#####..", ".....#.",
      "......#", "......#", "......#", "......#", "#....#.", ".####..",
    ],
    [
      "...##..", "..#....", ".#.....", "#......", "#......", "#.###..",
      "##...#.", "#.....#", "#.....#", "#.....#", ".#...#.", "..###..",
    ],
    [
      "#######", "......#", ".....#.", ".....#.", "....#..", "....#..",
      "...#...", "...#...", "..#....", "..#....", "..#....", "..#....",
    ],
    [
      "..###..", ".#...#.", "#.....#", "#.....#", ".#...#.", "..###..",
      ".#...#.", "#.....#", "#.....#", "#.....#", ".#...#.", "..###..",
    ],
    [
      "..###..", ".#...#.", "#.....#", "#.....#", "#.....#", ".#...##",
      "..###.#", "......#", "......#", ".....#.", "....#..", "..##...",
    ],
  ]

  /// `digitBitmaps` as a `10 × 84` tensor of +1/−1, row-major (row by row of each bitmap).
  public static let digitCodes: Tensor = {
    let scalars = digitBitmaps.flatMap { rows in
      rows.flatMap { row in row.map { $0 == "#" ? Float(1) : Float(-1) } }
    }
    return Tensor(shape: [10, 84], scalars: scalars)
  }()
}

// MARK: - Second derivatives (SDLM, appendix C)

extension EuclideanRBF: SecondDerivativeLayer {
  /// With `y_i = Σ_j (x_j − c_ij)²`, `∂y_i/∂x_j = 2 (x_j − c_ij)` and `∂²y_i/∂x_j² = 2`:
  ///
  /// ```
  /// ∂²E/∂x_j² ≈ Σ_i 4 (x_j − c_ij)² ∂²E/∂y_i²  +  2 max(0, Σ_i ∂E/∂y_i)
  /// ```
  /// The first term is the Gauss-Newton one; the second is the units' own curvature, kept
  /// because the RBF has no parameters and is a fixed part of the loss of F6's output. For eq. 8
  /// it is the only term (`Σ ∂E/∂y = 1`: the curvature of `|x − c_D|²`, 2); for eq. 9 it is
  /// `2 p_rubbish ≥ 0`; for cross-entropy 0. The clamp keeps the estimate non-negative for any
  /// other loss, as a Gauss-Newton estimate must be.
  public func secondDerivatives(
    input: Tensor, output: Tensor, outputGradient: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    _ = checkInput(input)
    var inputCurvature = Tensor(shape: input.shape)
    for sample in 0..<input.batchSize {
      var slopeSum: Float = 0
      for unit in 0..<classes { slopeSum += outputGradient.scalars[sample * classes + unit] }
      let own = 2 * max(0, slopeSum)
      for feature in 0..<inputFeatures {
        var total = own
        let value = input.scalars[sample * inputFeatures + feature]
        for unit in 0..<classes {
          let difference = value - centers.scalars[unit * inputFeatures + feature]
          total += 4 * difference * difference * outputCurvature.scalars[sample * classes + unit]
        }
        inputCurvature.scalars[sample * inputFeatures + feature] = total
      }
    }
    return LayerGradients(input: inputCurvature)
  }
}
