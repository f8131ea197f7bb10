import Foundation

/// The learning curves of a `History`, drawn as the Keras tutorial draws them with matplotlib:
/// accuracy and loss per epoch, training and validation, in two panels.
///
/// `svg(_:)` writes a standalone SVG file; `text(_:)` draws the same curves with characters
/// for the terminal.
public enum TrainingPlot {
  /// One curve: its name and a value per epoch (nil where it was not measured).
  struct Series {
    var name: String
    var values: [Float?]
  }

  /// The two panels: title, vertical axis label and its curves.
  static func panels(_ history: History) -> [(title: String, axis: String, series: [Series])] {
    let epochs = history.epochs
    return [
      (
        "Accuracy", "accuracy",
        [
          Series(name: "training", values: epochs.map { $0.accuracy }),
          Series(name: "validation", values: epochs.map { $0.validationAccuracy }),
        ]
      ),
      (
        "Loss", "loss",
        [
          Series(name: "training", values: epochs.map { $0.loss }),
          Series(name: "validation", values: epochs.map { $0.validationLoss }),
        ]
      ),
    ]
  }

  // MARK: SVG

  /// A 900×360 SVG with the accuracy panel on the left and the loss panel on the right.
  public static func svg(_ history: History, title: String = "Training history") -> String {
    let (panelWidth, height) = (450.0, 360.0)
    let colors = ["rgb(31,119,180)", "rgb(255,127,14)"]  // matplotlib's first two colours
    var lines = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      #"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="360" viewBox="0 0 900 360" "#
        + #"font-family="Helvetica, Arial, sans-serif" font-size="12">"#,
      #"<rect width="900" height="360" fill="white"/>"#,
      #"<text x="450" y="20" text-anchor="middle" font-size="15">\#(escaped(title))</text>"#,
    ]
    let count = history.epochs.count
    for (index, panel) in panels(history).enumerated() {
      let left = Double(index) * panelWidth + 70
      let (right, top, bottom) = (Double(index + 1) * panelWidth - 20, 50.0, height - 55)
      let values = panel.series.flatMap { $0.values.compactMap { $0 } }.map(Double.init)
      let axis = niceAxis(values)
      let (low, high) = (axis.low, axis.high)
      func x(_ epoch: Int) -> Double {
        count > 1
          ? left + (right - left) * Double(epoch - 1) / Double(count - 1) : (left + right) / 2
      }
      func y(_ value: Double) -> Double { bottom - (bottom - top) * (value - low) / (high - low) }
      lines.append(
        #"<text x="\#(format(left + (right - left) / 2))" y="40" text-anchor="middle" font-size="14">\#(panel.title)</text>"#
      )
      for value in axis.ticks {
        lines.append(
          #"<line x1="\#(format(left))" y1="\#(format(y(value)))" x2="\#(format(right))" y2="\#(format(y(value)))" stroke="rgb(224,224,224)"/>"#
        )
        let label = String(format: "%.\(axis.decimals)f", value)
        lines.append(
          #"<text x="\#(format(left - 6))" y="\#(format(y(value) + 4))" text-anchor="end">\#(label)</text>"#
        )
      }
      for epoch in epochTicks(count) {
        lines.append(
          #"<text x="\#(format(x(epoch)))" y="\#(format(bottom + 16))" text-anchor="middle">\#(epoch)</text>"#
        )
      }
      lines.append(
        #"<rect x="\#(format(left))" y="\#(format(top))" width="\#(format(right - left))" height="\#(format(bottom - top))" fill="none" stroke="black"/>"#
      )
      lines.append(
        #"<text x="\#(format(left + (right - left) / 2))" y="\#(format(height - 18))" text-anchor="middle">epoch</text>"#
      )
      lines.append(
        #"<text transform="translate(\#(format(left - 50)) \#(format((top + bottom) / 2))) rotate(-90)" text-anchor="middle">\#(panel.axis)</text>"#
      )
      for (seriesIndex, series) in panel.series.enumerated() {
        let points = series.values.enumerated().compactMap { epoch, value in
          value.map { (x(epoch + 1), y(Double($0))) }
        }
        guard !points.isEmpty else { continue }
        let color = colors[seriesIndex % colors.count]
        let path = points.map { "\(format($0.0)),\(format($0.1))" }.joined(separator: " ")
        lines.append(
          #"<polyline points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"/>"#)
        for point in points {
          lines.append(
            #"<circle cx="\#(format(point.0))" cy="\#(format(point.1))" r="3" fill="\#(color)"/>"#)
        }
        // Accuracy rises and loss falls, so each panel's empty corner is the lower right for
        // accuracy and the upper right for loss.
        let legendTop =
          index == 0 ? bottom - 16 - 18 * Double(panel.series.count - 1) - 8 : top + 16
        let legendY = legendTop + Double(seriesIndex) * 18
        lines.append(
          #"<line x1="\#(format(right - 110))" y1="\#(format(legendY - 4))" x2="\#(format(right - 90))" y2="\#(format(legendY - 4))" stroke="\#(color)" stroke-width="2"/>"#
        )
        lines.append(
          #"<text x="\#(format(right - 84))" y="\#(format(legendY))">\#(series.name)</text>"#)
      }
    }
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// An axis that contains `values`, with 3–6 ticks at round numbers (1, 2 or 5 × 10ᵏ apart),
  /// as matplotlib chooses them, and the decimals those ticks need.
  static func niceAxis(_ values: [Double]) -> (
    low: Double, high: Double, ticks: [Double], decimals: Int
  ) {
    guard let smallest = values.min(), let largest = values.max() else {
      return (0, 1, [0, 0.5, 1], 1)
    }
    let span = max(largest - smallest, 1e-3)
    let rough = span / 4
    let magnitude = pow(10, floor(log10(rough)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    let low = floor(smallest / step) * step
    let high = ceil(largest / step) * step
    let ticks = stride(from: low, through: high + step / 2, by: step).map { $0 }
    return (low, high, ticks, max(0, Int(-floor(log10(step)))))
  }

  /// Epoch numbers to label: every one up to 10 epochs, else about ten evenly spaced.
  static func epochTicks(_ count: Int) -> [Int] {
    guard count > 10 else { return Array(1...max(1, count)).filter { $0 <= count } }
    let step = (count + 9) / 10
    return Array(stride(from: 1, through: count, by: step))
  }

  static func format(_ value: Double) -> String { String(format: "%.1f", value) }

  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  // MARK: Text

  /// Both panels drawn with characters, `height` rows each: `t` marks training, `v`
  /// validation, `*` both.
  ///
  /// ```
  /// accuracy  (t training, v validation)
  ///   0.991 ┤            v  v  *
  ///         │      v  *  t  t
  ///   0.902 ┤*  t
  ///         └──────────────────
  ///          1              10 epoch
  /// ```
  public static func text(_ history: History, height: Int = 8, width: Int = 40) -> [String] {
    let count = history.epochs.count
    guard count > 0 else { return [] }
    let columns = count == 1 ? 1 : min(width, max(count, (count - 1) * 3 + 1))
    var lines: [String] = []
    for panel in panels(history) {
      let values = panel.series.flatMap { $0.values.compactMap { $0 } }.map(Double.init)
      let axis = niceAxis(values)
      let (low, high) = (axis.low, axis.high)
      var grid = [[Character]](
        repeating: [Character](repeating: " ", count: columns), count: height)
      for (seriesIndex, series) in panel.series.enumerated() {
        let mark: Character = seriesIndex == 0 ? "t" : "v"
        for (epoch, value) in series.values.enumerated() {
          guard let value else { continue }
          let column = count == 1 ? 0 : epoch * (columns - 1) / (count - 1)
          let fraction = (Double(value) - low) / (high - low)
          let row =
            height - 1 - min(height - 1, max(0, Int((fraction * Double(height - 1)).rounded())))
          let old = grid[row][column]
          grid[row][column] = old == " " || old == mark ? mark : "*"
        }
      }
      lines.append("\(panel.axis)  (t training, v validation)")
      for (row, cells) in grid.enumerated() {
        let value = high - (high - low) * Double(row) / Double(max(1, height - 1))
        let label =
          row == 0 || row == height - 1 || row == height / 2
          ? String(format: "%8.3f ┤", value) : String(repeating: " ", count: 9) + "│"
        lines.append(label + String(cells))
      }
      lines.append(String(repeating: " ", count: 9) + "└" + String(repeating: "─", count: columns))
      let last = String(count)
      let gap = max(1, columns - 1 - last.count)
      lines.append(
        String(repeating: " ", count: 10)
          + (count == 1 ? "1" : "1" + String(repeating: " ", count: gap) + last)
          + " epoch")
    }
    return lines
  }
}
