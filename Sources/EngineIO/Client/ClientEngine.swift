import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Synchronization

/// What the client engine tells the layer above, on the loop thread (implementations must not block).
struct ClientDelegate: Sendable {
    var deliver: @Sendable (PacketData) -> Void
    /// `cause`: why a session ended with `transport error`, when known.
    var notify: @Sendable (ClientNotification, _ cause: TransportFailure?) -> Void
    var connectFailed: @Sendable (ConnectError) -> Void
}

/// Where the engine connects: the server's URL, its resolved address (the proxy's, through a proxy), TLS.
struct ClientRoute {
    var url: ClientURL
    var address: ServerAddress
    var tls: TLSClientContext?
    /// `host:port` for the proxy's `CONNECT`, when an HTTP proxy is in the way.
    var tunnel: String?
}

/// The imperative shell of the client: it runs the `ClientSession` reducer on its own event loop and performs the
/// effects over TCP (HTTP/1.1 requests, one WebSocket), TLS and zlib. Every deadline is the reducer's.
final class ClientEngine: @unchecked Sendable {
    let loop: EventLoop
    private var session: ClientSession
    private var route: ClientRoute
    /// Builds the route to a redirect's `Location` (resolving its host, making a TLS context for https).
    private let reroute: (ClientRoute, String) throws -> ClientRoute
    private let headers: [String: String]
    /// The client's cookies (shared with its later engines, so a reconnection keeps a load balancer's pin).
    private let cookies: Locked<CookieJar>
    private let options: ClientOptions
    private let delegate: ClientDelegate
    private var requests: [RequestID: (connection: ClientHTTPConnection, bytes: Int)] = [:]
    /// Keep-alive connections waiting for their next request (a GET and a POST are out at most, so two suffice).
    private var idle: [ClientHTTPConnection] = []
    private var sockets: [ConnectionID: ClientWebSocket] = [:]
    private var closing: [ObjectIdentifier: ClientWebSocket] = [:]
    private var timer: UInt64?
    private let inbox = SerialInbox<ClientSessionEvent>()
    private var stopping = false
    /// Bytes the application sent that the server has not taken yet: queued in the session, in a POST not yet
    /// answered, or in a WebSocket's socket. `send` refuses more past `maxOutboundQueueBytes`.
    let backlog = Atomic<Int>(0)
    /// `EIO_CLIENT_DEBUG=1` prints every input and its effects to standard error.
    private static let tracing = ProcessInfo.processInfo.environment["EIO_CLIENT_DEBUG"] != nil

    init(
        route: ClientRoute, reroute: @escaping (ClientRoute, String) throws -> ClientRoute, headers: [String: String],
        settings: ClientSessionSettings, options: ClientOptions, delegate: ClientDelegate, cookies: Locked<CookieJar> = Locked(CookieJar())
    ) throws {
        self.cookies = cookies
        self.route = route
        self.reroute = reroute
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

    /// Ends the engine once the session is over: WebSockets still closing get their handshake (a second at most),
    /// then every socket closes and the loop stops. Safe from any thread; returns at once.
    func finish() {
        loop.execute { [self] in
            stopping = true
            closeEverythingIfIdle()
            // A closing handshake the server never answers ends with the WebSocket machine's own deadline.
            loop.schedule(at: loop.now + 1_500) { [self] in
                for socket in closing.values { socket.abort() }
                closing = [:]
                closeEverythingIfIdle()
            }
        }
    }

    private func closeEverythingIfIdle() {
        guard stopping, closing.isEmpty else { return }
        for (connection, _) in requests.values { connection.cancel() }
        requests = [:]
        idle = []
        for socket in sockets.values { socket.abort() }
        sockets = [:]
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        loop.stop()
    }

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
        let drained = inbox.process(event) { next in
            let effects = ClientSession.reduce(&session, Input(at: now, next))
            if Self.tracing {
                FileHandle.standardError.write(Data("client \(next) -> \(effects)\n".prefix(600).utf8))
            }
            for effect in effects { run(effect) }
        }
        // An input raised by an effect was only queued: the outer call finishes the drain and does what follows.
        guard drained else { return }
        publishBacklog()
        // The session is over (closed, or its connect failed): so is the engine, whoever still holds it.
        if session.isFinished, !stopping { finish() }
    }

