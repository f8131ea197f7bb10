import Foundation
import LeNetKit

/// A second, deliberately naive implementation of every layer the two models use, in `Double`:
/// the independent reference for whole-model gradient checks.
///
/// `GradientCheck` differentiates the library's own `Float` forward pass. For `lecun1998` that
/// cannot reach 1e-3: the RBF penalties sit near 84, where a `Float` is only good to 4e-6, and
/// that rounding divided by the step swamps gradients of order 1e-3 in C1. Here the same network
/// is recomputed with direct loops in `Double` (no im2col, no matrix kernels, nothing shared with
/// the library but the layer settings), so central differences are good to about 1e-9.
public enum DoubleReference {
  /// Compares `model.lossAndGradients` with central differences of this `Double` network, for
  /// `elementsPerTensor` seeded elements of every parameter tensor, as `GradientCheck` reports.
  ///
  /// The step is 1e-4: the five-point difference's truncation error (h⁴) and `Double` rounding
  /// (1e-16 / h) are then both below 1e-10, so what remains is the `Float` analytic gradient's
  /// own rounding.
  public static func check(
    _ model: Model, input: Tensor, labels: [Int], elementsPerTensor: Int, seed: UInt64 = 1
  ) -> [GradientCheck.Result] {
    let analytic = model.lossAndGradients(input: input, labels: labels).gradients
    var parameters = model.layers.map { $0.parameters.map { $0.scalars.map(Double.init) } }
    // The activations before each layer: a moved parameter changes only what follows it.
    var shapes = [input.sampleShape]
    var activations = [input.scalars.map(Double.init)]
    for (index, layer) in model.layers.enumerated() {
      shapes.append(model.layerOutputShapes[index])
      activations.append(
        forward(
          layer, parameters[index], activations[index], batch: input.batchSize,
          input: shapes[index], output: shapes[index + 1]))
    }
    var generator = SplitMix64(seed: seed)
    var results: [GradientCheck.Result] = []
    let step = 1e-4
    for (layerIndex, layer) in model.layers.enumerated() {
      for (tensorIndex, tensorName) in layer.parameterNames.enumerated() {
        var elements = Array(parameters[layerIndex][tensorIndex].indices)
        generator.shuffle(&elements)
        var worstDifference = 0.0
        var largestGradient = 0.0
        for element in elements.prefix(elementsPerTensor) {
          func loss(at offset: Double) -> Double {
            let original = parameters[layerIndex][tensorIndex][element]
            parameters[layerIndex][tensorIndex][element] = original + offset
            defer { parameters[layerIndex][tensorIndex][element] = original }
            var values = activations[layerIndex]
            for index in layerIndex..<model.layers.count {
              values = forward(
                model.layers[index], parameters[index], values, batch: input.batchSize,
                input: shapes[index], output: shapes[index + 1])
            }
            return crossEntropy(values, classes: model.outputShape[0], model.output, labels)
          }
          let numeric =
            (-loss(at: 2 * step) + 8 * loss(at: step) - 8 * loss(at: -step) + loss(at: -2 * step))
            / (12 * step)
          let difference = abs(numeric - Double(analytic[layerIndex][tensorIndex].scalars[element]))
          worstDifference = max(worstDifference, difference)
          largestGradient = max(largestGradient, abs(numeric))
        }
        results.append(
          GradientCheck.Result(
            tensorName: "\(layer.name).\(tensorName)",
            relativeError: largestGradient > 0
              ? worstDifference / largestGradient : worstDifference,
            elementCount: min(elementsPerTensor, elements.count)))
      }
    }
    return results
  }

  /// The mean softmax cross-entropy of the outputs, negated first when they are penalties.
  static func crossEntropy(
    _ outputs: [Double], classes: Int, _ meaning: Model.Output, _ labels: [Int]
  ) -> Double {
    var total = 0.0
    for (sample, label) in labels.enumerated() {
      var scores = Array(outputs[sample * classes..<(sample + 1) * classes])
      if meaning == .penalties { scores = scores.map { -$0 } }
      let largest = scores.max() ?? 0
      total += largest + log(scores.reduce(0) { $0 + exp($1 - largest) }) - scores[label]
    }
    return total / Double(labels.count)
  }

  static func forward(
    _ layer: any Layer, _ weights: [[Double]], _ x: [Double], batch: Int, input: [Int],
    output: [Int]
  ) -> [Double] {
    let inputSize = input.reduce(1, *)
    let outputSize = output.reduce(1, *)
    var y = [Double](repeating: 0, count: batch * outputSize)
    switch layer {
    case let conv as Conv2D:
      let (k, pad) = (conv.kernelSize, conv.padding == .same ? (conv.kernelSize - 1) / 2 : 0)
      let (inC, inH, inW) = (input[0], input[1], input[2])
      let (outC, outH, outW) = (output[0], output[1], output[2])
      for n in 0..<batch {
        for o in 0..<outC {
          for row in 0..<outH {
            for column in 0..<outW {
              var sum = weights[1][o]
              for i in 0..<inC where conv.connectionTable.connects(input: i, toOutput: o) {
                for ky in 0..<k {
                  for kx in 0..<k {
                    let (sy, sx) = (row + ky - pad, column + kx - pad)
                    guard (0..<inH).contains(sy), (0..<inW).contains(sx) else { continue }
                    sum +=
                      weights[0][((o * inC + i) * k + ky) * k + kx]
                      * x[n * inputSize + (i * inH + sy) * inW + sx]
                  }
                }
              }
              y[n * outputSize + (o * outH + row) * outW + column] = sum
            }
          }
        }
      }
    case is Subsampling, is AveragePooling:
      let (channels, inH, inW) = (input[0], input[1], input[2])
      let (outH, outW) = (output[1], output[2])
      for n in 0..<batch {
        for c in 0..<channels {
          for row in 0..<outH {
            for column in 0..<outW {
              var sum = 0.0
              for dy in 0..<2 {
                for dx in 0..<2 {
                  sum += x[n * inputSize + (c * inH + 2 * row + dy) * inW + 2 * column + dx]
                }
              }
              y[n * outputSize + (c * outH + row) * outW + column] =
                layer is Subsampling ? weights[0][c] * sum + weights[1][c] : sum / 4
            }
          }
        }
      }
    case let activation as Activation:
      y = x.map { a in
        switch activation.function {
        case .tanh: return tanh(a)
        case .scaledTanh: return 1.7159 * tanh(2 * a / 3)
        case .sigmoid: return 1 / (1 + exp(-a))
        case .relu: return max(0, a)
        }
      }
    case is Flatten:
      y = x
    case let dense as Dense:
      for n in 0..<batch {
        for o in 0..<dense.outputFeatures {
          var sum = weights[1][o]
          for i in 0..<dense.inputFeatures {
            sum += weights[0][o * dense.inputFeatures + i] * x[n * inputSize + i]
          }
          y[n * outputSize + o] = sum
        }
      }
    case let rbf as EuclideanRBF:
      for n in 0..<batch {
        for unit in 0..<rbf.classes {
          var sum = 0.0
          for j in 0..<rbf.inputFeatures {
            let difference =
              x[n * inputSize + j] - Double(rbf.centers.scalars[unit * rbf.inputFeatures + j])
            sum += difference * difference
          }
          y[n * outputSize + unit] = sum
        }
      }
    default:
      preconditionFailure("DoubleReference has no \(layer.kind) layer")
    }
    return y
  }
}
