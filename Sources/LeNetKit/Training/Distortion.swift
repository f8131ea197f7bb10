import Foundation

/// Random planar affine distortions of training images, the kinds LeCun et al. (1998, section
/// III.B) list: horizontal and vertical translation, scaling, squeezing and horizontal shearing.
/// Squeezing here narrows the digit while making it taller, or the reverse.
///
/// The paper gives no ranges; these are this project's, chosen so a distorted digit still looks
/// like a plausible handwritten one:
///
/// | parameter | range | meaning |
/// |---|---|---|
/// | translation | ±2 pixels on each axis | the digit moves |
/// | scaling | 0.9 … 1.1 | both axes grow or shrink together |
/// | squeezing | 0.9 … 1.1 | width × q, height ÷ q |
/// | horizontal shearing | ±0.15 | x moves by 0.15 pixel per pixel of height |
///
/// Each value is uniform in its range. The map sends an input point `p` to
/// `A (p − centre) + centre + t`, with `A = scale · [[q, q · shear], [0, 1/q]]` (`matrix`); the
/// output is resampled bilinearly (each output pixel reads the input at the
/// inverse image of its centre; outside the image reads as background). The translation is then
/// narrowed so the transformed ink's bounding box stays inside the image with a margin wide enough
/// that interpolation puts no ink on the border pixels, and a digit too large for that is scaled
/// down until it fits: no ink is ever cut off.
public struct Distortion: Sendable, Equatable {
  /// The largest translation, in pixels, along each axis.
  public var maximumTranslation: Float = 2
  /// Scaling is drawn from `1 − scaling … 1 + scaling`.
  public var scaling: Float = 0.1
  /// The squeeze factor `q` is drawn from `1 − squeezing … 1 + squeezing`.
  public var squeezing: Float = 0.1
  /// The horizontal shear is drawn from `−shearing … shearing`.
  public var shearing: Float = 0.15

  /// The ranges above.
  public init() {}

  /// One drawn transformation.
  public struct Transform: Sendable, Equatable {
    public var scale: Float
    public var squeeze: Float
    public var shear: Float
    public var translationX: Float
    public var translationY: Float

    /// A transformation from its five numbers.
    public init(
      scale: Float, squeeze: Float, shear: Float, translationX: Float, translationY: Float
    ) {
      self.scale = scale
      self.squeeze = squeeze
      self.shear = shear
      self.translationX = translationX
      self.translationY = translationY
    }

    /// `A` in `output = A (input − centre) + centre + t`, as `(a, b, c, d)` for
    /// `[[a, b], [c, d]]` acting on `(x, y)`: shear first, then squeeze, then scale.
    public var matrix: (a: Float, b: Float, c: Float, d: Float) {
      (scale * squeeze, scale * squeeze * shear, 0, scale / squeeze)
    }
  }

  /// Draws one transformation from `generator` (five numbers, always in the same order).
  public func draw(_ generator: inout SplitMix64) -> Transform {
    Transform(
      scale: generator.nextFloat(in: 1 - scaling...1 + scaling),
      squeeze: generator.nextFloat(in: 1 - squeezing...1 + squeezing),
      shear: generator.nextFloat(in: -shearing...shearing),
      translationX: generator.nextFloat(in: -maximumTranslation...maximumTranslation),
      translationY: generator.nextFloat(in: -maximumTranslation...maximumTranslation))
  }

  /// Every sample of an `N × C × H × W` batch distorted by its own transformation drawn from
  /// `generator`, with `background` (the preprocessing's) outside the image.
  public func apply(_ batch: Tensor, background: Float, generator: inout SplitMix64) -> Tensor {
    let transforms = (0..<batch.batchSize).map { _ in draw(&generator) }
    return Self.apply(transforms, to: batch, background: background)
  }

  /// Sample `i` of an `N × C × H × W` batch transformed by `transforms[i]`, or left as it is
  /// where that is nil.
  public static func apply(_ transforms: [Transform?], to batch: Tensor, background: Float)
    -> Tensor
  {
    precondition(batch.shape.count == 4, "Distortion expects N × C × H × W, got \(batch.shape)")
    precondition(transforms.count == batch.batchSize, "one transformation (or nil) per sample")
    var output = batch
    let (channels, height, width) = (batch.shape[1], batch.shape[2], batch.shape[3])
    let size = channels * height * width
    for (sample, transform) in transforms.enumerated() {
      guard let transform else { continue }
      let range = sample * size..<(sample + 1) * size
      let distorted = apply(
        transform, to: Array(batch.scalars[range]), channels: channels, height: height,
        width: width, background: background)
      output.scalars.replaceSubrange(range, with: distorted)
    }
    return output
  }

