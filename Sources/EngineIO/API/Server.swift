public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// python-engineio's `Server`: blocking handlers run on threads, never on the event loop.
///
/// ```swift
/// let server = try Server(options: ServerOptions(pingInterval: 25, corsAllowedOrigins: "*"))
/// server.on(.message) { sid, data in server.send(sid, data) }
/// try WSGIApp(server).run(port: 5000)
/// ```
/// A session's handlers run one at a time, in arrival order (its connect, its messages, its disconnect), on a
/// bounded pool of threads (`handlerThreads`); different sessions run concurrently. `concurrentMessageHandlers`
/// gives python's unordered message handlers instead.
public final class Server: Sendable {
    /// python's `Server.reason`: why a session ended (`Server.Reason.serverDisconnect`, …), as the disconnect handler
    /// receives it.
    public typealias Reason = DisconnectReason
    /// A `connect` handler: the new session's sid and its handshake `Environ`; the handshake is answered once it
    /// returns. `nil` or `.accept` accepts, `.reject(body:)` refuses with 401 and that JSON body, and a thrown error
    /// (logged) refuses with 401 `"Unauthorized"`.
    public typealias ConnectHandler = @Sendable (_ sid: String, _ environ: Environ) throws -> ConnectResult
    /// A `message` handler: the sid and the message as it arrived, `.text` or `.binary` (`pythonValue` decodes JSON
    /// text as python does). It runs on a handler thread; the session's next message waits until it returns, unless
    /// `concurrentMessageHandlers` is on.
    public typealias MessageHandler = @Sendable (_ sid: String, _ data: MessageData) -> Void
    /// A `disconnect` handler: the sid and why the session ended. It runs after the session's message handlers have
    /// returned, and `getSession` still works inside it.
    public typealias DisconnectHandler = @Sendable (_ sid: String, _ reason: DisconnectReason) -> Void

    let core: ServerCore
    private let runtime: Runtime

    /// A server with these options (python's constructor arguments); throws for options outside their range or an
    /// `asyncMode` other than `threading`.
    public init(options: ServerOptions) throws {
        if let mode = options.asyncMode, mode != .threading { throw ServerError.invalidAsyncMode(mode.rawValue) }
        let core = try ServerCore(options: options)
        self.core = core
        runtime = Runtime(core: core)
        core.attach(runtime)
    }

    /// The options this server was made with, validated (python's constructor arguments).
    public var options: ServerOptions { core.options }

    /// The sids of the open sessions (python's `sockets` keys).
    public var sids: [String] { core.sids }

    // MARK: handlers

    /// python's `on('connect')`: return `nil` (or `.accept`) to accept, `.reject(body:)` or throw to refuse (401).
    public func on(_ event: ConnectEvent, _ handler: @escaping ConnectHandler) { runtime.handlers.withLock { $0.connect = handler } }
    /// python's `on('message')`.
    public func on(_ event: MessageEvent, _ handler: @escaping MessageHandler) { runtime.handlers.withLock { $0.message = handler } }
    /// python's `on('disconnect')`.
    public func on(_ event: DisconnectEvent, _ handler: @escaping DisconnectHandler) { runtime.handlers.withLock { $0.disconnect = handler } }

    // MARK: sending and sessions

    /// Sends a message to one client; a sid with no session is ignored, as in python.
    public func send(_ sid: String, _ data: MessageData) { core.send(sid, data) }

    /// Sends a raw packet (python's `send_packet`).
    public func sendPacket(_ sid: String, _ packet: Packet) { core.send(sid, packet) }

    /// The session's data (python's `get_session`); changes persist only through `saveSession`.
    public func getSession(_ sid: String) throws(ServerError) -> [String: any Sendable] { try core.getSession(sid) }

    /// Replaces the session's data (python's `save_session`); throws `ServerError.unknownSession` for a sid with no
    /// session, as `getSession` does.
    public func saveSession(_ sid: String, _ session: [String: any Sendable]) throws(ServerError) { try core.saveSession(sid, session) }

    /// python's `with eio.session(sid) as session:` — load, change, save.
    public func session<T>(_ sid: String, _ body: (inout [String: any Sendable]) throws -> T) throws -> T {
        var data = try core.getSession(sid)
        let result = try body(&data)
        try core.saveSession(sid, data)
        return result
    }

    /// Closes one session, or all (`server disconnect`). Never waits for the client.
    public func disconnect(_ sid: String? = nil) { core.disconnect(sid) }

    /// `polling` or `websocket`.
    public func transport(_ sid: String) throws(ServerError) -> Transport { try core.transport(sid) }

    /// Closes every session and stops serving.
    ///
    /// With `drain`, for rolling deploys: first refuses new sessions (503 `Server is draining`; `isDraining` turns
    /// true for health checks), serves the existing ones for up to `options.drainTimeout` seconds, closes those left
    /// with `server disconnect`, and returns once they are gone. Clients with reconnection move to another backend.
    public func shutdown(drain: Bool = false) {
        if drain { core.drain(timeout: core.options.drainTimeout) }
        core.stop()
    }

