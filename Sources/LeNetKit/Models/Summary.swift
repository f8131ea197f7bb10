/// A model's layer table, like Keras' `model.summary()` with a connections column and, where the
/// paper gives them, the paper's figures beside the computed ones.
public struct ModelSummary: Sendable {
  /// One printed row: a layer (with the activation that follows it folded in).
  public struct Row: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var outputShape: [Int]
    public var parameters: Int
    public var fixedParameters: Int
    public var connections: Int
    /// The paper's (parameters, connections) for this layer, when it gives them.
    public var paper: PaperFigures.Layer?
  }

  /// The model's name.
  public let modelName: String
  /// One sample's input shape.
  public let inputShape: [Int]
  /// The layer rows, in order.
  public let rows: [Row]
  /// Trainable parameters in all.
  public let totalParameters: Int
  /// Fixed (untrained) parameters in all.
  public let totalFixedParameters: Int
  /// Connections in all.
  public let totalConnections: Int
  /// The paper's totals, when the model is the paper's.
  public let paperTotals: PaperFigures.Layer?

  /// Summarises `model`; `paper` adds published figures (by default the model's own
  /// `referenceFigures`, the paper's for `lecun1998`).
  public init(_ model: Model, paper: PaperFigures? = nil) {
    let reference = paper ?? model.referenceFigures
    var rows: [Row] = []
    for (index, layer) in model.layers.enumerated() {
      let inputShape = index == 0 ? model.inputShape : model.layerOutputShapes[index - 1]
      let outputShape = model.layerOutputShapes[index]
      if let activation = layer as? Activation, !rows.isEmpty {
        rows[rows.count - 1].kind += ", \(activation.function.rawValue)"
        continue
      }
      if layer is Flatten { continue }
      rows.append(
        Row(
          name: layer.name, kind: layer.kind, outputShape: outputShape,
          parameters: layer.parameterCount, fixedParameters: layer.fixedParameterCount,
          connections: layer.connectionCount(for: inputShape),
          paper: reference?.layers[layer.name]))
    }
    // The Keras model's softmax is taken with the loss, not by a layer; say where it is.
    if model.output == .logits, !rows.isEmpty { rows[rows.count - 1].kind += ", softmax" }
    modelName = model.name
    inputShape = model.inputShape
    self.rows = rows
    totalParameters = model.parameterCount
    totalFixedParameters = rows.reduce(0) { $0 + $1.fixedParameters }
    totalConnections = model.connectionCount
    paperTotals = reference?.total
  }

  /// Whether every figure the paper gives matches the computed one (true when there are none).
  public var matchesPaper: Bool {
    rows.allSatisfy { row in
      row.paper.map { $0.parameters == row.parameters && $0.connections == row.connections } ?? true
    }
      && paperTotals.map {
        $0.parameters == totalParameters && $0.connections == totalConnections
      } ?? true
  }

  /// The table as plain text, one line per layer, ending with the totals.
  public func rendered() -> String {
    let hasPaper = paperTotals != nil
    var table: [[String]] = [
      ["Layer", "Type", "Output", "Parameters", "Connections"] + (hasPaper ? ["Paper", ""] : [])
    ]
    table.append(["input", "", shapeText(inputShape), "", ""] + (hasPaper ? ["", ""] : []))
    for row in rows {
      let parameters =
        row.fixedParameters > 0
        ? "\(grouped(row.parameters)) (+\(grouped(row.fixedParameters)) fixed)"
        : grouped(row.parameters)
      table.append(
        [row.name, row.kind, shapeText(row.outputShape), parameters, grouped(row.connections)]
          + (hasPaper ? paperColumns(row.paper, row.parameters, row.connections) : []))
    }
    let totalParametersText =
      totalFixedParameters > 0
      ? "\(grouped(totalParameters)) (+\(grouped(totalFixedParameters)) fixed)"
      : grouped(totalParameters)
    let totals =
      ["Total", "", "", totalParametersText, grouped(totalConnections)]
      + (hasPaper ? paperColumns(paperTotals, totalParameters, totalConnections) : [])
    let rightAligned: Set<Int> = [3, 4, 5]
    var widths = [Int](repeating: 0, count: table[0].count)
    for line in table + [totals] {
      for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func format(_ line: [String]) -> String {
      line.enumerated().map { column, cell in
        rightAligned.contains(column)
          ? pad(cell, widths[column])
          : cell + String(repeating: " ", count: widths[column] - cell.count)
      }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    var lines = ["Model: \(modelName)", rule, format(table[0]), rule]
    lines += table.dropFirst().map(format)
    lines += [rule, format(totals)]
    if hasPaper {
      lines.append(
        matchesPaper ? "Every figure matches the paper." : "Some figures differ from the paper (✗)."
      )
    }
    return lines.joined(separator: "\n")
  }

  private func paperColumns(_ paper: PaperFigures.Layer?, _ parameters: Int, _ connections: Int)
    -> [String]
  {
    guard let paper else { return ["", ""] }
    let matches = paper.parameters == parameters && paper.connections == connections
    return ["\(grouped(paper.parameters)) / \(grouped(paper.connections))", matches ? "✓" : "✗"]
  }
}

/// The figures LeCun et al. (1998) print for LeNet-5, section II.B.
public struct PaperFigures: Sendable, Equatable, Codable {
  /// One layer's published trainable parameters and connections.
  public struct Layer: Sendable, Equatable, Codable {
    public var parameters: Int
    public var connections: Int

    /// Creates a pair of figures.
    public init(parameters: Int, connections: Int) {
      self.parameters = parameters
      self.connections = connections
    }
  }

  /// Figures by layer name.
  public var layers: [String: Layer]
  /// The whole network's figures.
  public var total: Layer

  /// Creates figures from each layer's and the total.
  public init(layers: [String: Layer], total: Layer) {
    self.layers = layers
    self.total = total
  }

  /// LeNet-5: C1 156 / 122,304; S2 12 / 5,880; C3 1,516 / 151,600; S4 32 / 2,000;
  /// C5 48,120 / 48,120; F6 10,164 / 10,164; the RBF output 0 trainable / 840 connections;
  /// 60,000 parameters and 340,908 connections in all.
  public static let lecun1998 = PaperFigures(
    layers: [
      "C1": Layer(parameters: 156, connections: 122_304),
      "S2": Layer(parameters: 12, connections: 5_880),
      "C3": Layer(parameters: 1_516, connections: 151_600),
      "S4": Layer(parameters: 32, connections: 2_000),
      "C5": Layer(parameters: 48_120, connections: 48_120),
      "F6": Layer(parameters: 10_164, connections: 10_164),
      "output": Layer(parameters: 0, connections: 840),
    ],
    total: Layer(parameters: 60_000, connections: 340_908))
}

/// A shape as the paper writes it: `6@28×28` for maps, `84` for a vector.
public func shapeText(_ shape: [Int]) -> String {
  switch shape.count {
  case 3: return "\(shape[0])@\(shape[1])×\(shape[2])"
  default: return shape.map(String.init).joined(separator: "×")
  }
}

/// A number rounded to a whole one, with thousands separators: `15612.7` → `15,613`.
public func grouped(_ value: Double) -> String { grouped(Int(value.rounded())) }

/// An integer with thousands separators: `151600` → `151,600`.
public func grouped(_ value: Int) -> String {
  let digits = String(value.magnitude)
  var result = ""
  for (index, digit) in digits.enumerated() {
    if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
    result.append(digit)
  }
  return value < 0 ? "-" + result : result
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var copy = self
    while copy.last == " " { copy.removeLast() }
    return copy
  }
}

extension Model {
  /// The layer table of this model (see `ModelSummary`).
  public func summary() -> ModelSummary { ModelSummary(self) }
}
