/// Which input feature maps feed which output maps of a convolution.
///
/// LeNet-5's C3 takes each of its 16 maps from a *subset* of S2's 6 maps (Table I of LeCun et al.
/// 1998), which keeps the number of connections within bounds and forces different maps to see
/// different inputs, breaking their symmetry. `ConnectionTable.full` connects every pair.
public struct ConnectionTable: Sendable, Equatable {
  /// The number of input maps.
  public let inputChannels: Int
  /// For each output map, the input maps it reads, in increasing order.
  public let inputsOfOutput: [[Int]]

  /// The number of output maps.
  public var outputChannels: Int { inputsOfOutput.count }

  /// Creates a table from the input maps of each output map; every index must be in range and
  /// every output map must read at least one input.
  public init(inputChannels: Int, inputsOfOutput: [[Int]]) {
    for (output, inputs) in inputsOfOutput.enumerated() {
      precondition(!inputs.isEmpty, "Output map \(output) reads no input map")
      precondition(
        inputs.allSatisfy { (0..<inputChannels).contains($0) },
        "Output map \(output) reads \(inputs), outside 0..<\(inputChannels)")
      precondition(Set(inputs).count == inputs.count, "Output map \(output) lists an input twice")
    }
    self.inputChannels = inputChannels
    self.inputsOfOutput = inputsOfOutput.map { $0.sorted() }
  }

  /// Every output map reads every input map.
  public static func full(inputChannels: Int, outputChannels: Int) -> ConnectionTable {
    ConnectionTable(
      inputChannels: inputChannels,
      inputsOfOutput: Array(repeating: Array(0..<inputChannels), count: outputChannels))
  }

  /// Table I of LeCun et al. 1998: the S2 maps (0–5) that each C3 map (0–15) reads.
  ///
  /// Maps 0–5 read 3 contiguous S2 maps, 6–11 read 4 contiguous, 12–14 read 4 non-contiguous,
  /// and only map 15 reads all 6: 60 map-to-map links in all, against 96 for a full table.
  public static let lecun1998 = ConnectionTable(
    inputChannels: 6,
    inputsOfOutput: [
      [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
      [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
      [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5],
    ])

  /// Whether output map `output` reads input map `input`.
  public func connects(input: Int, toOutput output: Int) -> Bool {
    inputsOfOutput[output].contains(input)
  }

  /// The number of (input map, output map) pairs that are linked.
  public var linkCount: Int { inputsOfOutput.reduce(0) { $0 + $1.count } }

  /// Whether every output map reads every input map.
  public var isFull: Bool { linkCount == inputChannels * outputChannels }

  /// The table drawn as the paper draws Table I: one row per input map, one column per output
  /// map, `X` where they are linked.
  public var grid: String {
    let header = "   " + (0..<outputChannels).map { pad(String($0), 3) }.joined()
    let rows = (0..<inputChannels).map { input in
      pad(String(input), 3)
        + (0..<outputChannels).map { pad(connects(input: input, toOutput: $0) ? "X" : "·", 3) }
        .joined()
    }
    return ([header] + rows).joined(separator: "\n")
  }
}

/// `text` right-aligned in `width` characters.
func pad(_ text: String, _ width: Int) -> String {
  String(repeating: " ", count: max(0, width - text.count)) + text
}
