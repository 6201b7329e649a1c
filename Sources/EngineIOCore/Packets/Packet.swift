
/// What a packet carries after its type.
public enum PacketData: Hashable, Sendable, Codable {
    /// Nothing follows the type digit (`2`, `6`).
    case none
    /// UTF-8 text, opaque to Engine.IO (`4hello`, `2probe`).
    case text(String)
    /// Bytes: a binary WebSocket frame, or `b` + base64 in a text payload.
    case binary([UInt8])

    /// The number of bytes of application data.
    public var byteCount: Int {
        switch self {
        case .none: 0
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }
}

/// One Engine.IO packet.
///
/// The canonical form, which decoding produces and round trips preserve: a message always has `.text` or
/// `.binary` data (a bare `4` is the empty text message), and other types have `.none` rather than empty text.
public struct Packet: Hashable, Sendable, Codable {
    /// The packet's type: the digit `0` (open) to `6` (noop) that starts its text form.
    public var type: PacketType
    /// What follows the type: `.none` for a packet that carries nothing, text, or bytes.
    public var data: PacketData

    /// A packet of `type` carrying `data`, stored as given and not made canonical: `Packet(.message)` encodes as `4`,
    /// which decodes as `.text("")`.
    public init(_ type: PacketType, _ data: PacketData = .none) {
        self.type = type
        self.data = data
    }

    /// A text message.
    public static func message(_ text: String) -> Packet { Packet(.message, .text(text)) }
    /// A binary message.
    public static func message(_ bytes: [UInt8]) -> Packet { Packet(.message, .binary(bytes)) }

    /// `2`: a ping with no data (v4: the server's heartbeat; v3: the client's).
    public static let ping = Packet(.ping)
    /// `3`: a pong with no data, the answer to `ping`.
    public static let pong = Packet(.pong)
    /// `1`: the session is closing; it carries no data.
    public static let close = Packet(.close)
    /// `6`: does nothing; the server answers a poll with it to release the poll (during an upgrade, or
    /// after the client's close).
    public static let noop = Packet(.noop)
    /// `5`: sent by the client on the probe WebSocket to commit the upgrade.
    public static let upgrade = Packet(.upgrade)
    /// `2probe`, the client's first packet on a candidate WebSocket.
    public static let probePing = Packet(.ping, .text(Framing.probe))
    /// `3probe`, the server's answer to it.
    public static let probePong = Packet(.pong, .text(Framing.probe))

    /// What a packet costs a queue bound: its data plus one byte for its type, so that even empty packets count
    /// and a stream of them cannot grow a queue without limit.
    public var queueCost: Int { dataByteCount + 1 }

    /// The number of bytes of application data, which size limits count.
    public var dataByteCount: Int { data.byteCount }
}

/// Why bytes are not an Engine.IO packet or payload.
public enum PacketDecodingError: Error, Hashable, Sendable {
    /// A packet with no bytes at all (also an empty record between two separators).
    case emptyPacket
    /// The first byte is not a packet type digit of this protocol version (nor `b`).
    case unknownType(UInt8)
    /// Text data that is not valid UTF-8.
    case invalidUTF8
    /// `b` followed by something that is not base64.
    case invalidBase64
    /// A payload with more packets than the caller allows.
    case tooManyPackets(limit: Int)
    /// A v3 length prefix that is not a decimal number, or is too long.
    case invalidLength
    /// A v3 length prefix that does not match the packet that follows it.
    case lengthMismatch
    /// A v3 binary payload marker other than 0 (string) or 1 (binary).
    case invalidMarker(UInt8)
    /// The payload ended inside a packet.
    case unexpectedEnd
}
