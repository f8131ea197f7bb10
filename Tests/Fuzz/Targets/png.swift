// Fuzz target: the PNG reader (PNG.decode; the signature is added when the input lacks it, so
// the fuzzer spends its time on chunks), then the MNIST-style centring `predict` applies.
import LeNetKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let raw = Array(UnsafeBufferPointer(start: data, count: size))
  let bytes = raw.starts(with: PNG.signature) ? raw : PNG.signature + raw
  guard let image = try? PNG.decode(bytes, file: "fuzz") else { return 0 }
  _ = try? image.mnistDigit(file: "fuzz")
  return 0
}
