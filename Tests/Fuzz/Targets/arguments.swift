// Fuzz target: the argument parser. The input is a command line, words separated by NUL
// bytes; the first word picks the command (by name, else by its first byte), the rest are
// parsed by that command's spec, and every typed accessor reads the values found.
@testable import TutorCLI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let words = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
    String(decoding: $0, as: UTF8.self)
  }
  let commands = LeNetTutor.commands.map { $0.spec }
  guard let first = words.first, !commands.isEmpty else { return 0 }
  let spec =
    commands.first { $0.name == first }
    ?? commands[Int(first.utf8.first ?? 0) % commands.count]
  guard let parsed = try? spec.parse(Array(words.dropFirst())) else { return 0 }
  for name in parsed.values.keys {
    _ = try? parsed.integer(name, in: 0...9_999, command: spec)
    _ = try? parsed.number(name, in: 0...1, command: spec)
    _ = try? parsed.choice(name, from: ["keras", "lecun1998"], command: spec)
  }
  _ = spec.help
  return 0
}
