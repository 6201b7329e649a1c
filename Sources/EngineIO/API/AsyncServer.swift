public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// python-engineio's `AsyncServer`: the same engine as `Server`, with `async` handlers run as tasks.
///
/// Handlers are tasks that prefer the event loop owning their session, as python's run on asyncio's loop: a handler
/// and the `send` it awaits share one thread, with no hand-over between threads. Like any `async` code they must not
/// block: hand blocking or long CPU-bound work to `startBackgroundTask` (or a detached task), which run elsewhere.
/// A session's handlers run one at a time, in arrival order, even when they `await`: the next message of a session
/// waits for its previous handler to return. Different sessions run concurrently. `concurrentMessageHandlers` gives
/// python's unordered message handlers instead.
public final class AsyncServer: Sendable {
    /// python's `AsyncServer.reason`: why a session ended (`AsyncServer.Reason.serverDisconnect`, …), as the disconnect
    /// handler receives it.
    public typealias Reason = DisconnectReason
    /// The handler types are `nonisolated(nonsending)`: a handler runs where the runtime calls it, on its session's
    /// event loop, so the call needs no executor check and no hop (about 4% of a message's CPU). Closures, functions
    /// and actor-isolated functions convert to them as before; an isolated one hops to its actor inside.
    ///
    /// A `connect` handler: the new session's sid and its handshake `Environ`; the handshake is answered once it
    /// returns. `nil` or `.accept` accepts, `.reject(body:)` refuses with 401 and that JSON body, and a thrown error
    /// (logged) refuses with 401 `"Unauthorized"`.
    public typealias ConnectHandler = nonisolated(nonsending) @Sendable (_ sid: String, _ environ: Environ) async throws -> ConnectResult
    /// A `message` handler: the sid and the message as it arrived, `.text` or `.binary` (`pythonValue` decodes JSON
    /// text as python does). The session's next message waits until it returns, unless `concurrentMessageHandlers` is
    /// on.
    public typealias MessageHandler = nonisolated(nonsending) @Sendable (_ sid: String, _ data: MessageData) async -> Void
    /// A `disconnect` handler: the sid and why the session ended. It runs after the session's message handlers have
    /// returned, and `getSession` still works inside it.
    public typealias DisconnectHandler = nonisolated(nonsending) @Sendable (_ sid: String, _ reason: DisconnectReason) async -> Void

    let core: ServerCore
    private let runtime: Runtime

    /// A server with these options; throws for options outside their range or an `asyncMode` other than `async`.
    public init(options: ServerOptions) throws {
        if let mode = options.asyncMode, mode != .async { throw ServerError.invalidAsyncMode(mode.rawValue) }
        let core = try ServerCore(options: options)
        self.core = core
        runtime = Runtime(core: core)
        core.attach(runtime)
    }

    /// The options this server was made with, validated (python's constructor arguments).
    public var options: ServerOptions { core.options }

    /// The sids of the open sessions (python's `sockets` keys).
    public var sids: [String] { core.sids }

    /// python's `on('connect')`: sets the handler that accepts or refuses each new session (see `ConnectHandler`);
    /// setting it again replaces it. Without one, every session is accepted.
    public func on(_ event: ConnectEvent, _ handler: @escaping ConnectHandler) { runtime.handlers.withLock { $0.connect = handler } }
    /// python's `on('message')`: sets the handler for each message a client sends; setting it again replaces it.
    public func on(_ event: MessageEvent, _ handler: @escaping MessageHandler) { runtime.handlers.withLock { $0.message = handler } }
    /// python's `on('disconnect')`: sets the handler for each session's end; setting it again replaces it.
    public func on(_ event: DisconnectEvent, _ handler: @escaping DisconnectHandler) { runtime.handlers.withLock { $0.disconnect = handler } }

    /// Sends a message to one client (python's `await send(sid, data)`); a sid with no session is ignored. Returns once
    /// the message is handed to the session's event loop, not once the client has it.
    public nonisolated(nonsending) func send(_ sid: String, _ data: MessageData) async { core.send(sid, data) }
    /// Sends a raw packet (python's `send_packet`): `message`, `ping`, `pong` or `noop`. `open`, `close`, `upgrade` and
    /// binary control packets are dropped, as is a sid with no session.
    public nonisolated(nonsending) func sendPacket(_ sid: String, _ packet: Packet) async { core.send(sid, packet) }
    /// The session's data (python's `get_session`), a copy: changes persist only through `saveSession`. Throws
    /// `ServerError.unknownSession` outside the session's life, from its connect handler (or its opening, without one)
    /// until its disconnect handler returns.
    public func getSession(_ sid: String) async throws(ServerError) -> [String: any Sendable] { try core.getSession(sid) }
    /// Replaces the session's data (python's `save_session`); throws `ServerError.unknownSession` for a sid with no
    /// session, as `getSession` does.
    public func saveSession(_ sid: String, _ session: [String: any Sendable]) async throws(ServerError) { try core.saveSession(sid, session) }

    /// python's `async with eio.session(sid) as session:`.
    public func session<T>(_ sid: String, _ body: (inout [String: any Sendable]) async throws -> T) async throws -> T {
        var data = try core.getSession(sid)
        let result = try await body(&data)
        try core.saveSession(sid, data)
        return result
    }

