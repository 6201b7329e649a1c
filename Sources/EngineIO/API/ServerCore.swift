import EngineIOCore
import EngineIOWire
import EngineIOPlatform
import Foundation
import Synchronization

/// What both façades share: the engine, each session's handlers and python-style session data, and the
/// translation of API calls into reducer inputs. Which sessions are open, and on which transport, is the reducer's
/// to say (`sids`, `transport(_:)`).
final class ServerCore: Sendable {
    /// What the application attaches to a session, which the reducer cannot hold: its handlers' mailbox and python's
    /// session dict. From its connect handler (or its opening, without one) until its disconnect handler has returned.
    struct Record {
        let handlers: SessionHandlers
        var data: [String: any Sendable] = [:]
    }

    let options: ServerOptions
    private let records = Locked<[String: Record]>([:])
    /// The shards, one per event loop; the first one listens.
    private let engineBox = Locked<ServerEngine.Group?>(nil)
    private let runtimeBox = Locked<(any HandlerRuntime)?>(nil)
    let fallback = Locked<(@Sendable (HTTPRequest) -> HTTPResponse?)?>(nil)

    init(options: ServerOptions) throws {
        self.options = try options.validated()
        do {
            _ = try TrustedProxies(parsing: options.trustedProxies)
        } catch {
            throw OptionError(option: "trustedProxies", message: "\"\(error.entry)\" is not an IP address or CIDR range")
        }
    }

    func attach(_ runtime: any HandlerRuntime) { runtimeBox.withLock { $0 = runtime } }

    private var runtime: (any HandlerRuntime)? { runtimeBox.withLock { $0 } }

    /// Starts the engine on `host:port` with the Engine.IO path `path`; returns the bound port.
    func listen(host: String, port: Int, path: String, tls: TLSServerContext? = nil) throws -> Int {
        try engine(path: path).start(host: host, port: port, tls: tls, path: path)
    }

    /// The first shard, the engine group made and every loop started on first use.
    func engine(path: String) throws -> ServerEngine {
        try group(path: path).shards[0]
    }

    private func group(path: String) throws -> ServerEngine.Group {
        if let group = engineBox.withLock({ $0 }) { return group }
        let made = ServerEngine.Group()
        let count = options.eventLoops > 0 ? options.eventLoops : max(1, ProcessInfo.processInfo.activeProcessorCount)
        for _ in 0..<count { made.add(try ServerEngine(options: options, path: path, core: self, group: made)) }
        let group = engineBox.withLock { box -> ServerEngine.Group in
            if let existing = box { return existing }
            box = made
            return made
        }
        for shard in group.shards { shard.startLoop() }
        return group
    }

    /// python's `handle_request`, for requests another HTTP server received.
    func handle(_ request: HTTPRequest, remoteAddress: String, path: String, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        do {
            try engine(path: path).handle(request, remoteAddress: remoteAddress, completion: completion)
        } catch {
            completion(HTTPResponse(head: HTTPResponseHead(status: 500), body: Array("\(error)".utf8)))
        }
    }

    /// The event loop of the shard that owns `sid` (where its reducer runs and its handlers are delivered).
    func loop(for sid: String) -> EventLoop? {
        engineBox.withLock { $0 }.flatMap { $0.shard(for: sid)?.loop }
    }

    func adopt(fd: Int32, remoteAddress: String, initialBytes: [UInt8], path: String) throws {
        try group(path: path).nextShard().adopt(fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes, path: path)
    }

    func stop() {
        let group = engineBox.withLock { box -> ServerEngine.Group? in
            defer { box = nil }
            return box
        }
        for shard in group?.shards ?? [] { shard.stop() }
    }

    // MARK: drain and metrics

    private let draining = Atomic<Bool>(false)

    /// Whether a drain has started (new sessions are refused).
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Refuses new sessions, serves the existing ones for up to `timeout` seconds, closes those left with
    /// `server disconnect`, and returns when every shard has no session left. A polling session whose client has
    /// stopped polling would hold its close packet for `closeTimeout`; the wait for those ends after at most 5 s
    /// more, and the shutdown that follows closes them (`forced close`).
    func drain(timeout: Double) {
        guard let group = engineBox.withLock({ $0 }), !draining.exchange(true, ordering: .relaxed) else { return }
        let done = DispatchSemaphore(value: 0)
        let milliseconds = Int(min(timeout, 86_400 * 365) * 1000)
        for shard in group.shards { shard.drain(timeout: milliseconds) { done.signal() } }
        let grace = min(options.closeTimeout, 5) + 0.5
        let deadline = DispatchTime.now() + timeout + grace
        for _ in group.shards where done.wait(timeout: deadline) == .timedOut {
            log(.warning, "drain: sessions still open \(grace) s after the drain timeout; shutting down anyway")
            break
        }
    }

