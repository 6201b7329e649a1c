import EngineIOCore
import Foundation
import Synchronization
import EngineIOPlatform
import EngineIOWire
import Glibc

/// What the engine asks of the layer above. Called on the loop thread: implementations hand the work to other
/// threads (or tasks) and return at once.
struct EngineDelegate: Sendable {
    var authorize: @Sendable (_ sid: String, _ environ: Environ) -> Void
    var deliver: @Sendable (_ sid: String, _ data: PacketData) -> Void
    /// `transport` is the session's transport when the notification was raised.
    var notify: @Sendable (_ sid: String, _ notification: SessionNotification, _ transport: Transport) -> Void
    /// Answers a request outside the Engine.IO path (static files, another app); `nil` → 404.
    var fallback: @Sendable (_ request: HTTPRequest) -> HTTPResponse?
}

/// The imperative shell of the server: it runs the `ServerEndpoint` reducer on an event loop and performs its
/// effects over sockets, timers and zlib.
///
/// All state is confined to the loop thread. Inputs raised while effects run (a write that finds the peer gone)
/// are queued and reduced after the current batch, never re-entrantly.
final class ServerEngine: @unchecked Sendable {
    let loop: EventLoop
    let options: ServerOptions
    let path: String
    var delegate: EngineDelegate
    private var endpoint: ServerEndpoint
    private var listener: (fd: Int32, token: UInt64)?
    private(set) var port = 0
    private var connections: [UInt64: HTTPConnection] = [:]
    private var requestOwners: [RequestID: any RequestOwner] = [:]
    private var socketOwners: [ConnectionID: HTTPConnection] = [:]
    private var sessionTimers: [String: UInt64] = [:]
    private var nextID: UInt64 = 1
    private var pending: [ServerEndpointEvent] = []
    private var reducing = false
    let parserLimits: HTTPParserLimits
    /// The loop's read buffer, shared by its connections (loop thread only).
    var readBuffer = [UInt8](repeating: 0, count: 65_536)

