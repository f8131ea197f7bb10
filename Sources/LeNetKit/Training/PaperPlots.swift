import Foundation

/// The two pictures of LeCun et al. (1998, section III.B) for a pattern-by-pattern run: the
/// training and test error per pass (their figure 5) and the misclassified test digits with
/// their true and predicted classes (their figure 8). Both are standalone SVG files.
public enum PaperPlots {
  /// Training and test error (in %) against the pass number, on one panel, as figure 5.
  public static func errorCurves(_ records: [PassRecord], title: String) -> String {
    let (width, height) = (640.0, 400.0)
    let (left, right, top, bottom) = (70.0, width - 30, 50.0, height - 60)
    let training = records.map { Double($0.trainingError) * 100 }
    let test = records.compactMap { $0.testError.map { Double($0) * 100 } }
    let largest = max(0.5, (training + test).max() ?? 1)
    // A top a little above the largest value, on a step of 0.5 % (or 1 %, 5 % … when large).
    let step = largest <= 3 ? 0.5 : largest <= 10 ? 1 : largest <= 50 ? 5 : 10
    let high = (largest / step).rounded(.up) * step
    let count = max(records.count, 2)
    func x(_ pass: Int) -> Double { left + (right - left) * Double(pass - 1) / Double(count - 1) }
    func y(_ value: Double) -> Double { bottom - (bottom - top) * value / high }
    var lines = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      #"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400" "#
        + #"font-family="Helvetica, Arial, sans-serif" font-size="12">"#,
      #"<rect width="640" height="400" fill="white"/>"#,
      #"<text x="320" y="22" text-anchor="middle" font-size="15">\#(escaped(title))</text>"#,
      #"<line x1="\#(left)" y1="\#(bottom)" x2="\#(right)" y2="\#(bottom)" stroke="black"/>"#,
      #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(bottom)" stroke="black"/>"#,
    ]
    var tick = 0.0
    while tick <= high + 1e-9 {
      lines.append(
        #"<line x1="\#(left - 4)" y1="\#(y(tick))" x2="\#(right)" y2="\#(y(tick))" stroke="rgb(221,221,221)"/>"#
      )
      lines.append(
        #"<text x="\#(left - 8)" y="\#(y(tick) + 4)" text-anchor="end">\#(format(tick))%</text>"#)
      tick += step
    }
    for pass in 1...count where pass <= records.count {
      lines.append(
        #"<text x="\#(x(pass))" y="\#(bottom + 18)" text-anchor="middle">\#(pass)</text>"#)
    }
    lines.append(
      #"<text x="\#((left + right) / 2)" y="\#(height - 22)" text-anchor="middle">"#
        + "training set iterations (passes)</text>")
    lines.append(
      #"<text x="18" y="\#((top + bottom) / 2)" text-anchor="middle" "#
        + #"transform="rotate(-90 18 \#((top + bottom) / 2))">error rate (%)</text>"#)
    let curves: [(String, [Double], String)] = [
      ("training set error", training, "rgb(31,119,180)"),
      ("test set error", test, "rgb(255,127,14)"),
    ]
    for (index, (name, values, color)) in curves.enumerated() where !values.isEmpty {
      let points = values.enumerated().map { "\(x($0.offset + 1)),\(y($0.element))" }
      lines.append(
        #"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(points.joined(separator: " "))"/>"#
      )
      let legendY = top + 10 + 18 * Double(index)
      lines.append(
        #"<line x1="\#(right - 150)" y1="\#(legendY)" x2="\#(right - 125)" y2="\#(legendY)" stroke="\#(color)" stroke-width="2"/>"#
      )
      lines.append(#"<text x="\#(right - 118)" y="\#(legendY + 4)">\#(name)</text>"#)
    }
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The misclassified digits, each drawn in grey levels with `true→predicted` under it, as
  /// figure 8. `pixels` are each digit's bytes (`rows × columns`, 0 paper … 255 ink).
  public static func misclassified(
    _ digits: [(pixels: [UInt8], label: Int, prediction: Int)], rows: Int = 28,
    columns: Int = 28, title: String
  ) -> String {
    let perRow = 12
    let (cell, scale) = (Double(columns) * 2 + 12, 2.0)
    let rowHeight = Double(rows) * scale + 22
    let gridRows = max(1, (digits.count + perRow - 1) / perRow)
    let width = Double(perRow) * cell + 20
    let height = 40 + Double(gridRows) * rowHeight
    var lines = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" "#
        + #"viewBox="0 0 \#(width) \#(height)" font-family="Helvetica, Arial, sans-serif" font-size="11">"#,
      #"<rect width="\#(width)" height="\#(height)" fill="white"/>"#,
      #"<text x="\#(width / 2)" y="22" text-anchor="middle" font-size="14">\#(escaped(title))</text>"#,
    ]
    for (index, digit) in digits.enumerated() {
      precondition(digit.pixels.count == rows * columns, "each digit needs \(rows * columns) bytes")
      let left = 10 + Double(index % perRow) * cell
      let top = 34 + Double(index / perRow) * rowHeight
      lines.append(#"<g transform="translate(\#(left) \#(top))">"#)
      // Eight grey levels, and each run of equal pixels along a row as one rectangle: a
      // hundred digits stay a few hundred kilobytes.
      for row in 0..<rows {
        var column = 0
        while column < columns {
          let level = Int(digit.pixels[row * columns + column]) / 32
          var end = column + 1
          while end < columns && Int(digit.pixels[row * columns + end]) / 32 == level { end += 1 }
          if level > 0 {
            let grey = 255 - min(255, level * 32 + 16)
            lines.append(
              #"<rect x="\#(Double(column) * scale)" y="\#(Double(row) * scale)" width="\#(Double(end - column) * scale)" height="\#(scale)" fill="rgb(\#(grey),\#(grey),\#(grey))"/>"#
            )
          }
          column = end
        }
      }
      lines.append(
        #"<text x="\#(Double(columns) * scale / 2)" y="\#(Double(rows) * scale + 14)" text-anchor="middle">\#(digit.label)→\#(digit.prediction)</text>"#
      )
      lines.append("</g>")
    }
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  static func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
  }

  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}
