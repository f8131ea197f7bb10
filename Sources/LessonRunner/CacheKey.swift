import LeNetKit

/// Cache keys: a SHA-256 over length-safe fields, so that ("ab", "c") and ("a", "bc") differ.
struct CacheKey {
  private var hasher = SHA256()

  /// Adds a string's UTF-8 bytes followed by a zero byte.
  mutating func update(field: String) {
    hasher.update(Array(field.utf8) + [0])
  }

  /// Adds raw bytes (a file's contents).
  mutating func update(_ bytes: [UInt8]) { hasher.update(bytes) }

  /// The key as 64 lowercase hexadecimal digits.
  func hexDigest() -> String {
    var copy = hasher
    return copy.finalize().hexadecimal
  }
}
