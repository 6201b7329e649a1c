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
