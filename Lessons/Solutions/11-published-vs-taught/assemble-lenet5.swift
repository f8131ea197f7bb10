/// LeNet-5 as LeCun et al. (1998) describe it, from LeNetKit's layers.
func assembleLeNet5() throws -> Model {
  let squash = Activation.Function.scaledTanh
  return try Model(
    name: "my-lenet5", inputShape: [1, 32, 32],
    layers: [
      Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5), Activation(squash),
      Subsampling("S2", channels: 6), Activation(squash),
      Conv2D(
        "C3", inputChannels: 6, outputChannels: 16, kernelSize: 5, connectionTable: .lecun1998),
      Activation(squash),
      Subsampling("S4", channels: 16), Activation(squash),
      Conv2D("C5", inputChannels: 16, outputChannels: 120, kernelSize: 5), Activation(squash),
      Flatten(),
      Dense("F6", inputFeatures: 120, outputFeatures: 84), Activation(squash),
      EuclideanRBF("output"),
    ],
    output: .penalties)
}
