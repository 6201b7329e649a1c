import EngineIOWire

/// What one session needs from the server's options, in the units the protocol uses (milliseconds, bytes).
///
/// Copies share one box of values (see `Shared`): every session of a server holds the same settings (one for each
/// protocol version), so each holds a pointer to them, not its own copy.
public struct ServerSessionSettings: Hashable, Codable, Sendable {
    private struct Values: Hashable, Codable, Sendable {
        var version: ProtocolVersion
        var pingInterval: Int
        var advertisedPingInterval: Int
        var pingTimeout: Int
        var maxPayload: Int
        var upgrades: [Transport]
        var upgradeTimeout: Int
        var closeTimeout: Int
        var maxOutboundQueueBytes: Int
        var maxPacketsPerPoll: Int
    }

    private var values: Shared<Values>

    /// The protocol version the client asked for (`EIO=`), which picks the codecs and the heartbeat's direction.
    public var version: ProtocolVersion {
        get { values.value.version }
        set { values.value.version = newValue }
    }
    /// Milliseconds between the server's pings (v4).
    public var pingInterval: Int {
        get { values.value.pingInterval }
        set { values.value.pingInterval = newValue }
    }
    /// Milliseconds the open packet advertises: the interval plus python's grace.
    public var advertisedPingInterval: Int {
        get { values.value.advertisedPingInterval }
        set { values.value.advertisedPingInterval = newValue }
    }
    /// Milliseconds a ping may wait for its pong (v4), or added to the interval for the client's ping (v3).
    public var pingTimeout: Int {
        get { values.value.pingTimeout }
        set { values.value.pingTimeout = newValue }
    }
    /// Largest POST body or WebSocket message, in bytes; advertised as `maxPayload`.
    public var maxPayload: Int {
        get { values.value.maxPayload }
        set { values.value.maxPayload = newValue }
    }
    /// Transports a polling session may upgrade to.
    public var upgrades: [Transport] {
        get { values.value.upgrades }
        set { values.value.upgrades = newValue }
    }
    /// Milliseconds a started upgrade may take.
    public var upgradeTimeout: Int {
        get { values.value.upgradeTimeout }
        set { values.value.upgradeTimeout = newValue }
    }
    /// Milliseconds a server-side close waits for the client's poll to collect the close packet.
    public var closeTimeout: Int {
        get { values.value.closeTimeout }
        set { values.value.closeTimeout = newValue }
    }
    /// Bytes of queued, unsent packet data above which the session is closed with `forced close`.
    public var maxOutboundQueueBytes: Int {
        get { values.value.maxOutboundQueueBytes }
        set { values.value.maxOutboundQueueBytes = newValue }
    }
    /// Most packets in one poll response (python clients refuse more than 16).
    public var maxPacketsPerPoll: Int {
        get { values.value.maxPacketsPerPoll }
        set { values.value.maxPacketsPerPoll = newValue }
    }

    /// Bytes queued for a polling client above which its POSTs are answered late (it is sending faster than it
    /// collects): a quarter of `maxOutboundQueueBytes`, at least 64 KiB.
    public var outboundHighWater: Int { max(64 * 1024, maxOutboundQueueBytes / 4) }
    /// Bytes queued at or below which held POSTs are answered.
    public var outboundLowWater: Int { outboundHighWater / 2 }

    /// Settings in milliseconds and bytes; `advertisedPingInterval` defaults to `pingInterval`, and a
    /// `maxPacketsPerPoll` below 1 counts as 1.
    public init(
        version: ProtocolVersion = .v4, pingInterval: Int = 25_000, advertisedPingInterval: Int? = nil, pingTimeout: Int = 20_000,
        maxPayload: Int = 1_000_000, upgrades: [Transport] = [.websocket], upgradeTimeout: Int = 10_000, closeTimeout: Int = 30_000,
        maxOutboundQueueBytes: Int = 16_000_000, maxPacketsPerPoll: Int = 16
    ) {
        values = Shared(
            Values(
                version: version, pingInterval: pingInterval, advertisedPingInterval: advertisedPingInterval ?? pingInterval,
                pingTimeout: pingTimeout, maxPayload: maxPayload, upgrades: upgrades, upgradeTimeout: upgradeTimeout,
                closeTimeout: closeTimeout, maxOutboundQueueBytes: maxOutboundQueueBytes, maxPacketsPerPoll: max(1, maxPacketsPerPoll)))
    }

