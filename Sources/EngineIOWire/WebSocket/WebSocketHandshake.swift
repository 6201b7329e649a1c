/// Why an opening handshake (RFC 6455 §4) failed.
///
/// Server-side cases describe a bad upgrade request and carry the HTTP response to send (`httpStatus`,
/// `responseHeaders`); client-side cases describe a bad response, after which the client closes the connection.
public enum WebSocketHandshakeError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    // Server side: the client's request.

    /// The request method is not GET.
    case methodNotGET(String)
    /// The request is older than HTTP/1.1.
    case unsupportedHTTPVersion(major: Int, minor: Int)
    /// The `Upgrade` header does not contain the token `websocket` (in a request or a response).
    case missingUpgradeWebSocket
    /// The `Connection` header does not contain the token `upgrade` (in a request or a response).
    case missingConnectionUpgrade
    /// `Sec-WebSocket-Version` is missing or not 13 (the values given, joined); answer 426 with the version we speak.
    case unsupportedVersion(String?)
    /// There is no `Sec-WebSocket-Key` header.
    case missingKey
    /// `Sec-WebSocket-Key` is repeated or is not the base64 encoding of 16 bytes.
    case invalidKey(String)

    // Client side: the server's response.

    /// The response status is not 101 Switching Protocols.
    case unexpectedStatus(Int)
    /// `Sec-WebSocket-Accept` is missing, repeated or wrong.
    case invalidAccept(expected: String, received: String?)
    /// The server accepted an extension we did not offer.
    case unexpectedExtension(String)
    /// The server's permessage-deflate parameters are invalid or exceed our offer.
    case invalidExtensionResponse(String)
    /// The server selected a subprotocol although we requested none.
    case unexpectedSubprotocol(String)

    /// The status a server answers a failed upgrade request with: 405 for a method other than GET, 426 for an
    /// unsupported WebSocket version, otherwise 400. Client-side cases report 400 as well but nothing is sent.
    public var httpStatus: Int {
        switch self {
        case .methodNotGET: 405
        case .unsupportedVersion: 426
        default: 400
        }
    }

    /// Headers the server's error response must carry: `Allow: GET` with 405, and `Sec-WebSocket-Version: 13` with
    /// 426 (RFC 6455 §4.4).
    public var responseHeaders: [(name: String, value: String)] {
        switch self {
        case .methodNotGET: [("Allow", "GET")]
        case .unsupportedVersion: [("Sec-WebSocket-Version", WebSocketHandshake.version)]
        default: []
        }
    }

    /// A short English explanation, suitable for logs and error response bodies.
    public var description: String {
        switch self {
        case .methodNotGET(let method): "WebSocket upgrade requires GET, not \(method)"
        case .unsupportedHTTPVersion(let major, let minor): "WebSocket upgrade requires HTTP/1.1, not \(major).\(minor)"
        case .missingUpgradeWebSocket: "Upgrade header does not contain websocket"
        case .missingConnectionUpgrade: "Connection header does not contain upgrade"
        case .unsupportedVersion(let version?): "unsupported Sec-WebSocket-Version \(version)"
        case .unsupportedVersion(nil): "missing Sec-WebSocket-Version"
        case .missingKey: "missing Sec-WebSocket-Key"
        case .invalidKey(let key): "invalid Sec-WebSocket-Key \(key)"
        case .unexpectedStatus(let status): "expected status 101, got \(status)"
        case .invalidAccept(let expected, let received?): "Sec-WebSocket-Accept \(received), expected \(expected)"
        case .invalidAccept(let expected, nil): "missing Sec-WebSocket-Accept, expected \(expected)"
        case .unexpectedExtension(let name): "server accepted extension \(name), which was not offered"
        case .invalidExtensionResponse(let reason): "invalid permessage-deflate response: \(reason)"
        case .unexpectedSubprotocol(let name): "server selected subprotocol \(name), which was not requested"
        }
    }
}

