/// One stage of a network: a shape rule, a forward pass, a backward pass and its counts.
///
/// Layers are value types without hidden state: `forward` reads only the layer's parameters and
/// its input, and `backward` is handed the input and output it needs, so one layer value can run
/// many mini-batches on many threads. Shapes passed to `outputShape(for:)` and
/// `connectionCount(for:)` are *per sample* (`[C, H, W]` or `[F]`); tensors passed to `forward`
/// and `backward` carry the batch first (`[N, C, H, W]` or `[N, F]`).
///
/// Counting convention (LeCun et al. 1998, section II.B): a *parameter* is one trainable weight or
/// bias; a *connection* is one input-to-output link, the bias counting as one input, summed over
/// every output unit. Weight sharing is why a convolution has far more connections than parameters.
public protocol Layer: Sendable {
  /// The layer's name in the paper's style (`C1`, `S2`, `F6` …); also its checkpoint prefix.
  var name: String { get }
  /// What kind of layer this is, for summaries: `Conv2D 5×5`, `Subsampling 2×2` …
  var kind: String { get }
  /// The per-sample output shape for a per-sample input shape, or why the input does not fit.
  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int]
  /// Runs a whole mini-batch forward.
  func forward(_ input: Tensor) -> Tensor
  /// Given the forward pass's `input` and `output` and the loss gradient with respect to the
  /// output, returns the gradient with respect to the input and to each parameter tensor.
  func backward(input: Tensor, output: Tensor, outputGradient: Tensor) -> LayerGradients
  /// `backward`'s parameter gradients alone, for the first layer of a model, whose input
  /// gradient nothing uses. The default runs `backward`; a layer whose input gradient costs real
  /// work (`Conv2D`) skips it.
  func parameterGradients(input: Tensor, output: Tensor, outputGradient: Tensor) -> [Tensor]
  /// The trainable tensors, in the order of `parameterNames`; empty for layers without weights.
  var parameters: [Tensor] { get set }
  /// Names of the trainable tensors (`weight`, `bias` …), used in checkpoints as `name.weight`.
  var parameterNames: [String] { get }
  /// The number of trainable scalars, counted as in the paper.
  var parameterCount: Int { get }
  /// Scalars the layer uses but never trains (the RBF output's fixed bitmaps); 0 for most layers.
  var fixedParameterCount: Int { get }
  /// The tensors behind `fixedParameterCount`, named as in a checkpoint (`weight`); empty for
  /// most layers. Checkpoints save them beside the parameters.
  var fixedTensors: [(name: String, tensor: Tensor)] { get }
  /// The layer with its fixed tensors replaced by `tensors`, in the order and shapes of
  /// `fixedTensors`, as a checkpoint loads them.
  func replacingFixedTensors(_ tensors: [Tensor]) -> Self
  /// How to build this layer again without its values (see `LayerRecipe`): what a checkpoint
  /// records so that a model built from layers loads without a name lookup. nil for a layer
  /// type LeNetKit does not know.
  var recipe: LayerRecipe? { get }
  /// The number of input-to-output links (bias included) for one sample of `inputShape`.
  func connectionCount(for inputShape: [Int]) -> Int
  /// Draws fresh parameters with `scheme`; layers without parameters do nothing.
  mutating func initialize(_ scheme: Initialization, generator: inout SplitMix64)
}

extension Layer {
  public var parameters: [Tensor] {
    get { [] }
    set { precondition(newValue.isEmpty, "\(name) has no parameters to set") }
  }
  public var parameterNames: [String] { [] }
  public var parameterCount: Int { 0 }
  public var fixedParameterCount: Int { 0 }
  public var fixedTensors: [(name: String, tensor: Tensor)] { [] }
  public func replacingFixedTensors(_ tensors: [Tensor]) -> Self {
    precondition(tensors.isEmpty, "\(name) has no fixed tensors to replace")
    return self
  }
  public var recipe: LayerRecipe? { nil }
  public mutating func initialize(_ scheme: Initialization, generator: inout SplitMix64) {}
  public func parameterGradients(input: Tensor, output: Tensor, outputGradient: Tensor) -> [Tensor]
  {
    backward(input: input, output: output, outputGradient: outputGradient).parameters
  }

