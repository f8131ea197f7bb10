import Foundation

/// Why a file could not be read or written, in the words a user needs ("permission denied"),
/// not Foundation's ("The operation could not be completed. (NSCocoaErrorDomain error 512.)").
///
/// Foundation wraps the system's reason (a POSIX `errno`) in a Cocoa error whose own code is often
/// the generic 512 (write) or 256 (read); the `errno` underneath says what happened.
public enum FileProblem {
  /// A short reason for `error`: `permission denied`, `no such file or folder` …
  public static func describe(_ error: any Error) -> String {
    let error = error as NSError
    if error.domain == NSPOSIXErrorDomain, let reason = posixReason(Int32(error.code)) {
      return reason
    }
    // On Linux the underlying error may be a Swift `POSIXError` that `as? NSError` does not
    // bridge; `as NSError` on the existential does.
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error {
      let underlying = underlying as NSError
      if underlying.domain == NSPOSIXErrorDomain, let reason = posixReason(Int32(underlying.code)) {
        return reason
      }
    }
    if error.domain == NSCocoaErrorDomain, let reason = cocoaReason(error.code) {
      return reason
    }
    return error.localizedDescription
  }

  /// The bytes of the file at `url`, or an error naming it with the reason in plain words; a
  /// folder is reported as "is a folder, not <what>", with `folderFix` as what to do.
  public static func readBytes(of url: URL, what: String, folderFix: String? = nil)
    throws(DataError) -> [UInt8]
  {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue
    {
      throw DataError(.missing, file: url.path, "is a folder, not \(what)", fix: folderFix)
    }
    do {
      return [UInt8](try Data(contentsOf: url))
    } catch {
      throw DataError(.missing, file: url.path, "cannot be read: \(describe(error))")
    }
  }

  static func posixReason(_ code: Int32) -> String? {
    switch code {
    case EACCES, EPERM: return "permission denied"
    case ENOENT: return "no such file or folder"
    case EISDIR: return "it is a folder"
    case ENOTDIR: return "a part of the path is a file, not a folder"
    case EROFS: return "the file system is read-only"
    case ENOSPC: return "the disk is full"
    case EDQUOT: return "the disk quota is exhausted"
    case ENAMETOOLONG: return "the name is too long"
    case EEXIST: return "it already exists"
    default: return nil
    }
  }

  static func cocoaReason(_ code: Int) -> String? {
    switch code {
    case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue:
      return "no such file or folder"
    case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue:
      return "permission denied"
    case CocoaError.fileWriteOutOfSpace.rawValue: return "the disk is full"
    case CocoaError.fileWriteVolumeReadOnly.rawValue: return "the file system is read-only"
    case CocoaError.fileWriteFileExists.rawValue: return "it already exists"
    default: return nil
    }
  }
}
