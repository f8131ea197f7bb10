import Foundation
import LeNetKit

/// The `--data DIR` option and the loading every MNIST command shares (`data`, `train`,
/// `evaluate`, `predict`): find the folder, read the expected checksums, load and verify.
enum DataOptions {
  /// `--data <dir>`, to add to a command's options.
  static let option = Option.text(
    "--data", "dir", "The MNIST folder.",
    defaultText: "$\(MNIST.environmentVariable), else the download cache",
    expecting: "a folder name")

  /// The folder `--data`, `$LENET_TUTOR_DATA` or the cache points at.
  static func directory(_ arguments: ParsedArguments, context: Context) throws -> URL {
    let given = try arguments.value(of: option)
    do {
      return try MNIST.locate(dataOption: given, environment: context.environment)
    } catch {
      throw ToolError(error)
    }
  }

  /// The real MNIST's checksums, or those of the file `$LENET_TUTOR_CHECKSUMS` names.
  static func checksums(context: Context) throws(ToolError) -> [MNIST.File: String] {
    guard let path = context.environment[MNIST.checksumsVariable], !path.isEmpty else {
      return MNIST.standardChecksums
    }
    do {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      return try MNIST.checksums(fromSHA256SUMS: String(decoding: bytes, as: UTF8.self), file: path)
    } catch let error as DataError {
      throw ToolError(error)
    } catch {
      throw ToolError(
        "\(path): cannot be read: \(FileProblem.describe(error))",
        fix: "set \(MNIST.checksumsVariable) to a sha256sum file, or unset it for the real MNIST")
    }
  }

  /// Finds, loads and verifies MNIST as the command line asks.
  static func load(_ arguments: ParsedArguments, context: Context) throws -> MNIST {
    let folder = try directory(arguments, context: context)
    let expected = try checksums(context: context)
    do {
      return try MNIST.load(from: folder, checksums: expected)
    } catch {
      throw ToolError(error)
    }
  }
}

extension ToolError {
  /// A data, checkpoint or image error as the command line prints it (exit status 1).
  init(_ error: DataError) {
    self.init(error.description, fix: error.fix)
  }
}
