import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

@Suite struct MNISTLoadingTests {
  @Test(arguments: [true, false])
  func loadsGeneratedFilesGzippedOrPlain(gzip: Bool) throws {
    try withTemporaryDirectory { directory in
      let files = SyntheticMNIST.files(trainCount: 30, testCount: 20)
      let checksums = try SyntheticMNIST.write(files, to: directory, gzip: gzip)
      let mnist = try MNIST.load(from: directory, checksums: checksums)
      #expect(mnist.train.count == 30)
      #expect(mnist.test.count == 20)
      #expect(mnist.train.rows == 28 && mnist.train.columns == 28)
      let labels: [UInt8] = (0..<30).map { (index: Int) -> UInt8 in UInt8(index % 10) }
      #expect(mnist.train.labels == labels)
      #expect(mnist.train.classCounts == [Int](repeating: 3, count: 10))
      // The first train image's bytes sit right after its 16-byte header.
      let trainImages = try #require(files[.trainImages])
      let firstImage: [UInt8] = Array(mnist.train.pixels(of: 0))
      let bytesAfterHeader: [UInt8] = Array(trainImages[16..<800])
      #expect(firstImage == bytesAfterHeader)
    }
  }

  @Test func checksumMismatchNamesTheFileAndTheFix() throws {
    try withTemporaryDirectory { directory in
      var checksums = try SyntheticMNIST.write(SyntheticMNIST.files(), to: directory)
      checksums[.testLabels] = String(repeating: "0", count: 64)
      let error = #expect(throws: DataError.self) {
        try MNIST.load(from: directory, checksums: checksums)
      }
      let path = directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path
      let found = SHA256.hexadecimal(of: try #require(SyntheticMNIST.files()[.testLabels]))
      #expect(error?.kind == .checksumMismatch)
      #expect(
        error?.description
          == "\(path): SHA-256 of the decompressed content is \(found), expected \(String(repeating: "0", count: 64))"
      )
      #expect(
        error?.fix
          == "the file is damaged or not the standard MNIST; delete it and run 'lenet-tutor data download' to fetch MNIST"
      )
    }
  }

  @Test func generatedFilesFailTheRealChecksums() throws {
    try withTemporaryDirectory { directory in
      try SyntheticMNIST.write(SyntheticMNIST.files(), to: directory)
      let error = #expect(throws: DataError.self) { try MNIST.load(from: directory) }
      #expect(error?.kind == .checksumMismatch)
      #expect(error?.file.hasSuffix("train-images-idx3-ubyte.gz") == true)
    }
  }

  @Test func labelCountMismatchIsReported() throws {
    try withTemporaryDirectory { directory in
      var files = SyntheticMNIST.files(trainCount: 30)
      files[.trainLabels] = IDX.encode(labels: [UInt8](repeating: 1, count: 29))
      let checksums = try SyntheticMNIST.write(files, to: directory)
      let error = #expect(throws: DataError.self) {
        try MNIST.load(from: directory, checksums: checksums)
      }
      #expect(error?.kind == .mismatch)
      #expect(
        error?.description
          == "\(directory.appendingPathComponent("train-labels-idx1-ubyte.gz").path): 29 labels for the 30 images of train-images-idx3-ubyte"
      )
    }
  }

  @Test func imagesThatAreNot28By28AreRejected() throws {
    try withTemporaryDirectory { directory in
      var files = SyntheticMNIST.files()
      files[.testImages] = IDX.encode(
        IDX.Images(
          count: 50, rows: 32, columns: 32, pixels: [UInt8](repeating: 0, count: 50 * 1024)))
      let checksums = try SyntheticMNIST.write(files, to: directory)
      let error = #expect(throws: DataError.self) {
        try MNIST.load(from: directory, checksums: checksums)
      }
      #expect(error?.message == "images are 32×32 pixels, MNIST's are 28×28")
    }
  }

  @Test func missingFileIsReportedWithTheDownloadAdvice() throws {
    try withTemporaryDirectory { directory in
      let error = #expect(throws: DataError.self) {
        try MNIST.load(from: directory, checksums: [:])
      }
      #expect(error?.kind == .missing)
      #expect(
        error?.description
          == "\(directory.appendingPathComponent("train-images-idx3-ubyte.gz").path): no such file (nor train-images-idx3-ubyte uncompressed)"
      )
      #expect(error?.fix == "run 'lenet-tutor data download' to fetch MNIST")
    }
  }
}

