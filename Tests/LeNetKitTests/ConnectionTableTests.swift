import LeNetKit
import Testing

/// Table I of LeCun et al. (1998): which S2 maps each C3 map reads.
@Suite struct ConnectionTableTests {
  /// The paper's Table I, column by column (C3 map j reads these S2 maps).
  @Test(arguments: [
    (0, [0, 1, 2]), (1, [1, 2, 3]), (2, [2, 3, 4]), (3, [3, 4, 5]), (4, [0, 4, 5]),
    (5, [0, 1, 5]), (6, [0, 1, 2, 3]), (7, [1, 2, 3, 4]), (8, [2, 3, 4, 5]), (9, [0, 3, 4, 5]),
    (10, [0, 1, 4, 5]), (11, [0, 1, 2, 5]), (12, [0, 1, 3, 4]), (13, [1, 2, 4, 5]),
    (14, [0, 2, 3, 5]), (15, [0, 1, 2, 3, 4, 5]),
  ])
  func tableIColumn(map: Int, inputs: [Int]) {
    #expect(ConnectionTable.lecun1998.inputsOfOutput[map] == inputs)
  }

  /// 6 maps × 3 + 6 × 4 + 3 × 4 + 1 × 6 = 60 links of the 96 possible.
  @Test func tableIShape() {
    let table = ConnectionTable.lecun1998
    #expect(table.inputChannels == 6)
    #expect(table.outputChannels == 16)
    #expect(table.linkCount == 60)
    #expect(!table.isFull)
    #expect(ConnectionTable.full(inputChannels: 6, outputChannels: 16).linkCount == 96)
    #expect(ConnectionTable.full(inputChannels: 6, outputChannels: 16).isFull)
  }

  /// Drawn as the paper prints it: rows are S2 maps, columns C3 maps.
  @Test func tableIGrid() {
    let expected = """
           0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
        0  X  ·  ·  ·  X  X  X  ·  ·  X  X  X  X  ·  X  X
        1  X  X  ·  ·  ·  X  X  X  ·  ·  X  X  X  X  ·  X
        2  X  X  X  ·  ·  ·  X  X  X  ·  ·  X  ·  X  X  X
        3  ·  X  X  X  ·  ·  X  X  X  X  ·  ·  X  ·  X  X
        4  ·  ·  X  X  X  ·  ·  X  X  X  X  ·  X  X  ·  X
        5  ·  ·  ·  X  X  X  ·  ·  X  X  X  X  ·  X  X  X
      """
    #expect(ConnectionTable.lecun1998.grid == expected)
  }

  @Test func connectsAgreesWithTheLists() {
    let table = ConnectionTable.lecun1998
    #expect(table.connects(input: 4, toOutput: 4))
    #expect(!table.connects(input: 1, toOutput: 4))
    #expect(table.connects(input: 5, toOutput: 15))
  }
}
