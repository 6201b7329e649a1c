public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// python-engineio's `AsyncClient`: the same engine as `Client`, with `async` methods and handlers, run one at a
/// time, in order, as a task (the next waits for the previous handler to return, even when it awaits).
public final class AsyncClient: Sendable {
    public typealias Reason = DisconnectReason

    let core: ClientCore
    private let runtime = Runtime()

    public init(options: ClientOptions) throws {
        core = try ClientCore(options: options)
        core.attach(runtime)
        if options.handleSigint { SigintHandler.shared.register(core) }
    }

    /// The options this client was made with, validated.
    public var options: ClientOptions { core.options }

    public func on(_ event: ConnectEvent, _ handler: @escaping @Sendable () async -> Void) { runtime.handlers.withLock { $0.connect = handler } }
    public func on(_ event: MessageEvent, _ handler: @escaping @Sendable (MessageData) async -> Void) { runtime.handlers.withLock { $0.message = handler } }
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
    public func transport() -> Transport { core.state.withLock { $0.transport } }
    public var sid: String? { core.state.withLock { $0.connected ? $0.sid : nil } }
    public var reason: DisconnectReason? { core.state.withLock { $0.reason } }

    @discardableResult
    public func startBackgroundTask(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> { Task { await body() } }
    public func sleep(_ seconds: Double = 0) async { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    /// python's `create_queue()`: an `asyncio.Queue`-like queue whose `get` suspends rather than blocks.
    public func createQueue<Element: Sendable>(of type: Element.Type = Element.self) -> AsyncEngineQueue<Element> { AsyncEngineQueue() }
    /// python's `create_event()`: an `asyncio.Event`-like event whose `wait` suspends rather than blocks.
    public func createEvent() -> AsyncEngineEvent { AsyncEngineEvent() }
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
                while let job = mailbox.take() {
                    switch job {
                    case .connect: await handlers.withLock { $0.connect }?()
                    case .message(let data): await handlers.withLock { $0.message }?(data)
                    case .disconnect(let reason): await handlers.withLock { $0.disconnect }?(reason)
                    case .reconnecting(let attempt): await handlers.withLock { $0.reconnecting }?(attempt)
                    case .reconnected(let attempt): await handlers.withLock { $0.reconnected }?(attempt)
                    }
                    mailbox.completed(job)
                }
            }
        }
    }
}
