public import EngineIOCore
import Foundation
import Synchronization

/// python-engineio's `AsyncServer`: the same engine as `Server`, with `async` handlers run as tasks.
///
/// Handlers are tasks that prefer the event loop owning their session, as python's run on asyncio's loop: a handler
/// and the `send` it awaits share one thread, with no hand-over between threads. Like any `async` code they must not
/// block: hand blocking or long CPU-bound work to `startBackgroundTask` (or a detached task), which run elsewhere.
/// With `asyncHandlers` (python's default) each message handler is its own task; otherwise a session's handlers run
/// one after another, in order.
public final class AsyncServer: Sendable {
    public typealias Reason = DisconnectReason
    public typealias ConnectHandler = @Sendable (_ sid: String, _ environ: Environ) async throws -> ConnectResult
    public typealias MessageHandler = @Sendable (_ sid: String, _ data: MessageData) async -> Void
    public typealias DisconnectHandler = @Sendable (_ sid: String, _ reason: DisconnectReason) async -> Void

    let core: ServerCore
    private let handlers = Mutex<Handlers>(Handlers())

    private struct Handlers {
        var connect: ConnectHandler?
        var message: MessageHandler?
        var disconnect: DisconnectHandler?
        /// The last task of each session, which the next one awaits to keep them in order.
        var tails: [String: Task<Void, Never>] = [:]
    }

    /// A server with these options; throws for options outside their range or an `asyncMode` other than `async`.
    public init(options: ServerOptions) throws {
        if let mode = options.asyncMode, mode != .async { throw ServerError.invalidAsyncMode(mode.rawValue) }
        core = try ServerCore(options: options)
        core.attach(Runner(server: self))
    }

    public var options: ServerOptions { core.options }

    /// The sids of the open sessions (python's `sockets` keys).
    public var sids: [String] { core.sids }

    public func on(_ event: ConnectEvent, _ handler: @escaping ConnectHandler) { handlers.withLock { $0.connect = handler } }
    public func on(_ event: MessageEvent, _ handler: @escaping MessageHandler) { handlers.withLock { $0.message = handler } }
    public func on(_ event: DisconnectEvent, _ handler: @escaping DisconnectHandler) { handlers.withLock { $0.disconnect = handler } }

    public func send(_ sid: String, _ data: MessageData) async { core.send(sid, data) }
    public func sendPacket(_ sid: String, _ packet: Packet) async { core.send(sid, packet) }
    public func getSession(_ sid: String) async throws(ServerError) -> [String: any Sendable] { try core.getSession(sid) }
    public func saveSession(_ sid: String, _ session: [String: any Sendable]) async throws(ServerError) { try core.saveSession(sid, session) }

    /// python's `async with eio.session(sid) as session:`.
    public func session<T>(_ sid: String, _ body: (inout [String: any Sendable]) async throws -> T) async throws -> T {
        var data = try core.getSession(sid)
        let result = try await body(&data)
        try core.saveSession(sid, data)
        return result
    }

    public func disconnect(_ sid: String? = nil) async { core.disconnect(sid) }
    public func transport(_ sid: String) throws(ServerError) -> Transport { try core.transport(sid) }
    /// Closes every session (`forced close`) and stops serving. Safe from a handler: stopping waits for every loop,
    /// the handler's own among them, so the waiting happens on a thread of its own.
    public func shutdown() async {
        let core = self.core
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
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

    public func sleep(_ seconds: Double = 0) async { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    /// python's `create_queue()`: an `asyncio.Queue`-like queue whose `get` suspends rather than blocks.
    public func createQueue<Element: Sendable>(of type: Element.Type = Element.self) -> AsyncEngineQueue<Element> { AsyncEngineQueue() }
    /// python's `create_event()`: an `asyncio.Event`-like event whose `wait` suspends rather than blocks.
    public func createEvent() -> AsyncEngineEvent { AsyncEngineEvent() }
    public func getQueueEmptyException() -> QueueEmpty.Type { QueueEmpty.self }
    public func generateId() -> String { ServerEngine.generateID() }

    func listen(host: String, port: Int, path: String) throws -> Int { try core.listen(host: host, port: port, path: path) }

    /// Runs `work` after the session's previous handler (ordered mode) or at once (python's async handlers).
    private func run(_ sid: String, ordered: Bool, _ work: @escaping @Sendable () async -> Void) {
        let loop = core.loop(for: sid)
        guard ordered else {
            Task(executorPreference: loop) { await work() }
            return
        }
        handlers.withLock { state in
            let previous = state.tails[sid]
            state.tails[sid] = Task(executorPreference: loop) {
                await previous?.value
                await work()
            }
        }
    }

    private struct Runner: HandlerRunner {
        unowned let server: AsyncServer

        func connect(sid: String, environ: Environ, answer: @escaping @Sendable (ConnectVerdict) -> Void) {
            guard let handler = server.handlers.withLock({ $0.connect }) else { return answer(.accept) }
            server.run(sid, ordered: true) {
                do {
                    answer(try await handler(sid, environ) ?? .accept)
                } catch {
                    server.core.log(.error, "connect handler error: \(error)")
                    answer(.unauthorized)
                }
            }
        }

        func message(sid: String, data: MessageData) {
            guard let handler = server.handlers.withLock({ $0.message }) else { return }
            server.run(sid, ordered: !server.core.options.asyncHandlers) { await handler(sid, data) }
        }

        func disconnect(sid: String, reason: DisconnectReason, then done: @escaping @Sendable () -> Void) {
            guard let handler = server.handlers.withLock({ $0.disconnect }) else { return done() }
            server.run(sid, ordered: true) {
                await handler(sid, reason)
                done()
            }
        }

        func opened(sid: String) {}

        func closed(sid: String) {
            // The disconnect handler was queued behind the session's tail; forget the tail once it has run.
            server.run(sid, ordered: true) { [server] in _ = server.handlers.withLock { $0.tails.removeValue(forKey: sid) } }
        }
    }
}