    /// Recomputes `backlog` (after every step, and when a WebSocket's socket drains).
    private func publishBacklog() {
        let queued = session.outboundBytes
        let posting = session.post.flatMap { requests[$0]?.bytes } ?? 0
        let writing = sockets.values.reduce(0) { $0 + $1.pendingOutputCount }
        backlog.store(queued + posting + writing, ordering: .relaxed)
    }

    private var timestamp: String? {
        options.timestampRequests ? String(Date().timeIntervalSince1970) : nil
    }

    /// The largest response body, message or inflated body accepted: the client's cap, lowered to what the
    /// server advertises once it has (before that, 1 MiB, for an open packet is small).
    private var incomingLimit: Int {
        let cap = options.maxMessageBytes
        guard let open = session.handshake else { return min(cap, 1 << 20) }
        return open.maxPayload.map { min(cap, $0 + 64) } ?? cap
    }

    private func baseHeaders() -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [(name: "Host", value: route.url.hostHeader), (name: "Accept-Encoding", value: "gzip, deflate")]
        for (name, value) in (options.httpSession?.headers ?? [:]).merging(headers, uniquingKeysWith: { _, mine in mine }) {
            fields.append((name: name, value: value))
        }
        // The application's cookies (httpSession.cookies), then those the server set (a load balancer's pin).
        var cookieText = (options.httpSession?.cookies ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if let stored = cookies.withLock({ $0.header(host: route.url.host, path: route.url.path, secure: route.url.secure) }) {
            cookieText.append(stored)
        }
        if !cookieText.isEmpty { fields.append((name: "Cookie", value: cookieText.joined(separator: "; "))) }
        return fields
    }

    /// Sends `request` on an idle keep-alive connection, or a new one. A GET that fails on a reused connection
    /// before any answer came is sent once more on a fresh one: the server may have closed the idle connection just
    /// then. (A POST is not repeated: its messages may have arrived.)
    private func send(_ request: HTTPRequest, id: RequestID, retry: Bool) {
        idle.removeAll { !$0.isIdle }
        let connection: ClientHTTPConnection
        if let reused = idle.popLast() {
            connection = reused
        } else {
            do {
                connection = try ClientHTTPConnection(
                    loop: loop, address: route.address, tls: route.tls, hostname: route.url.host, tunnel: route.tunnel)
            } catch {
                return apply(.requestFailed(id, Self.failure(error)))
            }
        }
        let reused = connection.wasUsed
        requests[id] = (connection, request.head.method == "POST" ? request.body.count : 0)
        // Polls may carry many packets: their bodies are bounded by the cap alone (each packet by maxPayload).
        let limit = session.handshake == nil ? incomingLimit : options.maxMessageBytes
        connection.perform(request, maxBodyBytes: limit) { [self, weak connection] result in
            guard let connection else { return }
            guard requests[id]?.connection === connection else { return }
            requests[id] = nil
            switch result {
            case .success(let response):
                if connection.isIdle, idle.count < 2 { idle.append(connection) }
                remember(response.head.headers)
                let status = response.head.status
                if (300..<400).contains(status), let location = response.head.headers["Location"] {
                    return apply(.redirected(id, status: status, location: location))
                }
                let binary = response.head.headers["Content-Type"]?.hasPrefix("application/octet-stream") ?? false
                apply(.responseReceived(id, status: status, body: response.body, binary: binary))
            case .failure(let failure):
                if retry, reused, connection.receivedBytes == 0 { return send(request, id: id, retry: false) }
                apply(.requestFailed(id, failure))
            }
        }
    }

    /// Keeps the cookies a response sets.
    private func remember(_ headers: HTTPHeaders) {
        let values = headers.values(for: "Set-Cookie")
        guard !values.isEmpty else { return }
        let host = route.url.host
        let path = route.url.path
        cookies.withLock { jar in
            for value in values { jar.receive(value, host: host, requestPath: path) }
        }
    }

    static func failure(_ error: any Error) -> TransportFailure {
        switch error {
        case let system as SystemError: TransportFailure(errno: system.errno)
        case let tls as TLSError: .tls(tls.description)
        default: .other("\(error)")
        }
    }

