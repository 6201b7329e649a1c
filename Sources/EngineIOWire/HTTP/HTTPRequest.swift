/// The request line and header section of an HTTP/1.x request.
public struct HTTPRequestHead: Sendable, Equatable, Hashable {
    /// The method, case-sensitive as received (`GET`, `POST`).
    public var method: String
    /// The request-target exactly as received: usually origin-form, `/engine.io/?EIO=4&transport=polling`.
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders

    /// A request head; the version defaults to HTTP/1.1.
    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target up to its first `?`, still percent-encoded.
    public var path: Substring {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<mark]
    }

    /// The target after its first `?`, still encoded (see `HTTPQuery`); `nil` when there is no `?`.
    public var query: Substring? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: mark)...]
    }

    /// Whether the connection stays open after this exchange (RFC 9112 §9.3): in HTTP/1.1 unless
    /// `Connection: close`, in HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        httpKeepAlive(version: version, headers: headers)
    }

    /// Whether this asks to switch protocols: HTTP/1.1 or later, `Connection: upgrade` and an `Upgrade` field.
    /// An HTTP/1.0 request's `Upgrade` is ignored, as RFC 9110 §7.8 requires.
    public var isUpgrade: Bool {
        version.isHTTP11OrLater && headers.contains("Upgrade") && headers.contains(token: "upgrade", inHeader: "Connection")
    }
}

/// A complete HTTP/1.x request: its head and its decoded body (chunked framing removed).
public struct HTTPRequest: Sendable, Equatable, Hashable {
    /// The request line and headers.
    public var head: HTTPRequestHead
    /// The body; empty for a request without one.
    public var body: [UInt8]

    /// A request from its parts.
    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}

/// RFC 9112 §9.3's persistence rule, shared by requests and responses.
func httpKeepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
    if headers.contains(token: "close", inHeader: "Connection") { return false }
    return version.isHTTP11OrLater || headers.contains(token: "keep-alive", inHeader: "Connection")
}
