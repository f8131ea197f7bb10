// Fuzz target: IDX files as stored, gzipped or plain (IDX.content, then the image and label
// readers), the path `data verify` and `MNIST.load` take for each of the four files.
import LeNetKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let content = try? IDX.content(ofFile: bytes, file: "fuzz") else { return 0 }
  _ = try? IDX.images(from: content, file: "fuzz")
  _ = try? IDX.labels(from: content, file: "fuzz")
  return 0
}
