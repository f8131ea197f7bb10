/// The loop of every pass that writes a short row (10 to 28 floats) a vector at a time.
enum VectorSteps {
  /// Calls `step(start)` for `start` = 0, `lanes`, 2 · `lanes` … while a whole step fits, then,
  /// when some are left and `count ≥ lanes`, once more at `count − lanes`, overlapping the step
  /// before: a row of 10 or 14 floats takes two vector steps instead of one and up to six
  /// scalar ones. Every pass that uses it computes each output from inputs it does not write,
  /// so an output computed twice is written with the same bits. A row shorter than `lanes`
  /// goes one `element(index)` at a time.
  @inline(__always)
  static func overlapping(
    count: Int, lanes: Int, step: (Int) -> Void, element: (Int) -> Void
  ) {
    var start = 0
    while start + lanes <= count {
      step(start)
      start += lanes
    }
    guard start < count else { return }
    if count >= lanes {
      step(count - lanes)
      return
    }
    while start < count {
      element(start)
      start += 1
    }
  }
}