/// The WebSocket opening handshake (RFC 6455 §4) for both sides, over plain header lists so it does not depend on the
/// HTTP module.
///
/// Header lookups are closures returning the values of every header with a given name, compared ignoring case, in
/// order; the list-of-pairs overloads build one from `[(name, value)]`.
public enum WebSocketHandshake {
    /// The GUID RFC 6455 §1.3 appends to the key before hashing.
    public static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// The only protocol version we speak (RFC 6455 §4.1).
    public static let version = "13"
    /// The status of a successful upgrade response.
    public static let switchingProtocolsStatus = 101

    /// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64 of SHA-1 of the key followed by `acceptGUID`.
    ///
    /// Leading and trailing whitespace of `key` is ignored, as HTTP strips it from header values.
    public static func acceptValue(forKey key: String) -> String {
        var input = Array(WebSocketHeaderText.trimmed(key).utf8)
        input.append(contentsOf: acceptGUID.utf8)
        return Base64.encode(SHA1.hash(input))
    }

    // MARK: Server

    /// Whether a request asks for a WebSocket upgrade at all (its `Upgrade` header contains `websocket`), so a server
    /// can route it to `validateUpgradeRequest` rather than treat it as a plain HTTP request.
    public static func isUpgradeRequest(header: (String) -> [String]) -> Bool {
        WebSocketHeaderText.listContains(header("Upgrade"), token: "websocket")
    }

    /// `isUpgradeRequest(header:)` over a header list.
    public static func isUpgradeRequest(headers: [(name: String, value: String)]) -> Bool {
        isUpgradeRequest { WebSocketHeaderText.values(named: $0, in: headers) }
    }

    /// Checks a client's upgrade request (RFC 6455 §4.2.1) and returns the `Sec-WebSocket-Accept` value to answer with.
    ///
    /// Requires GET, HTTP/1.1 or later, `Upgrade` containing `websocket` and `Connection` containing `upgrade` (both
    /// comma-separated token lists compared ignoring case), `Sec-WebSocket-Version: 13`, and exactly one
    /// `Sec-WebSocket-Key` that is the padded base64 of 16 bytes. `Host`, `Origin` and extensions are left to the
    /// caller; see `PerMessageDeflate.negotiate(headerValues:preferences:)`.
    public static func validateUpgradeRequest(
        method: String,
        httpVersion: (major: Int, minor: Int),
        header: (String) -> [String]
    ) throws(WebSocketHandshakeError) -> String {
        guard method == "GET" else { throw .methodNotGET(method) }
        guard httpVersion.major > 1 || (httpVersion.major == 1 && httpVersion.minor >= 1) else {
            throw .unsupportedHTTPVersion(major: httpVersion.major, minor: httpVersion.minor)
        }
        guard WebSocketHeaderText.listContains(header("Upgrade"), token: "websocket") else {
            throw .missingUpgradeWebSocket
        }
        guard WebSocketHeaderText.listContains(header("Connection"), token: "upgrade") else {
            throw .missingConnectionUpgrade
        }
        let versions = header("Sec-WebSocket-Version")
        guard WebSocketHeaderText.listContains(versions, token: version) else {
            throw .unsupportedVersion(versions.isEmpty ? nil : versions.joined(separator: ", "))
        }
        let keys = header("Sec-WebSocket-Key")
        guard let key = keys.first else { throw .missingKey }
        guard keys.count == 1, isValidKey(WebSocketHeaderText.trimmed(key)) else {
            throw .invalidKey(keys.joined(separator: ", "))
        }
        return acceptValue(forKey: key)
    }

    /// `validateUpgradeRequest(method:httpVersion:header:)` over a header list.
    public static func validateUpgradeRequest(
        method: String,
        httpVersion: (major: Int, minor: Int),
        headers: [(name: String, value: String)]
    ) throws(WebSocketHandshakeError) -> String {
        try validateUpgradeRequest(method: method, httpVersion: httpVersion) {
            WebSocketHeaderText.values(named: $0, in: headers)
        }
    }

