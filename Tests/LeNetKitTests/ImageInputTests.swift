import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

@Suite struct PGMTests {
  @Test func readsBinaryP5WithAComment() throws {
    let bytes = Array("P5\n# drawn by hand\n3 2\n255\n".utf8) + [0, 128, 255, 1, 2, 3]
    let image = try GrayImage.decode(bytes, file: "d.pgm")
    #expect(image == GrayImage(width: 3, height: 2, pixels: [0, 128, 255, 1, 2, 3]))
  }

  @Test func readsTextP2AndRescalesTheMaximum() throws {
    // maxval 15: 15 → 255, 5 → round(5·255/15) = 85, 0 → 0.
    let image = try GrayImage.decode(Array("P2 2 2 15\n0 5\n15 15\n".utf8), file: "d.pgm")
    #expect(image.pixels == [0, 85, 255, 255])
  }

  @Test func readsSixteenBitP5() throws {
    // maxval 65535, samples big-endian: 0xFFFF → 255, 0x8000 → round(32768·255/65535) = 128.
    let bytes = Array("P5 2 1 65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00]
    #expect(try GrayImage.decode(bytes, file: "d.pgm").pixels == [255, 128])
  }

  @Test func encodeWritesAFileTheReaderAccepts() throws {
    let image = GrayImage(width: 2, height: 2, pixels: [9, 8, 7, 6])
    #expect(try GrayImage.decode(PGM.encode(image), file: "x") == image)
  }

  @Test func missingPixelsAreTruncated() {
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array("P5 3 2 255\n".utf8) + [1, 2, 3], file: "d.pgm")
    }
    #expect(error?.kind == .truncated)
    #expect(error?.description == "d.pgm: 3×2 pixels need 6 bytes, the file has 3")
    #expect(error?.fix == "the file is truncated; export it again")
  }

  @Test func valueAboveTheMaximumIsReported() {
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array("P2 2 1 15 3 16".utf8), file: "d.pgm")
    }
    #expect(error?.description == "d.pgm: pixel 1 is 16, above the maximum 15")
  }

  @Test func missingHeightIsReported() {
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array("P5 3 x".utf8), file: "d.pgm")
    }
    #expect(error?.description == "d.pgm: expected the height at byte 5")
  }

  @Test func tooShortForItsSignatureIsAnErrorNotACrash() {
    // PGM.decode is public, so it cannot rely on GrayImage.decode having checked "P5".
    let error = #expect(throws: DataError.self) { try PGM.decode(Array("P".utf8), file: "d.pgm") }
    #expect(error?.description == "d.pgm: a PGM file starts with P2 or P5")
  }

  @Test func headerBeyondTheLimitIsRefusedWithTheLimit() {
    // 9000 × 9000 = 81 million pixels, above the 64 million of GrayImage.maximumPixels.
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array("P5 9000 9000 255\n".utf8), file: "d.pgm")
    }
    #expect(
      error?.description
        == "d.pgm: the header gives a 9000×9000 image, more than the 64 megapixels this reader accepts"
    )
    #expect(error?.fix == "scale the image down; a digit needs only a few hundred pixels a side")
  }

  @Test func textPixelsThatCannotFitAreRefusedBeforeAllocating() {
    // 8000 × 8000 text pixels need at least a separator and a digit each: 128,000,000 bytes.
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array("P2 8000 8000 255 0".utf8), file: "d.pgm")
    }
    #expect(error?.kind == .truncated)
    #expect(
      error?.description == "d.pgm: 8000×8000 pixels need at least 128000000 bytes, the file has 2")
  }

  @Test func fileLargerThanTheLimitIsRefusedBeforeReading() throws {
    try withTemporaryDirectory { directory in
      // A sparse file: 257 MiB long without using the disk or being read.
      let url = directory.appendingPathComponent("huge.pgm")
      #expect(FileManager.default.createFile(atPath: url.path, contents: Data("P5".utf8)))
      let handle = try FileHandle(forWritingTo: url)
      try handle.truncate(atOffset: 257 << 20)
      try handle.close()
      let error = #expect(throws: DataError.self) { try GrayImage.read(from: url) }
      #expect(
        error?.description
          == "\(url.path): the file has 269484032 bytes, more than the 256 MiB this reader accepts")
    }
  }

  @Test func otherFormatsAreUnsupported() {
    let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
    let error = #expect(throws: DataError.self) { try GrayImage.decode(jpeg, file: "d.jpg") }
    #expect(error?.kind == .unsupported)
    #expect(error?.description == "d.jpg: not a PGM (P2, P5) or PNG image")
    #expect(
      error?.fix == "convert the image to PNG or PGM, e.g. with 'convert digit.jpg digit.png'")
  }
}

@Suite struct PNGTests {
  @Test(arguments: [UInt8(0), 1, 2, 3, 4])
  func everyFilterTypeDecodesToTheSamePixels(filter: UInt8) throws {
    // A 5×4 RGB image with gray pixels (R = G = B) varying in both directions, so every filter
    // predicts from real neighbours; the luma of a gray pixel is the pixel.
    let grays = (0..<20).map { (index: Int) -> UInt8 in UInt8((index * 37 + index / 5 * 91) % 256) }
    let samples = grays.flatMap { [$0, $0, $0] }
    let png = makePNG(width: 5, height: 4, colorType: 2, samples: samples, filter: filter)
    #expect(try GrayImage.decode(png, file: "x.png").pixels == grays)
  }

