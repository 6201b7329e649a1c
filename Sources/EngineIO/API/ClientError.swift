public import EngineIOCore

/// Why a client call failed. Where python-engineio raises `ConnectionError` the message is python's, with the
/// cause after it; the other cases say what went wrong below Engine.IO in their own words.
public enum ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// "Client is not in a disconnected state".
    case notDisconnected
    /// "No valid transports provided".
    case noValidTransports
    /// The URL is not `http(s)://` or `ws(s)://`.
    case invalidURL(String)
    /// "Unexpected status code N in server response", with the server's body (JSON-decoded when it is JSON).
    case unexpectedStatus(Int, body: JSONValue?)
    /// "Unexpected response from server": the handshake's body is not a payload, or its open packet is malformed.
    case unexpectedResponse
    /// "OPEN packet not returned by server".
    case noOpenPacket
    /// Nothing listens at the server's address: "Connection refused by the server".
    case connectionRefused(String)
    /// The connect's time (`requestTimeout`) ran out while waiting for this.
    case timedOut(String, seconds: Double)
    /// The server reset the connection.
    case connectionReset
    /// The server closed the connection before it answered.
    case connectionClosed
    /// The server's name did not resolve, or its host is unreachable.
    case unreachable(String)
    /// TLS refused the server (certificate not trusted, wrong host name) or failed, with OpenSSL's reason.
    case tls(String)
    /// The HTTP proxy refused the tunnel.
    case proxy(String)
    /// The server broke HTTP, WebSocket or Engine.IO rules.
    case protocolViolation(String)
    /// The server's answer is larger than the client accepts (`maxMessageBytes`, or the server's own `maxPayload`).
    case tooLarge(limit: Int)
    /// A redirect the client does not follow (too many, another scheme, from https to http).
    case badRedirect(String)
    /// `send` would take the messages the server has not taken yet past `maxOutboundQueueBytes`.
    case sendQueueFull(limit: Int)
    /// `send` while reconnecting would hold more than `reconnectionBufferBytes` for the next session.
    case reconnectBufferFull(limit: Int)

    /// The error in one line: python's `ConnectionError` message for the cases python has, with the cause or the
    /// server's body after it; the other cases say what failed in their own words.
    public var description: String {
        switch self {
        case .notDisconnected: "Client is not in a disconnected state"
        case .noValidTransports: "No valid transports provided"
        case .invalidURL(let url): "Invalid URL \(url)"
        case .unexpectedStatus(let status, let body):
            "Unexpected status code \(status) in server response" + (body.map { ": \(JSONSerializer.string($0))" } ?? "")
        case .unexpectedResponse: "Unexpected response from server"
        case .noOpenPacket: "OPEN packet not returned by server"
        case .connectionRefused(let detail): "Connection refused by the server (\(detail))"
        case .timedOut(let what, let seconds): "Connection timed out waiting for \(what)" + (seconds > 0 ? " (\(seconds) s)" : "")
        case .connectionReset: "Connection error: the server reset the connection"
        case .connectionClosed: "Connection error: the server closed the connection before it answered"
        case .unreachable(let detail): "Connection error: cannot reach the server (\(detail))"
        case .tls(let detail): "TLS failure: \(detail)"
        case .proxy(let detail): "Proxy failure: \(detail)"
        case .protocolViolation(let detail): "The server broke the protocol: \(detail)"
        case .tooLarge(let limit): "The server's answer is larger than \(limit) bytes"
        case .badRedirect(let detail): "Redirect not followed: \(detail)"
        case .sendQueueFull(let limit): "Send queue full: the server has not taken \(limit) bytes already sent"
        case .reconnectBufferFull(let limit): "Reconnect buffer full: \(limit) bytes already wait for the next session"
        }
    }

    /// The client's error for a failed connect (`seconds`: the connect's time budget).
    init(_ error: ConnectError, seconds: Double) {
        switch error {
        case .unexpectedStatus(let status, let body): self = .unexpectedStatus(status, body: try? JSONParser.parse(body))
        case .unexpectedResponse: self = .unexpectedResponse
        case .noOpenPacket: self = .noOpenPacket
        case .timedOut(let stage): self = .timedOut(stage.rawValue, seconds: seconds)
        case .badRedirect(let detail): self = .badRedirect(detail)
        case .transport(let failure): self = ClientError(failure)
        }
    }

    /// The client's error for a transport failure.
    init(_ failure: TransportFailure) {
        switch failure {
        case .refused: self = .connectionRefused("nothing listens there")
        case .reset: self = .connectionReset
        case .closed: self = .connectionClosed
        case .unreachable(let detail): self = .unreachable(detail)
        case .tls(let detail): self = .tls(detail)
        case .proxy(let detail): self = .proxy(detail)
        case .protocolViolation(let detail): self = .protocolViolation(detail)
        case .tooLarge(let limit): self = .tooLarge(limit: limit)
        case .timedOut(let what): self = .timedOut(what, seconds: 0)
        case .other(let detail): self = .unreachable(detail)
        }
    }
}
