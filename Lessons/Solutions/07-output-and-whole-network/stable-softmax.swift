/// The softmax of `logits`, computed so that logits of any size give finite probabilities.
func softmax(_ logits: [Float]) -> [Float] {
  let largest = logits.max() ?? 0
  let shifted = logits.map { exp($0 - largest) }
  let total = shifted.reduce(0, +)
  return shifted.map { $0 / total }
}
