/// The paper's eq. 9, the mean over the P images of `penalties` (`[P, C]`) of
/// y_D + log(e^(−j) + Σ_i e^(−y_i)), and its gradient with respect to every penalty, computed
/// so that penalties in the thousands stay finite.
func mapLoss(penalties: Tensor, labels: [Int], j: Double) -> (loss: Double, gradient: Tensor) {
  let (images, classes) = (penalties.shape[0], penalties.shape[1])
  var loss = 0.0
  var gradient = Tensor(shape: [images, classes])
  for image in 0..<images {
    let row = (0..<classes).map { Double(penalties[image, $0]) }
    let label = labels[image]
    let m = min(j, row.min() ?? j)
    let shifted = row.map { exp(m - $0) }
    let total = exp(m - j) + shifted.reduce(0, +)
    loss += (row[label] + log(total) - m) / Double(images)
    for i in 0..<classes {
      gradient[image, i] = Float(((i == label ? 1 : 0) - shifted[i] / total) / Double(images))
    }
  }
  return (loss, gradient)
}
