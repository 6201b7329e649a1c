/// The status line and header section of an HTTP/1.x response.
public struct HTTPResponseHead: Sendable, Equatable, Hashable {
    /// The status code, 100...999.
    public var status: Int
    /// The reason phrase; informational only, possibly empty.
    public var reason: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders

    /// A response head; `reason` defaults to the standard phrase for `status` and the version to HTTP/1.1.
    public init(status: Int, reason: String? = nil, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.reason = reason ?? HTTPStatus.reasonPhrase(for: status)
        self.version = version
        self.headers = headers
    }

    /// Whether the connection stays open after this response (RFC 9112 §9.3): in HTTP/1.1 unless
    /// `Connection: close`, in HTTP/1.0 only with `Connection: keep-alive`. A body read until close ends the
    /// connection whatever this says.
    public var keepAlive: Bool {
        httpKeepAlive(version: version, headers: headers)
    }
}

/// A complete HTTP/1.x response: its head and its decoded body (chunked framing removed).
public struct HTTPResponse: Sendable, Equatable, Hashable {
    /// The status line and headers.
    public var head: HTTPResponseHead
    /// The body; empty for responses that cannot have one (1xx, 204, 304, answers to HEAD).
    public var body: [UInt8]

    /// A response from its parts.
    public init(head: HTTPResponseHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}
