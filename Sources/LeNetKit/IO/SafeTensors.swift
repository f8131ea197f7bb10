import Foundation

/// The safetensors file format (Hugging Face), limited to 32-bit floats: named tensors that
/// PyTorch, JAX and NumPy read without running any code from the file.
///
/// ```
/// bytes 0..<8      N, the header's length, unsigned 64-bit little-endian
/// bytes 8..<8+N    JSON: {"name": {"dtype": "F32", "shape": [6, 1, 5, 5], "data_offsets": [b, e]},
///                         …, "__metadata__": {"key": "value", …}}
/// bytes 8+N…       the data; tensor "name" is bytes b..<e of it, row-major, little-endian
/// ```
/// The reader checks every number before using it: the header length against the file, each
/// range against the data and against its shape (sizes computed with overflow checks, since the
/// shapes are the file's), and that the ranges tile the data exactly.
public struct SafeTensors: Sendable, Equatable {
  /// The tensors, in file order.
  public var tensors: [(name: String, tensor: Tensor)]
  /// Free-form string pairs (`__metadata__`).
  public var metadata: [String: String]

  /// Creates a file's content from tensors and metadata.
  public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The tensor called `name`, if any.
  public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

  public static func == (lhs: SafeTensors, rhs: SafeTensors) -> Bool {
    lhs.metadata == rhs.metadata && lhs.tensors.map(\.name) == rhs.tensors.map(\.name)
      && lhs.tensors.map(\.tensor) == rhs.tensors.map(\.tensor)
  }

  // MARK: Writing

  /// The file's bytes. The header is padded with spaces to a multiple of 8 bytes, as the
  /// reference writer does, so the data is aligned for readers that map the file.
  public func encoded() -> [UInt8] {
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map {
        "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))"
      }
      entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var offset = 0
    for (name, tensor) in tensors {
      let end = offset + 4 * tensor.count
      entries.append(
        "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    for shift in stride(from: 0, to: 64, by: 8) {
      bytes.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> UInt64(shift)))
    }
    bytes += header
    for (_, tensor) in tensors {
      for value in tensor.scalars {
        let bits = value.bitPattern
        bytes += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: bits >> $0) }
      }
    }
    return bytes
  }

  // MARK: Reading

  /// Reads a file's bytes; `file` names it in errors.
  public init(decoding bytes: [UInt8], file: String) throws(DataError) {
    func damaged(_ message: String, _ kind: DataError.Kind = .invalidContent) -> DataError {
      DataError(kind, file: file, message, fix: "the file is damaged or not a safetensors file")
    }
    guard bytes.count >= 8 else {
      throw damaged("\(bytes.count) bytes, too few for the 8-byte header length", .truncated)
    }
    var headerLength: UInt64 = 0
    for index in 0..<8 { headerLength |= UInt64(bytes[index]) << UInt64(8 * index) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw damaged(
        "the header length says \(headerLength) bytes, only \(bytes.count - 8) follow", .truncated)
    }
    let dataStart = 8 + Int(headerLength)
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
    } catch {
      throw damaged("the header is not valid JSON")
    }
    guard let header = json as? [String: Any] else {
      throw damaged("the header is not a JSON object")
    }
    let dataLength = bytes.count - dataStart
    var metadata: [String: String] = [:]
    var entries: [(name: String, shape: [Int], range: Range<Int>)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let pairs = value as? [String: String] else {
          throw damaged("__metadata__ must map strings to strings")
        }
        metadata = pairs
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shape = integers(entry["shape"]), let offsets = integers(entry["data_offsets"]),
        offsets.count == 2, shape.allSatisfy({ $0 >= 0 })
      else {
        throw damaged("tensor '\(name)' lacks a valid dtype, shape or data_offsets")
      }
      guard dtype == "F32" else {
        throw DataError(
          .unsupported, file: file, "tensor '\(name)' has dtype \(dtype); only F32 is supported",
          fix: "save the tensors as float32")
      }
      guard offsets[0] >= 0, offsets[0] <= offsets[1] else {
        throw damaged("tensor '\(name)' has data_offsets \(offsets)")
      }
      guard offsets[1] <= dataLength else {
        throw damaged(
          "tensor '\(name)' ends at data byte \(offsets[1]), the file has \(dataLength)", .truncated
        )
      }
      guard let size = Self.byteCount(of: shape) else {
        throw damaged(
          "tensor '\(name)' has shape \(shape), whose size does not fit in a 64-bit integer")
      }
      guard offsets[1] - offsets[0] == size else {
        throw damaged(
          "tensor '\(name)' of shape \(shape) needs \(size) bytes, data_offsets give \(offsets[1] - offsets[0])"
        )
      }
      entries.append((name, shape, offsets[0]..<offsets[1]))
    }
    entries.sort {
      ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
    }
    var end = 0
    for entry in entries {
      guard entry.range.lowerBound == end else {
        throw damaged(
          "tensor '\(entry.name)' starts at data byte \(entry.range.lowerBound), expected \(end) (overlap or gap)"
        )
      }
      end = entry.range.upperBound
    }
    guard end == dataLength else {
      throw damaged("\(dataLength - end) bytes after the last tensor", .extraBytes)
    }
    self.metadata = metadata
    tensors = entries.map { entry in
      var scalars = [Float](repeating: 0, count: entry.range.count / 4)
      for index in scalars.indices {
        let at = dataStart + entry.range.lowerBound + 4 * index
        scalars[index] = Float(
          bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
            | UInt32(bytes[at + 3]) << 24)
      }
      return (entry.name, Tensor(shape: entry.shape, scalars: scalars))
    }
  }
}

extension SafeTensors {
  /// The bytes an F32 tensor of `shape` takes, or nil when that number overflows `Int`: shapes
  /// come from the file, and `[2⁴⁰, 2⁴⁰, 1, 1]` must be an error, not a trap.
  static func byteCount(of shape: [Int]) -> Int? {
    var count = MemoryLayout<Float>.size
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }
}

/// A JSON array of whole numbers as `[Int]`, or nil if it is anything else.
private func integers(_ value: Any?) -> [Int]? {
  guard let array = value as? [Any] else { return nil }
  let numbers = array.compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
  return numbers.count == array.count ? numbers : nil
}

/// `text` as a JSON string literal.
private func jsonString(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case _ where scalar.value < 0x20:
      let digits = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
