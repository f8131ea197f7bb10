/// How MNIST bytes become a model's input tensor: each model expects its digits scaled its own way.
///
/// ```
/// keras:      x = p / 255                      1×28×28, background 0, ink 1
/// lecun1998:  x = −0.1 + 1.275 · p / 255       1×32×32 (28×28 padded by 2), background −0.1, ink 1.175
/// ```
/// `p` is the byte 0–255. LeCun et al. (1998, section III.A) normalise so the background is −0.1
/// and the foreground 1.175, "which makes the mean input roughly 0, and the variance roughly 1",
/// and pad the 28×28 images to 32×32 so strokes reach the centre of C1's receptive fields.
/// The Keras tutorial divides by 255.
public enum Preprocessing: String, Sendable, CaseIterable {
  /// 28×28 scaled to [0, 1], for the Keras tutorial's model.
  case keras
  /// 32×32, background −0.1, ink 1.175, for the paper's model.
  case lecun1998

  /// The preprocessing a model carries (`Model.preprocessing`).
  public init(for model: Model) { self = model.preprocessing }

  /// Pixels added on each side.
  public var padding: Int { self == .lecun1998 ? 2 : 0 }

  /// The value of a background (0) pixel, which the padding also takes.
  public var background: Float { self == .lecun1998 ? -0.1 : 0 }

  /// The value of full ink (255).
  public var foreground: Float { self == .lecun1998 ? 1.175 : 1 }

  /// The input value of pixel byte `p`.
  public func value(of pixel: UInt8) -> Float {
    background + (foreground - background) * Float(pixel) / 255
  }

  /// One sample's shape for images of `rows × columns` pixels.
  public func sampleShape(rows: Int = 28, columns: Int = 28) -> [Int] {
    [1, rows + 2 * padding, columns + 2 * padding]
  }

  /// The images at `indices` of a byte array holding images of `rows × columns`, as an
  /// `N × 1 × H × W` tensor.
  public func tensor(images: [UInt8], rows: Int, columns: Int, indices: some Collection<Int>)
    -> Tensor
  {
    let shape = sampleShape(rows: rows, columns: columns)
    let (height, width) = (shape[1], shape[2])
    let imageSize = rows * columns
    var table = [Float](repeating: 0, count: 256)
    for pixel in 0..<256 { table[pixel] = value(of: UInt8(pixel)) }
    var scalars = [Float](repeating: background, count: indices.count * height * width)
    images.withUnsafeBufferPointer { source in
      scalars.withUnsafeMutableBufferPointer { target in
        for (sample, index) in indices.enumerated() {
          precondition(
            index >= 0 && (index + 1) * imageSize <= source.count, "image \(index) out of range")
          for row in 0..<rows {
            let from = index * imageSize + row * columns
            let to = (sample * height + row + padding) * width + padding
            for column in 0..<columns { target[to + column] = table[Int(source[from + column])] }
          }
        }
      }
    }
    return Tensor(shape: [indices.count] + shape, scalars: scalars)
  }

  /// One image of `rows × columns` bytes as a `1 × 1 × H × W` batch.
  public func tensor(pixels: [UInt8], rows: Int = 28, columns: Int = 28) -> Tensor {
    tensor(images: pixels, rows: rows, columns: columns, indices: [0])
  }
}
