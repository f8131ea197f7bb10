import Foundation
import LeNetKit

/// Writes safetensors files byte for byte as Hugging Face's `safetensors` library does, e.g. for
/// PyTorch's `safetensors.torch.save_file(module.state_dict(), path)`, so tests can feed the
/// checkpoint reader what PyTorch writes without running Python.
///
/// Written from the library's serializer (`safetensors/src/tensor.rs`, `prepare` and
/// `Metadata::serialize`), independently of LeNetKit's writer:
/// - tensors sorted by dtype alignment, then by name byte by byte (all F32 here: by name), their
///   data laid end to end in that order, which fixes the `data_offsets`;
/// - the header is compact JSON (serde_json: no spaces): `__metadata__` first when there is
///   metadata (`save_file` passes none by default, so it is absent), then each tensor as
///   `{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}` in data order;
/// - the header is padded with spaces to a multiple of 8 bytes and preceded by its length as a
///   little-endian UInt64.
public enum PyTorchSafeTensors {
  /// The bytes `save_file(tensors, path, metadata)` writes for these float32 tensors.
  ///
  /// With several metadata keys the library's order is its hash map's, which is unspecified;
  /// this writes them sorted.
  public static func encode(_ tensors: [String: Tensor], metadata: [String: String]? = nil)
    -> [UInt8]
  {
    let names = tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var entries: [String] = []
    if let metadata {
      let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0] ?? ""))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var data: [UInt8] = []
    for name in names {
      guard let tensor = tensors[name] else { continue }
      let begin = data.count
      for value in tensor.scalars {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 }
      }
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}"
      )
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    return bytes + header + data
  }

  /// A JSON string as serde_json writes it, for the ASCII names and values tests use.
  static func quoted(_ text: String) -> String {
    precondition(
      text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F },
      "PyTorchSafeTensors writes printable ASCII names only, got \(text.debugDescription)")
    return "\""
      + text.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}
