import EngineIOPlatform
import Synchronization

/// python's `asyncio.Queue`, as `AsyncServer.createQueue()` and `AsyncClient.createQueue()` return it: an
/// unbounded FIFO whose `get` suspends instead of blocking a thread (a handler on an event loop must not block).
public final class AsyncEngineQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Element?, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    /// An empty, unbounded queue; `AsyncServer.createQueue(of:)` and `AsyncClient.createQueue(of:)` return one.
    public init() {}

    /// Adds `item`, handing it straight to the longest-waiting `get` if there is one. Never suspends: the queue
    /// is unbounded, as python's default.
    public func put(_ item: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.items.append(item)
            return nil
        }
        waiter?.resume(returning: item)
    }

    /// The oldest item, waiting up to `timeout` seconds (forever when nil). Throws `QueueEmpty` on timeout, and
    /// when the waiting task is cancelled.
    public func get(timeout: Double? = nil) async throws(QueueEmpty) -> Element {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let item: Element? = await suspend(timeout: timeout, expire: { self.giveUp(id) }) { continuation in
            // Two levels of optional: `.some(item)` now, or `.none` once listed (the wait itself ends in `Element?`).
            state.withLock { state -> Element?? in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                state.waiters.append((id, continuation))
                return .none
            }
        }
        guard let item else { throw QueueEmpty() }
        return item
    }

    /// Ends the wait of `get` number `id` with nothing, if it still waits.
    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: nil)
    }
}

/// python's `asyncio.Event`, as `AsyncServer.createEvent()` and `AsyncClient.createEvent()` return it: `wait`
/// suspends instead of blocking a thread.
public final class AsyncEngineEvent: Sendable {
    private struct State {
        var isSet = false
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    /// An event that is not set; `AsyncServer.createEvent()` and `AsyncClient.createEvent()` return one.
    public init() {}

    /// Sets the flag and wakes every waiter.
    public func set() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.isSet = true
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Unsets the flag (python's `clear()`), so later `wait` calls suspend until the next `set`.
    public func clear() { state.withLock { $0.isSet = false } }

    /// Whether the flag is set now (python's `is_set()`); never suspends.
    public var isSet: Bool { state.withLock { $0.isSet } }

    /// Waits until set, or `timeout` seconds (forever when nil); returns whether it is set. A cancelled wait
    /// returns at once.
    @discardableResult
    public func wait(timeout: Double? = nil) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await suspend(timeout: timeout, expire: { self.giveUp(id) }) { continuation in
            state.withLock { state -> Bool? in
                if state.isSet { return true }
                state.waiters.append((id, continuation))
                return nil
            }
        }
    }

    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: state.withLock { $0.isSet })
    }
}

/// Suspends until the continuation that `enlist` listed is resumed, unless `enlist` has a value at once. After
/// `timeout` seconds, or on cancellation, `expire` runs: it resumes the continuation if it is still listed.
private func suspend<Value: Sendable>(
    timeout: Double?, expire: @escaping @Sendable () -> Void, enlist: (CheckedContinuation<Value, Never>) -> Value?
) async -> Value {
    await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            if let ready = enlist(continuation) { return continuation.resume(returning: ready) }
            // Cancelled before the waiter was listed: the cancellation handler found nothing to end.
            if Task.isCancelled { return expire() }
            if let timeout {
                Task {
                    try? await Task.sleep(for: .milliseconds(Int64(max(0, timeout) * 1000)))
                    expire()
                }
            }
        }
    } onCancel: {
        expire()
    }
}
