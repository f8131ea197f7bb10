/// SHA-256 (FIPS 180-4, section 6.2): the checksum that tells a good MNIST file from a damaged one.
///
/// The message is padded to a multiple of 64 bytes (a 1 bit, zeros, then its length in bits as
/// a 64-bit big-endian number) and compressed block by block into eight 32-bit words:
///
/// ```
/// W[t] = M[t]                                            0 ≤ t < 16
/// W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16]     16 ≤ t < 64
/// T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]
/// T2 = Σ0(a) + Maj(a, b, c)
/// ```
/// `M` is the block as 16 big-endian words, `a`…`h` the working variables, `K` the round
/// constants (cube roots of the first 64 primes), all additions mod 2³².
///
/// ```swift
/// var hash = SHA256()
/// hash.update(bytes)
/// let hex = hash.finalize().hexadecimal
/// ```
public struct SHA256: Sendable {
  private var state: [UInt32] = [
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab,
    0x5be0_cd19,
  ]
  /// Bytes of an incomplete block, waiting for more input.
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  /// Starts a new hash.
  public init() {}

  /// The SHA-256 of `bytes`, as 64 lowercase hexadecimal digits.
  public static func hexadecimal(of bytes: [UInt8]) -> String {
    var hash = SHA256()
    hash.update(bytes)
    return hash.finalize().hexadecimal
  }

  /// Adds `bytes` to the message.
  public mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { update($0) }
  }

  /// Adds the bytes in `buffer` to the message.
  public mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
    length &+= UInt64(buffer.count)
    var start = 0
    if !pending.isEmpty {
      let taken = min(64 - pending.count, buffer.count)
      pending.append(contentsOf: buffer[0..<taken])
      start = taken
      guard pending.count == 64 else { return }
      pending.withUnsafeBufferPointer { compress(blocksAt: $0, count: 1) }
      pending.removeAll(keepingCapacity: true)
    }
    let blocks = (buffer.count - start) / 64
    if blocks > 0, let base = buffer.baseAddress {
      compress(
        blocksAt: UnsafeBufferPointer(start: base + start, count: blocks * 64), count: blocks)
    }
    pending.append(contentsOf: buffer[(start + blocks * 64)...])
  }

  /// Pads the message and returns its 32-byte digest.
  public mutating func finalize() -> Digest {
    let bitLength = length &* 8
    var tail = pending + [0x80]
    tail += [UInt8](repeating: 0, count: (120 - tail.count) % 64)
    for shift in stride(from: 56, through: 0, by: -8) {
      tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    tail.withUnsafeBufferPointer { compress(blocksAt: $0, count: tail.count / 64) }
    pending = []
    var bytes: [UInt8] = []
    for word in state {
      for shift in stride(from: 24, through: 0, by: -8) {
        bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
      }
    }
    return Digest(bytes: bytes)
  }

  /// A finished hash.
  public struct Digest: Sendable, Equatable {
    /// The 32 bytes.
    public let bytes: [UInt8]
    /// The bytes as 64 lowercase hexadecimal digits, the form `sha256sum` prints.
    public var hexadecimal: String {
      let digits = Array("0123456789abcdef".utf8)
      var text: [UInt8] = []
      for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
      return String(decoding: text, as: UTF8.self)
    }
  }

  private mutating func compress(blocksAt data: UnsafeBufferPointer<UInt8>, count: Int) {
    var h0 = state[0]
    var h1 = state[1]
    var h2 = state[2]
    var h3 = state[3]
    var h4 = state[4]
    var h5 = state[5]
    var h6 = state[6]
    var h7 = state[7]
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      SHA256.roundConstants.withUnsafeBufferPointer { k in
        for block in 0..<count {
          let base = block * 64
          for t in 0..<16 {
            let i = base + 4 * t
            w[t] =
              UInt32(data[i]) << 24 | UInt32(data[i + 1]) << 16 | UInt32(data[i + 2]) << 8
              | UInt32(data[i + 3])
          }
          for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = s1 &+ w[t - 7] &+ s0 &+ w[t - 16]
          }
          var a = h0
          var b = h1
          var c = h2
          var d = h3
          var e = h4
          var f = h5
          var g = h6
          var h = h7
          for t in 0..<64 {
            let sum1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choose = (e & f) ^ (~e & g)
            let t1 = h &+ sum1 &+ choose &+ k[t] &+ w[t]
            let sum0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = sum0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ t2
          }
          h0 &+= a
          h1 &+= b
          h2 &+= c
          h3 &+= d
          h4 &+= e
          h5 &+= f
          h6 &+= g
          h7 &+= h
        }
      }
    }
    state = [h0, h1, h2, h3, h4, h5, h6, h7]
  }

  /// FIPS 180-4, section 4.2.2: the first 32 bits of the fractional parts of the cube roots of
  /// the first 64 primes.
  private static let roundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
    0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
    0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
    0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
    0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
    0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
    0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
    0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
    0xc671_78f2,
  ]
}

@inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
  (x >> n) | (x << (32 - n))
}