@Suite struct MNISTLocatorTests {
  func completeFolder(in root: URL, _ name: String) throws -> URL {
    let folder = root.appendingPathComponent(name)
    try SyntheticMNIST.write(SyntheticMNIST.files(trainCount: 10, testCount: 10), to: folder)
    return folder
  }

  @Test func dataOptionComesFirst() throws {
    try withTemporaryDirectory { root in
      let option = try completeFolder(in: root, "option")
      let variable = try completeFolder(in: root, "variable")
      let found = try MNIST.locate(
        dataOption: option.path, environment: ["LENET_TUTOR_DATA": variable.path])
      #expect(found.path == option.path)
    }
  }

  @Test func environmentVariableComesBeforeTheCache() throws {
    try withTemporaryDirectory { root in
      let variable = try completeFolder(in: root, "variable")
      _ = try completeFolder(in: root, "lenet-tutor/mnist")
      let found = try MNIST.locate(
        dataOption: nil,
        environment: ["LENET_TUTOR_DATA": variable.path, "XDG_CACHE_HOME": root.path])
      #expect(found.path == variable.path)
    }
  }

  @Test func cacheFolderFollowsXDGThenHome() {
    #expect(
      MNIST.cacheDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]).path
        == "/x/cache/lenet-tutor/mnist")
    // The XDG spec says relative paths are invalid and must be ignored.
    #expect(
      MNIST.cacheDirectory(environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/u"]).path
        == "/home/u/.cache/lenet-tutor/mnist")
  }

  @Test func cacheIsUsedWhenNothingElseIsGiven() throws {
    try withTemporaryDirectory { root in
      let cache = try completeFolder(in: root, "lenet-tutor/mnist")
      let found = try MNIST.locate(dataOption: nil, environment: ["XDG_CACHE_HOME": root.path])
      #expect(found.path == cache.path)
    }
  }

  @Test func incompleteDataOptionNamesTheMissingFiles() throws {
    try withTemporaryDirectory { root in
      let folder = try completeFolder(in: root, "partial")
      try FileManager.default.removeItem(
        at: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
      let error = #expect(throws: DataError.self) {
        try MNIST.locate(dataOption: folder.path, environment: [:])
      }
      #expect(
        error?.description
          == "\(folder.path): the MNIST folder given by --data lacks t10k-labels-idx1-ubyte.gz")
      #expect(error?.fix == "run 'lenet-tutor data download --dir \(folder.path)' to fetch MNIST")
    }
  }

  @Test func aVariableNamingNoFolderSaysSoInsteadOfAskingToSetIt() throws {
    // Issue 9: LENET_TUTOR_DATA=/nonexistent used to say "set LENET_TUTOR_DATA", which is set.
    try withTemporaryDirectory { root in
      let missing = root.appendingPathComponent("nonexistent").path
      let error = #expect(throws: DataError.self) {
        try MNIST.locate(dataOption: nil, environment: ["LENET_TUTOR_DATA": missing])
      }
      #expect(error?.message == "LENET_TUTOR_DATA=\(missing): there is no such folder")
      #expect(
        error?.fix
          == "point it at the folder with MNIST's four .gz files, or unset it to use the download cache ('lenet-tutor data download' fills it)"
      )
    }
  }

  @Test func nothingFoundSaysHowToGetTheData() throws {
    try withTemporaryDirectory { root in
      let error = #expect(throws: DataError.self) {
        try MNIST.locate(dataOption: nil, environment: ["XDG_CACHE_HOME": root.path])
      }
      #expect(
        error?.message
          == "MNIST not found: no --data, no LENET_TUTOR_DATA, nothing in \(root.path)/lenet-tutor/mnist"
      )
      #expect(
        error?.fix
          == "run 'lenet-tutor data download' to fetch MNIST, or pass --data DIR or set LENET_TUTOR_DATA to a folder with the four files"
      )
    }
  }
}