    /// Closes one session, or every open one, with `server disconnect` (python's `disconnect(sid=None)`): what is
    /// queued goes out before the close packet. Returns without waiting for the client; an unknown sid is ignored.
    public func disconnect(_ sid: String? = nil) async { core.disconnect(sid) }
    /// The session's transport now (python's `transport(sid)`): `polling`, or `websocket` once upgraded or opened over
    /// WebSocket. Throws `ServerError.unknownSession` for a sid with no open session (one whose connect handler is
    /// still deciding included).
    public func transport(_ sid: String) throws(ServerError) -> Transport { try core.transport(sid) }

    /// Whether a drain has started (`shutdown(drain: true)`): new sessions are being refused.
    public var isDraining: Bool { core.isDraining }

    /// What the server is doing now: sessions by transport, counters since it started, event-loop lag. Called from
    /// a handler, other loops' figures may be up to a quarter of a second old (a loop never waits on another).
    public var metrics: ServerMetrics { core.metrics() }
    /// Closes every session (`forced close`) and stops serving. Safe from a handler: stopping waits for every loop,
    /// the handler's own among them, so the waiting happens on a thread of its own.
    ///
    /// With `drain`, for rolling deploys: first refuses new sessions (503 `Server is draining`; `isDraining` turns
    /// true for health checks), serves the existing ones for up to `options.drainTimeout` seconds, closes those left
    /// with `server disconnect`, and returns once they are gone.
    public func shutdown(drain: Bool = false) async {
        let core = self.core
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                if drain { core.drain(timeout: core.options.drainTimeout) }
                core.stop()
                done.resume()
            }.start()
        }
    }

    /// Starts `body` as a task (python returns an `asyncio.Task`). It runs on the global executor, off the event
    /// loops, so it is the place for work too long for a handler.
    @discardableResult
    public func startBackgroundTask(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task(executorPreference: globalConcurrentExecutor) { await body() }
    }

    /// python's `await sleep(seconds)`: suspends the calling task for `seconds` (default 0, in whole milliseconds)
    /// without holding a thread; a cancelled task wakes early, with no error.
    public func sleep(_ seconds: Double = 0) async { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    /// python's `create_queue()`: an `asyncio.Queue`-like queue whose `get` suspends rather than blocks.
    public func createQueue<Element: Sendable>(of type: Element.Type = Element.self) -> AsyncEngineQueue<Element> { AsyncEngineQueue() }
    /// python's `create_event()`: an `asyncio.Event`-like event whose `wait` suspends rather than blocks.
    public func createEvent() -> AsyncEngineEvent { AsyncEngineEvent() }
    /// python's `get_queue_empty_exception()`: `QueueEmpty`, what `AsyncEngineQueue.get(timeout:)` throws when its time
    /// runs out or its task is cancelled.
    public func getQueueEmptyException() -> QueueEmpty.Type { QueueEmpty.self }
    /// python's `generate_id()`: a new session id, 15 bytes from OpenSSL's CSPRNG as 20 URL-safe base64 characters.
    public func generateId() -> String { ServerEngine.generateID() }

    func listen(host: String, port: Int, path: String) throws -> Int { try core.listen(host: host, port: port, path: path) }

    /// Runs each session's jobs in order, as one task at a time on the session's event loop.
    private final class Runtime: HandlerRuntime {
        struct Handlers {
            var connect: ConnectHandler?
            var message: MessageHandler?
            var disconnect: DisconnectHandler?
        }

        let handlers = Locked(Handlers())
        weak let core: ServerCore?
        /// Jobs a drain runs before it yields, so the loop's I/O and other sessions get a turn.
        static let batch = 32

        init(core: ServerCore) { self.core = core }

        /// The handlers as now set, read whole: a closure read alone out of the lock's generic result would be
        /// re-wrapped (an allocation on every message); the struct that holds it is copied as it is.
        private var current: Handlers { handlers.withLock { $0 } }

        var hasConnectHandler: Bool { handlers.withLock { $0.connect != nil } }
        var hasDisconnectHandler: Bool { handlers.withLock { $0.disconnect != nil } }

        func drain(_ session: SessionHandlers) {
            Task(executorPreference: session.loop) { [self] in
                var ran = 0
                var next = session.mailbox.take()
                while let job = next {
                    let verdict = await perform(job, of: session.sid)
                    ran += 1
                    if ran % Self.batch == 0 {
                        session.completed(job, verdict: verdict)
                        await Task.yield()
                        next = session.mailbox.take()
                    } else {
                        next = session.completed(job, verdict: verdict, takingNext: true)
                    }
                }
            }
        }

        func runConcurrently(_ job: SessionJob, of session: SessionHandlers) {
            Task(executorPreference: session.loop) { [self] in
                _ = await perform(job, of: session.sid)
                session.completedConcurrently(job, runtime: self)
            }
        }

        /// Runs the handler for `job`; a connect handler's verdict is returned.
        private nonisolated(nonsending) func perform(_ job: SessionJob, of sid: String) async -> ConnectVerdict? {
            switch job {
            case .connect(let environ):
                guard let handler = current.connect else { return .accept }
                do {
                    return try await handler(sid, environ) ?? .accept
                } catch {
                    core?.log(.error, "connect handler error: \(error)")
                    return .unauthorized
                }
            case .message(let data):
                await current.message?(sid, data)
            case .disconnect(let reason):
                await current.disconnect?(sid, reason)
            case .refused:
                break
            }
            return nil
        }
    }
}
