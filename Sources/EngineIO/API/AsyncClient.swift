public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// python-engineio's `AsyncClient`: the same engine as `Client`, with `async` methods and handlers, run one at a
/// time, in order, as a task (the next waits for the previous handler to return, even when it awaits).
public final class AsyncClient: Sendable {
    /// python's `AsyncClient.reason`: why a session ended (`AsyncClient.Reason.clientDisconnect`, …), as the disconnect
    /// handler and `reason` report it.
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
    public func on(_ event: ConnectEvent, _ handler: @escaping @Sendable () async -> Void) { runtime.handlers.withLock { $0.connect = handler } }
    /// python's `on('message')`: runs for each message the server sends, in order, as `.text` or `.binary`
    /// (`pythonValue` decodes JSON text as python does); setting it again replaces it.
    public func on(_ event: MessageEvent, _ handler: @escaping @Sendable (MessageData) async -> Void) { runtime.handlers.withLock { $0.message = handler } }
    /// python's `on('disconnect')`: runs once as each session ends, with why (after the application's own `disconnect`,
    /// the `reason` it gave, `client disconnect` by default); setting it again replaces it. A failed `connect` throws
    /// instead.
    public func on(_ event: DisconnectEvent, _ handler: @escaping @Sendable (DisconnectReason) async -> Void) { runtime.handlers.withLock { $0.disconnect = handler } }
    /// With `reconnection` on: `.reconnecting` runs as each reconnection attempt starts, `.reconnected` when one
    /// opened a new session (the connect handler has run for it first); both get the attempt number (1, 2, …).
    public func on(_ event: ReconnectEvent, _ handler: @escaping @Sendable (Int) async -> Void) {
        runtime.handlers.withLock {
            switch event {
            case .reconnecting: $0.reconnecting = handler
            case .reconnected: $0.reconnected = handler
            }
        }
    }

    /// Connects; returns once the session is open, or throws `ClientError`. The waiting happens off the
    /// cooperative pool.
    public func connect(_ url: String, headers: [String: String] = [:], transports: [Transport]? = nil, engineioPath: String = "engine.io") async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { [self] in
                do {
                    try core.connect(url, headers: headers, transports: transports, engineioPath: engineioPath)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// Waits until the connection ends.
    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { [core] in
                core.wait()
                continuation.resume()
            }.start()
        }
    }

    /// See `Client.send`.
    public func send(_ data: MessageData) async throws(ClientError) { try core.send(data) }
    /// See `Client.disconnect`; the wait for what was sent to go out happens off the cooperative pool.
    public func disconnect(abort: Bool = false, reason: DisconnectReason? = nil) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { [core] in
                core.disconnect(reason: reason, flush: !abort)
                done.resume()
            }.start()
        }
    }
    /// See `Client.failure`.
    public var failure: ClientError? { core.state.withLock { $0.cause } }
    /// See `Client.undeliveredBytes`.
    public var undeliveredBytes: Int { core.undeliveredBytes }
    /// The session's transport (python's `transport()`): the first of `transports` once connected, `websocket` after an
    /// upgrade; `polling` before any connect.
    public func transport() -> Transport { core.state.withLock { $0.transport } }
    /// The session id the server assigned (python's `sid`); nil while not connected.
    public var sid: String? { core.state.withLock { $0.connected ? $0.sid : nil } }
    /// Why the last session ended, as the disconnect handler got it; nil until a session has ended (each `connect`
    /// clears it).
    public var reason: DisconnectReason? { core.state.withLock { $0.reason } }

    /// python's `start_background_task`: starts `body` as a task (python returns an `asyncio.Task`); `await task.value`
    /// waits for it.
    @discardableResult
    public func startBackgroundTask(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> { Task { await body() } }
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

    /// Runs the client's handlers in order, as one task while there is work.
    private final class Runtime: ClientHandlerRuntime {
        struct Handlers {
            var connect: (@Sendable () async -> Void)?
            var message: (@Sendable (MessageData) async -> Void)?
            var disconnect: (@Sendable (DisconnectReason) async -> Void)?
            var reconnecting: (@Sendable (Int) async -> Void)?
            var reconnected: (@Sendable (Int) async -> Void)?
        }

        let handlers = Locked(Handlers())

        func drain(_ mailbox: Mailbox<ClientJob>) {
            Task { [self] in
                var next = mailbox.take()
                while let job = next {
                    // Read whole: a closure read alone out of the lock's generic result is re-wrapped, an allocation each time.
                    let current = handlers.withLock { $0 }
                    switch job {
                    case .connect: await current.connect?()
                    case .message(let data): await current.message?(data)
                    case .disconnect(let reason): await current.disconnect?(reason)
                    case .reconnecting(let attempt): await current.reconnecting?(attempt)
                    case .reconnected(let attempt): await current.reconnected?(attempt)
                    }
                    next = mailbox.completedThenTake(job).next
                }
            }
        }
    }
}