/// Needs the real MNIST in `$LENET_TUTOR_DATA` or `../shared/mnist`; shown as skipped otherwise.
@Suite(.enabled(if: realMNISTDirectory != nil, realMNISTSkipReason))
struct RealMNISTTests {
  @Test func loadsSixtyThousandAndTenThousandWithTheIssueChecksums() throws {
    let directory = try #require(realMNISTDirectory)
    let mnist = try MNIST.load(from: directory)
    #expect(mnist.train.count == 60_000)
    #expect(mnist.test.count == 10_000)
    #expect(mnist.train.images.count == 60_000 * 784)
    // The test set's class counts as torchvision and Keras report them (980 zeros … 1,009 nines).
    #expect(mnist.test.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
  }
}

@Suite struct ChecksumFileTests {
  static let a = String(repeating: "a", count: 64)

  @Test func readsSha256sumOutputWithOrWithoutGz() throws {
    let text = """
      \(Self.a)  train-images-idx3-ubyte.gz
      \(Self.a.uppercased())  train-labels-idx1-ubyte
      \(Self.a) *t10k-images-idx3-ubyte
      \(Self.a)  t10k-labels-idx1-ubyte.gz

      """
    let checksums = try MNIST.checksums(fromSHA256SUMS: text, file: "sums")
    #expect(checksums.count == 4)
    #expect(checksums.values.allSatisfy { $0 == Self.a })
  }

  @Test func badLineIsReportedWithItsNumber() {
    let error = #expect(throws: DataError.self) {
      try MNIST.checksums(
        fromSHA256SUMS: "\(Self.a)  train-images-idx3-ubyte\nabc  x\n", file: "sums")
    }
    #expect(
      error?.description == "sums:2: expected '<64 hex digits>  <MNIST file name>', got 'abc  x'")
  }

  @Test func missingFilesAreNamed() {
    let error = #expect(throws: DataError.self) {
      try MNIST.checksums(fromSHA256SUMS: "\(Self.a)  train-images-idx3-ubyte\n", file: "sums")
    }
    #expect(
      error?.description
        == "sums: no checksum for train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"
    )
  }
}

/// `MNIST.Split.sample(count:seed:)`: a seeded subset that keeps each image with its label.
@Suite struct SplitSampleTests {
  /// Ten 2×2 images whose every pixel is 10 × the label, so pixels and labels must travel together.
  let split = MNIST.Split(
    name: "train",
    images: IDX.Images(
      count: 10, rows: 2, columns: 2,
      pixels: (0..<10).flatMap { [UInt8](repeating: UInt8(10 * $0), count: 4) }),
    labels: (0..<10).map { UInt8($0) })

  @Test func sampleKeepsEachImageWithItsLabel() {
    let sample = split.sample(count: 4, seed: 7)
    #expect(sample.count == 4)
    #expect(Set(sample.labels).count == 4, "no image drawn twice")
    for index in 0..<sample.count {
      #expect(
        Array(sample.pixels(of: index)) == [UInt8](repeating: 10 * sample.labels[index], count: 4))
    }
  }

  @Test func sameSeedSameSampleOtherSeedOtherSample() {
    #expect(split.sample(count: 5, seed: 1).labels == split.sample(count: 5, seed: 1).labels)
    #expect(split.sample(count: 5, seed: 1).labels != split.sample(count: 5, seed: 2).labels)
  }

  @Test func sampleOfEveryImageIsAPermutation() {
    let everyLabel: [UInt8] = Array(0..<10)
    #expect(split.sample(count: 10, seed: 3).labels.sorted() == everyLabel)
  }

  @Test func aRangeOfImagesKeepsTheirOrderAndLabelsUnderItsNewName() {
    let heldOut = split.images(7..<10, name: "validation")
    #expect(heldOut.name == "validation")
    #expect(heldOut.labels == [7, 8, 9])
    #expect(Array(heldOut.pixels(of: 2)) == [90, 90, 90, 90])
  }
}
