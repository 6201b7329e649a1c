import EngineIOPlatform
import Foundation
import Synchronization

/// A started background task; python's handle with `join()`.
public final class BackgroundTask: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.start()
    }

    /// Waits for the task to finish.
    public func join() {
        done.wait()
        done.signal()  // later joins return at once too
    }
}

/// python's queue for `create_queue()`: thread-safe FIFO with blocking `get` and a timeout.
public final class EngineQueue<Element: Sendable>: Sendable {
    private let items = Locked<[Element]>([])
    private let available = DispatchSemaphore(value: 0)

    /// An empty, unbounded queue; `Server.createQueue(of:)` and `Client.createQueue(of:)` return one.
    public init() {}

    /// Appends `item` without blocking (the queue is unbounded) and wakes one thread waiting in `get`.
    public func put(_ item: Element) {
        items.withLock { $0.append(item) }
        available.signal()
    }

    /// The oldest item, waiting up to `timeout` seconds (forever when nil); throws `QueueEmpty` on timeout.
    public func get(timeout: Double? = nil) throws(QueueEmpty) -> Element {
        let deadline = timeout.map { DispatchTime.now() + $0 } ?? .distantFuture
        guard available.wait(timeout: deadline) == .success else { throw QueueEmpty() }
        return items.withLock { $0.removeFirst() }
    }
}

/// python's `get_queue_empty_exception()`.
public struct QueueEmpty: Error, Hashable, Sendable {}

/// python's event for `create_event()`.
public final class EngineEvent: Sendable {
    private let flag = Locked(false)
    private let condition = NSCondition()

    /// An event that is not set; `Server.createEvent()` and `Client.createEvent()` return one.
    public init() {}

    /// Sets the flag (python's `set()`) and wakes every thread waiting in `wait`.
    public func set() {
        condition.lock()
        flag.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Unsets the flag (python's `clear()`), so later `wait` calls block until the next `set`.
    public func clear() { flag.withLock { $0 = false } }

    /// Whether the flag is set now (python's `is_set()`); never blocks.
    public var isSet: Bool { flag.withLock { $0 } }

    /// Waits until set, or `timeout` seconds; returns whether it is set.
    @discardableResult
    public func wait(timeout: Double? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while !isSet {
            if let deadline {
                if !condition.wait(until: deadline) { return isSet }
            } else {
                condition.wait()
            }
        }
        return true
    }
}

extension LoggerOption {
    /// python's logging rules: `logger=False` reports errors only, `True` informational lines too (on standard
    /// error, under python's logger name), a custom logger gets everything.
    func emit(_ level: LogLevel, _ message: @autoclosure () -> String, as name: String) {
        switch self {
        case .disabled where level >= .error, .enabled where level >= .info:
            FileHandle.standardError.write(Data("\(name) \(level): \(message())\n".utf8))
        case .custom(let sink):
            sink.log(level, message())
        default:
            break
        }
    }
}
