import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation

/// What the client engine tells the layer above, on the loop thread (implementations must not block).
struct ClientDelegate: Sendable {
    var deliver: @Sendable (PacketData) -> Void
    var notify: @Sendable (ClientNotification) -> Void
    /// `detail`: what went wrong below HTTP (a TLS verification failure, a refused connection), when known.
    var connectFailed: @Sendable (ConnectError, _ detail: String?) -> Void
}

/// The imperative shell of the client: it runs the `ClientSession` reducer on its own event loop and performs the
/// effects over plain TCP (HTTP/1.1 requests, one WebSocket), decompressing gzip/deflate responses.
final class ClientEngine: @unchecked Sendable {
    let loop: EventLoop
    private var session: ClientSession
    private let url: ClientURL
    private let address: ServerAddress
    private let headers: [String: String]
    private let options: ClientOptions
    private let delegate: ClientDelegate
    private let tls: TLSClientContext?
    /// `host:port` for the proxy's `CONNECT`, when an HTTP proxy is in the way (`address` is then the proxy's).
    private let tunnel: String?
    /// The last transport-level failure, for error messages.
    private var lastFailure: String?
    private var requests: [RequestID: ClientHTTPConnection] = [:]
    /// Keep-alive connections waiting for their next request (a GET and a POST are out at most, so two suffice).
    private var idle: [ClientHTTPConnection] = []
    private var sockets: [ConnectionID: ClientWebSocket] = [:]
    private var closing: [ObjectIdentifier: ClientWebSocket] = [:]
    private var timer: UInt64?
    private let inbox = SerialInbox<ClientSessionEvent>()
    /// `EIO_CLIENT_DEBUG=1` prints every input and its effects to standard error.
    private static let tracing = ProcessInfo.processInfo.environment["EIO_CLIENT_DEBUG"] != nil

    init(
        url: ClientURL, address: ServerAddress, headers: [String: String], settings: ClientSessionSettings, options: ClientOptions,
        tls: TLSClientContext?, tunnel: String?, delegate: ClientDelegate
    ) throws {
        self.tls = tls
        self.tunnel = tunnel
        self.url = url
        self.address = address
        self.headers = headers
        self.options = options
        self.delegate = delegate
        session = ClientSession(settings: settings)
        loop = try EventLoop(name: "engineio-client")
    }

    func start() {
        loop.start()
        submit(.command(.connect))
    }

    func stop() { loop.stop() }

    /// An application command, from any thread.
    func submit(_ event: ClientSessionEvent) {
        if loop.isCurrent { apply(event) } else { loop.execute { [self] in apply(event) } }
    }

    /// The transport and sid, read on the loop.
    func snapshot(_ body: @escaping @Sendable (ClientSession) -> Void) {
        loop.execute { [self] in body(session) }
    }

    private var now: Instant { Instant(milliseconds: loop.now) }

    private func apply(_ event: ClientSessionEvent) {
        guard inbox.enqueue(event) else { return }
        while let next = inbox.take() {
            let effects = ClientSession.reduce(&session, Input(at: now, next))
            if Self.tracing {
                FileHandle.standardError.write(Data("client \(next) -> \(effects)\n".prefix(600).utf8))
            }
            for effect in effects { run(effect) }
        }
    }

    private var timestamp: String? {
        options.timestampRequests ? String(Date().timeIntervalSince1970) : nil
    }

