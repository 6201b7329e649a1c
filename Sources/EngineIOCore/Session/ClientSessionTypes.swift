/// What a client session needs to know before it connects.
public struct ClientSessionSettings: Hashable, Codable, Sendable {
    public var version: ProtocolVersion
    /// The transports the client may use; the first one carries the handshake (python's `transports`).
    public var transports: [Transport]
    /// Whether a polling session tries to move to WebSocket when the server offers it.
    public var upgrade: Bool
    /// Most packets in one POST (python-engineio servers drop POSTs of more than 16).
    public var maxPacketsPerPost: Int

    public init(version: ProtocolVersion = .v4, transports: [Transport] = [.polling, .websocket], upgrade: Bool = true, maxPacketsPerPost: Int = 16) {
        self.version = version
        self.transports = transports
        self.upgrade = upgrade
        self.maxPacketsPerPost = max(1, maxPacketsPerPost)
    }
}

/// What the application asks of a client session.
public enum ClientCommand: Hashable, Codable, Sendable {
    case connect
    case send(Packet)
    /// python's `disconnect()`: tell the server (best effort) and close with `client disconnect`.
    case disconnect
}

/// An HTTP request the client shell must make; it builds the URL (path, `EIO`, `transport`, `sid`, `t`).
public enum ClientRequest: Hashable, Codable, Sendable {
    /// `GET ?transport=polling` without a sid.
    case handshake
    /// The long-poll `GET`.
    case poll(sid: String)
    /// A `POST` of this payload.
    case post(sid: String, body: [UInt8])
}

/// Why `connect` failed, as python's `ConnectionError` messages say it.
public enum ConnectError: Error, Hashable, Codable, Sendable {
    /// "Unexpected status code N in server response", with the server's body (a JSON error, or the 401 body).
    case unexpectedStatus(Int, body: [UInt8])
    /// "Unexpected response from server": the body is not a payload, or its open packet is malformed.
    case unexpectedResponse
    /// "OPEN packet not returned by server".
    case noOpenPacket
    /// "Connection refused by the server" / "Connection error": no HTTP or WebSocket answer at all.
    case unreachable
}

/// Everything that can happen to a client session.
public enum ClientSessionEvent: Hashable, Codable, Sendable {
    case command(ClientCommand)
    /// An HTTP response. `binary` is true for `Content-Type: application/octet-stream` (v3 binary payloads).
    case responseReceived(RequestID, status: Int, body: [UInt8], binary: Bool)
    /// The request failed without a response (connection refused, reset, timed out).
    case requestFailed(RequestID)
    case webSocketOpened(ConnectionID)
    /// The WebSocket handshake was answered with something other than 101 (`status` nil: no answer at all).
    case webSocketRefused(ConnectionID, status: Int?, body: [UInt8])
    case frameReceived(ConnectionID, WebSocketPayload)
    case webSocketClosed(ConnectionID)
    case timerFired
}

/// What the application is told by a client session.
public enum ClientNotification: Hashable, Codable, Sendable {
    /// Connected; python's `connect` handler. Carries the server's handshake.
    case opened(OpenPacket)
    case upgraded
    /// python's `disconnect(reason)`; exactly once per opened session.
    case closed(DisconnectReason)
}

/// Something the client shell must do.
public enum ClientSessionEffect: Hashable, Codable, Sendable {
    case sendRequest(RequestID, ClientRequest)
    /// Abandon a request whose answer no longer matters.
    case cancelRequest(RequestID)
    /// Open a WebSocket (`sid` nil: a WebSocket-only handshake; otherwise an upgrade probe).
    case openWebSocket(ConnectionID, sid: String?)
    case write([Packet], to: ConnectionID)
    case closeWebSocket(ConnectionID)
    case deliver(PacketData)
    case notify(ClientNotification)
    /// `connect` failed; python raises `ConnectionError`. No `closed` follows, since nothing opened.
    case connectFailed(ConnectError)
    case wake(at: Instant?)
    case rejected(ClientCommand)
}
