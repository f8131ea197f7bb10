/// A grayscale image drawn in the terminal with shade characters, one character per pixel
/// across and per two pixels down (terminal cells are about twice as tall as wide).
///
/// ```
///       ░▒▓██▓░
///     ░▓█▓▒▒██▒
///        ...
/// ```
/// Each cell shows the mean of its two pixels: ` ` for 0–31, `░` 32–87, `▒` 88–143, `▓` 144–199,
/// `█` 200–255 (equal steps above the faint noise level).
public enum DigitPicture {
  private static let shades: [Character] = [" ", "░", "▒", "▓", "█"]

  /// The lines of the picture of a `rows × columns` image (0 background, 255 ink).
  public static func lines(_ pixels: some Collection<UInt8>, rows: Int = 28, columns: Int = 28)
    -> [String]
  {
    let values = Array(pixels)
    precondition(values.count == rows * columns, "a picture needs rows × columns pixels")
    return stride(from: 0, to: rows, by: 2).map { row in
      String(
        (0..<columns).map { column in
          let top = Int(values[row * columns + column])
          let bottom = row + 1 < rows ? Int(values[(row + 1) * columns + column]) : 0
          let mean = (top + bottom) / 2
          return mean < 32 ? shades[0] : shades[min(4, 1 + (mean - 32) * 4 / 224)]
        })
    }
  }

  /// Pictures next to each other, each with a caption line under it, separated by 2 spaces;
  /// when they would be wider than `maximumWidth` columns they continue in further bands.
  public static func sideBySide(
    _ pictures: [[String]], captions: [String], maximumWidth: Int = .max
  ) -> [String] {
    precondition(pictures.count == captions.count, "one caption per picture")
    // Typed to spare the type checker (Docs/training.md: type-checking hot spots).
    let pictureWidth: Int = pictures.map { $0.map(\.count).max() ?? 0 }.max() ?? 0
    let captionWidth: Int = captions.map(\.count).max() ?? 0
    let width = max(pictureWidth, captionWidth)
    let height = pictures.map(\.count).max() ?? 0
    func padded(_ text: String) -> String {
      text + String(repeating: " ", count: width - text.count)
    }
    // As many pictures per band as fit in `maximumWidth` (two spaces between them), at least one.
    let perBand = max(1, maximumWidth == .max ? pictures.count : (maximumWidth + 2) / (width + 2))
    var lines: [String] = []
    for start in stride(from: 0, to: pictures.count, by: perBand) {
      let band = start..<min(pictures.count, start + perBand)
      if start > 0 { lines.append("") }
      for row in 0..<height {
        lines.append(
          pictures[band].map { padded(row < $0.count ? $0[row] : "") }.joined(separator: "  "))
      }
      lines.append(captions[band].map(padded).joined(separator: "  "))
    }
    return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
  }
}
