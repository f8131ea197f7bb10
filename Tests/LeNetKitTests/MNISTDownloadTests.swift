import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// The download path against a server on 127.0.0.1 that this test starts: no internet needed.
@Suite struct MNISTDownloadTests {
  let files = SyntheticMNIST.files(trainCount: 20, testCount: 10)

  var checksums: [MNIST.File: String] { files.mapValues { SHA256.hexadecimal(of: $0) } }

  /// Every file gzipped, under `/mnist/NAME.gz`.
  var routes: [String: LocalHTTPServer.Response] {
    Dictionary(
      uniqueKeysWithValues: files.map {
        ("/mnist/\($0.key.gzipName)", .ok(Zlib.compress($0.value, format: .gzip)))
      })
  }

  func mirror(_ server: LocalHTTPServer) -> URL { server.baseURL.appendingPathComponent("mnist/") }

  @Test func downloadsVerifiesAndStoresTheFourFiles() throws {
    let server = try LocalHTTPServer(routes: routes)
    defer { server.stop() }
    try withTemporaryDirectory { root in
      let directory = root.appendingPathComponent("cache/mnist")
      var stored: [MNIST.File] = []
      try MNISTDownload(mirrors: [mirror(server)], checksums: checksums).run(into: directory) {
        if case .stored(let file, _, _) = $0 { stored.append(file) }
      }
      #expect(stored == MNIST.File.allCases)
      #expect(fileNames(in: directory) == MNIST.File.allCases.map(\.gzipName).sorted())
      let mnist = try MNIST.load(from: directory, checksums: checksums)
      #expect(mnist.train.count == 20 && mnist.test.count == 10)
    }
  }

  @Test func filesAlreadyPresentAreNotFetchedAgain() throws {
    let server = try LocalHTTPServer(routes: routes)
    defer { server.stop() }
    try withTemporaryDirectory { directory in
      let download = MNISTDownload(mirrors: [mirror(server)], checksums: checksums)
      try download.run(into: directory)
      #expect(server.requests.count == 4)
      var present = 0
      try download.run(into: directory) { if case .alreadyPresent = $0 { present += 1 } }
      #expect(present == 4)
      #expect(server.requests.count == 4)
    }
  }

  @Test func deadMirrorIsSkippedForTheNextOne() throws {
    let server = try LocalHTTPServer(routes: routes)
    defer { server.stop() }
    let dead = try LocalHTTPServer.deadURL()
    try withTemporaryDirectory { directory in
      var failedMirrors: [URL] = []
      try MNISTDownload(mirrors: [dead, mirror(server)], checksums: checksums).run(into: directory)
      {
        if case .mirrorFailed(_, let mirror, let error) = $0 {
          failedMirrors.append(mirror)
          #expect(error.kind == .network)
        }
      }
      #expect(failedMirrors == [URL](repeating: dead, count: 4))
      #expect(try MNIST.load(from: directory, checksums: checksums).train.count == 20)
    }
  }

  @Test func checksumMismatchRejectsTheFileAndLeavesNothing() throws {
    var badRoutes = routes
    var damaged = try #require(files[.trainLabels])
    damaged[damaged.count - 1] = (damaged[damaged.count - 1] + 1) % 10  // still a valid label
    badRoutes["/mnist/train-labels-idx1-ubyte.gz"] = .ok(Zlib.compress(damaged, format: .gzip))
    let server = try LocalHTTPServer(routes: badRoutes)
    defer { server.stop() }
    try withTemporaryDirectory { directory in
      let error = #expect(throws: DataError.self) {
        try MNISTDownload(mirrors: [mirror(server)], checksums: checksums).run(into: directory)
      }
      #expect(error?.kind == .network)
      #expect(
        error?.description
          == "train-labels-idx1-ubyte.gz: could not be fetched from any mirror (\(mirror(server).absoluteString): SHA-256 of the decompressed content is \(SHA256.hexadecimal(of: damaged)), expected \(checksums[.trainLabels] ?? ""))"
      )
      // The train images came first and verified; the rejected labels left no file, no temp.
      #expect(fileNames(in: directory) == ["train-images-idx3-ubyte.gz"])
    }
  }

  @Test func truncatedBodyIsRejectedAndLeavesNothing() throws {
    var badRoutes = routes
    let body = Zlib.compress(try #require(files[.trainImages]), format: .gzip)
    badRoutes["/mnist/train-images-idx3-ubyte.gz"] = .truncated(body, sentBytes: body.count / 2)
    let server = try LocalHTTPServer(routes: badRoutes)
    defer { server.stop() }
    try withTemporaryDirectory { directory in
      var failure: DataError?
      let error = #expect(throws: DataError.self) {
        try MNISTDownload(mirrors: [mirror(server)], checksums: checksums).run(into: directory) {
          if case .mirrorFailed(_, _, let error) = $0 { failure = error }
        }
      }
      #expect(error?.file == "train-images-idx3-ubyte.gz")
      // libcurl (under URLSession) reports the short body itself; nothing is stored.
      #expect(failure?.kind == .network)
      #expect(
        failure?.message
          == "transfer closed with \(body.count - body.count / 2) bytes remaining to read")
      #expect(fileNames(in: directory) == [])
    }
  }

  @Test func missingFileOnTheMirrorIsReportedWithItsStatus() throws {
    var badRoutes = routes
    badRoutes["/mnist/t10k-images-idx3-ubyte.gz"] = nil
    let server = try LocalHTTPServer(routes: badRoutes)
    defer { server.stop() }
    try withTemporaryDirectory { directory in
      let error = #expect(throws: DataError.self) {
        try MNISTDownload(mirrors: [mirror(server)], checksums: checksums).run(into: directory)
      }
      #expect(
        error?.message
          == "could not be fetched from any mirror (\(mirror(server).absoluteString): the server answered HTTP 404)"
      )
      #expect(
        error?.fix
          == "check the internet connection, try --mirror URL, or put the four .gz files into \(directory.path) by hand"
      )
    }
  }
}
