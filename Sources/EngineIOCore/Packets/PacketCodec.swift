public import EngineIOWire

/// How a packet travels in one WebSocket message (defined with the WebSocket machine, in `EngineIOWire`).
public typealias WebSocketPayload = EngineIOWire.WebSocketPayload

/// Encodes and decodes single packets, for one protocol version.
///
/// v4: a text packet is `<digit><data>`; binary data is a raw binary frame on WebSocket and `b<base64>` in text.
/// v3: binary frames start with the type byte, and the text form is `b<digit><base64>`.
/// Always pick the codec by the session's version, never by sniffing: a v4 base64 string may itself begin with `4`.
public struct PacketCodec: Sendable, Hashable {
    /// The protocol version whose framing the codec reads and writes: the session's, never guessed from the bytes.
    public var version: ProtocolVersion

    /// The codec for `version`.
    public init(version: ProtocolVersion) { self.version = version }

    /// The codec for protocol v4 (`EIO=4`).
    public static let v4 = PacketCodec(version: .v4)
    /// The codec for protocol v3 (`EIO=3`).
    public static let v3 = PacketCodec(version: .v3)

    // MARK: text form

    /// Appends the text form of `packet` (for polling payloads and WebSocket text frames).
    public func encodeText(_ packet: Packet, into output: inout [UInt8]) {
        switch packet.data {
        case .none:
            output.append(packet.type.digit)
        case .text(let text):
            output.append(packet.type.digit)
            output.append(contentsOf: text.utf8)
        case .binary(let bytes):
            output.append(Framing.base64Prefix)
            if version == .v3 { output.append(packet.type.digit) }
            Base64.encode(bytes, into: &output)
        }
    }

    /// The text form of `packet`.
    public func encodeText(_ packet: Packet) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(packet.dataByteCount + 1)
        encodeText(packet, into: &output)
        return output
    }

    /// Decodes the text form of one packet.
    public func decodeText(_ bytes: some Collection<UInt8>) throws(PacketDecodingError) -> Packet {
        guard let first = bytes.first else { throw .emptyPacket }
        var rest = bytes.dropFirst()
        if first == Framing.base64Prefix {
            var type = PacketType.message
            if version == .v3 {
                guard let digit = rest.first, let decoded = PacketType(digit: digit) else {
                    throw .unknownType(rest.first ?? first)
                }
                type = decoded
                rest = rest.dropFirst()
            }
            guard let data = Base64.decode(rest) else { throw .invalidBase64 }
            return Packet(type, .binary(data))
        }
        guard let type = PacketType(digit: first) else { throw .unknownType(first) }
        if rest.isEmpty { return Packet(type, type == .message ? .text("") : .none) }
        // Lent as a buffer here, where this function is specialized for the caller's bytes (see `UTF8Validator.string`).
        let text = rest.withContiguousStorageIfAvailable(UTF8Validator.string(buffer:)) ?? UTF8Validator.string(Array(rest))
        guard let text else { throw .invalidUTF8 }
        return Packet(type, .text(text))
    }

    // MARK: WebSocket form

    /// The WebSocket message for `packet`. With `base64` (the JavaScript client's `b64` query flag) binary data goes
    /// as a `b…` text frame for peers that cannot receive binary frames.
    public func encodeWebSocket(_ packet: Packet, base64: Bool = false) -> WebSocketPayload {
        guard case .binary(let bytes) = packet.data, !base64 else { return .text(encodeText(packet)) }
        if version == .v3 { return .binary([packet.type.rawValue] + bytes) }
        return .binary(bytes)
    }

    /// Decodes a WebSocket text frame's payload.
    public func decodeWebSocketText(_ bytes: some Collection<UInt8>) throws(PacketDecodingError) -> Packet {
        try decodeText(bytes)
    }

    /// Decodes a WebSocket binary frame's payload: a v4 frame is a binary message; a v3 frame starts with its type.
    public func decodeWebSocketBinary(_ bytes: [UInt8]) throws(PacketDecodingError) -> Packet {
        guard version == .v3 else { return .message(bytes) }
        guard let first = bytes.first else { throw .emptyPacket }
        guard let type = PacketType(rawValue: first) else { throw .unknownType(first) }
        return Packet(type, .binary(Array(bytes.dropFirst())))
    }
}