    /// Decoded from the same fields it encodes (see `encode(to:)`).
    public init(from decoder: any Decoder) throws { values = try Shared(from: decoder) }

    /// Encoded as its fields, by name.
    public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

    /// The settings `options` give a session of `version`: exact milliseconds, never python's whole seconds.
    public init(options: ServerOptions, version: ProtocolVersion) {
        self.init(
            version: version, pingInterval: options.pingInterval.intervalMilliseconds,
            advertisedPingInterval: options.pingInterval.advertisedMilliseconds,
            pingTimeout: Int((options.pingTimeout * 1000).rounded()), maxPayload: options.maxHttpBufferSize,
            upgrades: options.allowUpgrades && options.transports.contains(.websocket) ? [.websocket] : [],
            upgradeTimeout: Int((options.upgradeTimeout * 1000).rounded()), closeTimeout: Int((options.closeTimeout * 1000).rounded()),
            maxOutboundQueueBytes: options.maxOutboundQueueBytes, maxPacketsPerPoll: options.maxPacketsPerPoll)
    }
}

/// How the handshake request reached the server.
public enum Handshake: Hashable, Codable, Sendable {
    /// `GET ?EIO=4&transport=polling`: answered with the open packet once the application accepts.
    case polling(RequestID)
    /// `GET ?EIO=4&transport=websocket` with upgrade headers: completed (101) once the application accepts.
    case websocket(ConnectionID)
}

/// The application's answer to `authorize`, python's `connect` handler result.
public enum ConnectVerdict: Hashable, Codable, Sendable {
    /// Accepted: the open packet goes out and the session opens.
    case accept
    /// Refused: 401 with this JSON text as the body (python sends `"Unauthorized"` when the handler returns False).
    case reject(body: String)

    /// The refusal python makes when the `connect` handler returns False: 401 with `"Unauthorized"`.
    public static let unauthorized = ConnectVerdict.reject(body: "\"Unauthorized\"")
}

/// What the application asks of a session.
public enum ServerCommand: Hashable, Codable, Sendable {
    /// Send a packet (python's `send` wraps data in a message; `send_packet` sends any packet).
    case send(Packet)
    /// python's `disconnect(sid)`: close with `server disconnect`, delivering what is queued and a close packet.
    case disconnect
    /// The server is shutting down: close with `forced close`.
    case shutdown
}

/// Everything that can happen to a server session.
///
/// Contract with the shell: once the reducer has answered a request (`respond`), the shell sends no further events
/// about that request; a WebSocket closed by `closeWebSocket` reports nothing more either.
public enum ServerSessionEvent: Hashable, Codable, Sendable {
    /// The application answered `authorize`.
    case verdictReceived(ConnectVerdict)
    /// The application asked something of the session.
    case command(ServerCommand)
    /// A long-poll `GET` for this session arrived.
    case pollReceived(RequestID)
    /// A `POST`'s head arrived (its body is still coming); overlap is judged from here.
    case postStarted(RequestID)
    /// A `POST`'s whole body arrived. `binary` is true for `Content-Type: application/octet-stream`.
    case postReceived(RequestID, body: [UInt8], binary: Bool)
    /// A `POST` body grew past `maxPayload`.
    case postTooLarge(RequestID)
    /// The client went away while a request was unanswered.
    case requestAborted(RequestID)
    /// A WebSocket carrying this session's sid was opened: an upgrade candidate. `base64` is the `b64` query flag.
    case webSocketOpened(ConnectionID, base64: Bool)
    /// A message arrived on a WebSocket: the session's own, or the upgrade probe's.
    case frameReceived(ConnectionID, WebSocketPayload)
    /// The peer closed the WebSocket (or the connection dropped).
    case webSocketClosed(ConnectionID)
    /// The WebSocket broke the protocol or sent a message over the size limit; the shell has closed it.
    case webSocketFailed(ConnectionID)
    /// The WebSocket holds `bytes` the client has not read yet. The shell reports it when it passes
    /// `maxOutboundQueueBytes`; the session then closes with `forced close`, as a polling session's full queue does.
    case writeBacklog(ConnectionID, bytes: Int)
    /// The application's handlers have fallen behind this session's messages (`true`), or caught up (`false`):
    /// the WebSocket stops reading, and POSTs are answered late, until they catch up.
    case applicationBacklogChanged(behind: Bool)
    /// A deadline this session asked for (`wake`) may have passed.
    case timerFired

