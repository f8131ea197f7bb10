import Foundation

/// The MNIST database of handwritten digits (LeCun, Cortes, Burges), read from its standard
/// distribution: four IDX files, gzipped or plain, checked against their SHA-256.
///
/// ```swift
/// let directory = try MNIST.locate(dataOption: nil, environment: environment)
/// let mnist = try MNIST.load(from: directory)          // 60,000 train, 10,000 test
/// let (input, labels) = mnist.train.batch(0..<128, preprocessing: Preprocessing(for: model))
/// ```
/// Images stay bytes (47 MB for the training set); `Split.batch` converts a mini-batch at a time
/// to the model's input, so training needs no 188 MB `Float` copy of the set.
public struct MNIST: Sendable {
  /// The training set: 60,000 digits from 250 writers.
  public let train: Split
  /// The test set: 10,000 digits from other writers.
  public let test: Split
  /// Where the files were read from.
  public let directory: URL

  /// Creates a data set from two splits (tests build small ones this way).
  public init(train: Split, test: Split, directory: URL) {
    self.train = train
    self.test = test
    self.directory = directory
  }

  /// One part of the data set: images as bytes and their labels.
  public struct Split: Sendable {
    /// `train` or `test`.
    public let name: String
    /// The number of images.
    public let count: Int
    /// Pixels per column (28).
    public let rows: Int
    /// Pixels per row (28).
    public let columns: Int
    /// All pixels, 0 (background) to 255 (ink), image after image, each row-major.
    public let images: [UInt8]
    /// The digit shown by each image, 0–9.
    public let labels: [UInt8]

    /// Creates a split, checking that there is one label per image.
    public init(name: String, images: IDX.Images, labels: [UInt8]) {
      precondition(images.count == labels.count, "\(name): one label per image")
      self.name = name
      count = images.count
      rows = images.rows
      columns = images.columns
      self.images = images.pixels
      self.labels = labels
    }

    /// The pixels of image `index`.
    public func pixels(of index: Int) -> ArraySlice<UInt8> {
      let size = rows * columns
      return images[index * size..<(index + 1) * size]
    }

    /// `count` images chosen at random by a generator seeded with `seed`, as a split of their
    /// own: a small, reproducible training set for lessons and quick experiments.
    public func sample(count: Int, seed: UInt64) -> Split {
      precondition(
        (0...self.count).contains(count), "\(name) has \(self.count) images, not \(count)")
      var generator = SplitMix64(seed: seed)
      var order = Array(0..<self.count)
      generator.shuffle(&order)
      return subset(order.prefix(count), name: name)
    }

    /// Images `range`, in order, as a split named `name`: for example the last 10,000 training
    /// images held out to choose settings without looking at the test set.
    public func images(_ range: Range<Int>, name: String) -> Split {
      precondition(
        range.lowerBound >= 0 && range.upperBound <= count,
        "\(self.name) has \(count) images, not \(range)")
      return subset(range, name: name)
    }

    func subset(_ chosen: some Collection<Int>, name: String) -> Split {
      var pixels: [UInt8] = []
      pixels.reserveCapacity(chosen.count * rows * columns)
      for index in chosen { pixels += self.pixels(of: index) }
      return Split(
        name: name,
        images: IDX.Images(count: chosen.count, rows: rows, columns: columns, pixels: pixels),
        labels: chosen.map { labels[$0] })
    }

    /// How many images show each digit 0–9.
    public var classCounts: [Int] {
      var counts = [Int](repeating: 0, count: 10)
      for label in labels { counts[Int(label)] += 1 }
      return counts
    }

    /// The images at `indices`, converted for a model, and their labels: one mini-batch.
    public func batch(_ indices: some Collection<Int>, preprocessing: Preprocessing) -> (
      input: Tensor, labels: [Int]
    ) {
      let input = preprocessing.tensor(
        images: images, rows: rows, columns: columns, indices: indices)
      return (input, indices.map { Int(labels[$0]) })
    }
  }

  // MARK: Files

  /// The four files of the standard distribution, named as on every mirror (without `.gz`).
  public enum File: String, Sendable, CaseIterable {
    case trainImages = "train-images-idx3-ubyte"
    case trainLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The compressed file's name, as mirrors serve it.
    public var gzipName: String { rawValue + ".gz" }

