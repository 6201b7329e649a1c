import CLinux
import EngineIOCore
import Foundation
import Synchronization
import EngineIOPlatform
import EngineIOWire
import Glibc

/// The imperative shell of the server: it runs the `ServerEndpoint` reducer on an event loop and performs its
/// effects over sockets, timers and zlib.
///
/// All state is confined to the loop thread. Inputs raised while effects run (a write that finds the peer gone)
/// are queued and reduced after the current batch, never re-entrantly.
final class ServerEngine: @unchecked Sendable {
    /// The shards of one server, one per event loop. A session lives on the shard whose loop took its handshake;
    /// its sid's first character names that shard, so requests and WebSockets that land on another loop are sent
    /// to the owner's loop, and its answers come back to the connection's loop.
    final class Group: @unchecked Sendable {
        private(set) var shards: [ServerEngine] = []
        private let ids = Atomic<UInt64>(1)
        private let turn = Atomic<Int>(0)

        func add(_ shard: ServerEngine) { shards.append(shard) }

        /// Request and connection ids unique across shards, since one shard's reducer may see ids from any loop.
        func newID() -> UInt64 { ids.wrappingAdd(1, ordering: .relaxed).oldValue }

        /// The next shard in turn, for new connections.
        func nextShard() -> ServerEngine { shards[turn.wrappingAdd(1, ordering: .relaxed).oldValue % shards.count] }

        func shard(for sid: String) -> ServerEngine? {
            guard shards.count > 1, let first = sid.utf8.first, let index = ServerEngine.sidAlphabet.firstIndex(of: first),
                index < shards.count
            else { return shards.first }
            return shards[index]
        }
    }

    let loop: EventLoop
    unowned let group: Group
    let index: Int
    let options: ServerOptions
    let path: String
    /// The layer above: it runs the application's handlers for what the reducer delivers, authorises and notifies,
    /// and answers requests outside the Engine.IO path. It owns the engine, so the engine does not own it.
    weak let core: ServerCore?
    /// The reducer's state. Reduced on the loop; locked so that `sids` and `transport(sid)` can be answered from it
    /// on any thread (the lock is held for a reduce or a read, never while effects run).
    private let endpoint: Locked<ServerEndpoint>
    private var listener: (fd: Int32, token: UInt64)?
    private(set) var port = 0
    private var connections: [UInt64: HTTPConnection] = [:]
    private var requestOwners: [RequestID: any RequestOwner] = [:]
    private var socketOwners: [ConnectionID: any SocketOwner] = [:]
    private var sessionTimers: [String: UInt64] = [:]
    private var endpointTimer: UInt64?
    /// Called once when a drain has no session left.
    private var onDrained: (@Sendable () -> Void)?
    /// The worst lateness of the sweep timer since the last snapshot (milliseconds).
    private var worstLag: Int64 = 0
    /// The last snapshot's figures, for readers on another loop (who must not block on this one).
    let published = Locked(ShardSnapshot())
    private let inbox = SerialInbox<ServerEndpointEvent>()
    let parserLimits: HTTPParserLimits

    init(options: ServerOptions, path: String, core: ServerCore, group: Group) throws {
        self.options = options
        self.path = path
        self.core = core
        self.group = group
        index = group.shards.count
        endpoint = Locked(ServerEndpoint(settings: ServerEndpointSettings(options: options)))
        loop = try EventLoop(name: "engineio-loop-\(group.shards.count)")
        parserLimits = HTTPParserLimits(maxHeadBytes: options.maxHeaderBytes, maxBodyBytes: options.maxHttpBufferSize)
        connectionConfiguration = HTTPServerConnection.Configuration(
            limits: parserLimits, headersTimeout: Int64(options.headersTimeout * 1000), requestBodyTimeout: Int64(options.requestBodyTimeout * 1000),
            keepAliveTimeout: Int64(options.keepAliveTimeout * 1000))
        webSocketConfiguration = WebSocketConnection.Configuration(
            role: .server, maxMessageSize: options.maxHttpBufferSize, compressionThreshold: options.perMessageDeflateThreshold, closeTimeout: 2_000)
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) { options.logger.emit(level, message(), as: "engineio.server") }

    // MARK: lifecycle (any thread)

    private let loopStarted = Locked(false)

    /// Starts the loop (once) without listening, for requests handed in by another server.
    func startLoop() {
        let first = loopStarted.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        if first {
            loop.start()
            loop.execute { [self] in scheduleSweep() }
        }
    }

    /// Every so often, each connection's machines judge their deadlines (head, body, keep-alive, lingering, close
    /// handshake). One timer per loop rather than one per connection: the check is cheap, timers are not. The sweep
    /// also gives memory back to the system after a burst of traffic has passed.
    private func scheduleSweep() {
        let shortest = [options.headersTimeout, options.requestBodyTimeout, options.keepAliveTimeout].map { Int64($0 * 1000) }.min() ?? 1000
        let period = min(250, max(20, shortest / 4))
        let due = loop.now + period
        // Held strongly: a stopped loop lets go of its timers, which ends the cycle. A weak reference would give the
        // engine a side table for good, and every retain and release of it (several per message) would take the slow
        // path through that table.
        loop.schedule(at: due) { [self] in
            let now = loop.now
            worstLag = max(worstLag, now - due)
            publish()
            for connection in Array(connections.values) { connection.expire(now: now) }
            if heap.sweep(now: now) { _ = clinux_malloc_trim() }
            scheduleSweep()
        }
    }

