import Foundation
import LeNetTestSupport

@testable import LessonRunner

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a child process ended and the most memory it held: what a hostile-file test asserts.
struct MeasuredRun: Sendable {
  /// The exit status, or nil when a signal ended the process.
  var status: Int32?
  /// The signal that ended the process (SIGILL for a Swift trap, SIGKILL for the OOM killer).
  var signal: Int32?
  /// Standard output.
  var output: String
  /// Standard error.
  var errors: String
  /// The peak resident set size, in bytes, of the child alone (`wait4`'s `ru_maxrss`).
  var peakMemory: Int

  /// Runs `executable` with `arguments` and `environment` added to this process's, under an
  /// address-space limit of `addressSpace` bytes, and measures it. Linux only.
  ///
  /// The peak is `ru_maxrss` from `wait4` on the child itself. It must not be spawned by this
  /// (large) test process: `posix_spawn` shares this process's memory until `exec`, and Linux
  /// carries the old memory's peak over into the new program's `ru_maxrss`. So a small `/bin/sh`
  /// starts it in the background and exits; this process, marked as a subreaper, inherits the
  /// orphan and waits for it. The address-space limit (`ulimit -v`) keeps a regression from
  /// taking the machine's memory: an allocation past it fails and the child dies of a signal.
  static func run(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
    addressSpace: Int = 2 << 30
  ) throws -> MeasuredRun {
    let directory = try makeTemporaryDirectory("lenet-tutor-measured")
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputPath = directory.appendingPathComponent("stdout").path
    let errorsPath = directory.appendingPathComponent("stderr").path
    let pidPath = directory.appendingPathComponent("pid").path
    _ = becomeSubreaper
    let script = "ulimit -v \(addressSpace / 1024) && { \"$0\" \"$@\" 3>&- & echo $! >&3; }"
    let shellStatus = try spawnAndWait(
      ["/bin/sh", "-c", script, executable.path] + arguments,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
      files: [0: "/dev/null", 1: outputPath, 2: errorsPath, 3: pidPath])
    let pidText = (try? String(contentsOfFile: pidPath, encoding: .utf8)) ?? ""
    guard shellStatus == 0, let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw failure("the shell could not start \(executable.path) (status \(shellStatus))") }
    var waitStatus: Int32 = 0
    var usage = rusage()
    while wait4(pid, &waitStatus, 0, &usage) == -1 {
      guard errno == EINTR else { throw failure("wait4: \(String(cString: strerror(errno)))") }
    }
    // The wait status packs the signal in its low 7 bits and the exit status above them.
    let signal = waitStatus & 0x7F
    return MeasuredRun(
      status: signal == 0 ? (waitStatus >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal,
      output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
      errors: (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "",
      peakMemory: Int(usage.ru_maxrss) * 1024)  // Linux reports KiB
  }

  /// Makes orphaned descendants of this process its children rather than init's, once.
  private static let becomeSubreaper: Void = {
    #if os(Linux)
      // prctl is variadic in C, so Swift does not import it; dlsym (RTLD_DEFAULT) finds it.
      typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
      let setChildSubreaper: Int32 = 36  // PR_SET_CHILD_SUBREAPER, <linux/prctl.h>
      if let symbol = dlsym(nil, "prctl") {
        _ = unsafeBitCast(symbol, to: Prctl.self)(setChildSubreaper, 1, 0, 0, 0)
      }
    #endif
  }()

  /// Spawns `argv` with file descriptors opened on `files` and returns its wait status.
  private static func spawnAndWait(
    _ argv: [String], environment: [String: String], files: [Int32: String]
  ) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for (descriptor, path) in files.sorted(by: { $0.key < $1.key }) {
      let flags = descriptor == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
      posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o644)
    }
    // Nothing else of this process reaches the child, as with the runner's own programs: an
    // inherited pipe of another test would keep that test waiting for its end of file.
    Subprocess.closeInheritedDescriptors(&actions, from: (files.keys.max() ?? 2) + 1)
    let cArguments = argv.map { strdup($0) } + [nil]
    let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in cArguments + cEnvironment { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
    guard spawned == 0 else { throw failure("posix_spawn: \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
      guard errno == EINTR else { throw failure("waitpid: \(String(cString: strerror(errno)))") }
    }
    return status
  }

  private static func failure(_ message: String) -> Error {
    CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: message])
  }
}

/// A product SwiftPM built beside the test bundle (`lenet-tutor`, the examples).
func builtProduct(_ name: String) -> URL {
  let bundle = Bundle.main.bundleURL
  let directory = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
  return directory.appendingPathComponent(name)
}
