/// A point on the shell's monotonic clock, in milliseconds.
///
/// The reducers never read a clock: every input carries the time it happened at, and deadlines leave as
/// `wake(at:)` effects. Tests and simulations therefore run on virtual time.
public struct Instant: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = Instant(milliseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The instant `milliseconds` later.
    public static func + (lhs: Instant, milliseconds: Int) -> Instant {
        Instant(milliseconds: lhs.milliseconds &+ Int64(milliseconds))
    }

    public var description: String { "t=\(milliseconds)ms" }
}

/// One HTTP request the shell is holding open until the reducer answers it. Every request gets exactly one answer.
public struct RequestID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "request#\(rawValue)" }
}

/// One WebSocket connection, named by the shell.
public struct ConnectionID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "websocket#\(rawValue)" }
}

/// An input to a reducer: what happened, and when.
public struct Input<Event: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    public var now: Instant
    public var event: Event

    public init(at now: Instant, _ event: Event) {
        self.now = now
        self.event = event
    }
}
