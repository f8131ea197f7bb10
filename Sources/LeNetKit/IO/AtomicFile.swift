import Foundation

/// Writes files so that readers see either the old file or the complete new one, never a part.
///
/// The bytes go to a hidden temporary file in the same folder (a rename is atomic only within
/// one file system), which is then renamed over the target. On any failure the temporary file
/// is removed, so nothing is left behind.
public enum AtomicFile {
  /// Writes `bytes` to `url`, creating the folder if needed.
  public static func write(_ bytes: [UInt8], to url: URL) throws(DataError) {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(
      ".\(url.lastPathComponent).\(UUID().uuidString).partial")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(bytes).write(to: temporary)
      // rename(2) replaces the target atomically; FileManager.replaceItemAt fails on Linux when
      // the target sits in a temporary folder of another process.
      guard rename(temporary.path, url.path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw DataError(
        .missing, file: url.path, "cannot be written (\(error.localizedDescription))",
        fix: "check that the folder exists and is writable")
    }
  }
}
