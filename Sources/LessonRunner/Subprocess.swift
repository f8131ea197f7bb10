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
/// `Process` so that the program starts a session of its own, which the runner kills whole when
/// the program ends, times out or is stopped (Foundation's `Process`, used inside a cell, puts
/// each child in a process group of its own, but in the same session).
struct Subprocess {
  /// How a run ended.
  typealias Termination = ChapterReport.Termination

  /// The outcome of one run.
  struct Result: Sendable {
    var termination: Termination
    /// Standard output and error as they arrived (invalid UTF-8 replaced); empty for a run with
    /// `Channels`, whose output goes to `onOutput` only.
    var output: String
  }

  /// The result and control descriptors of a chapter program (see `ResultChannel`).
  struct Channels {
    /// Written to the program's descriptor 4 before it starts.
    var greeting: [UInt8]
    /// Takes bytes from the program's descriptor 3, once every byte it printed before them has
    /// gone to `onOutput`; returns how many acknowledgement bytes to send back on descriptor 4.
    var onRecords: ([UInt8]) -> Int
  }

  /// Output beyond this many bytes is read and dropped, so a compiler run that prints in a loop
  /// cannot fill memory. (Chapter programs cap each cell instead: `ResultChannel`.)
  static let outputLimit = 16 << 20

  /// Serializes pipe creation and spawning: without `pipe2(O_CLOEXEC)` in Glibc's Swift module, a
  /// concurrent spawn could otherwise inherit another run's pipe and hold it open.
  private static let spawnLock = NSLock()

  /// The sessions of the programs running now, and which of them may be stopped alone by Ctrl-C
  /// (guarded by `spawnLock`). The programs run in sessions of their own, so Ctrl-C at the
  /// terminal does not reach them: the handler that `handleInterrupts` installs does.
  nonisolated(unsafe) private static var running: [pid_t: Bool] = [:]
  /// The programs that Ctrl-C stopped (guarded by `spawnLock`).
  nonisolated(unsafe) private static var interrupted: Set<pid_t> = []
  nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

