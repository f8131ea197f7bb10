import LeNetKit

/// A picture a cell showed with `show(…)` (the prelude): a grayscale image (a tensor, a grid of
/// feature maps, a heat map) or an SVG plot. The terminal sees only its drawing, text the cell
/// printed; the book (`lenet-tutor book`) puts the image in the drawing's place.
public struct Picture: Sendable, Equatable {
  /// What the picture holds.
  public enum Content: Sendable, Equatable {
    /// Gray levels, 0 black (the largest values) to 255 white.
    case gray(GrayImage)
    /// An SVG document.
    case svg(String)
  }

  /// The caption given to `show`, possibly empty.
  public var caption: String
  public var content: Content
  /// Where the drawing printed for the terminal lies in the cell's output, as UTF-8 offsets
  /// (empty when nothing was printed).
  public var drawing: Range<Int>

  public init(caption: String, content: Content, drawing: Range<Int>) {
    self.caption = caption
    self.content = content
    self.drawing = drawing
  }
}
