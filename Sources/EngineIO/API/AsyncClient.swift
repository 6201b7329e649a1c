public import EngineIOCore
import Foundation
import Synchronization

/// python-engineio's `AsyncClient`: the same engine as `Client`, with `async` methods and handlers (run as tasks,
/// in order).
public final class AsyncClient: Sendable {
    public typealias Reason = DisconnectReason

    let core: ClientCore
    private let handlers = Mutex<Handlers>(Handlers())

    private struct Handlers {
        var connect: (@Sendable () async -> Void)?
        var message: (@Sendable (MessageData) async -> Void)?
        var disconnect: (@Sendable (DisconnectReason) async -> Void)?
        var tail: Task<Void, Never>?
    }

    public init(options: ClientOptions) throws {
        core = try ClientCore(options: options)
        if options.handleSigint { SigintHandler.shared.register(core) }
    }

    /// The options this client was made with, validated.
    public var options: ClientOptions { core.options }

    public func on(_ event: ConnectEvent, _ handler: @escaping @Sendable () async -> Void) { handlers.withLock { $0.connect = handler } }
    public func on(_ event: MessageEvent, _ handler: @escaping @Sendable (MessageData) async -> Void) { handlers.withLock { $0.message = handler } }
    public func on(_ event: DisconnectEvent, _ handler: @escaping @Sendable (DisconnectReason) async -> Void) { handlers.withLock { $0.disconnect = handler } }

    /// Runs handlers one after another, in the order the connection produced them.
    private func enqueue(_ work: @escaping @Sendable () async -> Void) {
        handlers.withLock { state in
            let previous = state.tail
            state.tail = Task {
                await previous?.value
                await work()
            }
        }
    }

    /// Connects; returns once the session is open, or throws `ClientError`. The waiting happens off the
    /// cooperative pool.
    public func connect(_ url: String, headers: [String: String] = [:], transports: [Transport]? = nil, engineioPath: String = "engine.io") async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { [self] in
                do {
                    try core.connect(
                        url, headers: headers, transports: transports, engineioPath: engineioPath,
                        deliver: { [weak self] data in
                            guard let self, let handler = self.handlers.withLock({ $0.message }) else { return }
                            self.enqueue { await handler(MessageData(data)) }
                        },
                        onConnect: { [weak self] in
                            guard let self, let handler = self.handlers.withLock({ $0.connect }) else { return }
                            self.enqueue { await handler() }
                        },
                        onDisconnect: { [weak self] reason in
                            guard let self, let handler = self.handlers.withLock({ $0.disconnect }) else { return }
                            self.enqueue { await handler(reason) }
                        })
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

    public func send(_ data: MessageData) async { core.send(data) }
    public func disconnect(abort: Bool = false, reason: DisconnectReason? = nil) async { core.disconnect(reason: reason) }
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
}
