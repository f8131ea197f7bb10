import Foundation
import Synchronization

/// Temporary folders that fixtures hand out as plain paths (a `Checkout`'s root, a
/// `temporaryDirectory()`), removed when the test process ends: a path has no owner whose end
/// a test could wait for, and thousands of runs had left `lenet-tutor-cli-*` and
/// `lenet-tutor-tests-*` folders behind in /tmp.
public enum TemporaryFolders {
  private static let paths = Mutex<[String]>([])
  /// Registers the removal at exit once, on the first folder.
  private static let removalAtExit: Void = { atexit { TemporaryFolders.removeAll() } }()

  /// Removes `path` (a file or folder) when the test process exits.
  public static func removeAtExit(_ path: String) {
    _ = removalAtExit
    paths.withLock { $0.append(path) }
  }

  /// Removes every path registered so far.
  public static func removeAll() {
    let all = paths.withLock { paths in
      defer { paths.removeAll() }
      return paths
    }
    for path in all { try? FileManager.default.removeItem(atPath: path) }
  }
}
