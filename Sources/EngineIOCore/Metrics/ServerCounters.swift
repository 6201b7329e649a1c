import EngineIOSpec

/// What an endpoint has counted since it started: plain integers the reducer adds to as it goes, which the shell
/// sums over its shards for `ServerMetrics`.
public struct ServerCounters: Hashable, Codable, Sendable {
    /// Sessions that opened (the open packet went out).
    public var handshakes = 0
    /// Sessions that moved from polling to WebSocket.
    public var upgrades = 0
    /// Sessions the application's connect handler refused (python's `connect` returning false).
    public var connectsRefused = 0
    /// Message packets from clients, delivered to the application, and their bytes of data.
    public var messagesIn = 0
    /// Bytes of data in those messages.
    public var bytesIn = 0
    /// Message packets the application sent to live sessions, and their bytes of data.
    public var messagesOut = 0
    /// Bytes of data in those messages.
    public var bytesOut = 0
    /// Requests refused with an Engine.IO error (`Session ID unknown`, `Server is draining`, …), by error.
    public var handshakeErrors: [HandshakeError: Int] = [:]
    /// Sessions that ended, by reason.
    public var disconnects: [DisconnectReason: Int] = [:]
    /// Sessions closed because their peer broke the protocol, by `ProtocolViolation.kind`.
    public var violations: [String: Int] = [:]

    /// Everything at zero.
    public init() {}

    /// Counts what a session notification says.
    public mutating func count(_ notification: SessionNotification) {
        switch notification {
        case .opened: handshakes += 1
        case .upgraded: upgrades += 1
        case .closed(let reason): disconnects[reason, default: 0] += 1
        case .refused: connectsRefused += 1
        }
    }

    /// The sum of two shards' counters.
    public static func + (lhs: ServerCounters, rhs: ServerCounters) -> ServerCounters {
        var sum = lhs
        sum.handshakes += rhs.handshakes
        sum.upgrades += rhs.upgrades
        sum.connectsRefused += rhs.connectsRefused
        sum.messagesIn += rhs.messagesIn
        sum.bytesIn += rhs.bytesIn
        sum.messagesOut += rhs.messagesOut
        sum.bytesOut += rhs.bytesOut
        sum.handshakeErrors.merge(rhs.handshakeErrors, uniquingKeysWith: +)
        sum.disconnects.merge(rhs.disconnects, uniquingKeysWith: +)
        sum.violations.merge(rhs.violations, uniquingKeysWith: +)
        return sum
    }
}
