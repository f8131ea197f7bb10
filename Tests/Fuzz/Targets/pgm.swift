// Fuzz target: the PGM reader (PGM.decode, P2 and P5), then the MNIST-style centring.
import LeNetKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let image = try? PGM.decode(bytes, file: "fuzz") else { return 0 }
  _ = try? image.mnistDigit(file: "fuzz")
  return 0
}