    /// A snapshot of every shard. From outside the loops it asks each loop for fresh figures; from a loop thread
    /// (a handler on `AsyncServer`), it takes its own shard's fresh figures and the others' last published ones
    /// (at most a sweep period old), so that two loops never wait on each other.
    func metrics() -> ServerMetrics {
        var metrics = ServerMetrics(isDraining: isDraining)
        guard let group = engineBox.withLock({ $0 }) else { return metrics }
        let onALoop = group.shards.contains { $0.loop.isCurrent }
        var worstLag: Int64 = 0
        for shard in group.shards {
            let snapshot: ShardSnapshot
            if shard.loop.isCurrent {
                snapshot = shard.snapshot(resetLag: true)
            } else if onALoop {
                snapshot = shard.published.withLock { $0 }
            } else {
                let taken = Locked(ShardSnapshot())
                let done = DispatchSemaphore(value: 0)
                let queued = shard.loop.execute {
                    let snapshot = shard.snapshot(resetLag: true)
                    taken.withLock { $0 = snapshot }
                    done.signal()
                }
                // A stopped loop (or one stuck past a second) answers with what it last published.
                snapshot = queued && done.wait(timeout: .now() + 1) == .success ? taken.withLock { $0 } : shard.published.withLock { $0 }
            }
            metrics.sessions.merge(snapshot.sessions, uniquingKeysWith: +)
            metrics.counters = metrics.counters + snapshot.counters
            worstLag = max(worstLag, snapshot.lagMilliseconds)
        }
        metrics.eventLoopLag = Double(worstLag) / 1000
        return metrics
    }

    // MARK: what the engine reports (on the loop that owns the session): handler jobs to post

    func authorize(sid: String, environ: Environ) {
        guard let runtime, runtime.hasConnectHandler else { return submit(.verdictReceived(sid: sid, .accept)) }
        let handlers = makeHandlers(sid)
        records.withLock { $0[sid] = Record(handlers: handlers) }
        post(.connect(environ), to: handlers, runtime: runtime)
    }

    func deliver(sid: String, _ data: MessageData) {
        guard let runtime, let handlers = records.withLock({ $0[sid]?.handlers }) else { return }
        let job = SessionJob.message(data)
        if options.concurrentMessageHandlers {
            if handlers.mailbox.startedConcurrently(job).crossedHighWater { fellBehind(handlers.sid) }
            runtime.runConcurrently(job, of: handlers)
        } else {
            post(job, to: handlers, runtime: runtime)
        }
    }

    private func post(_ job: SessionJob, to handlers: SessionHandlers, runtime: any HandlerRuntime) {
        // A session's end that runs no handler (a refusal; a disconnect without a disconnect handler), with nothing
        // queued or running before it: what follows it happens now, on the loop (the mailbox's only producer),
        // rather than through an empty job on a task or a pool thread. Connects and messages go their usual way.
        let runsNothing =
            switch job {
            case .refused: true
            case .disconnect: !runtime.hasDisconnectHandler
            case .connect, .message: false
            }
        if runsNothing, handlers.mailbox.isIdle { return finished(job, of: handlers, verdict: nil, caughtUp: false) }
        let posted = handlers.mailbox.post(job)
        if posted.crossedHighWater { fellBehind(handlers.sid) }
        if posted.schedule { runtime.drain(handlers) }
    }

    /// A session's handlers, with the flow-control bounds of `asyncHandlers`: without it the transport stops
    /// reading while any message waits for its handler; with it, while more than a bound of message bytes does.
    private func makeHandlers(_ sid: String) -> SessionHandlers {
        let high = options.asyncHandlers ? max(1 << 20, 2 * options.maxHttpBufferSize) : 0
        return SessionHandlers(sid: sid, loop: loop(for: sid), core: self, highWater: high, lowWater: high / 2)
    }