  /// One `C × H × W` image (row-major scalars) transformed by `transform`, its translation
  /// narrowed (and, if need be, its scale reduced) so no ink reaches the border pixels.
  public static func apply(
    _ transform: Transform, to image: [Float], channels: Int, height: Int, width: Int,
    background: Float
  ) -> [Float] {
    precondition(image.count == channels * height * width, "image size does not match its shape")
    let plane = height * width
    // The ink's bounding box (any channel), in pixel-edge coordinates.
    var (left, right, top, bottom) = (Float(width), Float(0), Float(height), Float(0))
    for channel in 0..<channels {
      for y in 0..<height {
        for x in 0..<width where image[channel * plane + y * width + x] > background + inkThreshold
        {
          left = min(left, Float(x))
          right = max(right, Float(x + 1))
          top = min(top, Float(y))
          bottom = max(bottom, Float(y + 1))
        }
      }
    }
    guard left < right else { return image }  // blank: nothing to move
    let (centreX, centreY) = (Float(width) / 2, Float(height) / 2)
    var (a, b, c, d) = transform.matrix
    // The ink box's corners under A (about the centre), before translation.
    func extents() -> (minX: Float, maxX: Float, minY: Float, maxY: Float) {
      var (minX, maxX, minY, maxY) = (
        Float.infinity, -Float.infinity, Float.infinity, -Float.infinity
      )
      for (x, y) in [(left, top), (right, top), (left, bottom), (right, bottom)] {
        let (dx, dy) = (x - centreX, y - centreY)
        let (u, v) = (a * dx + b * dy + centreX, c * dx + d * dy + centreY)
        (minX, maxX, minY, maxY) = (min(minX, u), max(maxX, u), min(minY, v), max(maxY, v))
      }
      return (minX, maxX, minY, maxY)
    }
    // Allowed box: bilinear sampling picks up ink from half a source pixel beyond the box, which
    // A stretches by up to |a| + |b| across and |c| + |d| down; a border pixel's centre is half a
    // pixel in. So the box keeps (half that spread + half a pixel) from each edge, and a bit more.
    let marginX = 0.5 * (abs(a) + abs(b)) + 0.5 + 0.05
    let marginY = 0.5 * (abs(c) + abs(d)) + 0.5 + 0.05
    let (lowX, highX) = (marginX, Float(width) - marginX)
    let (lowY, highY) = (marginY, Float(height) - marginY)
    var box = extents()
    let fit = min(
      1, (highX - lowX) / (box.maxX - box.minX), (highY - lowY) / (box.maxY - box.minY))
    if fit < 1 {
      (a, b, c, d) = (a * fit, b * fit, c * fit, d * fit)
      box = extents()
    }
    let translationX = min(max(transform.translationX, lowX - box.minX), highX - box.maxX)
    let translationY = min(max(transform.translationY, lowY - box.minY), highY - box.maxY)
    // Inverse map: input = A⁻¹ (output − centre − t) + centre, sampled at pixel centres.
    let determinant = a * d - b * c
    let (ia, ib, ic, id) = (d / determinant, -b / determinant, -c / determinant, a / determinant)
    var output = [Float](repeating: background, count: image.count)
    for y in 0..<height {
      for x in 0..<width {
        let (u, v) = (
          Float(x) + 0.5 - centreX - translationX, Float(y) + 0.5 - centreY - translationY
        )
        let sourceX = ia * u + ib * v + centreX - 0.5
        let sourceY = ic * u + id * v + centreY - 0.5
        let (x0, y0) = (Int(sourceX.rounded(.down)), Int(sourceY.rounded(.down)))
        let (fx, fy) = (sourceX - Float(x0), sourceY - Float(y0))
        for channel in 0..<channels {
          func pixel(_ column: Int, _ row: Int) -> Float {
            guard (0..<width).contains(column), (0..<height).contains(row) else {
              return background
            }
            return image[channel * plane + row * width + column]
          }
          let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
          let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
          output[channel * plane + y * width + x] = top * (1 - fy) + bottom * fy
        }
      }
    }
    return output
  }

  /// How far above the background a pixel must be to count as ink (1/255 of MNIST's range is
  /// 0.005 in the paper's scaling).
  static let inkThreshold: Float = 1e-3
}
