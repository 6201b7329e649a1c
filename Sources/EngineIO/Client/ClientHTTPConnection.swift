import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Glibc

/// A keep-alive HTTP/1.1 connection: one request at a time, reused while the server keeps it open. Response bodies
/// are bounded (`maxBodyBytes`, compressed and inflated alike) and inflated when the server compressed them.
/// Deadlines are the session reducer's: it cancels a request whose time is up.
final class ClientHTTPConnection {
    private let socket: ClientSocket
    private var parser: HTTPResponseParser
    private var completion: ((Result<HTTPResponse, TransportFailure>) -> Void)?
    private var reusable = true
    private var maxBodyBytes: Int
    /// Whether this connection has answered a request before (a stale reused one may fail without our fault).
    private(set) var wasUsed = false
    /// Bytes of the current response seen yet.
    private(set) var receivedBytes = 0

    init(loop: EventLoop, address: ServerAddress, tls: TLSClientContext?, hostname: String, tunnel: String?) throws {
        maxBodyBytes = 0
        parser = HTTPResponseParser(limits: HTTPParserLimits(maxHeadBytes: 64 * 1024))
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

    /// Request bytes not yet taken by the kernel.
    var pendingOutputCount: Int { socket.pendingOutputCount }

    /// Sends `request`; its response body (compressed or inflated) may be at most `maxBodyBytes`.
    func perform(_ request: HTTPRequest, maxBodyBytes: Int, completion: @escaping (Result<HTTPResponse, TransportFailure>) -> Void) {
        self.completion = completion
        self.maxBodyBytes = maxBodyBytes
        // Limits are a shared box that a change replaces (see `Shared`): only when it is a change.
        if parser.limits.maxBodyBytes != maxBodyBytes { parser.limits.maxBodyBytes = maxBodyBytes }
        receivedBytes = 0
        parser.expectResponse(toMethod: request.head.method)
        socket.write(request.serialized())
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        receivedBytes += bytes.count
        parser.append(bytes)
        do {
            while let response = try parser.next() {
                if !response.head.keepAlive { reusable = false }
                finish(inflated(response))
            }
        } catch {
            reusable = false
            finish(.failure(failure(error)))
            socket.shutdownNow()
        }
    }

    private func ended() {
        reusable = false
        parser.finish()
        do {
            if let response = try parser.next() { return finish(inflated(response)) }
        } catch {
            return finish(.failure(failure(error)))
        }
        finish(.failure(socket.failure ?? .closed))
    }

    /// Abandons the current request and the connection.
    func cancel() {
        completion = nil
        reusable = false
        socket.shutdownNow()
    }

    private func finish(_ result: Result<HTTPResponse, TransportFailure>) {
        guard let completion else { return }
        self.completion = nil
        wasUsed = true
        if !reusable { socket.shutdownNow() }
        completion(result)
    }

    private func failure(_ error: HTTPParseError) -> TransportFailure {
        switch error {
        case .responseBodyTooLarge: .tooLarge(limit: maxBodyBytes)
        default: .protocolViolation("\(error)")
        }
    }

    /// The response with its body inflated (bounded like the body itself), when the server compressed it.
    private func inflated(_ response: HTTPResponse) -> Result<HTTPResponse, TransportFailure> {
        guard let encoding = response.head.headers["Content-Encoding"]?.lowercased() else { return .success(response) }
        let format: ZlibFormat
        switch encoding {
        case "gzip": format = .gzip
        case "deflate": format = .zlib
        default: return .success(response)
        }
        do {
            var copy = response
            copy.body = try Inflater(format: format).decompress(response.body, limit: maxBodyBytes)
            copy.head.headers.remove(name: "Content-Encoding")
            return .success(copy)
        } catch .outputLimitExceeded {
            return .failure(.tooLarge(limit: maxBodyBytes))
        } catch {
            return .failure(.protocolViolation("the \(encoding) body does not inflate (\(error))"))
        }
    }
}