    /// The SHA-256 of the decompressed content of the standard distribution (issue 4; the same
    /// values as the `SHA256SUMS` file the MNIST mirrors publish), so a mirror that recompresses
    /// still verifies.
    public var sha256: String {
      switch self {
      case .trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
      case .trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
      case .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
      case .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
      }
    }
  }

  /// The checksums of the real MNIST, file by file.
  public static let standardChecksums: [File: String] = Dictionary(
    uniqueKeysWithValues: File.allCases.map { ($0, $0.sha256) })

  /// What to run when the data is missing or damaged.
  public static let downloadAdvice = "run 'lenet-tutor data download' to fetch MNIST"

  // MARK: Loading

  /// Reads and checks the four files in `directory`: each file's SHA-256 (of its decompressed
  /// content) against `checksums`, its IDX structure, 28×28 images and one label per image.
  public static func load(from directory: URL, checksums: [File: String] = standardChecksums)
    throws(DataError) -> MNIST
  {
    func images(_ file: File) throws(DataError) -> IDX.Images {
      let (bytes, name) = try content(of: file, in: directory, checksums: checksums)
      let images = try IDX.images(from: bytes, file: name)
      guard images.rows == 28, images.columns == 28 else {
        throw DataError(
          .invalidContent, file: name,
          "images are \(images.rows)×\(images.columns) pixels, MNIST's are 28×28")
      }
      return images
    }
    func labels(_ file: File, matching images: IDX.Images, of imageFile: File) throws(DataError)
      -> [UInt8]
    {
      let (bytes, name) = try content(of: file, in: directory, checksums: checksums)
      let labels = try IDX.labels(from: bytes, file: name)
      guard labels.count == images.count else {
        throw DataError(
          .mismatch, file: name,
          "\(labels.count) labels for the \(images.count) images of \(imageFile.rawValue)",
          fix: "the two files belong to different sets; \(downloadAdvice)")
      }
      return labels
    }
    let trainImages = try images(.trainImages)
    let trainLabels = try labels(.trainLabels, matching: trainImages, of: .trainImages)
    let testImages = try images(.testImages)
    let testLabels = try labels(.testLabels, matching: testImages, of: .testImages)
    return MNIST(
      train: Split(name: "train", images: trainImages, labels: trainLabels),
      test: Split(name: "test", images: testImages, labels: testLabels),
      directory: directory)
  }

  /// The decompressed content of `file` in `directory` (`name.gz` preferred, else `name`) and
  /// the name it was read from, after checking its SHA-256 against `checksums[file]`.
  public static func content(
    of file: File, in directory: URL, checksums: [File: String] = standardChecksums
  ) throws(DataError) -> (bytes: [UInt8], fileName: String) {
    guard let name = existingName(of: file, in: directory) else {
      throw DataError(
        .missing, file: directory.appendingPathComponent(file.gzipName).path,
        "no such file (nor \(file.rawValue) uncompressed)", fix: downloadAdvice)
    }
    let url = directory.appendingPathComponent(name)
    let bytes = try IDX.content(
      ofFile: readFile(url, maximumSize: IDX.maximumSize), file: url.path)
    if let expected = checksums[file] {
      let found = SHA256.hexadecimal(of: bytes)
      guard found == expected.lowercased() else {
        throw DataError(
          .checksumMismatch, file: url.path,
          "SHA-256 of the decompressed content is \(found), expected \(expected)",
          fix: "the file is damaged or not the standard MNIST; delete it and \(downloadAdvice)")
      }
    }
    return (bytes, url.path)
  }

  /// Whether `directory` holds all four files (gzipped or not).
  public static func isComplete(_ directory: URL) -> Bool {
    File.allCases.allSatisfy { existingName(of: $0, in: directory) != nil }
  }

  private static func existingName(of file: File, in directory: URL) -> String? {
    [file.gzipName, file.rawValue].first {
      FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
    }
  }

  // MARK: Finding the data

  /// The environment variable that points at a data directory.
  public static let environmentVariable = "LENET_TUTOR_DATA"

