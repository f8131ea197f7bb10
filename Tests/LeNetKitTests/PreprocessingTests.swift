import LeNetKit
import Testing

@Suite struct PreprocessingTests {
  /// A 28×28 image, background 0, with pixel (0, 0) = 255 and pixel (27, 27) = 51.
  static let corners: [UInt8] = {
    var pixels = [UInt8](repeating: 0, count: 784)
    pixels[0] = 255
    pixels[783] = 51
    return pixels
  }()

  @Test func kerasScalesToZeroOne() {
    // 51 / 255 = 0.2 exactly in decimal; Float rounding allows 1 ulp.
    let input = Preprocessing.keras.tensor(pixels: Self.corners)
    #expect(input.shape == [1, 1, 28, 28])
    #expect(input[0, 0, 0, 0] == 1)
    #expect(abs(input[0, 0, 27, 27] - 0.2) < 1e-7)
    #expect(input[0, 0, 0, 1] == 0)
  }

  @Test func lecun1998PadsBy2WithBackgroundMinusPointOne() {
    // LeCun et al. 1998, section III.A: background −0.1, foreground 1.175; padded to 32×32.
    let input = Preprocessing.lecun1998.tensor(pixels: Self.corners)
    #expect(input.shape == [1, 1, 32, 32])
    #expect(abs(input[0, 0, 0, 0] - -0.1) < 1e-7)  // padding
    #expect(abs(input[0, 0, 31, 31] - -0.1) < 1e-7)  // padding
    #expect(abs(input[0, 0, 2, 2] - 1.175) < 1e-6)  // pixel (0, 0) = 255
    #expect(abs(input[0, 0, 2, 3] - -0.1) < 1e-7)  // pixel (0, 1) = 0
    // −0.1 + 1.275 · 51/255 = −0.1 + 0.255 = 0.155
    #expect(abs(input[0, 0, 29, 29] - 0.155) < 1e-6)
  }

  @Test func batchTakesTheGivenIndicesInOrder() {
    let images = IDX.Images(
      count: 3, rows: 28, columns: 28,
      pixels: [UInt8](repeating: 0, count: 784) + [UInt8](repeating: 255, count: 784)
        + [UInt8](repeating: 51, count: 784))
    let split = MNIST.Split(name: "train", images: images, labels: [4, 5, 6])
    let (input, labels) = split.batch([2, 0], preprocessing: .keras)
    #expect(input.shape == [2, 1, 28, 28])
    #expect(labels == [6, 4])
    #expect(abs(input[0, 0, 14, 14] - 0.2) < 1e-7)
    #expect(input[1, 0, 14, 14] == 0)
  }

  @Test func modelsChooseTheirPreprocessingByName() {
    #expect(Model.keras().preprocessing == .keras)
    #expect(Model.lecun1998().preprocessing == .lecun1998)
    #expect(Preprocessing.lecun1998.sampleShape() == Model.lecun1998().inputShape)
    #expect(Preprocessing.keras.sampleShape() == Model.keras().inputShape)
  }
}

@Suite struct DigitPictureTests {
  @Test func drawsOneCellPerPixelAcrossAndTwoDown() {
    // 4×2 pixels; cells average the two rows: (255+255)/2 → █, (0+100)/2 = 50 → ░, 0 → space,
    // (200+0)/2 = 100 → ▒.
    let pixels: [UInt8] = [255, 0, 0, 200, 255, 100, 0, 0]
    #expect(DigitPicture.lines(pixels, rows: 2, columns: 4) == ["█░ ▒"])
  }

  @Test func oddRowCountKeepsTheLastRow() {
    // The last cell pairs pixel 255 with a blank row: (255 + 0) / 2 = 127, in ▒'s range 88–143.
    #expect(DigitPicture.lines([255, 255, 255], rows: 3, columns: 1) == ["█", "▒"])
  }

  @Test func sideBySidePadsAndCaptions() {
    let lines = DigitPicture.sideBySide([["█ ", "██"], ["░"]], captions: ["7", "label 1"])
    #expect(lines == ["█        ░", "██", "7        label 1"])
  }

  @Test func sideBySideContinuesInBandsThatFitTheWidth() {
    // Each picture is 2 wide plus 2 between: 6 columns hold two, so the third starts a band.
    let lines = DigitPicture.sideBySide(
      [["ab"], ["cd"], ["ef"]], captions: ["1", "2", "3"], maximumWidth: 6)
    #expect(lines == ["ab  cd", "1   2", "", "ef", "3"])
  }
}
