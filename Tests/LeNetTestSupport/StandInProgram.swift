import Foundation

/// Writes `script` as an executable file at `path`, for tests that hand a stand-in program (a
/// fake `swiftc`) to the code under test, which then runs it.
///
/// A file this process opens for writing cannot be run safely while other tests start child
/// processes: a child forked in that moment inherits the write handle, and running the script
/// fails with "Text file busy" (ETXTBSY) until the child execs. So a short-lived `/bin/sh` copies
/// the text into place: the only write handle is in that process, which has exited by the time
/// this returns.
public func writeStandInProgram(_ script: String, to path: String) throws {
  let source = path + ".text"
  try Data(script.utf8).write(to: URL(fileURLWithPath: source))
  let copy = Process()
  copy.executableURL = URL(fileURLWithPath: "/bin/sh")
  copy.arguments = ["-c", #"cp "$1" "$2" && chmod 755 "$2""#, "sh", source, path]
  try copy.run()
  copy.waitUntilExit()
  guard copy.terminationReason == .exit, copy.terminationStatus == 0 else {
    throw CocoaError(
      .fileWriteUnknown,
      userInfo: [NSLocalizedDescriptionKey: "could not make the stand-in program \(path)"])
  }
}
