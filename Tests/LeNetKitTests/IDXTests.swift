import LeNetKit
import Testing

/// IDX files built byte by byte from the format's description (yann.lecun.com/exdb/mnist).
@Suite struct IDXTests {
  /// Two 2×3 images: magic 0x00000803, sizes 2, 2, 3, then 12 pixel bytes.
  static let twoImages: [UInt8] =
    [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + Array(1...12)
  /// Three labels: magic 0x00000801, size 3, then 7, 0, 9.
  static let threeLabels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]

  @Test func readsImagesHeaderAndPixels() throws {
    let images = try IDX.images(from: Self.twoImages, file: "images")
    #expect(images.count == 2)
    #expect(images.rows == 2)
    #expect(images.columns == 3)
    #expect(images.pixels == Array(1...12))
  }

  @Test func readsLabels() throws {
    #expect(try IDX.labels(from: Self.threeLabels, file: "labels") == [7, 0, 9])
  }

  @Test func encodeWritesTheSameBytes() throws {
    let images = try IDX.images(from: Self.twoImages, file: "images")
    #expect(IDX.encode(images) == Self.twoImages)
    #expect(IDX.encode(labels: [7, 0, 9]) == Self.threeLabels)
  }

  @Test func labelFileGivenAsImagesIsWrongMagic() {
    let error = #expect(throws: DataError.self) {
      try IDX.images(from: Self.threeLabels, file: "train-images-idx3-ubyte")
    }
    #expect(error?.kind == .wrongMagic)
    #expect(
      error?.description
        == "train-images-idx3-ubyte: magic number 0x00000801 (a label file), expected 0x00000803 for an IDX image file"
    )
    #expect(error?.fix == "check that the file is the MNIST image file it is named after")
  }

  @Test func randomBytesAreWrongMagic() {
    let error = #expect(throws: DataError.self) {
      try IDX.labels(from: Array("<html>".utf8), file: "labels")
    }
    #expect(
      error?.description
        == "labels: magic number 0x3c68746d, expected 0x00000801 for an IDX label file")
  }

  @Test func fileShorterThanTheMagicIsTruncated() {
    let error = #expect(throws: DataError.self) { try IDX.labels(from: [0, 0], file: "labels") }
    #expect(error?.kind == .truncated)
    #expect(error?.description == "labels: the file has 2 bytes, too few for an IDX header")
  }

  @Test func cutHeaderIsTruncated() {
    let error = #expect(throws: DataError.self) {
      try IDX.images(from: Array(Self.twoImages.prefix(10)), file: "images")
    }
    #expect(error?.kind == .truncated)
    #expect(
      error?.description == "images: the file has 10 bytes, too few for its 16-byte IDX header")
  }

  @Test func missingPixelsAreTruncated() {
    let error = #expect(throws: DataError.self) {
      try IDX.images(from: Array(Self.twoImages.dropLast()), file: "images")
    }
    #expect(error?.kind == .truncated)
    #expect(
      error?.description
        == "images: the header announces 2×2×3 = 12 bytes of data, the file has only 11")
    #expect(error?.fix == "the file is truncated; download it again")
  }

  @Test func extraBytesAreReported() {
    let error = #expect(throws: DataError.self) {
      try IDX.labels(from: Self.threeLabels + [4, 4], file: "labels")
    }
    #expect(error?.kind == .extraBytes)
    #expect(
      error?.description == "labels: the header announces 3 = 3 bytes of data, the file has 2 more"
    )
  }

  @Test func labelAboveNineIsReportedWithItsIndex() {
    var labels = Self.threeLabels
    labels[9] = 12
    let error = #expect(throws: DataError.self) { try IDX.labels(from: labels, file: "labels") }
    #expect(error?.kind == .invalidContent)
    #expect(error?.description == "labels: label 12 at index 1 is not a digit 0–9")
  }

  @Test func headerAnnouncingMoreThanTheLimitIsRefusedWithTheLimit() {
    // 4294967295 images of 4096×4096: 2^56 bytes; the reader names its 256 MiB limit instead of
    // reporting a truncated file.
    let header: [UInt8] = [0, 0, 8, 3, 255, 255, 255, 255, 0, 0, 16, 0, 0, 0, 16, 0]
    let error = #expect(throws: DataError.self) { try IDX.images(from: header, file: "images") }
    #expect(error?.kind == .invalidContent)
    #expect(
      error?.description
        == "images: the header announces 4294967295×4096×4096 bytes of data, more than the 256 MiB an IDX file may hold here"
    )
    #expect(error?.fix == "the file is damaged or is not an MNIST file; download it again")
  }

  @Test func zeroSizedImagesAreRejected() {
    var images = Self.twoImages
    images[11] = 0  // rows = 0
    let error = #expect(throws: DataError.self) { try IDX.images(from: images, file: "images") }
    #expect(error?.description == "images: images of 0×3 pixels are not plausible")
  }
}
