import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a program with its standard output and error joined in one pipe, stopping it at a time
/// limit.
///
/// One pipe for both streams keeps the order in which a cell printed and crashed, so a crash
/// message lands in the cell that caused it. Built on `posix_spawn` rather than Foundation's
/// `Process` so that a timeout can kill the whole process group and the exit signal is exact.
struct Subprocess {
  /// How a run ended.
  enum Termination: Equatable, Sendable {
    /// The program returned this exit status.
    case exited(Int32)
    /// A signal (4 = illegal instruction, Swift's trap on x86; 11 = segmentation fault) ended it.
    case signaled(Int32)
    /// It ran past the time limit and was killed.
    case timedOut
  }

  /// The outcome of one run.
  struct Result: Sendable {
    var termination: Termination
    /// Standard output and error as they arrived (invalid UTF-8 replaced).
    var output: String
  }

  /// Output beyond this many bytes is read and dropped, so a cell that prints in a loop cannot
  /// fill memory before its time limit.
  static let outputLimit = 16 << 20

  /// Serializes pipe creation and spawning: without `pipe2(O_CLOEXEC)` in Glibc's Swift module, a
  /// concurrent spawn could otherwise inherit another run's pipe and hold it open.
  private static let spawnLock = NSLock()

  /// The process groups of the programs running now (guarded by `spawnLock`). The programs run
  /// in groups of their own, so Ctrl-C at the terminal does not reach them: the handler that
  /// `stopChildrenOnInterrupt` installs stops them, or a chapter stuck in a loop would outlive
  /// lenet-tutor.
  nonisolated(unsafe) private static var runningGroups: Set<pid_t> = []
  nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

  /// On SIGINT or SIGTERM, kills every running program's group, then exits with 128 + signal as
  /// the default action would. Installed once, on the first run; call with `spawnLock` held.
  private static func stopChildrenOnInterrupt() {
    guard signalSources.isEmpty else { return }
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        spawnLock.lock()
        for group in runningGroups { kill(-group, SIGKILL) }
        spawnLock.unlock()
        _exit(128 + number)
      }
      source.resume()
      signalSources.append(source)
    }
  }

  /// Runs `executable` with `arguments`, standard input from /dev/null. `onOutput` receives the
  /// output as it arrives (the same bytes the result holds); when `isCancelled` turns true the
  /// program is killed, as at the time limit, and the run ends `.signaled(SIGKILL)`.
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String],
    timeLimit: Double? = nil, onOutput: (([UInt8]) -> Void)? = nil,
    isCancelled: (() -> Bool)? = nil
  ) throws(SubprocessError) -> Result {
    var descriptors: [Int32] = [-1, -1]
    var pid: pid_t = 0
    spawnLock.lock()
    stopChildrenOnInterrupt()
    guard pipe(&descriptors) == 0 else {
      spawnLock.unlock()
      throw SubprocessError(executable: executable, reason: String(cString: strerror(errno)))
    }
    let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
    _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    // Its own process group, so a timeout kills the program and anything it started.
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    for pointer in argv + envp { free(pointer) }
    posix_spawn_file_actions_destroy(&actions)
    posix_spawnattr_destroy(&attributes)
    close(writeEnd)
    if status == 0 { runningGroups.insert(pid) }
    spawnLock.unlock()
    guard status == 0 else {
      close(readEnd)
      throw SubprocessError(executable: executable, reason: String(cString: strerror(status)))
    }

    let (bytes, timedOut) = drain(
      readEnd, processGroup: pid, timeLimit: timeLimit, onOutput: onOutput,
      isCancelled: isCancelled)
    close(readEnd)
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) == -1 && errno == EINTR {}
    spawnLock.withLock { _ = runningGroups.remove(pid) }
    let output = String(decoding: bytes, as: UTF8.self)
    if timedOut { return Result(termination: .timedOut, output: output) }
    let signal = waitStatus & 0x7f
    let termination: Termination =
      signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    return Result(termination: termination, output: output)
  }

  /// Reads `descriptor` to its end, killing `processGroup` if `timeLimit` seconds pass first.
  private static func drain(
    _ descriptor: Int32, processGroup: pid_t, timeLimit: Double?,
    onOutput: (([UInt8]) -> Void)?, isCancelled: (() -> Bool)?
  ) -> (bytes: [UInt8], timedOut: Bool) {
    let deadline = timeLimit.map { Date().addingTimeInterval($0) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var timedOut = false
    var killed = false
    while true {
      // A cancellable run wakes up every 100 ms to look at its flag.
      var waitMilliseconds: Int32 = isCancelled == nil || killed ? -1 : 100
      if !killed, let isCancelled, isCancelled() {
        killed = true
        kill(-processGroup, SIGKILL)
        continue
      }
      if let deadline, !timedOut {
        let remaining = deadline.timeIntervalSinceNow
        if remaining <= 0 {
          timedOut = true
          kill(-processGroup, SIGKILL)
          continue
        }
        waitMilliseconds = Int32(
          min(remaining * 1000 + 1, waitMilliseconds < 0 ? 60_000 : Double(waitMilliseconds)))
      }
      var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      let ready = poll(&request, 1, waitMilliseconds)
      if ready < 0 && errno == EINTR { continue }
      if ready == 0 { continue }
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      if bytes.count < outputLimit {
        let kept = buffer[0..<min(count, outputLimit - bytes.count)]
        bytes += kept
        onOutput?(Array(kept))
      }
    }
    return (bytes, timedOut)
  }

  /// The full path of `name`, looked up in `PATH` unless it already contains a slash.
  static func find(_ name: String, path: String?) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

/// A program could not be started.
struct SubprocessError: Error, Sendable {
  var executable: String
  var reason: String
}
