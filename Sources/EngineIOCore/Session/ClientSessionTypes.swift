import EngineIOWire

/// What a client session needs to know before it connects.
public struct ClientSessionSettings: Hashable, Codable, Sendable {
    /// The protocol version to speak (`EIO=`), which picks the codecs and the heartbeat's direction.
    public var version: ProtocolVersion
    /// The transports the client may use; the first one carries the handshake (python's `transports`).
    public var transports: [Transport]
    /// Whether a polling session tries to move to WebSocket when the server offers it.
    public var upgrade: Bool
    /// Most packets in one POST (python-engineio servers drop POSTs of more than 16).
    public var maxPacketsPerPost: Int
    /// Milliseconds the whole connect may take (python's `request_timeout`), and each POST, and an upgrade probe.
    public var requestTimeout: Int
    /// Whether the server's URL is `https`/`wss` (a redirect may not leave TLS).
    public var secure: Bool
    /// Most redirects the handshake follows.
    public var maxRedirects: Int

    /// Settings; by default v4, polling first and then an upgrade to WebSocket, 5000 ms for the connect, each
    /// `POST` and an upgrade probe, and at most 5 redirects. A `maxPacketsPerPost` below 1 counts as 1.
    public init(
        version: ProtocolVersion = .v4, transports: [Transport] = [.polling, .websocket], upgrade: Bool = true, maxPacketsPerPost: Int = 16,
        requestTimeout: Int = 5_000, secure: Bool = false, maxRedirects: Int = 5
    ) {
        self.version = version
        self.transports = transports
        self.upgrade = upgrade
        self.maxPacketsPerPost = max(1, maxPacketsPerPost)
        self.requestTimeout = requestTimeout
        self.secure = secure
        self.maxRedirects = maxRedirects
    }
}

/// Why the shell could not complete a request or keep a WebSocket, as it saw it; rides with the session's end.
public enum TransportFailure: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    /// Nothing listens there (ECONNREFUSED).
    case refused
    /// The server reset the connection.
    case reset
    /// The server closed the connection before answering.
    case closed
    /// The name did not resolve or the host is unreachable.
    case unreachable(String)
    /// TLS refused the server (with OpenSSL's reason) or failed.
    case tls(String)
    /// The HTTP proxy refused the tunnel.
    case proxy(String)
    /// The server broke HTTP or WebSocket rules (a malformed response, a masked frame, a wrong accept value).
    case protocolViolation(String)
    /// A response body or message is larger than the client accepts (the server's `maxPayload`, capped).
    case tooLarge(limit: Int)
    /// A deadline passed (what was awaited).
    case timedOut(String)
    /// Any other failure, as the shell describes it.
    case other(String)

    /// The failure as a phrase for logs and errors (`connection refused`, `timed out waiting for …`).
    public var description: String {
        switch self {
        case .refused: "connection refused"
        case .reset: "connection reset by the server"
        case .closed: "connection closed by the server before it answered"
        case .unreachable(let detail): "unreachable: \(detail)"
        case .tls(let detail): "TLS: \(detail)"
        case .proxy(let detail): "proxy: \(detail)"
        case .protocolViolation(let detail): "protocol violation: \(detail)"
        case .tooLarge(let limit): "more than \(limit) bytes"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .other(let detail): detail
        }
    }
}

/// What a connect was waiting for when its time ran out.
public enum ConnectStage: String, Hashable, Codable, Sendable {
    /// The answer to the polling handshake `GET` (or to the `GET` a redirect named).
    case handshakeResponse = "the handshake response"
    /// The 101 answer to a WebSocket-only handshake.
    case webSocketHandshake = "the WebSocket handshake"
    /// The open packet, on a WebSocket whose handshake was answered.
    case openPacket = "the open packet"
}

/// What the application asks of a client session.
public enum ClientCommand: Hashable, Codable, Sendable {
    /// Start the handshake; only an idle session can, any other rejects it.
    case connect
    /// Send a packet: queued while connecting, then sent as soon as the transport can take it.
    case send(Packet)
    /// python's `disconnect()`: tell the server (best effort) and close with `client disconnect`.
    case disconnect
}