  @Test func convertsColorAndAlphaToGray() throws {
    // RGBA: red opaque → 0.299·255 = 76.2 → 76; green → 0.587·255 = 149.7 → 150;
    // black fully transparent → white paper 255; black half transparent (a = 128) →
    // (1 − 128/255)·255 = 127.
    let rgba: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128]
    let image = try GrayImage.decode(
      makePNG(width: 4, height: 1, colorType: 6, samples: rgba), file: "x.png")
    #expect(image.pixels == [76, 150, 255, 127])
  }

  @Test func readsGrayAndGrayAlpha() throws {
    let gray = try GrayImage.decode(
      makePNG(width: 2, height: 1, colorType: 0, samples: [10, 200]), file: "x")
    #expect(gray.pixels == [10, 200])
    let grayAlpha = try GrayImage.decode(
      makePNG(width: 2, height: 1, colorType: 4, samples: [10, 255, 0, 0]), file: "x")
    #expect(grayAlpha.pixels == [10, 255])
  }

  @Test func damagedChunkFailsItsCRC() {
    var png = makePNG(width: 2, height: 1, colorType: 0, samples: [10, 200])
    png[20] ^= 1  // inside IHDR's data (chunk starts at byte 8; data at 16)
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(error?.description == "x.png: chunk IHDR at byte 8 fails its CRC-32")
  }

  @Test func truncatedFileIsReported() {
    let png = makePNG(width: 2, height: 1, colorType: 0, samples: [10, 200])
    let error = #expect(throws: DataError.self) {
      try GrayImage.decode(Array(png.dropLast(14)), file: "x.png")
    }
    #expect(error?.kind == .truncated)
  }

  @Test func sixteenBitIsUnsupported() {
    let png = makePNG(width: 1, height: 1, colorType: 0, samples: [0, 0], bitDepth: 16)
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(
      error?.description
        == "x.png: bit depth 16 with color type 0 is not supported (8-bit gray, gray+alpha, RGB or RGBA only)"
    )
  }

  @Test func sizesWhoseProductOverflowsAreRefusedNotTrapped() {
    // 4294967295 × 4294967295 does not fit in 64 bits: the product must be checked.
    let png = makePNG(width: .max, height: .max, colorType: 0, imageData: [])
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(
      error?.description
        == "x.png: the header gives a 4294967295×4294967295 image, more than the 64 megapixels this reader accepts"
    )
  }

  @Test func zeroWidthIsRefused() {
    let png = makePNG(width: 0, height: 5, colorType: 0, imageData: [])
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(error?.description == "x.png: the header gives a 0×5 image, which has no pixels")
  }

  @Test func imageDataBeyondWhatTheHeaderNeedsIsRefused() {
    // 2×2 gray needs 2 rows of a filter byte and 2 samples: 6 bytes; the data inflates to 4 KB.
    let png = makePNG(width: 2, height: 2, colorType: 0, imageData: zlibStreamOfZeros(groups: 1))
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(
      error?.description
        == "x.png: the zlib stream decompresses to more than 6 bytes, what a 2×2 image needs with its filter bytes"
    )
  }

  @Test func interlacedIsUnsupported() {
    let png = makePNG(width: 1, height: 1, colorType: 0, samples: [0], interlace: 1)
    let error = #expect(throws: DataError.self) { try GrayImage.decode(png, file: "x.png") }
    #expect(error?.description == "x.png: interlaced (Adam7) PNGs are not supported")
  }
}

@Suite struct MNISTCenteringTests {
  /// A 100×50 white page with a black bar 40 rows tall and 10 columns wide at rows 5–44,
  /// columns 30–39.
  static let bar: GrayImage = {
    var pixels = [UInt8](repeating: 255, count: 100 * 50)
    for y in 5..<45 { for x in 30..<40 { pixels[y * 100 + x] = 0 } }
    return GrayImage(width: 100, height: 50, pixels: pixels)
  }()

  /// Worked by hand: the 40×10 box scales to 20×5 (longer side 20), all ink 255. Its centre of
  /// mass is (9.5, 2) in box indices, so the shift is (13.5 − 9.5, 13.5 − 2) = (4, 11.5 → 12):
  /// rows 4–23, columns 12–16.
  static let expectedBar: [UInt8] = (0..<784).map { index in
    let (y, x) = (index / 28, index % 28)
    return (4...23).contains(y) && (12...16).contains(x) ? 255 : 0
  }

  @Test func darkInkOnLightPaperIsInvertedCroppedScaledAndCentred() throws {
    #expect(try Self.bar.mnistDigit(file: "bar.png") == Self.expectedBar)
  }

  @Test func lightInkOnDarkPaperIsNotInverted() throws {
    var negative = Self.bar
    negative.pixels = negative.pixels.map { 255 - $0 }
    #expect(try negative.mnistDigit(file: "bar.png") == Self.expectedBar)
  }

  @Test func downscalingAveragesTheCoveredArea() throws {
    // A 40×40 checkerboard of 1-pixel squares scales by 1/2: every output pixel covers two
    // black and two white source pixels, so it is 127.5 → 128.
    let pixels = (0..<1600).map { (index: Int) -> UInt8 in
      (index / 40 + index % 40) % 2 == 0 ? 0 : 255
    }
    var board = GrayImage(width: 42, height: 42, pixels: [UInt8](repeating: 0, count: 42 * 42))
    for y in 0..<40 { for x in 0..<40 { board.pixels[(y + 1) * 42 + x + 1] = pixels[y * 40 + x] } }
    let digit = try board.mnistDigit(file: "board.pgm")
    #expect(digit.filter { $0 == 128 }.count == 400)
    #expect(digit.filter { $0 == 0 }.count == 384)
  }

  @Test func blankImageIsAnError() {
    let blank = GrayImage(width: 10, height: 10, pixels: [UInt8](repeating: 250, count: 100))
    let error = #expect(throws: DataError.self) { try blank.mnistDigit(file: "blank.png") }
    #expect(
      error?.description
        == "blank.png: the image is blank (no ink darker or lighter than the paper)")
  }
}
