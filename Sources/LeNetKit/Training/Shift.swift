/// Random translations of training images, the simplest of the distortions LeCun et al. (1998,
/// section V.B) add to the training set ("horizontal and vertical translations").
///
/// ```
/// output[n, c, y, x] = input[n, c, y − dy[n], x − dx[n]]   (fill where that is outside)
/// ```
/// Each sample `n` moves by its own `(dy, dx)`, drawn uniformly from `−maximum…maximum` for
/// each axis; `fill` is the background value of the model's preprocessing, so the uncovered
/// border looks like paper.
public enum Shift {
  /// `batch` with every sample moved by its offset; `offsets[n] = (dy, dx)`.
  public static func apply(_ batch: Tensor, offsets: [(dy: Int, dx: Int)], fill: Float) -> Tensor {
    precondition(batch.shape.count == 4, "Shift expects N × C × H × W, got \(batch.shape)")
    precondition(offsets.count == batch.batchSize, "one offset per sample is needed")
    let (channels, height, width) = (batch.shape[1], batch.shape[2], batch.shape[3])
    var output = Tensor(shape: batch.shape, repeating: fill)
    batch.scalars.withUnsafeBufferPointer { source in
      output.scalars.withUnsafeMutableBufferPointer { target in
        for (sample, offset) in offsets.enumerated() {
          let xs = max(0, offset.dx)..<min(width, width + offset.dx)
          guard !xs.isEmpty else { continue }
          for channel in 0..<channels {
            let plane = (sample * channels + channel) * height
            for y in max(0, offset.dy)..<min(height, height + offset.dy) {
              for x in xs {
                target[(plane + y) * width + x] =
                  source[(plane + y - offset.dy) * width + x - offset.dx]
              }
            }
          }
        }
      }
    }
    return output
  }

  /// One offset per sample, each coordinate uniform in `−maximum…maximum`.
  public static func randomOffsets(
    count: Int, maximum: Int, generator: inout SplitMix64
  ) -> [(dy: Int, dx: Int)] {
    (0..<count).map { _ in
      (
        generator.nextInt(below: 2 * maximum + 1) - maximum,
        generator.nextInt(below: 2 * maximum + 1) - maximum
      )
    }
  }
}
