/// Which end of a WebSocket connection we are; it decides the masking direction (RFC 6455 §5.1).
public enum WebSocketRole: Sendable, Equatable, Hashable {
    /// We accepted the connection: incoming frames must be masked, outgoing frames are not.
    case server
    /// We opened the connection: incoming frames must not be masked, outgoing frames are.
    case client
}

/// A frame opcode (RFC 6455 §5.2). Reserved values (3–7, 11–15) have no case; the parser rejects them.
public enum WebSocketOpcode: UInt8, Sendable, Equatable, Hashable, CaseIterable {
    /// A further fragment of the message in progress.
    case continuation = 0x0
    /// The first (or only) frame of a UTF-8 text message.
    case text = 0x1
    /// The first (or only) frame of a binary message.
    case binary = 0x2
    /// Starts or answers the closing handshake.
    case close = 0x8
    /// A keep-alive or round-trip probe; the peer answers with a pong carrying the same payload.
    case ping = 0x9
    /// The answer to a ping, or an unsolicited heartbeat.
    case pong = 0xA

    /// Whether this is a control opcode (close, ping, pong): at most 125 payload bytes and never fragmented.
    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One WebSocket frame with its payload unmasked.
public struct WebSocketFrame: Sendable, Equatable, Hashable {
    /// Whether this is the last frame of its message.
    public var fin: Bool
    /// RSV1; with permessage-deflate (RFC 7692) it marks the first frame of a compressed message.
    public var rsv1: Bool
    /// RSV2; no extension we support uses it.
    public var rsv2: Bool
    /// RSV3; no extension we support uses it.
    public var rsv3: Bool
    /// The frame's opcode.
    public var opcode: WebSocketOpcode
    /// The application (or extension) data, never masked.
    public var payload: [UInt8]

    /// A frame; by default final and without reserved bits, which is what an unfragmented, uncompressed message is.
    public init(
        fin: Bool = true,
        rsv1: Bool = false,
        rsv2: Bool = false,
        rsv3: Bool = false,
        opcode: WebSocketOpcode,
        payload: [UInt8] = []
    ) {
        self.fin = fin
        self.rsv1 = rsv1
        self.rsv2 = rsv2
        self.rsv3 = rsv3
        self.opcode = opcode
        self.payload = payload
    }
}
