import EngineIOSpec

/// What a running server is doing: a snapshot from `Server.metrics` or `AsyncServer.metrics`.
///
/// Counters only grow (from the server's start); gauges are as they were at the snapshot. `prometheusText()`
/// renders it in the Prometheus text exposition format, which `eio serve --metrics` serves at `GET /metrics`.
public struct ServerMetrics: Hashable, Codable, Sendable {
    /// Live sessions by their current transport (sessions whose connect handler is still deciding included).
    public var sessions: [Transport: Int]
    /// What the server has counted since it started.
    public var counters: ServerCounters
    /// How late the event loops ran their timers, at worst, since the previous snapshot (seconds): how long a
    /// ready socket may wait for its loop.
    public var eventLoopLag: Double
    /// Whether the server is draining (refusing new sessions before a shutdown).
    public var isDraining: Bool

    /// A snapshot with these figures (the server makes them; tests and exporters may too).
    public init(sessions: [Transport: Int] = [:], counters: ServerCounters = ServerCounters(), eventLoopLag: Double = 0, isDraining: Bool = false) {
        self.sessions = sessions
        self.counters = counters
        self.eventLoopLag = eventLoopLag
        self.isDraining = isDraining
    }

    /// Every live session, whatever its transport.
    public var sessionCount: Int { sessions.values.reduce(0, +) }

    /// The snapshot in the Prometheus text format (version 0.0.4): an `engineio_sessions` gauge labelled by
    /// transport, `engineio_*_total` counters, the loop lag and the drain state as gauges.
    public func prometheusText() -> String {
        var text = PrometheusText()
        text.family("engineio_sessions", .gauge, "Live Engine.IO sessions by transport.")
        for transport in Transport.allCases { text.sample("engineio_sessions", ["transport": transport.rawValue], sessions[transport] ?? 0) }
        text.counter("engineio_handshakes_total", "Sessions opened.", counters.handshakes)
        text.counter("engineio_upgrades_total", "Sessions upgraded from polling to WebSocket.", counters.upgrades)
        text.counter("engineio_connects_refused_total", "Sessions the connect handler refused.", counters.connectsRefused)
        text.counter("engineio_messages_received_total", "Messages received from clients.", counters.messagesIn)
        text.counter("engineio_messages_sent_total", "Messages sent to clients.", counters.messagesOut)
        text.counter("engineio_received_bytes_total", "Bytes of message data received from clients.", counters.bytesIn)
        text.counter("engineio_sent_bytes_total", "Bytes of message data sent to clients.", counters.bytesOut)
        text.family("engineio_handshake_errors_total", .counter, "Requests refused with an Engine.IO error, by error code.")
        for error in HandshakeError.allCases {
            text.sample("engineio_handshake_errors_total", ["code": String(error.rawValue), "message": error.message], counters.handshakeErrors[error] ?? 0)
        }
        text.family("engineio_disconnects_total", .counter, "Sessions ended, by reason.")
        for reason in DisconnectReason.allCases {
            text.sample("engineio_disconnects_total", ["reason": reason.rawValue], counters.disconnects[reason] ?? 0)
        }
        text.family("engineio_protocol_violations_total", .counter, "Sessions closed because their peer broke the protocol, by kind.")
        for kind in ProtocolViolation.kinds {
            text.sample("engineio_protocol_violations_total", ["kind": kind], counters.violations[kind] ?? 0)
        }
        text.family("engineio_event_loop_lag_seconds", .gauge, "Worst lateness of an event loop's timers since the previous scrape.")
        text.sample("engineio_event_loop_lag_seconds", [:], eventLoopLag)
        text.family("engineio_draining", .gauge, "1 while the server drains before a shutdown.")
        text.sample("engineio_draining", [:], isDraining ? 1 : 0)
        return text.output
    }
}

/// Builds the Prometheus text exposition format: `# HELP`, `# TYPE`, then samples with escaped label values.
struct PrometheusText {
    enum Kind: String { case counter, gauge }

    private(set) var output = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func counter(_ name: String, _ help: String, _ value: Int) {
        family(name, .counter, help)
        sample(name, [:], value)
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        line(name, labels, String(value))
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        line(name, labels, value.isFinite ? String(value) : value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
    }

    private mutating func line(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: String) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        output += " \(value)\n"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
