// Fuzz target: the zlib wrapper (Zlib.decompress) on gzip and zlib streams, whole and by
// prefix, under a small output limit so a bomb costs nothing.
import LeNetKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let limit = Zlib.Limit(bytes: 1 << 20, reason: "the fuzzer's limit", fix: "")
  for format in [Zlib.Format.gzip, .zlib] {
    _ = try? Zlib.decompress(bytes, format: format, file: "fuzz", limit: limit)
    _ = try? Zlib.decompressPrefix(bytes, count: 16, format: format, file: "fuzz")
  }
  _ = try? Zlib.gunzipIfNeeded(bytes, file: "fuzz", limit: limit)
  return 0
}
