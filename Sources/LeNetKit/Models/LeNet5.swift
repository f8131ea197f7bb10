/// The two LeNet-5 networks of the course.
extension Model {
  /// LeNet-5 as published (LeCun, Bottou, Bengio and Haffner 1998, Fig. 2), with LeCun's
  /// initialisation drawn from `seed`.
  ///
  /// | layer | output    | parameters        | connections |
  /// |-------|-----------|-------------------|-------------|
  /// | C1    | 6@28×28   | 156               | 122,304     |
  /// | S2    | 6@14×14   | 12                | 5,880       |
  /// | C3    | 16@10×10  | 1,516 (Table I)   | 151,600     |
  /// | S4    | 16@5×5    | 32                | 2,000       |
  /// | C5    | 120@1×1   | 48,120            | 48,120      |
  /// | F6    | 84        | 10,164            | 10,164      |
  /// | output| 10        | 0 (840 fixed)     | 840         |
  /// | total |           | 60,000            | 340,908     |
  ///
  /// Input: 1@32×32 (MNIST's 28×28 digits padded by 2). Every layer up to F6 is followed by the
  /// scaled tanh `1.7159 tanh(2a/3)`. The output's 7×12 digit codes are a reconstruction (see
  /// `EuclideanRBF`). Training uses softmax cross-entropy on the negated penalties, not the
  /// paper's stochastic diagonal Levenberg–Marquardt method.
  public static func lecun1998(seed: UInt64 = 0) -> Model {
    let squash = Activation.Function.scaledTanh
    let layers: [any Layer] = [
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
    ]
    return build(
      name: "lecun1998", inputShape: [1, 32, 32], layers: layers, output: .penalties,
      preprocessing: .lecun1998, referenceFigures: .lecun1998, initialization: .lecun1998,
      seed: seed)
  }

  /// The LeNet-5 of the classic Keras tutorial, with Keras' default initialisation (Glorot
  /// uniform, zero biases) drawn from `seed`.
  ///
  /// Input 1@28×28 in [0, 1]; Conv2D(6, 5×5, same, tanh); AveragePooling2D(2);
  /// Conv2D(16, 5×5, valid, tanh) reading all 6 maps; AveragePooling2D(2); Conv2D(120, 5×5,
  /// tanh); Flatten; Dense(84, tanh); Dense(10) whose softmax is taken with the loss.
  /// Departures from the paper: full C3 (2,416 parameters, not 1,516), parameter-free pooling,
  /// plain tanh, softmax output. 61,706 parameters, as Keras' `model.summary()` prints.
  public static func keras(seed: UInt64 = 0) -> Model {
    let layers: [any Layer] = [
      Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same),
      Activation(.tanh),
      AveragePooling("S2"),
      Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5), Activation(.tanh),
      AveragePooling("S4"),
      Conv2D("C5", inputChannels: 16, outputChannels: 120, kernelSize: 5), Activation(.tanh),
      Flatten(),
      Dense("F6", inputFeatures: 120, outputFeatures: 84), Activation(.tanh),
      Dense("output", inputFeatures: 84, outputFeatures: 10),
    ]
    return build(
      name: "keras", inputShape: [1, 28, 28], layers: layers, output: .logits,
      preprocessing: .keras, referenceFigures: nil, initialization: .glorotUniform, seed: seed)
  }

  /// The models by name, for command lines and lessons.
  public static func named(_ name: String, seed: UInt64 = 0) -> Model? {
    switch name {
    case "lecun1998": return lecun1998(seed: seed)
    case "keras": return keras(seed: seed)
    default: return nil
    }
  }

  /// The names `named(_:seed:)` accepts.
  public static let availableNames = ["lecun1998", "keras"]

  private static func build(
    name: String, inputShape: [Int], layers: [any Layer], output: Output,
    preprocessing: Preprocessing, referenceFigures: PaperFigures?,
    initialization: Initialization, seed: UInt64
  ) -> Model {
    do {
      var model = try Model(
        name: name, inputShape: inputShape, layers: layers, output: output,
        preprocessing: preprocessing, referenceFigures: referenceFigures)
      model.initialize(initialization, seed: seed)
      return model
    } catch {
      // The layer list above is fixed; a mismatch is a bug in this file, not bad input.
      preconditionFailure("\(error)")
    }
  }
}
