// Fuzz target: the safetensors reader (header length, JSON header, shapes and offsets), then
// the checkpoint loader that turns the tensors into a model, as `evaluate` and `predict` do.
import LeNetKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let file = try? SafeTensors(decoding: bytes, file: "fuzz") else { return 0 }
  _ = file.encoded()
  _ = try? Checkpoint.model(from: file, path: "fuzz")
  return 0
}
