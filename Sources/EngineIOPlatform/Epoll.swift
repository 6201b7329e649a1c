import CLinux
import Glibc

/// A Linux system call failed; `errno` says why.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Readiness the event loop asks for and is told about.
public struct IOEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
    public static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer shut down its writing side (a half-close), reported without reading to EOF.
    public static let peerClosed = IOEvents(rawValue: EPOLLRDHUP.rawValue)
    public static let error = IOEvents(rawValue: EPOLLERR.rawValue)
    public static let hangUp = IOEvents(rawValue: EPOLLHUP.rawValue)
    /// Edge-triggered: reported once per change, so the loop must drain until `EAGAIN`.
    public static let edgeTriggered = IOEvents(rawValue: EPOLLET.rawValue)
}

/// An epoll instance: one per event loop, owned by that loop's thread.
public final class Epoll {
    public let descriptor: Int32
    private var buffer: [epoll_event]

    public init(maxEventsPerWait: Int = 256) throws(SystemError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError("epoll_create1") }
        descriptor = fd
        buffer = [epoll_event](repeating: epoll_event(), count: max(1, maxEventsPerWait))
    }

    deinit { close(descriptor) }

    /// Starts watching `fd`; `token` comes back with its events (a connection index, say).
    public func add(_ fd: Int32, events: IOEvents, token: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_ADD, fd, events, token)
    }

    /// Changes what `fd` is watched for.
    public func modify(_ fd: Int32, events: IOEvents, token: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_MOD, fd, events, token)
    }

    /// Stops watching `fd`. Closing a descriptor also removes it, so this is for descriptors that stay open.
    public func remove(_ fd: Int32) throws(SystemError) {
        var event = epoll_event()
        guard epoll_ctl(descriptor, EPOLL_CTL_DEL, fd, &event) == 0 else { throw SystemError("epoll_ctl(DEL)") }
    }

    private func control(_ operation: Int32, _ fd: Int32, _ events: IOEvents, _ token: UInt64) throws(SystemError) {
        var event = epoll_event()
        event.events = events.rawValue
        event.data.u64 = token
        guard epoll_ctl(descriptor, operation, fd, &event) == 0 else { throw SystemError("epoll_ctl") }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `handle` for each ready descriptor's token.
    /// Returns how many were ready; an interrupted wait (`EINTR`) returns 0.
    @discardableResult
    public func wait(timeoutMilliseconds: Int32, _ handle: (_ token: UInt64, _ events: IOEvents) -> Void) throws(SystemError) -> Int {
        let count = buffer.withUnsafeMutableBufferPointer { events in
            epoll_wait(descriptor, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        }
        if count < 0 {
            if errno == EINTR { return 0 }
            throw SystemError("epoll_wait")
        }
        for index in 0..<Int(count) {
            handle(buffer[index].data.u64, IOEvents(rawValue: buffer[index].events))
        }
        return Int(count)
    }
}

/// An eventfd: how other threads wake an event loop blocked in `epoll_wait`.
public final class EventFD: Sendable {
    public let descriptor: Int32

    public init() throws(SystemError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("eventfd") }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Makes the descriptor readable; safe from any thread, and wakes coalesce until `drain`.
    public func signal() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Resets the counter; returns how many signals arrived since the last drain.
    @discardableResult
    public func drain() -> UInt64 {
        var value: UInt64 = 0
        return read(descriptor, &value, MemoryLayout<UInt64>.size) == MemoryLayout<UInt64>.size ? value : 0
    }
}

/// A timerfd on the monotonic clock: the event loop's one timer, moved to the reducers' earliest deadline.
public final class TimerFD {
    public let descriptor: Int32

    public init() throws(SystemError) {
        let fd = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("timerfd_create") }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Fires once, `nanoseconds` from now (at least 1 ns: zero would disarm the timer).
    public func schedule(afterNanoseconds nanoseconds: Int64) throws(SystemError) {
        let delay = max(1, nanoseconds)
        var spec = itimerspec()
        spec.it_value.tv_sec = Int(delay / 1_000_000_000)
        spec.it_value.tv_nsec = Int(delay % 1_000_000_000)
        guard timerfd_settime(descriptor, 0, &spec, nil) == 0 else { throw SystemError("timerfd_settime") }
    }

    /// Stops the timer.
    public func cancel() throws(SystemError) {
        var spec = itimerspec()
        guard timerfd_settime(descriptor, 0, &spec, nil) == 0 else { throw SystemError("timerfd_settime") }
    }

    /// Acknowledges expirations; returns how many happened (0 if none).
    @discardableResult
    public func acknowledge() -> UInt64 {
        var value: UInt64 = 0
        return read(descriptor, &value, MemoryLayout<UInt64>.size) == MemoryLayout<UInt64>.size ? value : 0
    }
}

/// Monotonic time in nanoseconds, the clock the shells hand to the reducers.
public func monotonicNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
