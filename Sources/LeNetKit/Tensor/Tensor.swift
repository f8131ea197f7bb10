import Foundation

/// A dense, row-major array of `Float` with a shape: the one data type every layer reads and writes.
///
/// Images use the layout `N × C × H × W`:
/// - `N`: samples in the mini-batch,
/// - `C`: channels (feature maps),
/// - `H`, `W`: height and width in pixels.
///
/// Flat activations use `N × F` (`F` features). The element at `[n, c, y, x]` lives at
/// `((n * C + c) * H + y) * W + x` in `scalars`.
///
/// `Tensor` is a value type: copies are cheap until one of them is written (the `[Float]`
/// storage is copy-on-write), so a layer can never change a tensor its caller still holds.
public struct Tensor: Sendable, Equatable {
  /// The size of each dimension, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count` is always the product of `shape`.
  public var scalars: [Float] {
    get { storage }
    set {
      precondition(
        newValue.count == storage.count,
        "Tensor.scalars must keep \(storage.count) elements for shape \(shape)")
      storage = newValue
    }
    // A `didSet` would make every element write (`tensor.scalars[i] = x`) copy the whole
    // array; yielding the storage lets it be written in place, then checks the count.
    _modify {
      let count = storage.count
      yield &storage
      precondition(
        storage.count == count, "Tensor.scalars must keep \(count) elements for shape \(shape)")
    }
  }
  private var storage: [Float]

  /// Creates a tensor of the given shape from its elements in row-major order.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    precondition(
      scalars.count == shape.reduce(1, *),
      "Tensor of shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
    self.shape = shape
    self.storage = scalars
  }

  /// Creates a tensor of the given shape with every element equal to `value`.
  public init(shape: [Int], repeating value: Float = 0) {
    self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// Creates a tensor whose elements are drawn uniformly from `range` by `generator`.
  public init(shape: [Int], uniformIn range: ClosedRange<Float>, generator: inout SplitMix64) {
    let count = shape.reduce(1, *)
    var scalars = [Float]()
    scalars.reserveCapacity(count)
    for _ in 0..<count { scalars.append(generator.nextFloat(in: range)) }
    self.init(shape: shape, scalars: scalars)
  }

  /// The number of elements.
  public var count: Int { scalars.count }

  /// The number of samples: the first dimension.
  public var batchSize: Int { shape.first ?? 1 }

  /// The shape of one sample: every dimension but the first.
  public var sampleShape: [Int] { Array(shape.dropFirst()) }

  /// Reads or writes one element by its full index, e.g. `tensor[0, 2, 5, 5]`.
  public subscript(indices: Int...) -> Float {
    get { scalars[offset(of: indices)] }
    set { scalars[offset(of: indices)] = newValue }
  }

  /// The row-major position of a full index, checked against the shape.
  public func offset(of indices: [Int]) -> Int {
    precondition(
      indices.count == shape.count,
      "Index \(indices) has \(indices.count) dimensions, tensor has shape \(shape)")
    var offset = 0
    for (index, size) in zip(indices, shape) {
      precondition(
        index >= 0 && index < size, "Index \(indices) is out of bounds for shape \(shape)")
      offset = offset * size + index
    }
    return offset
  }

  /// The same elements viewed with another shape of the same element count.
  public func reshaped(to newShape: [Int]) -> Tensor {
    precondition(
      newShape.reduce(1, *) == count,
      "Cannot reshape \(shape) (\(count) elements) to \(newShape) (\(newShape.reduce(1, *)) elements)"
    )
    var copy = self
    copy.shape = newShape
    return copy
  }

  /// Samples `range` of the batch, as a new tensor with the same sample shape.
  public func samples(_ range: Range<Int>) -> Tensor {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= batchSize,
      "Samples \(range) out of 0..<\(batchSize)")
    let stride = sampleShape.reduce(1, *)
    return Tensor(
      shape: [range.count] + sampleShape,
      scalars: Array(scalars[range.lowerBound * stride..<range.upperBound * stride]))
  }

  /// The samples of several batches with the same sample shape, one after another.
  public init(concatenating batches: [Tensor]) {
    precondition(!batches.isEmpty, "nothing to concatenate")
    let sampleShape = batches[0].sampleShape
    precondition(
      batches.allSatisfy { $0.sampleShape == sampleShape },
      "batches to concatenate must share one sample shape")
    var scalars: [Float] = []
    scalars.reserveCapacity(batches.reduce(0) { $0 + $1.count })
    for batch in batches { scalars += batch.scalars }
    self.init(shape: [batches.reduce(0) { $0 + $1.batchSize }] + sampleShape, scalars: scalars)
  }

  /// One feature map of one sample of an `N × C × H × W` tensor, as an `H × W` tensor.
  public func featureMap(_ channel: Int, sample: Int = 0) -> Tensor {
    precondition(shape.count == 4, "featureMap needs an N × C × H × W tensor, got shape \(shape)")
    precondition(
      (0..<shape[0]).contains(sample) && (0..<shape[1]).contains(channel),
      "Map \(channel) of sample \(sample) is out of bounds for shape \(shape)")
    let size = shape[2] * shape[3]
    let start = (sample * shape[1] + channel) * size
    return Tensor(shape: [shape[2], shape[3]], scalars: Array(scalars[start..<start + size]))
  }
}

extension Tensor: CustomStringConvertible {
  /// A short description: the shape and, for small tensors, the elements.
  public var description: String {
    let shown = scalars.prefix(16).map { String(format: "%.4g", $0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", …" : "")])"
  }
}
