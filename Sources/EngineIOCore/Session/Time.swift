/// A point on the shell's monotonic clock, in milliseconds.
///
/// The reducers never read a clock: every input carries the time it happened at, and deadlines leave as
/// `wake(at:)` effects. Tests and simulations therefore run on virtual time.
public struct Instant: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Milliseconds since the clock's origin, which is arbitrary: only order and differences mean anything.
    public var milliseconds: Int64

    /// The instant `milliseconds` after the origin.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The clock's origin.
    public static let zero = Instant(milliseconds: 0)

    /// Whether `lhs` is earlier than `rhs`.
    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The instant `milliseconds` later.
    public static func + (lhs: Instant, milliseconds: Int) -> Instant {
        Instant(milliseconds: lhs.milliseconds &+ Int64(milliseconds))
    }

    /// `t=<milliseconds>ms`.
    public var description: String { "t=\(milliseconds)ms" }
}

/// One HTTP request the shell is holding open until the reducer answers it. Every request gets exactly one answer.
public struct RequestID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The request's number; no two requests awaiting an answer may share one.
    public var rawValue: UInt64

    /// The request numbered `rawValue`.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders by number.
    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `request#<rawValue>`.
    public var description: String { "request#\(rawValue)" }
}

/// One WebSocket connection, named by the shell.
public struct ConnectionID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The connection's number; no two open WebSockets may share one.
    public var rawValue: UInt64

    /// The connection numbered `rawValue`.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders by number.
    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `websocket#<rawValue>`.
    public var description: String { "websocket#\(rawValue)" }
}

/// An input to a reducer: what happened, and when.
public struct Input<Event: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    /// When the event happened, on the shell's monotonic clock; deadlines are judged against it.
    public var now: Instant
    /// What happened, at `now`.
    public var event: Event

    /// `event`, which happened at `now`.
    public init(at now: Instant, _ event: Event) {
        self.now = now
        self.event = event
    }
}

extension Instant {
    /// The earlier of some optional deadlines; nil when none is set. The machines ask after every step, so no array.
    static func earliest(_ first: Instant?, _ second: Instant?, _ third: Instant? = nil) -> Instant? {
        earlier(earlier(first, second), third)
    }

    private static func earlier(_ first: Instant?, _ second: Instant?) -> Instant? {
        guard let first else { return second }
        guard let second else { return first }
        return Swift.min(first, second)
    }
}