  /// The default download folder: `$XDG_CACHE_HOME/lenet-tutor/mnist`, else
  /// `~/.cache/lenet-tutor/mnist` (the XDG Base Directory convention).
  public static func cacheDirectory(environment: [String: String]) -> URL {
    let cache: URL
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      cache = URL(fileURLWithPath: xdg, isDirectory: true)
    } else {
      let home = environment["HOME"] ?? NSHomeDirectory()
      cache = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache")
    }
    return cache.appendingPathComponent("lenet-tutor").appendingPathComponent("mnist")
  }

  /// Where to read MNIST from: `dataOption` (`--data DIR`) when given, else `$LENET_TUTOR_DATA`
  /// when set, else the download cache (`cacheDirectory`) when it holds the files. Nothing else
  /// is searched. The first one given must exist and hold all four files; when none does, the
  /// error says how to get them, naming `--data` only when the caller `offersDataOption` (the
  /// lesson commands have none). Every command, chapter and test finds MNIST through this.
  public static func locate(
    dataOption: String?, environment: [String: String], offersDataOption: Bool = true
  ) throws(DataError) -> URL {
    let candidates: [(String, String?)] = [
      ("--data", dataOption), (environmentVariable, environment[environmentVariable]),
    ]
    for (source, path) in candidates {
      guard let path, !path.isEmpty else { continue }
      let directory = URL(fileURLWithPath: path, isDirectory: true)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder),
        isFolder.boolValue
      else {
        let what = source == "--data" ? "--data \(path)" : "\(source)=\(path)"
        throw DataError(
          .missing, file: "",
          "\(what): there is no such folder",
          fix: "point it at the folder with MNIST's four .gz files, or "
            + (source == "--data" ? "leave it out" : "unset it")
            + " to use the download cache ('lenet-tutor data download' fills it)")
      }
      guard isComplete(directory) else {
        let missing = File.allCases.filter { existingName(of: $0, in: directory) == nil }
        throw DataError(
          .missing, file: path,
          "the MNIST folder given by \(source) lacks "
            + missing.map(\.gzipName).joined(separator: ", "),
          fix: "run 'lenet-tutor data download --dir \(path)' to fetch MNIST")
      }
      return directory
    }
    let cache = cacheDirectory(environment: environment)
    guard isComplete(cache) else {
      throw DataError(
        .missing, file: "",
        "MNIST not found: " + (offersDataOption ? "no --data, " : "")
          + "no \(environmentVariable), nothing in \(cache.path)",
        fix: "\(downloadAdvice), or " + (offersDataOption ? "pass --data DIR or " : "")
          + "set \(environmentVariable) to a folder with the four files")
    }
    return cache
  }
}

/// The bytes of a file, or an error naming it; a file larger than `maximumSize` bytes is refused
/// before it is read, so a wrong path (a disk image, a video) cannot fill the memory.
func readFile(_ url: URL, maximumSize: Int = .max) throws(DataError) -> [UInt8] {
  let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
  guard size <= maximumSize else {
    throw DataError(
      .invalidContent, file: url.path,
      "the file has \(size) bytes, more than the \(maximumSize >> 20) MiB this reader accepts",
      fix: "check that this is the file you meant")
  }
  do {
    return [UInt8](try Data(contentsOf: url))
  } catch {
    throw DataError(.missing, file: url.path, "cannot be read: \(FileProblem.describe(error))")
  }
}

extension MNIST {
  /// The environment variable naming a `sha256sum`-style file of other expected checksums, for
  /// data sets in MNIST's layout (Fashion-MNIST uses the same file names) and for tests.
  public static let checksumsVariable = "LENET_TUTOR_CHECKSUMS"

  /// Reads expected checksums from `sha256sum` output (`<64 hex digits>  <file name>` per line,
  /// names with or without `.gz`), which must cover all four files; `file` names it in errors.
  public static func checksums(fromSHA256SUMS text: String, file: String) throws(DataError)
    -> [File: String]
  {
    var checksums: [File: String] = [:]
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      guard !words.isEmpty else { continue }
      let name = words.count == 2 ? words[1].trimmingPrefix("*") : ""
      guard words.count == 2, words[0].count == 64, words[0].allSatisfy(\.isHexDigit),
        let matched = File.allCases.first(where: { name == $0.rawValue || name == $0.gzipName })
      else {
        throw DataError(
          .invalidContent, file: "\(file):\(number + 1)",
          "expected '<64 hex digits>  <MNIST file name>', got '\(line)'")
      }
      checksums[matched] = String(words[0]).lowercased()
    }
    let missing = File.allCases.filter { checksums[$0] == nil }
    guard missing.isEmpty else {
      throw DataError(
        .invalidContent, file: file,
        "no checksum for " + missing.map(\.rawValue).joined(separator: ", "))
    }
    return checksums
  }
}
