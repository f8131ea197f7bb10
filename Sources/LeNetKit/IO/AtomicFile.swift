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
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder),
      !isFolder.boolValue
    {
      throw DataError(
        .missing, file: url.path, "cannot be written: \(folder.path) is a file, not a folder")
    }
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(bytes).write(to: temporary)
      // rename(2) replaces the target atomically; FileManager.replaceItemAt fails on Linux when
      // the target sits in a temporary folder of another process.
      guard rename(temporary.path, url.path) == 0 else {
        throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw DataError(
        .missing, file: url.path, "cannot be written: \(FileProblem.describe(error))",
        fix: "check that the folder exists and is writable")
    }
  }

  /// Makes sure `folder` can take the files of a long job before the job starts: creates it if
  /// needed, refuses a file in its place, and writes and removes a probe file (the one test that
  /// also holds for read-only mounts and for root, whom permission bits do not stop).
  public static func prepareFolder(_ folder: URL) throws(DataError) {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder),
      !isFolder.boolValue
    {
      throw DataError(.invalidContent, file: folder.path, "is a file, not a folder")
    }
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw DataError(
        .missing, file: folder.path, "cannot create the folder: \(FileProblem.describe(error))")
    }
    let probe = folder.appendingPathComponent(".lenet-tutor-write-check-\(UUID().uuidString)")
    do {
      try Data().write(to: probe)
      try FileManager.default.removeItem(at: probe)
    } catch {
      try? FileManager.default.removeItem(at: probe)
      throw DataError(
        .missing, file: folder.path, "cannot write into the folder: \(FileProblem.describe(error))")
    }
  }
}
