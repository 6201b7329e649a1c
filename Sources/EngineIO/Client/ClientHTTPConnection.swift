import EngineIOPlatform
import EngineIOWire
import Foundation
import Glibc

/// A keep-alive HTTP/1.1 connection: one request at a time, reused while the server keeps it open. Response
/// bodies are inflated when the server compressed them.
final class ClientHTTPConnection {
    private let socket: ClientSocket
    private let loop: EventLoop
    private var parser = HTTPResponseParser(limits: HTTPParserLimits(maxBodyBytes: 200_000_000))
    private var completion: ((Result<HTTPResponse, any Error>) -> Void)?
    private var timer: UInt64?
    private var reusable = true
    /// Whether this connection has answered a request before (a stale reused one may fail without our fault).
    private(set) var wasUsed = false
    /// Bytes of the current response seen yet.
    private(set) var receivedBytes = 0

    init(loop: EventLoop, address: ServerAddress, tls: TLSClientContext?, hostname: String, tunnel: String?) throws {
        self.loop = loop
        socket = try ClientSocket(loop: loop, address: address, tls: tls, hostname: hostname, tunnel: tunnel)
        // Weak, and held strongly for the whole call: answering a request can release this object.
        socket.onBytes = { [weak self] bytes in self?.received(bytes) }
        socket.onClose = { [weak self] in self?.ended() }
    }

    /// A connection nobody keeps is closed, quietly: its callbacks point at this object.
    deinit {
        socket.onBytes = { _ in }
        socket.onClose = {}
        socket.shutdownNow()
    }

    /// Free for another request.
    var isIdle: Bool { completion == nil && reusable && !socket.isClosed }

    func perform(_ request: HTTPRequest, timeout: Double?, completion: @escaping (Result<HTTPResponse, any Error>) -> Void) {
        self.completion = completion
        receivedBytes = 0
        parser.expectResponse(toMethod: request.head.method)
        socket.write(request.serialized())
        if let timeout {
            timer = loop.schedule(at: loop.now + Int64(timeout * 1000)) { [weak self] in
                guard let self else { return }
                timer = nil
                reusable = false
                finish(.failure(SystemError("request timed out", errno: ETIMEDOUT)))
            }
        }
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        receivedBytes += bytes.count
        parser.append(bytes)
        do {
            while let response = try parser.next() {
                if !response.head.keepAlive { reusable = false }
                finish(.success(Self.inflated(response)))
            }
        } catch {
            reusable = false
            finish(.failure(error))
            socket.shutdownNow()
        }
    }

    private func ended() {
        reusable = false
        parser.finish()
        if let response = try? parser.next() {
            finish(.success(Self.inflated(response)))
        } else if let failure = socket.failure {
            finish(.failure(failure))
        } else {
            finish(.failure(SystemError("connection closed", errno: ECONNRESET)))
        }
    }

    /// Abandons the current request and the connection.
    func cancel() {
        completion = nil
        reusable = false
        if let timer { loop.cancelTimer(timer) }
        socket.shutdownNow()
    }

    private func finish(_ result: Result<HTTPResponse, any Error>) {
        guard let completion else { return }
        self.completion = nil
        wasUsed = true
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        if !reusable { socket.shutdownNow() }
        completion(result)
    }

    static func inflated(_ response: HTTPResponse) -> HTTPResponse {
        guard let encoding = response.head.headers["Content-Encoding"]?.lowercased() else { return response }
        let format: ZlibFormat
        switch encoding {
        case "gzip": format = .gzip
        case "deflate": format = .zlib
        default: return response
        }
        guard let body = try? Inflater(format: format).decompress(response.body, limit: 200_000_000) else { return response }
        var copy = response
        copy.body = body
        copy.head.headers.remove(name: "Content-Encoding")
        return copy
    }
}