  /// On SIGINT with a chapter program running, kills that program (the run ends
  /// `.interrupted`) and lenet-tutor goes on; otherwise, and on SIGTERM, kills every running
  /// program, then exits with 128 + signal as the default action would. Installed once, on the
  /// first run; call with `spawnLock` held.
  private static func handleInterrupts() {
    guard signalSources.isEmpty else { return }
    // A program that ends while the runner acknowledges its last record closes the control
    // pipe; the write must then fail with EPIPE, not kill lenet-tutor.
    signal(SIGPIPE, SIG_IGN)
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        spawnLock.lock()
        let stoppable = running.filter(\.value).map(\.key)
        if number == SIGINT && !stoppable.isEmpty {
          for session in stoppable {
            interrupted.insert(session)
            killSession(session)
          }
          spawnLock.unlock()
          return
        }
        for session in running.keys { killSession(session) }
        spawnLock.unlock()
        _exit(128 + number)
      }
      source.resume()
      signalSources.append(source)
    }
  }

  /// Kills every process of the session that `leader` started: its own group, then any
  /// process whose session is `leader` (a child that `Process` put in a group of its own).
  static func killSession(_ leader: pid_t) {
    kill(-leader, SIGKILL)
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return
    }
    for entry in entries {
      guard let pid = pid_t(entry), pid != leader, getsid(pid) == leader else { continue }
      kill(pid, SIGKILL)
    }
  }

  /// Runs `executable` with `arguments`, standard input from /dev/null. `onOutput` receives the
  /// output as it arrives; when `isCancelled` turns true the program is killed, as at the time
  /// limit, and the run ends `.signaled(SIGKILL)`. With `channels`, the program also gets the
  /// result and control descriptors, Ctrl-C stops it alone, and its output is not kept in the
  /// result. Whatever the program started is killed when it ends.
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String],
    timeLimit: Double? = nil, onOutput: (([UInt8]) -> Void)? = nil,
    channels: Channels? = nil, isCancelled: (() -> Bool)? = nil
  ) throws(SubprocessError) -> Result {
    func failure(_ code: Int32) -> SubprocessError {
      SubprocessError(executable: executable, reason: String(cString: strerror(code)))
    }
    var pid: pid_t = 0
    spawnLock.lock()
    handleInterrupts()
    // Output, results and control pipes; every end is close-on-exec, the child gets its copies
    // through dup2.
    var pipes: [[Int32]] = []
    for _ in 0..<(channels == nil ? 1 : 3) {
      var descriptors: [Int32] = [-1, -1]
      guard pipe(&descriptors) == 0 else {
        let code = errno
        for descriptor in pipes.joined() { close(descriptor) }
        spawnLock.unlock()
        throw failure(code)
      }
      for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
      pipes.append(descriptors)
    }
    let (readEnd, writeEnd) = (pipes[0][0], pipes[0][1])

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
    if let channels {
      posix_spawn_file_actions_adddup2(&actions, pipes[1][1], ResultChannel.resultDescriptor)
      posix_spawn_file_actions_adddup2(&actions, pipes[2][0], ResultChannel.controlDescriptor)
      // The greeting is small, far below a pipe's buffer, so this never blocks.
      _ = channels.greeting.withUnsafeBytes { write(pipes[2][1], $0.baseAddress, $0.count) }
    }
    closeInheritedDescriptors(&actions, from: channels == nil ? 3 : 5)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    // A session of its own (glibc's POSIX_SPAWN_SETSID), so that everything it starts can be
    // found and killed.
    posix_spawnattr_setflags(&attributes, Int16(0x80))

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    for pointer in argv + envp { free(pointer) }
    posix_spawn_file_actions_destroy(&actions)
    posix_spawnattr_destroy(&attributes)
    close(writeEnd)
    if channels != nil {
      close(pipes[1][1])
      close(pipes[2][0])
    }
    if status == 0 { running[pid] = channels != nil }
    spawnLock.unlock()
    guard status == 0 else {
      close(readEnd)
      if channels != nil {
        close(pipes[1][0])
        close(pipes[2][1])
      }
      throw failure(status)
    }

    var reader = Reader(
      output: readEnd, results: channels == nil ? nil : pipes[1][0],
      control: channels == nil ? nil : pipes[2][1], process: pid,
      keepsOutput: channels == nil, onOutput: onOutput, onRecords: channels?.onRecords)
    let (timedOut, waitStatus) = reader.readUntilExit(
      timeLimit: timeLimit, isCancelled: isCancelled)
    killSession(pid)
    close(readEnd)
    if channels != nil {
      close(pipes[1][0])
      close(pipes[2][1])
    }
    let wasInterrupted = spawnLock.withLock {
      running[pid] = nil
      return interrupted.remove(pid) != nil
    }
    let output = String(decoding: reader.kept, as: UTF8.self)
    if timedOut { return Result(termination: .timedOut, output: output) }
    if wasInterrupted { return Result(termination: .interrupted, output: output) }
    let signal = waitStatus & 0x7f
    let termination: Termination =
      signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    return Result(termination: termination, output: output)
  }

  /// Closes, in the program, every descriptor from `first` on (its standard streams and
  /// channels are below it). Foundation opens `Pipe` and `FileHandle` descriptors without
  /// close-on-exec, and the runner cannot know what else this process holds open: a learner's
  /// program must not be able to write to them, nor hold another program's pipe open past that
  /// program's end (the likely reason a test once waited 30 s for its child's end of file).
  /// glibc 2.34 and later close them in the child
  /// (`posix_spawn_file_actions_addclosefrom_np`, looked up by name so that the tool still
  /// builds on an older glibc); elsewhere every open descriptor from `first` on is marked
  /// close-on-exec here before the spawn. That fallback has two limits: a descriptor another
  /// thread opens between the marking and the spawn still reaches the program (`spawnLock`
  /// orders only the runner's own spawns), and the marks stay on this process's descriptors
  /// (harmless: nothing here hands a program a descriptor by its number).
  static func closeInheritedDescriptors(
    _ actions: inout posix_spawn_file_actions_t, from first: Int32
  ) {
    if let closeFrom = addCloseFrom, closeFrom(&actions, first) == 0 { return }
    markCloseOnExec(from: first)
  }

  /// Marks every descriptor of this process from `first` on close-on-exec.
  static func markCloseOnExec(from first: Int32) {
    let folder =
      FileManager.default.fileExists(atPath: "/proc/self/fd") ? "/proc/self/fd" : "/dev/fd"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
      guard let descriptor = Int32(name), descriptor >= first else { continue }
      let flags = fcntl(descriptor, F_GETFD)
      if flags != -1 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }
  }

  /// Whether the program's inherited descriptors are closed in the child (glibc 2.34 and
  /// later), not marked close-on-exec in this process first.
  static var closesInTheChild: Bool { addCloseFrom != nil }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np`, nil where the C library has none.
  private static let addCloseFrom: AddCloseFrom? = {
    #if os(Linux)
      dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
      }
    #else
      nil
    #endif
  }()
  private typealias AddCloseFrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

  /// Reads a running program's pipes until it has exited and its output is read.
  private struct Reader {
    let output: Int32
    let results: Int32?
    let control: Int32?
    let process: pid_t
    let keepsOutput: Bool
    let onOutput: (([UInt8]) -> Void)?
    let onRecords: (([UInt8]) -> Int)?
    /// The output, when `keepsOutput` (up to `outputLimit`).
    var kept: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(
      output: Int32, results: Int32?, control: Int32?, process: pid_t, keepsOutput: Bool,
      onOutput: (([UInt8]) -> Void)?, onRecords: (([UInt8]) -> Int)?
    ) {
      (self.output, self.results, self.control, self.process) = (output, results, control, process)
      (self.keepsOutput, self.onOutput, self.onRecords) = (keepsOutput, onOutput, onRecords)
      for descriptor in [output, results, control].compactMap({ $0 }) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
      }
    }

    /// Reads until the program exits (then what is left in the pipes), killing its session at
    /// `timeLimit` or when `isCancelled` says so. Returns whether the time ran out, and the
    /// program's wait status.
    mutating func readUntilExit(timeLimit: Double?, isCancelled: (() -> Bool)?) -> (
      timedOut: Bool, waitStatus: Int32
    ) {
      let deadline = timeLimit.map { Date().addingTimeInterval($0) }
      var timedOut = false
      var outputOpen = true
      var resultsOpen = results != nil
      while true {
        var waitStatus: Int32 = 0
        var exited = waitpid(process, &waitStatus, WNOHANG)
        while exited == -1 && errno == EINTR { exited = waitpid(process, &waitStatus, WNOHANG) }
        if exited == process || exited == -1 {
          // What it wrote before exiting is still in the pipes; whatever it started may keep
          // them open, so read only what is there now.
          // Text printed before a record comes before it, as in the loop below.
          if outputOpen { outputOpen = readOutput() }
          if resultsOpen { _ = readRecords() }
          if outputOpen { _ = readOutput() }
          return (timedOut, waitStatus)
        }
        if !timedOut, let deadline, deadline.timeIntervalSinceNow <= 0 {
          timedOut = true
          kill(-process, SIGKILL)
        }
        if let isCancelled, isCancelled() { kill(-process, SIGKILL) }
        var requests = [pollfd(fd: outputOpen ? output : -1, events: Int16(POLLIN), revents: 0)]
        if let results {
          requests.append(pollfd(fd: resultsOpen ? results : -1, events: Int16(POLLIN), revents: 0))
        }
        // Wakes at least every 50 ms to see whether the program exited, the time ran out or
        // the run was cancelled.
        let ready = poll(&requests, nfds_t(requests.count), 50)
        if ready <= 0 { continue }
        if requests.count > 1 && requests[1].revents != 0 {
          // Everything printed before these records is in the output pipe by now: read it first.
          if outputOpen { outputOpen = readOutput() }
          resultsOpen = readRecords()
        }
        if requests[0].revents != 0 && outputOpen { outputOpen = readOutput() }
      }
    }

    /// Reads what the output pipe holds now; false once it is closed.
    private mutating func readOutput() -> Bool {
      while true {
        let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return true }
        if count == 0 { return false }
        let bytes = Array(buffer[0..<count])
        if keepsOutput && kept.count < Subprocess.outputLimit {
          kept += bytes.prefix(Subprocess.outputLimit - kept.count)
        }
        onOutput?(bytes)
      }
    }

    /// Reads what the result pipe holds now and acknowledges each record; false once closed.
    ///
    /// One read only: once a record is acknowledged the program goes on, prints the next cell's
    /// text and sends the next record, and that text must be read (by the caller, first) before
    /// that record, or it would land in the cell before.
    private mutating func readRecords() -> Bool {
      guard let results, let onRecords else { return false }
      while true {
        let count = buffer.withUnsafeMutableBytes { read(results, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return true }
        if count == 0 { return false }
        let acknowledgements = onRecords(Array(buffer[0..<count]))
        if let control, acknowledgements > 0 {
          let bytes = [UInt8](repeating: 10, count: acknowledgements)
          _ = bytes.withUnsafeBytes { write(control, $0.baseAddress, $0.count) }
        }
        return true
      }
    }
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
struct SubprocessError: Error, Sendable, CustomStringConvertible {
  var executable: String
  var reason: String

  var description: String { "cannot start \(executable): \(reason)" }
}
