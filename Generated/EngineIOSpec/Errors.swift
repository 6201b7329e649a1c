// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

/// Why the server refused an HTTP request or WebSocket before (or instead of) serving a session.
///
/// The raw value is the JavaScript reference's error code, which its clients surface to applications.
public enum HandshakeError: Int, Error, Sendable, Hashable, Codable, CaseIterable {
    /// The `transport` query parameter is missing or names a transport the server does not accept. python only rejects unknown names and treats a missing one as polling.
    case transportUnknown = 0
    /// The `sid` does not name a live session, for example because it was never issued or the session has already closed; python appends the sid to its message.
    case unknownSessionID = 1
    /// A handshake request (one without `sid`) used a method other than GET. python answers 405 for methods it does not serve at all, while a POST without sid gets its unknown-session error.
    case badHandshakeMethod = 2
    /// The request is malformed or does not fit the session, such as transport=websocket without WebSocket upgrade headers or a polling request after the session upgraded.
    case badRequest = 3
    /// Admission control refused the request, for instance because its Origin is not allowed. JS answers 403, whereas python rejects a disallowed origin with 400.
    case forbidden = 4
    /// The handshake's `EIO` parameter is missing or names a revision the server does not speak; 3 is accepted only when allowEIO3 is set.
    case unsupportedProtocolVersion = 5
    /// Our addition, in neither JS nor python: the server is draining for a shutdown or a rolling deploy (shutdown(drain:), SIGTERM to eio serve), so it refuses new sessions, over polling and WebSocket alike, while it keeps serving those it has. The 503 tells a load balancer or a reconnecting client to try another backend.
    case serverDraining = 6

    /// The message of the JSON error body.
    public var message: String {
        switch self {
            case .transportUnknown: "Transport unknown"
            case .unknownSessionID: "Session ID unknown"
            case .badHandshakeMethod: "Bad handshake method"
            case .badRequest: "Bad request"
            case .forbidden: "Forbidden"
            case .unsupportedProtocolVersion: "Unsupported protocol version"
            case .serverDraining: "Server is draining"
        }
    }

    /// The HTTP status of the response.
    public var httpStatus: Int {
        switch self {
            case .transportUnknown: 400
            case .unknownSessionID: 400
            case .badHandshakeMethod: 400
            case .badRequest: 400
            case .forbidden: 403
            case .unsupportedProtocolVersion: 400
            case .serverDraining: 503
        }
    }

    /// What python-engineio says in the same situation, if it has such an error.
    public var pythonMessage: String? {
        switch self {
            case .transportUnknown: "Invalid transport"
            case .unknownSessionID: "Invalid session"
            case .badHandshakeMethod: "Method Not Found"
            case .badRequest: "Bad Request"
            case .forbidden: "Not an accepted origin."
            case .unsupportedProtocolVersion: "The client is using an unsupported version of the Socket.IO or Engine.IO protocols"
            case .serverDraining: nil
        }
    }

    /// The status python-engineio answers with, if it has such an error.
    public var pythonHTTPStatus: Int? {
        switch self {
            case .transportUnknown: 400
            case .unknownSessionID: 400
            case .badHandshakeMethod: 405
            case .badRequest: 400
            case .forbidden: 400
            case .unsupportedProtocolVersion: 400
            case .serverDraining: nil
        }
    }
}

/// Why a session ended, as given to `disconnect` handlers. The raw value is the reason string.
public enum DisconnectReason: String, Error, Sendable, Hashable, Codable, CaseIterable {
    /// Server: the application disconnected this session or all sessions. Client: a close packet arrived from the server.
    case serverDisconnect = "server disconnect"
    /// Server: the client sent a close packet over polling or WebSocket. Client: the application called disconnect.
    case clientDisconnect = "client disconnect"
    /// Server: no pong came within pingTimeout of a ping (for a v3 session, no ping came within pingInterval plus pingTimeout). Client: no ping came within pingInterval plus pingTimeout, as in the JS client; python's client has no such reason.
    case pingTimeout = "ping timeout"
    /// Server: the client's WebSocket closed or could not be read, with no close packet first. Client: the server closed the connection without sending a close packet, as JS servers do on WebSocket.
    case transportClose = "transport close"
    /// Server: the client broke a transport rule, such as overlapping GETs or POSTs, aborting a parked GET, or sending a ping on a v4 session. Client: an HTTP request failed or got a non-200 status, or the WebSocket failed or timed out.
    case transportError = "transport error"
    /// Server: a malformed packet or polling payload arrived, so the session is closed as the JS reference does; python instead drops the data and keeps the session.
    case parseError = "parse error"
    /// Server: the session was closed because the server shut down, or because its unsent packets exceeded maxOutboundQueueBytes.
    case forcedClose = "forced close"

    /// The constant's name in python-engineio's `reason` class, if python has it.
    public var pythonName: String? {
        switch self {
            case .serverDisconnect: "SERVER_DISCONNECT"
            case .clientDisconnect: "CLIENT_DISCONNECT"
            case .pingTimeout: "PING_TIMEOUT"
            case .transportClose: "TRANSPORT_CLOSE"
            case .transportError: "TRANSPORT_ERROR"
            case .parseError: nil
            case .forcedClose: nil
        }
    }

    /// Whether a server raises it.
    public var isRaisedByServer: Bool {
        switch self {
            case .serverDisconnect: true
            case .clientDisconnect: true
            case .pingTimeout: true
            case .transportClose: true
            case .transportError: true
            case .parseError: true
            case .forcedClose: true
        }
    }

    /// Whether a client raises it.
    public var isRaisedByClient: Bool {
        switch self {
            case .serverDisconnect: true
            case .clientDisconnect: true
            case .pingTimeout: true
            case .transportClose: true
            case .transportError: true
            case .parseError: false
            case .forcedClose: false
        }
    }
}
