#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where text goes, and whether it may be styled.
///
/// Colors and other escape codes are used only when the stream is a terminal and `NO_COLOR` is
/// unset (https://no-color.org); logs and pipes get plain text.
public struct Terminal: Sendable {
  /// Whether the stream is an interactive terminal (progress bars redraw, lessons pause).
  public var isInteractive: Bool
  /// Whether escape codes for color and emphasis may be written.
  public var usesColor: Bool
  /// The width to wrap and draw bars to.
  public var width: Int

  /// Creates a description of a stream explicitly (tests use this).
  public init(isInteractive: Bool, usesColor: Bool, width: Int = 80) {
    self.isInteractive = isInteractive
    self.usesColor = usesColor
    self.width = width
  }

  /// Describes standard output of this process, reading `NO_COLOR` from `environment`.
  public static func standardOutput(environment: [String: String]) -> Terminal {
    stream(STDOUT_FILENO, environment: environment)
  }

  /// Describes standard error of this process, which may go to a file while standard output
  /// is a terminal (`2> errors.log`): its errors are colored only when it is a terminal itself.
  public static func standardError(environment: [String: String]) -> Terminal {
    stream(STDERR_FILENO, environment: environment)
  }

  private static func stream(_ descriptor: Int32, environment: [String: String]) -> Terminal {
    let interactive = isatty(descriptor) == 1
    var size = winsize()
    let columns =
      ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let dumb = environment["TERM"] == "dumb"
    return Terminal(
      isInteractive: interactive, usesColor: interactive && !noColor && !dumb,
      width: min(columns, 120))
  }

  /// `text` wrapped in `style`'s escape codes when color is on, unchanged otherwise.
  public func styled(_ text: String, _ style: Style...) -> String {
    styled(text, style)
  }

  /// `text` wrapped in the escape codes of every style in `styles` when color is on.
  public func styled(_ text: String, _ styles: [Style]) -> String {
    guard usesColor, !styles.isEmpty else { return text }
    let codes = styles.map { String($0.rawValue) }.joined(separator: ";")
    return "\u{1B}[\(codes)m\(text)\u{1B}[0m"
  }

  /// The check mark or cross of a verdict, colored when color is on.
  public func verdict(_ passed: Bool) -> String {
    passed ? styled("✓", .green, .bold) : styled("✗", .red, .bold)
  }
}

/// SGR codes for the few styles the tool uses.
public enum Style: Int, Sendable {
  case bold = 1
  case dim = 2
  case italic = 3
  case underline = 4
  case red = 31
  case green = 32
  case yellow = 33
  case blue = 34
  case magenta = 35
  case cyan = 36
}

/// A destination for text: standard output or error, or a string in tests.
public protocol TextSink: AnyObject {
  /// Writes `text` as it is (no newline added).
  func write(_ text: String)
}

extension TextSink {
  /// Writes `text` and a newline.
  public func line(_ text: String = "") { write(text + "\n") }
}

/// Standard output or standard error, written unbuffered so progress and prompts show at once.
public final class FileSink: TextSink, @unchecked Sendable {
  private let descriptor: Int32

  /// Standard output.
  public static let standardOutput = FileSink(descriptor: STDOUT_FILENO)
  /// Standard error.
  public static let standardError = FileSink(descriptor: STDERR_FILENO)

  init(descriptor: Int32) { self.descriptor = descriptor }

  public func write(_ text: String) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Glibc.write(
          descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }
}

/// Collects text in memory, for tests.
public final class StringSink: TextSink, @unchecked Sendable {
  /// Everything written so far.
  public private(set) var text = ""

  /// Creates an empty sink.
  public init() {}

  public func write(_ text: String) { self.text += text }
}