    private func run(_ effect: ClientSessionEffect) {
        switch effect {
        case .sendRequest(let id, let request):
            let url = route.url
            let (method, target, body): (String, String, [UInt8]) =
                switch request {
                case .handshake: ("GET", url.target(transport: .polling, sid: nil, timestamp: timestamp), [])
                case .poll(let sid): ("GET", url.target(transport: .polling, sid: sid, timestamp: timestamp), [])
                case .post(let sid, let body): ("POST", url.target(transport: .polling, sid: sid, timestamp: nil), body)
                }
            if case .handshake(let location?) = request {
                do {
                    route = try reroute(route, location)
                    idle = []  // another server, perhaps: no connection to the old one is reused
                } catch {
                    return apply(.requestFailed(id, .unreachable("redirect to \(location): \(error)")))
                }
                return run(.sendRequest(id, .handshake()))
            }
            var head = HTTPRequestHead(method: method, target: target, headers: HTTPHeaders(baseHeaders()))
            if method == "POST" { head.headers.add(name: "Content-Type", value: "text/plain;charset=UTF-8") }
            send(HTTPRequest(head: head, body: body), id: id, retry: method == "GET")
        case .cancelRequest(let id):
            requests.removeValue(forKey: id)?.connection.cancel()
            idle.removeAll { !$0.isIdle }
        case .openWebSocket(let connection, let sid):
            openWebSocket(connection, sid: sid)
        case .write(let payloads, let connection):
            guard let socket = sockets[connection] else { return }
            for payload in payloads { socket.send(payload) }
        case .closeWebSocket(let connection):
            // Kept until the closing handshake ends (the server's close frame, or the machine's deadline).
            guard let socket = sockets.removeValue(forKey: connection) else { return }
            closing[ObjectIdentifier(socket)] = socket
            socket.close { [self] in
                closing[ObjectIdentifier(socket)] = nil
                closeEverythingIfIdle()
            }
        case .deliver(let data):
            delegate.deliver(data)
        case .notify(let notification):
            if case .opened = notification {
                for socket in sockets.values { socket.limitMessages(to: incomingLimit) }
            }
            delegate.notify(notification, session.closeCause)
        case .connectFailed(let error):
            delegate.connectFailed(error)
        case .wake(let at):
            if let timer { loop.cancelTimer(timer) }
            timer = at.map { at in loop.schedule(at: at.milliseconds) { [self] in timer = nil; apply(.timerFired) } }
        case .rejected:
            break
        }
    }

    private func openWebSocket(_ connection: ConnectionID, sid: String?) {
        let target = route.url.target(transport: .websocket, sid: sid, timestamp: timestamp)
        // python merges `websocket_extra_options`' headers into the handshake; theirs win.
        var headers = baseHeaders()
        for (name, value) in options.websocketExtraOptions?.headers ?? [:] {
            headers.removeAll { $0.name.lowercased() == name.lowercased() }
            headers.append((name: name, value: value))
        }
        if let protocols = options.websocketExtraOptions?.subprotocols, !protocols.isEmpty {
            headers.append((name: "Sec-WebSocket-Protocol", value: protocols.joined(separator: ", ")))
        }
        do {
            let socket = try ClientWebSocket(
                loop: loop, address: route.address, tls: route.tls, hostname: route.url.host, tunnel: route.tunnel, target: target,
                headers: headers, maxMessage: incomingLimit, offerDeflate: options.perMessageDeflate
            ) { [self] event in
                switch event {
                case .opened(let headers):
                    remember(headers)  // a load balancer may pin the session with the 101's cookie
                    apply(.webSocketOpened(connection))
                case .refused(let status, let body, let failure):
                    sockets[connection] = nil
                    apply(.webSocketRefused(connection, status: status, body: body, failure: failure))
                case .message(let payload): apply(.frameReceived(connection, payload))
                case .closed(let failure):
                    sockets[connection] = nil
                    apply(.webSocketClosed(connection, failure: failure))
                case .drained: publishBacklog()
                }
            }
            sockets[connection] = socket
        } catch {
            apply(.webSocketRefused(connection, status: nil, body: [], failure: Self.failure(error)))
        }
    }
}
