import EngineIO
import EngineIOCore
import EngineIOWire
import Foundation
import Glibc
import Testing

package struct TestFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A blocking TCP socket connected to `127.0.0.1:port`; closed again if the connect fails.
package func connectedLoopbackSocket(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let error = errno
        close(fd)
        throw TestFailure("connect failed: \(error)")
    }
    return fd
}

/// A blocking TCP connection to the server under test, with a 5 s receive timeout so a bug cannot hang the suite.
package final class TestSocket {
    package let fd: Int32
    private var pending: [UInt8] = []

    package init(port: Int) throws {
        fd = try connectedLoopbackSocket(port: port)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    package func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Some bytes, or `nil` at end of stream or timeout.
    package func read() -> [UInt8]? {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65_536) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    package func unread(_ bytes: [UInt8]) { pending = bytes + pending }

    /// One HTTP request and its response.
    package func request(_ method: String, _ target: String, body: [UInt8] = [], headers: [(String, String)] = []) throws -> HTTPResponse {
        var head = HTTPRequestHead(method: method, target: target, headers: HTTPHeaders([(name: "Host", value: "127.0.0.1")] + headers.map { (name: $0.0, value: $0.1) }))
        if !body.isEmpty { head.headers.add(name: "Content-Type", value: "text/plain;charset=UTF-8") }
        write(HTTPRequest(head: head, body: body).serialized())
        return try response(to: method)
    }

    package func response(to method: String) throws -> HTTPResponse {
        var parser = HTTPResponseParser()
        parser.expectResponse(toMethod: method)
        while true {
            if let response = try parser.next() {
                unread(parser.takeBufferedBytes())
                return response
            }
            guard let bytes = read() else {
                parser.finish()
                if let response = try parser.next() { return response }
                throw TestFailure("connection closed before a response")
            }
            parser.append(bytes)
        }
    }
}

/// A WebSocket client for the tests, masking its frames as a client must.
package final class TestWebSocket {
    package let socket: TestSocket
    private var assembler = WebSocketMessageAssembler(role: .client, limits: .init(maxFrameSize: 10_000_000), maxMessageSize: 10_000_000)
    package let status: Int

    package init(port: Int, target: String) throws {
        socket = try TestSocket(port: port)
        let key = WebSocketHandshake.key(fromNonce: (0..<16).map { _ in UInt8.random(in: 0...255) })
        let head = HTTPRequestHead(method: "GET", target: target, headers: HTTPHeaders([(name: "Host", value: "127.0.0.1")] + WebSocketHandshake.requestHeaders(key: key)))
        socket.write(head.serialized())
        let response = try socket.response(to: "GET")
        handshakeText = "\(response.head.status) \(response.head.headers["Sec-WebSocket-Accept"] ?? "")"
        status = response.head.status
        if status == 101 {
            // A client must check the accept value; a wrong one is a failed handshake.
            _ = try WebSocketHandshake.validateUpgradeResponse(status: status, key: key, header: { response.head.headers.values(for: $0) })
        }
    }

    package func send(_ text: String) { send(opcode: .text, Array(text.utf8)) }

    package func send(opcode: WebSocketOpcode, _ payload: [UInt8]) {
        socket.write(WebSocketFrameEncoder.encode(WebSocketFrame(opcode: opcode, payload: payload), maskingKey: [7, 1, 9, 3]))
    }

    /// The next message or close, skipping control frames; `nil` when the connection ends.
    private var handshakeText = ""
    /// Every byte received since the handshake, to show what a broken stream held.
    private(set) var received: [UInt8] = []

    package func receive() throws -> WebSocketEvent? {
        while true {
            let next: WebSocketEvent?
            do {
                next = try assembler.next()
            } catch {
                let tail = received.suffix(120).map { $0 >= 32 && $0 < 127 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
                throw TestFailure("\(error) after \(received.count) bytes ending \(tail); own handshake: \(handshakeText)")
            }
            if let event = next {
                switch event {
                case .ping, .pong: continue
                default: return event
                }
            }
            guard let bytes = socket.read() else { return nil }
            received += bytes
            assembler.append(bytes)
        }
    }

    package func receiveText() throws -> String? {
        if case .text(let text)? = try receive() { return text }
        return nil
    }

    /// Whether the server closes the connection (a close frame or end of stream) within the timeout.
    package func closes() throws -> Bool {
        while true {
            switch try receive() {
            case .close?, nil: return true
            default: continue
            }
        }
    }
}

/// Which echo server a test runs against: a façade in this process, or the `eio` binary.
package enum EchoKind: String, CaseIterable, CustomTestStringConvertible {
    case server = "Server", asyncServer = "AsyncServer", eioServe = "eio serve --echo", eioServeAsync = "eio serve --echo --async"
    package var testDescription: String { rawValue }
}

/// An echo server on a free port, configured as the compliance suite expects (ping 300/200 ms, CORS `*`).
package final class EchoServer {
    package let port: Int
    /// The open sessions' sids (none for the `eio` binary, whose sessions live in another process).
    package let sids: @Sendable () -> [String]
    private let stop: @Sendable () -> Void
    private var process: EioServeProcess?

    /// `eio serve --echo` (and `--async`) with the suite's configuration, or a façade with the default options.
    /// `async` because an `AsyncServer` starts in a task: a test that blocked its thread waiting for that task could
    /// hold one of the two threads of the task pool on this machine while another test held the other.
    package convenience init(kind: EchoKind) async throws {
        switch kind {
        case .server: try await self.init(async: false)
        case .asyncServer: try await self.init(async: true)
        case .eioServe, .eioServeAsync:
            let flags = ["--echo", "--ping-interval", "0.3", "--ping-timeout", "0.2", "--cors-allowed-origins", "*"]
            try self.init(process: EioServeProcess(flags + (kind == .eioServeAsync ? ["--async"] : [])))
        }
    }

    private init(process: EioServeProcess) {
        self.process = process
        port = process.port
        sids = { [] }
        stop = {}
    }

    /// `async`: an `AsyncServer` behind an `ASGIApp` instead of a `Server` behind a `WSGIApp`. Both with default
    /// handler options: a session's handlers run in order, so echoes come back in the order sent.
    package init(options: ServerOptions = ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, corsAllowedOrigins: "*"), async: Bool = false) async throws {
        if async {
            let server = try AsyncServer(options: options)
            server.on(.message) { sid, data in await server.send(sid, data) }
            let app = ASGIApp(server)
            port = try await app.start(host: "127.0.0.1", port: 0)
            sids = { server.sids }
            // A deinit cannot wait for a task without blocking a thread of the pool; the stop runs on its own.
            stop = { Task { await app.stop() } }
        } else {
            let server = try Server(options: options)
            server.on(.message) { sid, data in server.send(sid, data) }
            let app = WSGIApp(server)
            port = try app.start(host: "127.0.0.1", port: 0)
            sids = { server.sids }
            stop = { app.stop() }
        }
    }

    deinit { stop() }

    package var base: String { "/engine.io/?EIO=4" }

    /// Opens a polling session and returns its sid.
    package func pollingSession(_ socket: TestSocket) throws -> String {
        let response = try socket.request("GET", "\(base)&transport=polling")
        let body = String(decoding: response.body, as: UTF8.self)
        guard body.hasPrefix("0"), let open = try? OpenPacket(json: String(body.dropFirst())) else { throw TestFailure("bad handshake: \(body)") }
        return open.sid
    }
}
