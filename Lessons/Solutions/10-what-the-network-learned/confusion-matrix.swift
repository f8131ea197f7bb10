/// `matrix[t][p]`: how many samples of true class `t` were predicted as class `p`.
func confusionMatrix(labels: [Int], predictions: [Int], classes: Int = 10) -> [[Int]] {
  var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
  for (label, prediction) in zip(labels, predictions) { matrix[label][prediction] += 1 }
  return matrix
}
