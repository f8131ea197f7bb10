import Foundation
import Testing

/// The result of running one of the built example programs.
struct ExampleRun {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs the example executable `name` (built by `swift build` / `swift test` beside the test
/// bundle) with `arguments`, in `directory`, with `environment` added to this process's, and
/// waits for it.
func runExample(
  _ name: String, _ arguments: [String] = [], in directory: URL? = nil,
  environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
) throws -> ExampleRun {
  let executable = productsDirectory.appendingPathComponent(name)
  try #require(
    FileManager.default.isExecutableFile(atPath: executable.path),
    "\(executable.path) is not built; run `swift build` first", sourceLocation: sourceLocation)
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = directory }
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let outputPipe = Pipe()
  let errorPipe = Pipe()
  process.standardOutput = outputPipe
  process.standardError = errorPipe
  try process.run()
  // Read before waiting, so a chatty example cannot fill the pipe and block.
  let output = outputPipe.fileHandleForReading.readDataToEndOfFile()
  let errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ExampleRun(
    status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
    errors: String(decoding: errors, as: UTF8.self))
}

/// Where SwiftPM puts the products: the folder holding the test bundle.
let productsDirectory: URL = {
  let bundle = Bundle.main.bundleURL
  return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
}()
