extension GrayImage {
  /// The image made to look like an MNIST digit: 28×28 bytes, background 0, ink up to 255.
  ///
  /// The steps follow how MNIST itself was made (yann.lecun.com/exdb/mnist): "size normalized
  /// to fit in a 20x20 pixel box while preserving their aspect ratio … centered in a 28x28
  /// image by computing the center of mass of the pixels".
  ///
  /// 1. Ink: a light background (border pixels brighter than mid-gray on average) is inverted,
  ///    so ink is bright on black as in MNIST.
  /// 2. Crop to the bounding box of pixels with at least a quarter of the strongest ink.
  /// 3. Scale the longer side to 20 pixels, keeping the aspect ratio; each output pixel is the
  ///    area-weighted mean of the source pixels it covers (which also anti-aliases).
  /// 4. Place the 20-pixel box in a 28×28 field so its centre of mass lands on the field's
  ///    centre (13.5, 13.5 in pixel indices), shifted by whole pixels and kept inside the field.
  ///
  /// Throws when the image holds no ink; `file` names it in the error.
  public func mnistDigit(file: String) throws(DataError) -> [UInt8] {
    let ink = inkLevels()
    let strongest = ink.max() ?? 0
    guard strongest >= 32 else {
      throw DataError(
        .invalidContent, file: file, "the image is blank (no ink darker or lighter than the paper)",
        fix: "draw the digit in a dark color on light paper, or light on dark")
    }
    var (top, bottom, left, right) = (height, -1, width, -1)
    for y in 0..<height {
      for x in 0..<width where Int(ink[y * width + x]) * 4 >= Int(strongest) {
        (top, bottom) = (min(top, y), max(bottom, y))
        (left, right) = (min(left, x), max(right, x))
      }
    }
    let (boxHeight, boxWidth) = (bottom - top + 1, right - left + 1)
    let scale = 20 / Double(max(boxHeight, boxWidth))
    let outHeight = max(1, Int((Double(boxHeight) * scale).rounded()))
    let outWidth = max(1, Int((Double(boxWidth) * scale).rounded()))
    let scaled = resample(
      ink, top: top, left: left, height: boxHeight, width: boxWidth, toHeight: outHeight,
      toWidth: outWidth)

    var (mass, sumY, sumX) = (0.0, 0.0, 0.0)
    for y in 0..<outHeight {
      for x in 0..<outWidth {
        let value = Double(scaled[y * outWidth + x])
        (mass, sumY, sumX) = (mass + value, sumY + value * Double(y), sumX + value * Double(x))
      }
    }
    let shiftY = min(max(Int((13.5 - sumY / mass).rounded()), 0), 28 - outHeight)
    let shiftX = min(max(Int((13.5 - sumX / mass).rounded()), 0), 28 - outWidth)
    var digit = [UInt8](repeating: 0, count: 784)
    for y in 0..<outHeight {
      for x in 0..<outWidth { digit[(y + shiftY) * 28 + x + shiftX] = scaled[y * outWidth + x] }
    }
    return digit
  }

  /// Pixels as ink (bright = ink), inverting when the border is light.
  private func inkLevels() -> [UInt8] {
    var borderSum = 0
    var borderCount = 0
    for y in 0..<height {
      for x in 0..<width where y == 0 || y == height - 1 || x == 0 || x == width - 1 {
        borderSum += Int(pixels[y * width + x])
        borderCount += 1
      }
    }
    return borderSum > 127 * borderCount ? pixels.map { 255 - $0 } : pixels
  }

  /// Area-weighted resampling of a `height × width` box at (`top`, `left`) of `levels`.
  private func resample(
    _ levels: [UInt8], top: Int, left: Int, height: Int, width: Int, toHeight: Int, toWidth: Int
  ) -> [UInt8] {
    let stepY = Double(height) / Double(toHeight)
    let stepX = Double(width) / Double(toWidth)
    var output = [UInt8](repeating: 0, count: toHeight * toWidth)
    for outY in 0..<toHeight {
      let (y0, y1) = (Double(outY) * stepY, Double(outY + 1) * stepY)
      for outX in 0..<toWidth {
        let (x0, x1) = (Double(outX) * stepX, Double(outX + 1) * stepX)
        var sum = 0.0
        for y in Int(y0)..<min(height, Int(y1.rounded(.up))) {
          let coverY = min(y1, Double(y + 1)) - max(y0, Double(y))
          for x in Int(x0)..<min(width, Int(x1.rounded(.up))) {
            let coverX = min(x1, Double(x + 1)) - max(x0, Double(x))
            sum += coverY * coverX * Double(levels[(top + y) * self.width + left + x])
          }
        }
        output[outY * toWidth + outX] = UInt8(min(255, (sum / (stepY * stepX)).rounded()))
      }
    }
    return output
  }
}
