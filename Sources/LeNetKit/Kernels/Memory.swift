#if canImport(Glibc)
  import Glibc
#endif

/// Keeps freed memory in the process for the next mini-batch instead of returning it to the
/// system.
///
/// Every training step allocates and frees the same few megabytes of activations and gradients.
/// glibc's defaults hand large blocks back to the kernel on `free` and fault them in again,
/// zero-filled, on the next `malloc`: with two threads that cost a third of a training step
/// (450,000 page faults in 4 seconds of `bench`). Raising the mmap and trim thresholds keeps
/// the blocks in the allocator; the resident size stays the working set of one step.
enum Memory {
  /// Applies the settings once per process; later reads do nothing.
  static let keepFreedPages: Void = {
    #if canImport(Glibc)
      // `mallopt` lives in <malloc.h>, which the Glibc module does not export; the option
      // numbers are glibc's M_TRIM_THRESHOLD (−1), M_TOP_PAD (−2) and M_MMAP_THRESHOLD (−3).
      typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
      let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
      _ = mallopt(-3, 256 << 20)
      _ = mallopt(-1, 512 << 20)
      _ = mallopt(-2, 16 << 20)
    #endif
  }()
}

extension Tensor {
  /// A tensor of `shape` whose elements `body` writes, every one of them (an empty shape does
  /// not call it): no zero fill first,
  /// which for a layer's output or gradient is one more pass over its memory (the fills were a
  /// third of the `memset` time of a training step).
  init(shape: [Int], writingEveryElement body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    let count = shape.reduce(1, *)
    guard count > 0 else {
      self.init(shape: shape)
      return
    }
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      body(buffer)
      initialized = count
    }
    self.init(shape: shape, scalars: scalars)
  }
}
