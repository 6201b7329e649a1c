/// What a peer did that broke the protocol, when the session closes with `transport error` or `parse error`: the
/// reason python and JS report, and here also the cause, which the server logs and counts.
public enum ProtocolViolation: Hashable, Codable, Sendable, CustomStringConvertible {
    /// A POST body larger than `maxHttpBufferSize` (413).
    case postTooLarge(limit: Int)
    /// The client gave up on its parked poll (JS: "poll connection closed prematurely").
    case pollAborted
    /// The client gave up on a POST before it was answered.
    case postAborted
    /// A second GET while one is parked.
    case overlappingPolls
    /// A second POST while one is in progress.
    case overlappingPosts
    /// A binary POST body on a v4 session, whose polling bodies are text.
    case binaryPollingBody
    /// A polling body that is not a payload (the decoder's reason).
    case invalidPayload(String)
    /// A WebSocket message that is not an Engine.IO packet.
    case invalidPacket
    /// The WebSocket failed (a protocol error on it, or the socket broke) without a close packet.
    case webSocketFailed
    /// A pong from a v3 client (v3 clients ping; the server pongs).
    case pongFromV3Client
    /// A ping from a v4 client (v4 servers ping; JS: "invalid heartbeat direction").
    case pingFromV4Client
    /// An open packet from the client.
    case openFromClient

    /// A stable name for metrics labels and logs.
    public var kind: String {
        switch self {
        case .postTooLarge: "post too large"
        case .pollAborted: "poll aborted"
        case .postAborted: "post aborted"
        case .overlappingPolls: "overlapping polls"
        case .overlappingPosts: "overlapping posts"
        case .binaryPollingBody: "binary polling body"
        case .invalidPayload: "invalid payload"
        case .invalidPacket: "invalid packet"
        case .webSocketFailed: "websocket failed"
        case .pongFromV3Client: "pong from v3 client"
        case .pingFromV4Client: "ping from v4 client"
        case .openFromClient: "open from client"
        }
    }

    /// Every kind, for metrics that list zeros too.
    public static let kinds = [
        "post too large", "poll aborted", "post aborted", "overlapping polls", "overlapping posts", "binary polling body", "invalid payload",
        "invalid packet", "websocket failed", "pong from v3 client", "ping from v4 client", "open from client",
    ]

    /// The violation as a phrase for logs: `kind`, with the size limit or the decoder's reason where there is one.
    public var description: String {
        switch self {
        case .postTooLarge(let limit): "a POST body over \(limit) bytes"
        case .invalidPayload(let reason): "an invalid polling payload (\(reason))"
        default: kind
        }
    }
}