    /// The headers of the 101 response: `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, and
    /// `Sec-WebSocket-Extensions` when an extension was accepted.
    public static func responseHeaders(
        acceptValue: String,
        extensions: String? = nil
    ) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", acceptValue),
        ]
        if let extensions { headers.append(("Sec-WebSocket-Extensions", extensions)) }
        return headers
    }

    /// Strict: 24 characters of the standard alphabet ending in `==`, which is always the encoding of 16 bytes (22
    /// characters carry 132 bits; the last 4 are padding). The shared decoder is lenient (URL-safe letters, missing
    /// padding), which a key must not rely on. Read in place: no copy, no decoding.
    private static func isValidKey(_ key: Substring) -> Bool {
        let bytes = key.utf8
        guard bytes.count == 24, bytes.dropFirst(22).allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
        return bytes.prefix(22).allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                true
            default:
                false
            }
        }
    }

    // MARK: Client

    /// A `Sec-WebSocket-Key` from 16 bytes the caller drew from a random source (RFC 6455 §4.1 requires a fresh
    /// random nonce per connection).
    /// - Precondition: `nonce.count == 16`.
    public static func key(fromNonce nonce: [UInt8]) -> String {
        precondition(nonce.count == 16, "a Sec-WebSocket-Key nonce is 16 bytes")
        return Base64.encode(nonce)
    }

    /// The WebSocket headers of a client's upgrade request; the caller adds the request line, `Host` and any others.
    ///
    /// `extensions` is a `Sec-WebSocket-Extensions` value such as `PerMessageDeflate.clientOffer(_:).headerValue`.
    public static func requestHeaders(key: String, extensions: String? = nil) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", version),
        ]
        if let extensions { headers.append(("Sec-WebSocket-Extensions", extensions)) }
        return headers
    }

    /// Checks the server's response to our upgrade request (RFC 6455 §4.1) and returns the agreed permessage-deflate
    /// configuration, or `nil` when no extension is in use.
    ///
    /// Requires status 101, `Upgrade: websocket`, `Connection` containing `upgrade`, exactly one
    /// `Sec-WebSocket-Accept` matching `key`, no subprotocol (we never request one), and no extension except an
    /// answer to `deflateOffer`, the permessage-deflate element we sent if any.
    public static func validateUpgradeResponse(
        status: Int,
        key: String,
        deflateOffer: WebSocketExtension? = nil,
        header: (String) -> [String]
    ) throws(WebSocketHandshakeError) -> PerMessageDeflateConfiguration? {
        guard status == switchingProtocolsStatus else { throw .unexpectedStatus(status) }
        guard WebSocketHeaderText.listContains(header("Upgrade"), token: "websocket") else {
            throw .missingUpgradeWebSocket
        }
        guard WebSocketHeaderText.listContains(header("Connection"), token: "upgrade") else {
            throw .missingConnectionUpgrade
        }
        let expected = acceptValue(forKey: key)
        let accepts = header("Sec-WebSocket-Accept")
        guard accepts.count == 1, let accept = accepts.first, WebSocketHeaderText.trimmed(accept) == expected else {
            throw .invalidAccept(expected: expected, received: accepts.isEmpty ? nil : accepts.joined(separator: ", "))
        }
        if let subprotocol = WebSocketHeaderText.listElements(header("Sec-WebSocket-Protocol")).first {
            throw .unexpectedSubprotocol(String(subprotocol))
        }
        let extensions = header("Sec-WebSocket-Extensions")
        if extensions.isEmpty { return nil }
        return try PerMessageDeflate.acceptResponse(headerValues: extensions, offer: deflateOffer)
    }

    /// `validateUpgradeResponse(status:key:deflateOffer:header:)` over a header list.
    public static func validateUpgradeResponse(
        status: Int,
        headers: [(name: String, value: String)],
        key: String,
        deflateOffer: WebSocketExtension? = nil
    ) throws(WebSocketHandshakeError) -> PerMessageDeflateConfiguration? {
        try validateUpgradeResponse(status: status, key: key, deflateOffer: deflateOffer) {
            WebSocketHeaderText.values(named: $0, in: headers)
        }
    }
}