    /// What the loop has read and taken on, for when to give freed heap back (see `HeapTrimPolicy`).
    var heap = HeapTrimPolicy()

    /// How the loop's connections time and bound themselves (from the options).
    let connectionConfiguration: HTTPServerConnection.Configuration
    let webSocketConfiguration: WebSocketConnection.Configuration

    /// Binds and starts serving; returns the bound port.
    /// `tls`: serve HTTPS and WSS with these certificates instead of plain HTTP.
    func start(host: String, port: Int, tls: TLSServerContext? = nil, path: String? = nil) throws -> Int {
        let (fd, bound) = try Socket.listen(host: host, port: port)
        self.port = bound
        startLoop()
        let ready = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            do {
                let handler = Listener(engine: self, fd: fd, tls: tls, path: path ?? self.path)
                handler.token = try loop.register(fd, events: .readable, handler: handler)
                listener = (fd, handler.token)
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
        startLoop()  // a shard that never ran still answers the stop
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

    /// Starts a drain on this shard: new sessions are refused; after `timeout` milliseconds the rest are closed.
    /// `drained` runs (on the loop) when no session is left.
    func drain(timeout: Int, drained: @escaping @Sendable () -> Void) {
        perform { shard in
            shard.onDrained = drained
            shard.apply(.drainRequested(timeout: timeout))
        }
    }

    /// This shard's figures, taken on its loop; `resetLag` starts a new lag window.
    func snapshot(resetLag: Bool) -> ShardSnapshot {
        var sessions: [Transport: Int] = [:]
        let (counters, isDraining) = endpoint.withLock { endpoint in
            for session in endpoint.sessions.values { sessions[session.transport, default: 0] += 1 }
            return (endpoint.counters, endpoint.isDraining)
        }
        let snapshot = ShardSnapshot(sessions: sessions, counters: counters, lagMilliseconds: worstLag, isDraining: isDraining)
        if resetLag { worstLag = 0 }
        published.withLock { $0 = snapshot }
        return snapshot
    }

    private func publish() { _ = snapshot(resetLag: false) }

    /// Hands an application input to the reducer, from any thread. On the loop itself (an answer given while the
    /// loop runs effects) it joins the inputs waiting their turn, without a wake-up.
    func submit(_ event: ServerEndpointEvent) {
        if loop.isCurrent {  // a handler answering on its session's loop: no closure to allocate
            apply(event)
        } else {
            loop.execute { [self] in apply(event) }
        }
    }

    /// Runs `body` on this shard's loop: at once when already there, else as a task.
    func perform(_ body: @escaping @Sendable (ServerEngine) -> Void) {
        if loop.isCurrent {
            body(self)
        } else {
            loop.execute { [self] in body(self) }
        }
    }

    /// The open sessions of this shard as the application sees them (`ServerEndpoint.applicationSIDs`); any thread.
    var applicationSIDs: [String] { endpoint.withLock { $0.applicationSIDs } }

    /// A session's transport as the application sees it (`ServerEndpoint.applicationTransport(of:)`); any thread.
    func applicationTransport(of sid: String) -> Transport? { endpoint.withLock { $0.applicationTransport(of: sid) } }

    /// The shard that owns `sid`; this one for a new session.
    func shard(for sid: String?) -> ServerEngine {
        guard let sid, !sid.isEmpty else { return self }
        return group.shard(for: sid) ?? self
    }

    // MARK: loop thread

    func newID() -> UInt64 { group.newID() }

    /// Whether a request still waits for its answer here.
    func isPending(_ request: RequestID) -> Bool { requestOwners[request] != nil }

    func add(_ connection: HTTPConnection) {
        connections[connection.token] = connection
        heap.arrivals += 1
    }

    func removed(_ connection: HTTPConnection) { connections[connection.token] = nil }

    func own(_ request: RequestID, by owner: any RequestOwner) { requestOwners[request] = owner }

    func own(_ socket: ConnectionID, by owner: any SocketOwner) { socketOwners[socket] = owner }

    func disown(_ request: RequestID) { requestOwners[request] = nil }

    func disown(_ socket: ConnectionID) { socketOwners[socket] = nil }

    var now: Instant { Instant(milliseconds: loop.now) }

    /// Reduces `event` and runs the effects; events raised meanwhile wait their turn.
    func apply(_ event: ServerEndpointEvent) {
        inbox.process(event) { next in
            let input = Input(at: now, next)
            var effects: [ServerEndpointEffect] = []
            swap(&effects, &spareEffects)
            endpoint.withLock { ServerEndpoint.reduce(&$0, input, into: &effects) }
            for effect in effects { run(effect) }
            if effects.capacity <= 64 {
                effects.removeAll(keepingCapacity: true)
                spareEffects = effects
            }
        }
    }

    /// One array for every step's effects, its capacity kept (the inbox runs one step at a time, so one suffices).
    private var spareEffects: [ServerEndpointEffect] = []

    private func run(_ effect: ServerEndpointEffect) {
        switch effect {
        case .respond(let id, let reply):
            requestOwners.removeValue(forKey: id)?.send(reply, for: id)
        case .acceptWebSocket(let connection, let acceptance):
            socketOwners[connection]?.acceptWebSocket(acceptance)
        case .refuseWebSocket(let connection, let reply):
            socketOwners.removeValue(forKey: connection)?.refuseWebSocket(reply)
        case .write(let payloads, let connection):
            socketOwners[connection]?.writeMessages(payloads)
        case .closeWebSocket(let connection):
            socketOwners.removeValue(forKey: connection)?.closeWebSocket(code: WebSocketCloseCode.normal)
        case .pauseReading(let connection):
            socketOwners[connection]?.pauseReading(true)
        case .resumeReading(let connection):
            socketOwners[connection]?.pauseReading(false)
        case .deliver(let sid, let data):
            core?.deliver(sid: sid, MessageData(data))
        case .authorize(let sid, let request):
            core?.authorize(sid: sid, environ: Environ(request: request, path: path))
        case .notify(let sid, let notification):
            switch notification {
            case .closed, .refused:
                if let timer = sessionTimers.removeValue(forKey: sid) { loop.cancelTimer(timer) }
            case .opened, .upgraded:
                break
            }
            core?.notified(sid: sid, notification, transport: applicationTransport(of: sid) ?? .polling)
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
        case .report(let sid, let violation):
            log(.info, "\(sid): closing, the client broke the protocol: \(violation)")
        case .wakeEndpoint(let at):
            if let endpointTimer { loop.cancelTimer(endpointTimer) }
            endpointTimer = loop.schedule(at: at.milliseconds) { [self] in
                endpointTimer = nil
                apply(.endpointTimerFired)
            }
        case .drained:
            let drained = onDrained
            onDrained = nil
            drained?()
        }
    }

    /// The reducer's view of a request head. Under a custom CORS policy the application's check runs here, since
    /// a closure cannot travel inside the reducer's values.
    func describe(_ head: HTTPRequestHead, remoteAddress: String?, upgrade: Bool = false, secure: Bool = false) -> EngineIORequest {
        var query: [QueryItem] = []
        if let raw = head.query { HTTPQuery.forEachPair(in: raw) { query.append(QueryItem($0, $1)) } }
        var request = EngineIORequest(
            method: head.method, query: query,
            headers: head.headers.map { HeaderField($0.name, $0.value) }, scheme: secure ? "https" : "http", isWebSocketUpgrade: upgrade,
            path: String(head.path),
            remoteAddress: remoteAddress)
        request.httpVersion = HTTPVersionNumber(major: head.version.major, minor: head.version.minor)
        if case .custom(let check) = options.corsAllowedOrigins, let origin = head.headers["Origin"] {
            request.originAllowedByApplication = check.allows(origin)
        }
        return request
    }

    /// Serves one Engine.IO request that another HTTP server received; `completion` gets the answer (after up to a
    /// long-poll) on the loop thread.
    func handle(_ request: HTTPRequest, remoteAddress: String, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        loop.execute { [self] in
            let head = request.head
            let id = RequestID(newID())
            own(id, by: CallbackRequest(completion: completion))
            let described = describe(head, remoteAddress: remoteAddress)
            let fresh = described.queryValue("sid") == nil ? generateID() : ""
            apply(.requestReceived(id, described, freshSID: fresh))
            if head.method == "POST", requestOwners[id] != nil { apply(.bodyReceived(id, request.body)) }
        }
    }

    /// Takes over a connected socket from another server: HTTP requests and WebSocket upgrades on it are served
    /// from then on. `initialBytes` are bytes the other server already read from it (e.g. the request head).
    func adopt(fd: Int32, remoteAddress: String, initialBytes: [UInt8], path: String? = nil) {
        loop.execute { [self] in
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let connection = HTTPConnection(engine: self, fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes, path: path)
            do {
                connection.token = try loop.register(fd, events: [.readable, .peerClosed], handler: connection)
                add(connection)
                connection.start()
            } catch {
                close(fd)
            }
        }
    }

    /// Where this shard's sids come from (loop thread only).
    private var sessionIDs = SessionIDs()

    /// A fresh sid for a session on this shard: random, but for a first character that names the shard.
    func generateID() -> String { sessionIDs.next(shard: group.shards.count > 1 ? index : nil) }

    /// A fresh session id, not tied to a shard (python's `generate_id()`).
    static func generateID() -> String { SessionIDs.encode(SecureRandom.bytes(15)) }

    /// The characters of a sid; a sid's first one names its shard when there are several.
    static var sidAlphabet: [UInt8] { SessionIDs.alphabet }
}

/// One shard's figures for `ServerMetrics`.
struct ShardSnapshot: Sendable {
    var sessions: [Transport: Int] = [:]
    var counters = ServerCounters()
    var lagMilliseconds: Int64 = 0
    var isDraining = false
}
