import LeNetKit
import Testing

/// Inputs the fuzzers (Tests/Fuzz, Docs/reliability.md) found to crash a reader, byte for byte,
/// each named after its target and the artifact libFuzzer wrote.
@Suite struct FuzzRegressionTests {
  /// safetensors, crash-3eae77f6…: a tensor of shape [1, 2^40, 2^40] with data_offsets [0, 0]
  /// (the 8-byte header length 128, then the header). The element count overflows 64 bits, and
  /// counting it trapped in SafeTensors.init (issue 10 §1, fixed in SafeTensors.swift by the
  /// safetensors hardening).
  @Test
  func safetensorsShapeWhoseCountOverflows() {
    let header =
      #"{"__metadata__":{"model":"ke-1ras"},"f6.weight":{"dtype":"F32","#
      + #""shape":[1,1099511627776,1099511627776],"data_offsets":[0,0]}}     ~"#
    let bytes: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
    #expect(bytes.count == 139)
    let error = #expect(throws: DataError.self) {
      try SafeTensors(decoding: bytes, file: "crash.safetensors")
    }
    #expect(error?.kind == .invalidContent)
  }
}