  /// Checks that a batched `input` matches this layer's shape rule, stopping with a clear message.
  func checkInput(_ input: Tensor) -> [Int] {
    do {
      return try outputShape(for: input.sampleShape)
    } catch {
      preconditionFailure("\(name) (\(kind)): \(error)")
    }
  }
}

extension Layer {
  /// The Gauss-Newton second derivatives (SDLM, appendix C) of a layer linear in its input and
  /// in the weight at `weight` (`Conv2D`, `Dense`): its backward pass with every factor squared,
  /// `Σ x² h` for a weight, `Σ h` for a bias, `Σ w² h` for an input.
  func backwardSquared(
    weight: WritableKeyPath<Self, Tensor>, input: Tensor, output: Tensor, outputCurvature: Tensor
  ) -> LayerGradients {
    var squared = self
    squared[keyPath: weight] = self[keyPath: weight].squaredElements
    return squared.backward(
      input: input.squaredElements, output: output, outputGradient: outputCurvature)
  }
}

/// What `Layer.backward` returns: the loss gradient for the input and for each parameter tensor.
public struct LayerGradients: Sendable {
  /// ∂loss/∂input, with the input's shape.
  public var input: Tensor
  /// ∂loss/∂parameter for each tensor of `Layer.parameters`, in the same order and shapes.
  public var parameters: [Tensor]

  /// Creates gradients from the input gradient and the parameter gradients.
  public init(input: Tensor, parameters: [Tensor] = []) {
    self.input = input
    self.parameters = parameters
  }
}

/// Why a layer cannot take an input of a given shape.
public struct ShapeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong, in one sentence that names the shapes.
  public var message: String

  /// Creates an error with the given message.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// How a layer draws its initial parameters.
public enum Initialization: String, Sendable, CaseIterable {
  /// LeCun et al. 1998, appendix: weights and biases uniform in ±2.4 / F_in, F_in the unit's inputs.
  case lecun1998
  /// Glorot and Bengio 2010, Keras' default: weights uniform in ±√(6 / (fanIn + fanOut)), biases 0.
  case glorotUniform

  /// The half-widths of the uniform ranges that weights and biases are drawn from, for a unit
  /// with `fanIn` weighted inputs whose inputs each reach `fanOut` units through this layer.
  ///
  /// Keras counts both fans per kernel: a 5×5 convolution from 6 to 16 maps has
  /// fanIn = 6·25 and fanOut = 16·25.
  public func limits(fanIn: Int, fanOut: Int) -> (weight: Float, bias: Float) {
    switch self {
    case .lecun1998:
      let limit = 2.4 / Float(fanIn)
      return (limit, limit)
    case .glorotUniform:
      return ((6 / Float(fanIn + fanOut)).squareRoot(), 0)
    }
  }
}

/// The shape rule shared by every non-overlapping `size × size` pooling: each map shrinks by `size`.
func poolingOutputShape(for inputShape: [Int], channels: Int?, size: Int) throws(ShapeError)
  -> [Int]
{
  guard inputShape.count == 3 else {
    throw ShapeError("expects one image per sample as [channels, height, width], got \(inputShape)")
  }
  if let channels, inputShape[0] != channels {
    throw ShapeError("expects \(channels) maps, got \(inputShape[0]) (shape \(inputShape))")
  }
  guard inputShape[1] % size == 0, inputShape[2] % size == 0, inputShape[1] > 0, inputShape[2] > 0
  else {
    throw ShapeError(
      "\(size)×\(size) blocks must tile the map exactly, but it is \(inputShape[1])×\(inputShape[2])"
    )
  }
  return [inputShape[0], inputShape[1] / size, inputShape[2] / size]
}
