/// A one-line progress bar that redraws in place on a terminal and stays silent elsewhere.
///
/// ```
/// epoch 3/10 ━━━━━━━━━━━━━━━━━╺━━━━━━━━━━━━  57%  268/469  loss 0.2113  acc 93.8%  6,120 img/s  ETA 0:02
/// ```
/// Off a terminal nothing is drawn (a log should not fill with carriage returns); callers print
/// their own summary line when the work ends.
public struct ProgressBar {
  /// Text before the bar.
  public var label: String
  /// The number of steps that make 100%.
  public let total: Int
  /// Whether `done/total` follows the percentage; off when the detail gives the count in its
  /// own unit (a download's KiB), so that one line does not show two units.
  public let showsCount: Bool
  private let terminal: Terminal
  private let sink: any TextSink
  private var lastDrawnPermille = -1

  /// Creates a bar that draws to `sink` when `terminal` is interactive.
  public init(
    label: String, total: Int, terminal: Terminal, sink: any TextSink, showsCount: Bool = true
  ) {
    self.label = label
    self.total = max(total, 1)
    self.terminal = terminal
    self.sink = sink
    self.showsCount = showsCount
  }

  /// Redraws the bar at `done` steps with `detail` after it; cheap when nothing visible changed.
  public mutating func update(done: Int, detail: String = "", force: Bool = false) {
    guard terminal.isInteractive else { return }
    let permille = min(1000, done * 1000 / total)
    guard force || permille != lastDrawnPermille else { return }
    lastDrawnPermille = permille
    let barWidth = 24
    let filled = permille * barWidth / 1000
    let bar =
      terminal.styled(String(repeating: "━", count: filled), .cyan)
      + terminal.styled(String(repeating: "━", count: barWidth - filled), .dim)
    let percent = String(permille / 10)
    var text = "\(label) \(bar) \(String(repeating: " ", count: 3 - percent.count))\(percent)%"
    if showsCount { text += "  \(done)/\(total)" }
    if !detail.isEmpty { text += "  " + detail }
    sink.write("\r\u{1B}[2K" + text)
  }

  /// Clears the bar's line so the caller's summary line replaces it.
  public func finish() {
    guard terminal.isInteractive else { return }
    sink.write("\r\u{1B}[2K")
  }
}
