// Fuzz target: the argument parser. The input is a command line, words separated by NUL
// bytes; the first word picks the command (by name, else by its first byte), the rest are
// parsed by that command's spec, and typed options of every kind read the values found.
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
    _ = try? parsed.value(of: Option.integer(name, "n", "", in: 0...9_999, default: 0))
    _ = try? parsed.value(of: Option.number(name, "x", "", in: 0...1, default: 0))
    _ = try? parsed.value(
      of: Option.choice(name, "m", "", from: ["keras", "lecun1998"], default: "keras"))
    _ = try? parsed.value(of: Option.text(name, "dir", "", defaultText: nil))
  }
  _ = spec.help
  return 0
}