    private func baseHeaders() -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [(name: "Host", value: url.hostHeader), (name: "Accept-Encoding", value: "gzip, deflate")]
        for (name, value) in (options.httpSession?.headers ?? [:]).merging(headers, uniquingKeysWith: { _, mine in mine }) {
            fields.append((name: name, value: value))
        }
        if let cookies = options.httpSession?.cookies, !cookies.isEmpty {
            fields.append((name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        return fields
    }

    /// Sends `request` on an idle keep-alive connection, or a new one. A GET that fails on a reused connection
    /// before any answer came is sent once more on a fresh one: the server may have closed the idle connection just
    /// then. (A POST is not repeated: its messages may have arrived.)
    private func send(_ request: HTTPRequest, id: RequestID, timeout: Double?, retry: Bool) {
        idle.removeAll { !$0.isIdle }
        let connection: ClientHTTPConnection
        if let reused = idle.popLast() {
            connection = reused
        } else {
            do {
                connection = try ClientHTTPConnection(loop: loop, address: address, tls: tls, hostname: url.host, tunnel: tunnel)
            } catch {
                lastFailure = "\(error)"
                return apply(.requestFailed(id))
            }
        }
        let reused = connection.wasUsed
        requests[id] = connection
        connection.perform(request, timeout: timeout) { [self, weak connection] result in
            guard let connection else { return }
            guard requests[id] === connection else { return }
            requests[id] = nil
            switch result {
            case .success(let response):
                if connection.isIdle, idle.count < 2 { idle.append(connection) }
                let binary = response.head.headers["Content-Type"]?.hasPrefix("application/octet-stream") ?? false
                apply(.responseReceived(id, status: response.head.status, body: response.body, binary: binary))
            case .failure(let error):
                if retry, reused, connection.receivedBytes == 0 {
                    return send(request, id: id, timeout: timeout, retry: false)
                }
                lastFailure = "\(error)"
                apply(.requestFailed(id))
            }
        }
    }

    private func run(_ effect: ClientSessionEffect) {
        switch effect {
        case .sendRequest(let id, let request):
            let (method, target, body): (String, String, [UInt8]) =
                switch request {
                case .handshake: ("GET", url.target(transport: .polling, sid: nil, timestamp: timestamp), [])
                case .poll(let sid): ("GET", url.target(transport: .polling, sid: sid, timestamp: timestamp), [])
                case .post(let sid, let body): ("POST", url.target(transport: .polling, sid: sid, timestamp: nil), body)
                }
            var head = HTTPRequestHead(method: method, target: target, headers: HTTPHeaders(baseHeaders()))
            if method == "POST" { head.headers.add(name: "Content-Type", value: "text/plain;charset=UTF-8") }
            // Long polls wait for the server's next packet; only the heartbeat decides they are too slow.
            let timeout: Double? = if case .poll = request { nil } else { options.requestTimeout }
            send(HTTPRequest(head: head, body: body), id: id, timeout: timeout, retry: method == "GET")
        case .cancelRequest(let id):
            requests.removeValue(forKey: id)?.cancel()
            idle.removeAll { !$0.isIdle }
        case .openWebSocket(let connection, let sid):
            let target = url.target(transport: .websocket, sid: sid, timestamp: timestamp)
            do {
                // python merges `websocket_extra_options`' headers into the handshake; theirs win.
                var headers = baseHeaders()
                for (name, value) in options.websocketExtraOptions?.headers ?? [:] {
                    headers.removeAll { $0.name.lowercased() == name.lowercased() }
                    headers.append((name: name, value: value))
                }
                if let protocols = options.websocketExtraOptions?.subprotocols, !protocols.isEmpty {
                    headers.append((name: "Sec-WebSocket-Protocol", value: protocols.joined(separator: ", ")))
                }
                let socket = try ClientWebSocket(
                    loop: loop, address: address, tls: tls, hostname: url.host, tunnel: tunnel, target: target, headers: headers, maxMessage: 100_000_000,
                    timeout: options.websocketExtraOptions?.connectTimeout ?? options.requestTimeout
                ) { [self] event in
                    switch event {
                    case .opened: apply(.webSocketOpened(connection))
                    case .refused(let status, let body, let failure):
                        sockets[connection] = nil
                        if let failure { lastFailure = failure }
                        apply(.webSocketRefused(connection, status: status, body: body))
                    case .message(let payload): apply(.frameReceived(connection, payload))
                    case .closed: sockets[connection] = nil; apply(.webSocketClosed(connection))
                    }
                }
                sockets[connection] = socket
            } catch {
                apply(.webSocketRefused(connection, status: nil, body: []))
            }
        case .write(let packets, let connection):
            guard let socket = sockets[connection] else { return }
            for packet in packets { socket.send(PacketCodec.v4.encodeWebSocket(packet)) }
        case .closeWebSocket(let connection):
            // Kept until the closing handshake ends (the server's close frame, or a second).
            guard let socket = sockets.removeValue(forKey: connection) else { return }
            closing[ObjectIdentifier(socket)] = socket
            socket.close { [self] in closing[ObjectIdentifier(socket)] = nil }
        case .deliver(let data):
            delegate.deliver(data)
        case .notify(let notification):
            delegate.notify(notification)
        case .connectFailed(let error):
            delegate.connectFailed(error, lastFailure)
        case .wake(let at):
            if let timer { loop.cancelTimer(timer) }
            timer = at.map { at in loop.schedule(at: at.milliseconds) { [self] in timer = nil; apply(.timerFired) } }
        case .rejected:
            break
        }
    }
}

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

/// The client side of one WebSocket: handshake with a random key, masked frames, ping/pong, close.
final class ClientWebSocket {
    enum Event {
        case opened
        case refused(status: Int?, body: [UInt8], failure: String?)
        case message(WebSocketPayload)
        case closed
    }

    private let socket: ClientSocket
    private let key: String
    private var handshake = HTTPResponseParser()
    private var assembler: WebSocketMessageAssembler
    private var open = false
    private var done = false
    private let onEvent: (Event) -> Void
    private let loop: EventLoop
    private var timer: UInt64?

    /// `timeout` seconds for the TCP, TLS and WebSocket handshakes together (python's `request_timeout`).
    init(
        loop: EventLoop, address: ServerAddress, tls: TLSClientContext?, hostname: String, tunnel: String?, target: String,
        headers: [(name: String, value: String)], maxMessage: Int, timeout: Double, onEvent: @escaping (Event) -> Void
    ) throws {
        self.onEvent = onEvent
        self.loop = loop
        key = WebSocketHandshake.key(fromNonce: SecureRandom.bytes(16))
        assembler = WebSocketMessageAssembler(role: .client, limits: .init(maxFrameSize: maxMessage), maxMessageSize: maxMessage)
        handshake.expectResponse(toMethod: "GET")
        socket = try ClientSocket(loop: loop, address: address, tls: tls, hostname: hostname, tunnel: tunnel)
        // Weak, and held strongly for the whole call: answering a request can release this object.
        socket.onBytes = { [weak self] bytes in self?.received(bytes) }
        socket.onClose = { [weak self] in self?.ended() }
        let head = HTTPRequestHead(method: "GET", target: target, headers: HTTPHeaders(headers + WebSocketHandshake.requestHeaders(key: key)))
        socket.write(head.serialized())
        timer = loop.schedule(at: loop.now + Int64(timeout * 1000)) { [weak self] in
            guard let self else { return }
            timer = nil
            guard !open, !done else { return }
            done = true
            socket.shutdownNow()
            onEvent(.refused(status: nil, body: [], failure: "the WebSocket handshake timed out"))
        }
    }

    deinit {
        if let timer { loop.cancelTimer(timer) }
        if let closeTimer { loop.cancelTimer(closeTimer) }
        socket.onBytes = { _ in }
        socket.onClose = {}
        socket.shutdownNow()
    }

    func send(_ payload: WebSocketPayload) {
        let (opcode, bytes): (WebSocketOpcode, [UInt8]) =
            switch payload {
            case .text(let bytes): (.text, bytes)
            case .binary(let bytes): (.binary, bytes)
            }
        socket.write(WebSocketFrameEncoder.encode(WebSocketFrame(opcode: opcode, payload: bytes), maskingKey: SecureRandom.bytes(4)))
    }

    /// The closing handshake: our close frame, then the server's (or `timeout` seconds), then the TCP close;
    /// `finished` runs once it is over. The session hears nothing more from this socket.
    func close(timeout: Double = 1, finished: @escaping () -> Void) {
        guard open, !done else {
            closeNow()
            return finished()
        }
        done = true
        closing = finished
        socket.write(WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: WebSocketCloseCode.normal)), maskingKey: SecureRandom.bytes(4)))
        closeTimer = loop.schedule(at: loop.now + Int64(timeout * 1000)) { [weak self] in self?.finishClosing() }
    }

    private var closing: (() -> Void)?
    private var closeTimer: UInt64?

    private func finishClosing() {
        guard let finished = closing else { return }
        closing = nil
        if let closeTimer { loop.cancelTimer(closeTimer) }
        socket.shutdownNow()
        finished()
    }

    /// Closes without a handshake (after a protocol error, or before the WebSocket opened).
    private func closeNow() {
        done = true
        socket.shutdownNow()
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        if !open {
            handshake.append(bytes)
            guard let response = try? handshake.next() else { return }
            do {
                _ = try WebSocketHandshake.validateUpgradeResponse(status: response.head.status, key: key, header: { response.head.headers.values(for: $0) })
            } catch {
                done = true
                socket.shutdownNow()
                return onEvent(.refused(status: response.head.status == 101 ? nil : response.head.status, body: response.body, failure: "\(error)"))
            }
            open = true
            if let timer { loop.cancelTimer(timer) }
            timer = nil
            onEvent(.opened)
            assembler.append(handshake.takeBufferedBytes())
        } else {
            assembler.append(bytes)
        }
        if closing != nil {
            // Closing: only the server's close frame (or a broken stream) matters now.
            do {
                while let event = try assembler.next() {
                    if case .close = event { return finishClosing() }
                }
            } catch {
                finishClosing()
            }
            return
        }
        while !done {
            let event: WebSocketEvent?
            do {
                event = try assembler.next()
            } catch {
                closeNow()
                return onEvent(.closed)
            }
            guard let event else { return }
            switch event {
            case .text(let text): onEvent(.message(.text(Array(text.utf8))))
            case .binary(let bytes): onEvent(.message(.binary(bytes)))
            case .ping(let payload):
                socket.write(WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .pong, payload: payload), maskingKey: SecureRandom.bytes(4)))
            case .pong: break
            case .close, .compressed:
                closeNow()
                return onEvent(.closed)
            }
        }
    }

    private func ended() {
        guard !done else { return finishClosing() }
        done = true
        onEvent(open ? .closed : .refused(status: nil, body: [], failure: socket.failure?.description))
    }
}
