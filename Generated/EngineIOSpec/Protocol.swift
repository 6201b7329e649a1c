// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

/// The Engine.IO protocol revisions this package speaks, by their `EIO` query value.
public enum ProtocolVersion: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Legacy protocol revision 3 (EIO=3) with a client-driven heartbeat and length-prefixed polling payloads; the server accepts it only when allowEIO3 is set.
    case v3 = 3
    /// Current protocol revision 4 (EIO=4) with a server-driven heartbeat and record-separated polling payloads.
    case v4 = 4
}

/// The Engine.IO packet types. On the wire a text packet is this digit followed by its data.
public enum PacketType: UInt8, Sendable, Hashable, Codable, CaseIterable {
    /// First packet of every session, sent by the server; its data is the handshake JSON with sid, upgrades, pingInterval, pingTimeout and maxPayload.
    case `open` = 0
    /// Ends the session: over polling the server puts it in a GET response and the client POSTs it. Over WebSocket we send it and close the socket right away, because JS peers ignore it there.
    case close = 1
    /// Heartbeat request, sent by the server every pingInterval in v4 but by the client in v3. The client also sends `2probe` on a candidate WebSocket to test an upgrade.
    case ping = 2
    /// Heartbeat answer, sent by the client in v4 and by the server in v3. The server answers an upgrade probe with `3probe` on the candidate WebSocket.
    case pong = 3
    /// Application data, text or binary, in either direction. Binary data travels as a WebSocket binary frame or as a `b`-prefixed base64 record in a polling payload.
    case message = 4
    /// Sent once by the client on the probed WebSocket to commit the switch from polling; any data attached to it is ignored.
    case upgrade = 5
    /// Carries no meaning and is ignored by clients; the server uses it to release a parked polling GET during an upgrade or after the client POSTs a close.
    case noop = 6

    /// The name the protocol documents use.
    public var name: String {
        switch self {
            case .`open`: "open"
            case .close: "close"
            case .ping: "ping"
            case .pong: "pong"
            case .message: "message"
            case .upgrade: "upgrade"
            case .noop: "noop"
        }
    }

    /// Who sends it.
    public var direction: String {
        switch self {
            case .`open`: "server → client"
            case .close: "both"
            case .ping: "both"
            case .pong: "both"
            case .message: "both"
            case .upgrade: "client → server"
            case .noop: "server → client"
        }
    }

    /// The protocol revisions that define it.
    public var versions: [ProtocolVersion] {
        switch self {
            case .`open`: [.v3, .v4]
            case .close: [.v3, .v4]
            case .ping: [.v3, .v4]
            case .pong: [.v3, .v4]
            case .message: [.v3, .v4]
            case .upgrade: [.v3, .v4]
            case .noop: [.v3, .v4]
        }
    }

    /// The ASCII digit that starts the packet's text encoding.
    @inlinable public var digit: UInt8 { 0x30 &+ rawValue }

    /// The packet type an ASCII digit stands for, if any.
    @inlinable public init?(digit: UInt8) {
        guard digit >= 0x30 else { return nil }
        self.init(rawValue: digit &- 0x30)
    }
}

/// The transports a session can use.
public enum Transport: String, Sendable, Hashable, Codable, CaseIterable {
    /// HTTP long-polling: the client receives packets in answers to parked GET requests and sends packets in POST bodies.
    case polling = "polling"
    /// A WebSocket carrying one Engine.IO packet per frame, opened directly or reached by upgrading a polling session.
    case websocket = "websocket"
}

/// The keys of the JSON object in the open packet.
public enum OpenPacketField: String, Sendable, Hashable, Codable, CaseIterable {
    /// Opaque session id that the client repeats as the `sid` query parameter on every later request of the session.
    case sid = "sid"
    /// Transports the client may upgrade to: `["websocket"]` after a polling handshake when upgrades are allowed, `[]` after a WebSocket handshake.
    case upgrades = "upgrades"
    /// Heartbeat period in milliseconds, including the grace period when one is configured. We advertise the exact value as JS does, not python's whole-second truncation.
    case pingInterval = "pingInterval"
    /// Milliseconds allowed for a heartbeat answer; a v4 client treats the server as gone when no ping arrives within pingInterval plus this value.
    case pingTimeout = "pingTimeout"
    /// Largest POST body or WebSocket message the server accepts, in bytes. v3 servers may leave it out, so clients must cope with its absence.
    case maxPayload = "maxPayload"

    /// The JSON type: `string`, `int` or `strings`.
    public var valueType: String {
        switch self {
            case .sid: "string"
            case .upgrades: "strings"
            case .pingInterval: "int"
            case .pingTimeout: "int"
            case .maxPayload: "int"
        }
    }

    /// The unit of a number (`ms`, `bytes`), if any.
    public var unit: String? {
        switch self {
            case .sid: nil
            case .upgrades: nil
            case .pingInterval: "ms"
            case .pingTimeout: "ms"
            case .maxPayload: "bytes"
        }
    }

    /// Whether a peer must send it.
    public var isRequired: Bool {
        switch self {
            case .sid: true
            case .upgrades: true
            case .pingInterval: true
            case .pingTimeout: true
            case .maxPayload: false
        }
    }
}

/// Constants of the wire format.
public enum Framing {
    /// Byte 0x1E that joins the encoded packets of a v4 polling payload; there is no trailing separator.
    public static let recordSeparator: UInt8 = 30

    /// The character `b` that marks a base64-encoded binary message in text form (v4 `b<base64>`, v3 `b4<base64>`).
    public static let base64Prefix: UInt8 = 98

    /// The `:` that ends the decimal length prefix, counted in UTF-16 code units, of each packet in a v3 text payload.
    public static let v3LengthSeparator: UInt8 = 58

    /// Byte 0xFF that ends the length digits of each packet in a v3 binary payload.
    public static let v3BinaryLengthTerminator: UInt8 = 255

    /// Marker byte that starts a string packet in a v3 binary payload.
    public static let v3StringMarker: UInt8 = 0

    /// Marker byte that starts a binary packet in a v3 binary payload.
    public static let v3BinaryMarker: UInt8 = 1

    /// Data of the `2probe` ping and `3probe` pong exchanged on a candidate WebSocket during an upgrade.
    public static let probe: String = "probe"

    /// Body of a successful polling POST response, lowercase as the spec and JS use (python-engineio sends `OK`).
    public static let pollingOK: String = "ok"

    /// Default heartbeat interval in milliseconds (25 seconds).
    public static let defaultPingIntervalMilliseconds: Int = 25000

    /// Default heartbeat answer timeout in milliseconds (20 seconds).
    public static let defaultPingTimeoutMilliseconds: Int = 20000

    /// Default size limit in bytes for a POST body or WebSocket message, advertised as maxPayload.
    public static let defaultMaxPayload: Int = 1000000

    /// Default path segment of the Engine.IO endpoint, so requests go to `/engine.io/`.
    public static let defaultPath: String = "engine.io"
}
