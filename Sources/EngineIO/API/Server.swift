public import EngineIOCore
import Foundation
import Synchronization

/// python-engineio's `Server`: blocking handlers run on threads, never on the event loop.
///
/// ```swift
/// let server = try Server(options: ServerOptions(pingInterval: 25, corsAllowedOrigins: "*"))
/// server.on(.message) { sid, data in server.send(sid, data) }
/// try WSGIApp(server).run(port: 5000)
/// ```
/// Handlers of one session run in order on that session's queue; with `asyncHandlers` (python's default) message
/// handlers run concurrently instead, as python's threads do.
public final class Server: Sendable {
    public typealias Reason = DisconnectReason
    public typealias ConnectHandler = @Sendable (_ sid: String, _ environ: Environ) throws -> ConnectResult
    public typealias MessageHandler = @Sendable (_ sid: String, _ data: MessageData) -> Void
    public typealias DisconnectHandler = @Sendable (_ sid: String, _ reason: DisconnectReason) -> Void

    let core: ServerCore
    private let handlers = Mutex<Handlers>(Handlers())

    private struct Handlers {
        var connect: ConnectHandler?
        var message: MessageHandler?
        var disconnect: DisconnectHandler?
        var queues: [String: DispatchQueue] = [:]
    }

    /// A server with these options (python's constructor arguments); throws for options outside their range or an
    /// `asyncMode` other than `threading`.
    public init(options: ServerOptions) throws {
        if let mode = options.asyncMode, mode != .threading { throw ServerError.invalidAsyncMode(mode.rawValue) }
        core = try ServerCore(options: options)
        core.attach(Runner(server: self))
    }

    public var options: ServerOptions { core.options }

    /// The sids of the open sessions (python's `sockets` keys).
    public var sids: [String] { core.sids }

    // MARK: handlers

    /// python's `on('connect')`: return `nil` (or `.accept`) to accept, `.reject(body:)` or throw to refuse (401).
    public func on(_ event: ConnectEvent, _ handler: @escaping ConnectHandler) { handlers.withLock { $0.connect = handler } }
    /// python's `on('message')`.
    public func on(_ event: MessageEvent, _ handler: @escaping MessageHandler) { handlers.withLock { $0.message = handler } }
    /// python's `on('disconnect')`.
    public func on(_ event: DisconnectEvent, _ handler: @escaping DisconnectHandler) { handlers.withLock { $0.disconnect = handler } }

    // MARK: sending and sessions

    /// Sends a message to one client; a sid with no session is ignored, as in python.
    public func send(_ sid: String, _ data: MessageData) { core.send(sid, data) }

    /// Sends a raw packet (python's `send_packet`).
    public func sendPacket(_ sid: String, _ packet: Packet) { core.send(sid, packet) }

    /// The session's data (python's `get_session`); changes persist only through `saveSession`.
    public func getSession(_ sid: String) throws(ServerError) -> [String: any Sendable] { try core.getSession(sid) }

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
    public func shutdown() { core.stop() }

    // MARK: helpers python exposes

    public func startBackgroundTask(_ body: @escaping @Sendable () -> Void) -> BackgroundTask { BackgroundTask(body) }

    public func sleep(_ seconds: Double = 0) { Thread.sleep(forTimeInterval: seconds) }

    public func createQueue<Element: Sendable>(of type: Element.Type = Element.self) -> EngineQueue<Element> { EngineQueue() }

    public func createEvent() -> EngineEvent { EngineEvent() }

    public func getQueueEmptyException() -> QueueEmpty.Type { QueueEmpty.self }

    /// A new session id: 15 bytes from OpenSSL's CSPRNG as 20 URL-safe base64 characters.
    public func generateId() -> String { ServerEngine.generateID() }

    /// Listens on `host:port` without blocking; returns the bound port (useful with port 0).
    func listen(host: String, port: Int, path: String) throws -> Int { try core.listen(host: host, port: port, path: path) }

    // MARK: running handlers

    private func queue(for sid: String) -> DispatchQueue {
        handlers.withLock { state in
            if let queue = state.queues[sid] { return queue }
            let queue = DispatchQueue(label: "engineio.session.\(sid)")
            state.queues[sid] = queue
            return queue
        }
    }

    private struct Runner: HandlerRunner {
        unowned let server: Server

        func connect(sid: String, environ: Environ, answer: @escaping @Sendable (ConnectVerdict) -> Void) {
            guard let handler = server.handlers.withLock({ $0.connect }) else { return answer(.accept) }
            server.queue(for: sid).async {
                do {
                    answer(try handler(sid, environ) ?? .accept)
                } catch {
                    server.core.log(.error, "connect handler error: \(error)")
                    answer(.unauthorized)  // python: an exception in connect refuses the client
                }
            }
        }

        func message(sid: String, data: MessageData) {
            guard let handler = server.handlers.withLock({ $0.message }) else { return }
            if server.core.options.asyncHandlers {
                DispatchQueue.global().async { handler(sid, data) }
            } else {
                server.queue(for: sid).async { handler(sid, data) }
            }
        }

        func disconnect(sid: String, reason: DisconnectReason, then done: @escaping @Sendable () -> Void) {
            guard let handler = server.handlers.withLock({ $0.disconnect }) else { return done() }
            server.queue(for: sid).async {
                handler(sid, reason)
                done()
            }
        }

        func opened(sid: String) {}

        func closed(sid: String) {
            // The queue stays alive until its last handler has run; only our reference goes.
            _ = server.handlers.withLock { $0.queues.removeValue(forKey: sid) }
        }
    }
}
