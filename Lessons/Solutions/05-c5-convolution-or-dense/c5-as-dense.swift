/// A dense layer that computes what `conv` computes on an input exactly its kernel's size.
func denseEquivalent(of conv: Conv2D) -> Dense {
  let inputs = conv.inputChannels * conv.kernelSize * conv.kernelSize
  var dense = Dense(conv.name, inputFeatures: inputs, outputFeatures: conv.outputChannels)
  dense.weight = conv.weight.reshaped(to: [conv.outputChannels, inputs])
  dense.bias = conv.bias
  return dense
}