/// An HTTP request the client shell must make; it builds the URL (path, `EIO`, `transport`, `sid`, `t`).
public enum ClientRequest: Hashable, Codable, Sendable {
    /// `GET ?transport=polling` without a sid; `redirect`: the `Location` a redirect named (absolute or relative), which
    /// becomes the server's URL from then on.
    case handshake(redirect: String? = nil)
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
    /// No HTTP or WebSocket answer: the transport failed (python: "Connection refused by the server").
    case transport(TransportFailure)
    /// The connect's time (`requestTimeout`) ran out while waiting for `stage`.
    case timedOut(ConnectStage)
    /// More redirects than allowed, or one to another scheme than http(s), or from https to http.
    case badRedirect(String)
}

/// Everything that can happen to a client session.
public enum ClientSessionEvent: Hashable, Codable, Sendable {
    /// The application asked something of the session.
    case command(ClientCommand)
    /// An HTTP response. `binary` is true for `Content-Type: application/octet-stream` (v3 binary payloads).
    case responseReceived(RequestID, status: Int, body: [UInt8], binary: Bool)
    /// The request failed without a response.
    case requestFailed(RequestID, TransportFailure)
    /// A response redirected the request (`status` 3xx with a `Location`).
    case redirected(RequestID, status: Int, location: String)
    /// The WebSocket's handshake was answered with 101 (a WebSocket-only handshake's, or an upgrade probe's).
    case webSocketOpened(ConnectionID)
    /// The WebSocket handshake was answered with something other than 101 (`status` nil: no answer at all).
    case webSocketRefused(ConnectionID, status: Int?, body: [UInt8], failure: TransportFailure?)
    /// A message arrived on a WebSocket: the session's own, or the upgrade probe's.
    case frameReceived(ConnectionID, WebSocketPayload)
    /// The WebSocket ended: closed by the server (`failure` nil) or broken.
    case webSocketClosed(ConnectionID, failure: TransportFailure?)
    /// A deadline this session asked for (`wake`) may have passed.
    case timerFired

    /// Whether this is `timerFired`, matched without building a value to compare with (the reducer asks on every
    /// step).
    var isTimerFired: Bool { if case .timerFired = self { true } else { false } }
}

/// What the application is told by a client session.
public enum ClientNotification: Hashable, Codable, Sendable {
    /// Connected; python's `connect` handler. Carries the server's handshake.
    case opened(OpenPacket)
    /// The session moved to WebSocket (`5` went out on the probe).
    case upgraded
    /// python's `disconnect(reason)`; exactly once per opened session.
    case closed(DisconnectReason)
}

/// Something the client shell must do.
public enum ClientSessionEffect: Hashable, Codable, Sendable {
    /// Make this HTTP request, and report its outcome under this ID.
    case sendRequest(RequestID, ClientRequest)
    /// Abandon a request whose answer no longer matters.
    case cancelRequest(RequestID)
    /// Open a WebSocket (`sid` nil: a WebSocket-only handshake; otherwise an upgrade probe).
    case openWebSocket(ConnectionID, sid: String?)
    /// Send these WebSocket messages, in order: the packets encoded for the session's protocol version.
    case write([WebSocketPayload], to: ConnectionID)
    /// Close the WebSocket; the session ignores whatever is reported about it afterwards.
    case closeWebSocket(ConnectionID)
    /// Hand a message's data to the application (python's `message` handler).
    case deliver(PacketData)
    /// Tell the application what happened to the session.
    case notify(ClientNotification)
    /// `connect` failed; python raises `ConnectionError`. No `closed` follows, since nothing opened.
    case connectFailed(ConnectError)
    /// The session's earliest deadline moved: fire `timerFired` at this instant (`nil`: no deadline any more).
    case wake(at: Instant?)
    /// The application asked for something the session cannot do now (`connect` twice, `send` before `connect`
    /// or after the end); nothing happened.
    case rejected(ClientCommand)
}