    init(options: ServerOptions, path: String, delegate: EngineDelegate) throws {
        self.options = options
        self.path = path
        self.delegate = delegate
        endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: options))
        loop = try EventLoop(name: "engineio-loop")
        parserLimits = HTTPParserLimits(maxHeadBytes: options.maxHeaderBytes, maxBodyBytes: options.maxHttpBufferSize)
    }

    // MARK: lifecycle (any thread)

    private let loopStarted = Mutex(false)

    /// Starts the loop (once) without listening, for requests handed in by another server.
    func startLoop() {
        let first = loopStarted.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        if first { loop.start() }
    }

    /// Binds and starts serving; returns the bound port.
    func start(host: String, port: Int) throws -> Int {
        let (fd, bound) = try Socket.listen(host: host, port: port)
        self.port = bound
        startLoop()
        let ready = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            do {
                let token = try loop.register(fd, events: .readable, handler: Listener(engine: self, fd: fd))
                listener = (fd, token)
            } catch {
                ready.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = ready.withLock({ $0 }) { throw error }
        return bound
    }

    /// Closes every session (`forced close`), stops listening, and stops the loop.
    func stop() {
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            apply(.shutdownRequested)
            if let listener {
                loop.deregister(listener.fd, token: listener.token)
                close(listener.fd)
                self.listener = nil
            }
            for connection in Array(connections.values) { connection.flushThenClose() }
            done.signal()
        }
        done.wait()
        loop.stop()
    }

    /// Hands an application input to the reducer, from any thread. On the loop itself (an answer given while the
    /// loop runs effects) it joins the inputs waiting their turn, without a wake-up.
    func submit(_ event: ServerEndpointEvent) {
        if loop.isCurrent {
            apply(event)
        } else {
            loop.execute { [self] in apply(event) }
        }
    }

    /// Runs `body` on the loop with the endpoint's current state and waits for the answer.
    func inspect<T: Sendable>(_ body: @escaping @Sendable (ServerEndpoint) -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            result.withLock { $0 = body(endpoint) }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    // MARK: loop thread

    func newID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    func add(_ connection: HTTPConnection) { connections[connection.token] = connection }

    func removed(_ connection: HTTPConnection) { connections[connection.token] = nil }

    func own(_ request: RequestID, by owner: any RequestOwner) { requestOwners[request] = owner }

    func own(_ socket: ConnectionID, by connection: HTTPConnection) { socketOwners[socket] = connection }

    func disown(_ request: RequestID) { requestOwners[request] = nil }

    func disown(_ socket: ConnectionID) { socketOwners[socket] = nil }

    var now: Instant { Instant(milliseconds: loop.now) }

    /// Reduces `event` and runs the effects; events raised meanwhile wait their turn.
    func apply(_ event: ServerEndpointEvent) {
        pending.append(event)
        guard !reducing else { return }
        reducing = true
        defer { reducing = false }
        while !pending.isEmpty {
            let next = pending.removeFirst()
            let effects = ServerEndpoint.reduce(&endpoint, Input(at: now, next))
            for effect in effects { run(effect) }
        }
    }

    private func run(_ effect: ServerEndpointEffect) {
        switch effect {
        case .respond(let id, let reply):
            requestOwners.removeValue(forKey: id)?.send(reply, for: id)
        case .acceptWebSocket(let connection):
            socketOwners[connection]?.acceptWebSocket()
        case .refuseWebSocket(let connection, let reply):
            socketOwners.removeValue(forKey: connection)?.refuseWebSocket(reply)
        case .write(let payloads, let connection):
            socketOwners[connection]?.writeMessages(payloads)
        case .closeWebSocket(let connection):
            socketOwners.removeValue(forKey: connection)?.closeWebSocket(code: WebSocketCloseCode.normal)
        case .deliver(let sid, let data):
            delegate.deliver(sid, data)
        case .authorize(let sid, let request):
            delegate.authorize(sid, Environ(request: request, path: path))
        case .notify(let sid, let notification):
            if case .closed = notification, let timer = sessionTimers.removeValue(forKey: sid) { loop.cancelTimer(timer) }
            delegate.notify(sid, notification, endpoint.sessions[sid]?.transport ?? .polling)
        case .wake(let sid, let at):
            if let timer = sessionTimers.removeValue(forKey: sid) { loop.cancelTimer(timer) }
            if let at {
                sessionTimers[sid] = loop.schedule(at: at.milliseconds) { [self] in
                    sessionTimers[sid] = nil
                    apply(.timerFired(sid: sid))
                }
            }
        case .rejected:
            break  // python logs "Cannot send to sid"; the application learns nothing either
        }
    }

    /// Serves one Engine.IO request that another HTTP server received; `completion` gets the answer (after up to a
    /// long-poll) on the loop thread.
    func handle(_ request: HTTPRequest, remoteAddress: String, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        loop.execute { [self] in
            let head = request.head
            let query = HTTPQuery(parsing: head.query ?? "").items.map { QueryItem($0.name, $0.value) }
            let id = RequestID(newID())
            own(id, by: CallbackRequest(completion: completion))
            let described = EngineIORequest(
                method: head.method, query: query, headers: head.headers.map { HeaderField($0.name, $0.value) },
                path: String(head.path), remoteAddress: remoteAddress)
            let fresh = query.contains { $0.name == "sid" } ? "" : Self.generateID()
            apply(.requestReceived(id, described, freshSID: fresh))
            if head.method == "POST", requestOwners[id] != nil { apply(.bodyReceived(id, request.body)) }
        }
    }

    /// Takes over a connected socket from another server: HTTP requests and WebSocket upgrades on it are served
    /// from then on. `initialBytes` are bytes the other server already read from it (e.g. the request head).
    func adopt(fd: Int32, remoteAddress: String, initialBytes: [UInt8]) {
        loop.execute { [self] in
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let connection = HTTPConnection(engine: self, fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes)
            do {
                connection.token = try loop.register(fd, events: [.readable, .peerClosed], handler: connection)
                add(connection)
                connection.start()
            } catch {
                close(fd)
            }
        }
    }

    /// A fresh session id: 15 random bytes from OpenSSL, URL-safe base64 (20 characters, as python's and JS's).
    static func generateID() -> String {
        var text = Base64.encode(SecureRandom.bytes(15))
        text = String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
        return text
    }
}

/// Whoever waits for the answer to a request: a connection of ours, or another server's callback.
protocol RequestOwner: AnyObject {
    func send(_ reply: HTTPReply, for id: RequestID)
}

/// A request handed in through `ServerEngine.handle`.
private final class CallbackRequest: RequestOwner {
    let completion: @Sendable (HTTPResponse) -> Void

    init(completion: @escaping @Sendable (HTTPResponse) -> Void) { self.completion = completion }

    func send(_ reply: HTTPReply, for id: RequestID) { completion(reply.response()) }
}

extension HTTPReply {
    /// The HTTP response, compressed as the reducer decided.
    func response() -> HTTPResponse {
        var headers = HTTPHeaders(self.headers.map { (name: $0.name, value: $0.value) })
        var body = self.body
        if let method = compression {
            let format: ZlibFormat = method == .gzip ? .gzip : .zlib
            if let compressed = try? Deflater(format: format).compress(body) {
                body = compressed
                headers.add(name: "Content-Encoding", value: method.rawValue)
            }
        }
        return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
    }
}

/// Accepts connections for the engine.
private final class Listener: LoopHandler {
    unowned let engine: ServerEngine
    let fd: Int32

    init(engine: ServerEngine, fd: Int32) {
        self.engine = engine
        self.fd = fd
    }

    func ready(_ events: IOEvents) {
        while let (client, address) = Socket.accept(fd) {
            let connection = HTTPConnection(engine: engine, fd: client, remoteAddress: address)
            do {
                connection.token = try engine.loop.register(client, events: [.readable, .peerClosed], handler: connection)
                engine.add(connection)
            } catch {
                close(client)
            }
        }
    }
}