    /// The session's handlers are behind: its transport stops reading until they catch up (see the reducer).
    private func fellBehind(_ sid: String) { submit(.applicationBacklogChanged(sid: sid, behind: true)) }

    /// What follows a job: the connect handler's verdict goes to the reducer; after the disconnect handler (or a
    /// refusal) the session's data goes.
    func finished(_ job: SessionJob, of handlers: SessionHandlers, verdict: ConnectVerdict?, caughtUp: Bool) {
        if caughtUp { submit(.applicationBacklogChanged(sid: handlers.sid, behind: false)) }
        switch job {
        case .connect: submit(.verdictReceived(sid: handlers.sid, verdict ?? .accept))
        case .message: break
        case .disconnect, .refused:
            records.withLock { records in
                if records[handlers.sid]?.handlers === handlers { records[handlers.sid] = nil }
            }
            if case .disconnect = job { submit(.applicationReleased(sid: handlers.sid)) }
        }
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) { options.logger.emit(level, message(), as: "engineio.server") }

    func notified(sid: String, _ notification: SessionNotification, transport: Transport) {
        switch notification {
        case .opened:
            let made = makeHandlers(sid)
            records.withLock { records in
                if records[sid] == nil { records[sid] = Record(handlers: made) }
            }
            log(.info, "\(sid): connected over \(transport.rawValue)")
        case .upgraded:
            log(.info, "\(sid): upgraded to websocket")
        case .closed(let reason):
            log(.info, "\(sid): disconnected (\(reason.rawValue))")
            // As in python, the disconnect handler still finds the session (getSession, sids); it goes afterwards,
            // when the handler's job tells the reducer the application let go (`applicationReleased`).
            if let runtime, let handlers = records.withLock({ $0[sid]?.handlers }) {
                post(.disconnect(reason), to: handlers, runtime: runtime)
            } else {
                submit(.applicationReleased(sid: sid))
            }
        case .refused:
            if let runtime, let handlers = records.withLock({ $0[sid]?.handlers }) { post(.refused, to: handlers, runtime: runtime) }
        }
    }

    /// Sends an application input to the shard that owns the session it names.
    func submit(_ event: ServerEndpointEvent) {
        guard let group = engineBox.withLock({ $0 }) else { return }
        let sid: String? =
            switch event {
            case .command(let sid, _), .verdictReceived(let sid, _), .timerFired(let sid), .applicationBacklogChanged(let sid, _),
                .applicationReleased(let sid):
                sid
            default: nil
            }
        let shard = sid.flatMap { group.shard(for: $0) } ?? group.shards[0]
        if case .shutdownRequested = event {
            for shard in group.shards { shard.submit(event) }
        } else {
            shard.submit(event)
        }
    }

    // MARK: API

    func send(_ sid: String, _ packet: Packet) { submit(.command(sid: sid, .send(packet))) }

    func send(_ sid: String, _ data: MessageData) {
        send(sid, Packet(.message, data.packetData(codec: options.json.codec)))
    }

    func disconnect(_ sid: String?) {
        if let sid {
            submit(.command(sid: sid, .disconnect))
        } else {
            for sid in sids { submit(.command(sid: sid, .disconnect)) }
        }
    }

    func transport(_ sid: String) throws(ServerError) -> Transport {
        guard let transport = engineBox.withLock({ $0 })?.shard(for: sid)?.applicationTransport(of: sid) else { throw .unknownSession(sid) }
        return transport
    }

    func getSession(_ sid: String) throws(ServerError) -> [String: any Sendable] {
        guard let record = records.withLock({ $0[sid] }) else { throw .unknownSession(sid) }
        return record.data
    }

    func saveSession(_ sid: String, _ data: [String: any Sendable]) throws(ServerError) {
        let saved = records.withLock { records -> Bool in
            guard records[sid] != nil else { return false }
            records[sid]?.data = data
            return true
        }
        if !saved { throw .unknownSession(sid) }
    }

    /// The open sessions (not those whose connect handler is still deciding), and the closed ones whose disconnect
    /// handler has not returned: from each shard's reducer state.
    var sids: [String] { engineBox.withLock { $0 }?.shards.flatMap(\.applicationSIDs) ?? [] }
}