    /// Whether a drain has started (`shutdown(drain: true)`): new sessions are being refused.
    public var isDraining: Bool { core.isDraining }

    /// What the server is doing now: sessions by transport, counters since it started, event-loop lag.
    public var metrics: ServerMetrics { core.metrics() }

    // MARK: helpers python exposes

    /// python's `start_background_task`: runs `body` at once on a new thread of its own (not a handler thread);
    /// `join()` on the returned handle waits for it.
    public func startBackgroundTask(_ body: @escaping @Sendable () -> Void) -> BackgroundTask { BackgroundTask(body) }

    /// python's `sleep`: blocks the calling thread for `seconds` (default 0).
    public func sleep(_ seconds: Double = 0) { Thread.sleep(forTimeInterval: seconds) }

    /// python's `create_queue()`: a thread-safe, unbounded FIFO whose `get(timeout:)` blocks the calling thread. Pass
    /// `of:` when the element type cannot be inferred.
    public func createQueue<Element: Sendable>(of type: Element.Type = Element.self) -> EngineQueue<Element> { EngineQueue() }

    /// python's `create_event()`: a flag a thread can wait on with `wait(timeout:)` until another calls `set()`.
    public func createEvent() -> EngineEvent { EngineEvent() }

    /// python's `get_queue_empty_exception()`: `QueueEmpty`, what `EngineQueue.get(timeout:)` throws when its time runs
    /// out.
    public func getQueueEmptyException() -> QueueEmpty.Type { QueueEmpty.self }

    /// A new session id: 15 bytes from OpenSSL's CSPRNG as 20 URL-safe base64 characters.
    public func generateId() -> String { ServerEngine.generateID() }

    /// Listens on `host:port` without blocking; returns the bound port (useful with port 0).
    func listen(host: String, port: Int, path: String) throws -> Int { try core.listen(host: host, port: port, path: path) }

    /// The threads that run handlers: alive now, and the most alive at once so far (both at most `handlerThreads`).
    public var handlerThreadCounts: (alive: Int, peak: Int) { runtime.pool.threadCounts }

    // MARK: running handlers

    /// Runs each session's jobs in order on a bounded pool of threads.
    private final class Runtime: HandlerRuntime {
        struct Handlers {
            var connect: ConnectHandler?
            var message: MessageHandler?
            var disconnect: DisconnectHandler?
        }

        let handlers = Locked(Handlers())
        let pool: HandlerPool
        weak let core: ServerCore?
        /// Jobs one drain runs before it lets other sessions' drains go first.
        static let batch = 32

        init(core: ServerCore) {
            self.core = core
            pool = HandlerPool(maxThreads: core.options.handlerThreads, name: "engineio-handler") { [weak core] in core?.log(.warning, $0) }
        }

        /// The handlers as now set, read whole: a closure read alone out of the lock's generic result would be
        /// re-wrapped (an allocation on every message); the struct that holds it is copied as it is.
        private var current: Handlers { handlers.withLock { $0 } }

        var hasConnectHandler: Bool { handlers.withLock { $0.connect != nil } }
        var hasDisconnectHandler: Bool { handlers.withLock { $0.disconnect != nil } }

        func drain(_ session: SessionHandlers) {
            let body: @Sendable () -> Void = { [self] in
                var next = session.mailbox.take()
                for ran in 1...Self.batch {
                    guard let job = next else { return }
                    next = session.completed(job, verdict: perform(job, of: session.sid), takingNext: ran < Self.batch)
                }
                drain(session)  // more may be waiting: behind the other sessions' work
            }
            // From the session's loop, the sessions that got work this turn go to the pool together at its end.
            guard let loop = session.loop, loop.isCurrent else { return pool.execute(body) }
            if loop.pendingHandoff.isEmpty {
                loop.atEndOfTurn { [pool] in
                    let bodies = loop.pendingHandoff
                    loop.pendingHandoff.removeAll(keepingCapacity: true)
                    pool.execute(bodies)
                }
            }
            loop.pendingHandoff.append(body)
        }

        func runConcurrently(_ job: SessionJob, of session: SessionHandlers) {
            pool.execute { [self] in
                _ = perform(job, of: session.sid)
                session.completedConcurrently(job, runtime: self)
            }
        }

        /// Runs the handler for `job`; a connect handler's verdict is returned.
        private func perform(_ job: SessionJob, of sid: String) -> ConnectVerdict? {
            switch job {
            case .connect(let environ):
                guard let handler = current.connect else { return .accept }
                do {
                    return try handler(sid, environ) ?? .accept
                } catch {
                    core?.log(.error, "connect handler error: \(error)")
                    return .unauthorized  // python: an exception in connect refuses the client
                }
            case .message(let data):
                current.message?(sid, data)
            case .disconnect(let reason):
                current.disconnect?(sid, reason)
            case .refused:
                break
            }
            return nil
        }
    }
}
