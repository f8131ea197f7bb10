// paper-lenet5: LeNet-5 exactly as LeCun, Bottou, Bengio and Haffner (1998) describe it, built
// layer by layer from LeNetKit's public API, with the paper's figures beside the computed ones.
//
//   swift run paper-lenet5
//
// Exits 0 when every parameter and connection count matches the paper, 1 otherwise.
import Foundation
import LeNetKit

// The scaled tanh f(a) = 1.7159 tanh(2a/3) follows every layer up to F6 (appendix A).
let squash = Activation.Function.scaledTanh

let layers: [any Layer] = [
  // C1: 6 feature maps of 28×28, each unit reading a 5×5 window of the 32×32 input.
  Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5), Activation(squash),
  // S2: each unit sums a 2×2 block, times one trainable coefficient per map, plus a bias.
  Subsampling("S2", channels: 6), Activation(squash),
  // C3: 16 maps, each reading only the S2 maps Table I lists.
  Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998),
  Activation(squash),
  Subsampling("S4", channels: 16), Activation(squash),
  // C5: a 5×5 convolution over 5×5 maps, so each of its 120 maps is a single unit.
  Conv2D("C5", inputChannels: 16, outputChannels: 120, kernelSize: 5), Activation(squash),
  Flatten(),
  Dense("F6", inputFeatures: 120, outputFeatures: 84), Activation(squash),
  // Output: ten Euclidean RBF units comparing F6 with fixed 7×12 digit codes.
  EuclideanRBF("output"),
]

do {
  var network = try Model(
    name: "paper-lenet5", inputShape: [1, 32, 32], layers: layers, output: .penalties)
  network.initialize(.lecun1998, seed: 1998)
  let summary = ModelSummary(network, paper: .lecun1998)
  print(summary.rendered())

  // One forward pass on a blank page (the paper's background value, −0.1) shows the shapes flow.
  let blank = Tensor(shape: [1, 1, 32, 32], repeating: -0.1)
  let penalties = network.forward(blank)
  print("\nA blank 32×32 page gives \(penalties.shape[1]) penalties, one per digit class.")
  exit(summary.matchesPaper ? 0 : 1)
} catch {
  print("error: \(error)")
  exit(1)
}
