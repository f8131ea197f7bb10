import Foundation
import Testing

@testable import LessonRunner

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a program started by the runner inherits from lenet-tutor's process.
@Suite("Starting a program")
struct SubprocessTests {
  /// A pipe's write end without close-on-exec (as Foundation's `Pipe` makes them), copied to
  /// the first free descriptor from `lowest` on, a number no program here opens by itself.
  static func inheritableDescriptor(
    from lowest: Int32 = 200
  ) throws -> (descriptor: Int32, close: () -> Void) {
    var ends: [Int32] = [-1, -1]
    try #require(pipe(&ends) == 0)
    let copy = fcntl(ends[1], F_DUPFD, lowest)
    try #require(copy >= lowest)
    // Where the fallback runs, another test's spawn may mark it close-on-exec at any moment.
    if Subprocess.closesInTheChild { #expect(fcntl(copy, F_GETFD) & FD_CLOEXEC == 0) }
    return (copy, { for descriptor in ends + [copy] { close(descriptor) } })
  }

  /// The descriptor numbers the shell `sh -c` has open, as it lists them itself.
  static func descriptorsOfAShell(channels: Subprocess.Channels?) throws -> Set<String> {
    var printed: [UInt8] = []
    let result = try Subprocess.run(
      "/bin/sh", ["-c", "ls /proc/$$/fd"], environment: ProcessInfo.processInfo.environment,
      onOutput: { printed += $0 }, channels: channels)
    let listing = String(decoding: printed, as: UTF8.self)
    #expect(result.termination == .exited(0), "\(listing)")
    return Set(listing.split(separator: "\n").map(String.init))
  }

  @Test func aProgramInheritsNoDescriptorBeyondItsStandardStreams() throws {
    let (leaked, close) = try Self.inheritableDescriptor()
    defer { close() }
    let open = try Self.descriptorsOfAShell(channels: nil)
    #expect(open.isSuperset(of: ["0", "1", "2"]), "\(open)")
    #expect(!open.contains(String(leaked)), "descriptor \(leaked) reached the program: \(open)")
  }

  @Test func aChapterProgramInheritsOnlyItsStreamsAndChannels() throws {
    let (leaked, close) = try Self.inheritableDescriptor()
    defer { close() }
    let channels = Subprocess.Channels(greeting: Array("hello\n".utf8), onRecords: { _ in 0 })
    let open = try Self.descriptorsOfAShell(channels: channels)
    #expect(open.isSuperset(of: ["0", "1", "2", "3", "4"]), "\(open)")
    #expect(!open.contains(String(leaked)), "descriptor \(leaked) reached the program: \(open)")
  }

  /// Where the C library cannot close them in the child, they are marked before the spawn.
  /// From 900 on: marking from the other tests' descriptors on would hide what they check.
  @Test func theFallbackMarksInheritableDescriptorsCloseOnExec() throws {
    let (leaked, close) = try Self.inheritableDescriptor(from: 900)
    defer { close() }
    Subprocess.markCloseOnExec(from: leaked)
    #expect(fcntl(leaked, F_GETFD) & FD_CLOEXEC != 0)
  }
}
