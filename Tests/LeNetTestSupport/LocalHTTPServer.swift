import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for download tests: no internet needed.
///
/// It listens on an ephemeral port, answers each `GET /path` from `routes` on its own thread,
/// and stops itself after `lifetime` seconds even if a test forgets to call `stop()`.
public final class LocalHTTPServer: @unchecked Sendable {
  /// How the server answers one path.
  public enum Response: Sendable {
    /// `200 OK` with the body.
    case ok([UInt8])
    /// `200 OK` announcing the full length but closing after `sentBytes` of the body.
    case truncated([UInt8], sentBytes: Int)
    /// Any other status, with a short text body.
    case status(Int)
  }

  /// The port the server listens on.
  public let port: UInt16
  private let socket: Int32
  private let routes: [String: Response]
  private let lock = NSLock()
  private var stopped = false
  private var requestLog: [String] = []

  /// The server's base URL, `http://127.0.0.1:PORT/`.
  public var baseURL: URL {
    URL(string: "http://127.0.0.1:\(port)/") ?? URL(fileURLWithPath: "/")
  }

  /// The paths requested so far, in order.
  public var requests: [String] { lock.withLock { requestLog } }

  /// Starts serving `routes` (path → response; unknown paths get 404).
  public init(routes: [String: Response], lifetime: TimeInterval = 60) throws {
    self.routes = routes
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw ServerError("socket() failed: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0  // let the kernel choose a free port
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
        bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
      }
    }
    guard bound, listen(socket, 16) == 0 else {
      close(socket)
      throw ServerError("bind/listen on 127.0.0.1 failed: errno \(errno)")
    }
    self.socket = socket
    port = UInt16(bigEndian: address.sin_port)
    let deadline = Date().addingTimeInterval(lifetime)
    let thread = Thread { [self] in serve(until: deadline) }
    thread.start()
  }

  deinit { stop() }

  /// Stops accepting connections; safe to call more than once.
  public func stop() {
    let first = lock.withLock {
      defer { stopped = true }
      return !stopped
    }
    if first { shutdown(socket, Int32(SHUT_RDWR)) }
  }

  /// A URL on which nothing listens: a port the kernel handed out and that was closed again.
  public static func deadURL() throws -> URL {
    let server = try LocalHTTPServer(routes: [:], lifetime: 1)
    server.stop()
    Thread.sleep(forTimeInterval: 0.05)
    return URL(string: "http://127.0.0.1:\(server.port)/") ?? URL(fileURLWithPath: "/")
  }

  private var isStopped: Bool { lock.withLock { stopped } }

  private func serve(until deadline: Date) {
    defer { close(socket) }
    while !isStopped && Date() < deadline {
      var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 100) > 0 else { continue }
      let client = accept(socket, nil, nil)
      guard client >= 0 else { continue }
      handle(client)
      close(client)
    }
  }

  private func handle(_ client: Int32) {
    var request: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !request.containsHeaderEnd {
      let count = recv(client, &buffer, buffer.count, 0)
      guard count > 0 else { return }
      request += buffer[0..<count]
    }
    let firstLine = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
    let parts = firstLine.split(separator: " ")
    let path = parts.count >= 2 ? String(parts[1]) : "/"
    lock.withLock { requestLog.append(path) }
    switch routes[path] ?? .status(404) {
    case .ok(let body):
      send(client, header(200, length: body.count) + body)
    case .truncated(let body, let sentBytes):
      send(client, header(200, length: body.count) + body.prefix(sentBytes))
    case .status(let code):
      let body = Array("status \(code)\n".utf8)
      send(client, header(code, length: body.count) + body)
    }
  }

  private func header(_ status: Int, length: Int) -> [UInt8] {
    let reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Error"
    return Array(
      ("HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/octet-stream\r\n"
        + "Content-Length: \(length)\r\nConnection: close\r\n\r\n").utf8)
  }

  private func send(_ client: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { return }
      offset += sent
    }
  }

  /// Why the server could not start.
  public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
  }
}

extension [UInt8] {
  fileprivate var containsHeaderEnd: Bool {
    count >= 4 && (0...(count - 4)).contains { self[$0..<$0 + 4] == [13, 10, 13, 10] }
  }
}
