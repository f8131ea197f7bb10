/// A connection table built from groups of output maps: map number `s` of a group (counting
/// from 0 within the group) reads the input maps `(s + offset) % inputMaps` for each offset of
/// the group's pattern. Groups follow each other, so the first group's maps come first.
func ruleTable(inputMaps: Int, groups: [(outputMaps: Int, offsets: [Int])]) -> ConnectionTable {
  var inputsOfOutput: [[Int]] = []
  for group in groups {
    for start in 0..<group.outputMaps {
      inputsOfOutput.append(group.offsets.map { (start + $0) % inputMaps })
    }
  }
  return ConnectionTable(inputChannels: inputMaps, inputsOfOutput: inputsOfOutput)
}

/// Table I: contiguous triples, contiguous quadruples, split quadruples, and one map reading all.
let tableOne = ruleTable(
  inputMaps: 6,
  groups: [
    (outputMaps: 6, offsets: [0, 1, 2]), (outputMaps: 6, offsets: [0, 1, 2, 3]),
    (outputMaps: 3, offsets: [0, 1, 3, 4]), (outputMaps: 1, offsets: [0, 1, 2, 3, 4, 5]),
  ])