    /// Whether this is `timerFired`, matched without building a value to compare with (the reducer asks on every
    /// step).
    var isTimerFired: Bool { if case .timerFired = self { true } else { false } }
}

/// What a request is answered with; the endpoint turns it into HTTP (status, headers, body encoding, compression).
public enum SessionReply: Hashable, Codable, Sendable {
    /// 200 with these packets as the polling payload.
    case payload([Packet])
    /// 200 `ok`: a POST was accepted.
    case ok
    /// 400 or 403 with the JSON error body of this error.
    case error(HandshakeError)
    /// 400 with JS's `{"code":3,"message":"Bad request"}`: a protocol violation (overlapping requests, a malformed
    /// payload).
    case badRequest
    /// 413 with a JSON body saying so: the POST body was larger than `maxPayload`.
    case payloadTooLarge
    /// 401 with this JSON text: the application refused the connection.
    case unauthorized(body: String)
}

/// What the application is told.
public enum SessionNotification: Hashable, Codable, Sendable {
    /// The session is open (python's `connect` handler already ran; this is the moment the open packet goes out).
    case opened
    /// The session moved to WebSocket.
    case upgraded
    /// The session ended; python's `disconnect(sid, reason)`. Sent exactly once per opened session.
    case closed(DisconnectReason)
    /// The session never opened: the application refused it, or it was closed (`disconnect`, `shutdown`) before
    /// the application's verdict. Sent at most once, never after `opened`; python calls no handler for it.
    case refused
}

/// Something the shell must do for a server session.
public enum ServerSessionEffect: Hashable, Codable, Sendable {
    /// The peer broke the protocol; the close that follows says `transport error` or `parse error`. Log it.
    case report(ProtocolViolation)
    /// Answer the request.
    case respond(RequestID, SessionReply)
    /// Finish the WebSocket handshake of a direct WebSocket session (101 Switching Protocols).
    case acceptWebSocket(ConnectionID)
    /// Refuse the WebSocket handshake with this HTTP answer instead of 101.
    case refuseWebSocket(ConnectionID, SessionReply)
    /// Write these packets on the WebSocket, one message each, in order.
    case write([Packet], to: ConnectionID)
    /// Close the WebSocket (close frame, then the TCP connection).
    case closeWebSocket(ConnectionID)
    /// Stop reading from the WebSocket until `resumeReading` (the application is behind).
    case pauseReading(ConnectionID)
    /// Read from the WebSocket again: the application has caught up.
    case resumeReading(ConnectionID)
    /// Hand a message to the application (python's `message` handler).
    case deliver(PacketData)
    /// Ask the application whether to accept the connection (python's `connect` handler); answer with
    /// `verdictReceived`.
    case authorize
    /// Tell the application what happened to the session.
    case notify(SessionNotification)
    /// The session's earliest deadline moved: fire `timerFired` at this instant (`nil`: no deadline any more).
    case wake(at: Instant?)
    /// The application asked for something the session cannot do now (e.g. send after close); nothing happened.
    case rejected(ServerCommand)
}
