public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// python-engineio's `Client`: a blocking client with its own background thread (the event loop); handlers run one
/// at a time, in order, on a bounded pool of threads the process's clients share.
public final class Client: Sendable {
    /// python's `Client.reason`: why a session ended (`Client.Reason.clientDisconnect`, …), as the disconnect handler
    /// and `reason` report it.
    public typealias Reason = DisconnectReason

    let core: ClientCore
    private let runtime = Runtime()

    /// A client with these options (python's constructor arguments); throws `OptionError` for an option outside its
    /// range. With `handleSigint` (the default), the first Ctrl-C disconnects it without waiting for what was sent,
    /// then ends the process.
    public init(options: ClientOptions) throws {
        core = try ClientCore(options: options)
        core.attach(runtime)
        if options.handleSigint { SigintHandler.shared.register(core) }
    }

    /// The options this client was made with, validated.
    public var options: ClientOptions { core.options }

    /// python's `on('connect')`: runs once the session is open, and again after each reconnection that opens one;
    /// setting it again replaces it. It may run after `connect` has returned.
    public func on(_ event: ConnectEvent, _ handler: @escaping @Sendable () -> Void) { runtime.handlers.withLock { $0.connect = handler } }
    /// python's `on('message')`: runs for each message the server sends, in order, as `.text` or `.binary`
    /// (`pythonValue` decodes JSON text as python does); setting it again replaces it.
    public func on(_ event: MessageEvent, _ handler: @escaping @Sendable (MessageData) -> Void) { runtime.handlers.withLock { $0.message = handler } }
    /// python's `on('disconnect')`: runs once as each session ends, with why (after the application's own `disconnect`,
    /// the `reason` it gave, `client disconnect` by default); setting it again replaces it. A failed `connect` throws
    /// instead.
    public func on(_ event: DisconnectEvent, _ handler: @escaping @Sendable (DisconnectReason) -> Void) { runtime.handlers.withLock { $0.disconnect = handler } }
    /// With `reconnection` on: `.reconnecting` runs as each reconnection attempt starts, `.reconnected` when one
    /// opened a new session (the connect handler has run for it first); both get the attempt number (1, 2, …).
    public func on(_ event: ReconnectEvent, _ handler: @escaping @Sendable (Int) -> Void) {
        runtime.handlers.withLock {
            switch event {
            case .reconnecting: $0.reconnecting = handler
            case .reconnected: $0.reconnected = handler
            }
        }
    }

    /// Connects and returns once the session is open (python's `connect`), or throws `ClientError`.
    public func connect(_ url: String, headers: [String: String] = [:], transports: [Transport]? = nil, engineioPath: String = "engine.io") throws(ClientError) {
        try core.connect(url, headers: headers, transports: transports, engineioPath: engineioPath)
    }

    /// Blocks until the session ends, for any reason (the server closing, a transport failure, `disconnect`).
    public func wait() { core.wait() }

    /// Sends a message; dropped when not connected, as in python. Throws `ClientError.sendQueueFull` instead of
    /// buffering past `maxOutboundQueueBytes` of messages the server has not taken (a server that stops reading).
    public func send(_ data: MessageData) throws(ClientError) { try core.send(data) }

    /// Closes with `reason` (default `client disconnect`), as python's `disconnect(abort=False, reason=None)`: first
    /// waits up to `requestTimeout` for what was sent to reach the server (not with `abort`), then tells the server.
    /// What never went out is counted in `undeliveredBytes`.
    public func disconnect(abort: Bool = false, reason: DisconnectReason? = nil) { core.disconnect(reason: reason, flush: !abort) }

    /// Why the last session ended with `transport error`, when the client could tell (a reset, a timeout, a
    /// message over the limit, …).
    public var failure: ClientError? { core.state.withLock { $0.cause } }

    /// Bytes sent that had not reached the server when the last session ended.
    public var undeliveredBytes: Int { core.undeliveredBytes }

    /// `polling` or `websocket`.
    public func transport() -> Transport { core.state.withLock { $0.transport } }

    /// The session id, while connected.
    public var sid: String? { core.state.withLock { $0.connected ? $0.sid : nil } }

    /// Why the last connection ended.
    public var reason: DisconnectReason? { core.state.withLock { $0.reason } }

    /// python's `start_background_task`: runs `body` at once on a new thread of its own; `join()` on the returned
    /// handle waits for it.
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

    /// Runs the client's handlers in order on one thread, started when there is work.
    private final class Runtime: ClientHandlerRuntime {
        struct Handlers {
            var connect: (@Sendable () -> Void)?
            var message: (@Sendable (MessageData) -> Void)?
            var disconnect: (@Sendable (DisconnectReason) -> Void)?
            var reconnecting: (@Sendable (Int) -> Void)?
            var reconnected: (@Sendable (Int) -> Void)?
        }

        let handlers = Locked(Handlers())
        /// One bounded pool for every `Client` in the process: each client's mailbox keeps its handlers in order,
        /// and a process with many clients does not hold a thread for each.
        private static let pool = HandlerPool(maxThreads: 64, name: "engineio-client")
        private var pool: HandlerPool { Self.pool }

        func drain(_ mailbox: Mailbox<ClientJob>) {
            pool.execute { [self] in
                var next = mailbox.take()
                while let job = next {
                    // Read whole: a closure read alone out of the lock's generic result is re-wrapped, an allocation each time.
                    let current = handlers.withLock { $0 }
                    switch job {
                    case .connect: current.connect?()
                    case .message(let data): current.message?(data)
                    case .disconnect(let reason): current.disconnect?(reason)
                    case .reconnecting(let attempt): current.reconnecting?(attempt)
                    case .reconnected(let attempt): current.reconnected?(attempt)
                    }
                    next = mailbox.completedThenTake(job).next
                }
            }
        }
    }
}

/// python's `handle_sigint`: on the first Ctrl-C every client that asked for it disconnects, then the previous
/// handling (usually: the process ends) takes over.
final class SigintHandler: Sendable {
    static let shared = SigintHandler()

    private let clients = Locked<[WeakCore]>([])
    private let source = Locked<(any DispatchSourceSignal)?>(nil)

    private struct WeakCore: @unchecked Sendable {
        weak var core: ClientCore?
    }

    func register(_ core: ClientCore) {
        clients.withLock { list in
            list.removeAll { $0.core == nil }
            list.append(WeakCore(core: core))
        }
        source.withLock { source in
            guard source == nil else { return }
            signal(SIGINT, SIG_IGN)
            let made = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            made.setEventHandler { [weak self] in self?.interrupted() }
            made.resume()
            source = made
        }
    }

    private func interrupted() {
        for entry in clients.withLock({ $0 }) { entry.core?.disconnect(reason: .clientDisconnect, flush: false) }
        Thread.sleep(forTimeInterval: 0.2)  // let the close go out
        source.withLock { source in
            source?.cancel()
            source = nil
        }
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
    }
}
