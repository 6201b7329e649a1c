import EngineIOWire

/// One `name: value` header line.
public struct HeaderField: Hashable, Codable, Sendable {
    /// The field's name, as the peer spelled it; `EngineIORequest.header(_:)` compares it without regard to case.
    public var name: String
    /// The field's value.
    public var value: String

    /// The field `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One `name=value` query item, percent-decoded.
public struct QueryItem: Hashable, Codable, Sendable {
    /// The parameter's name (`EIO`, `transport`, `sid`, `b64`, …), compared exactly, case included.
    public var name: String
    /// The parameter's value; for `b64` only the parameter's presence counts.
    public var value: String

    /// The item `name=value`, both already percent-decoded.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What the endpoint needs to know of an HTTP request (or WebSocket handshake) for the Engine.IO path.
public struct EngineIORequest: Hashable, Codable, Sendable {
    /// The HTTP method as sent (`GET`, `POST`, `OPTIONS`), compared exactly, case included.
    public var method: String
    /// The query string's parameters, in order; `queryValue(_:)` reads the first of each name.
    public var query: [QueryItem]
    /// The header fields, in order; `header(_:)` reads the first of each name, in any case.
    public var headers: [HeaderField]
    /// `http` or `https`: as the connection was made, or as a trusted proxy's `X-Forwarded-Proto` says.
    public var scheme: String
    /// Whether the request asks for a WebSocket (`Upgrade: websocket`); the endpoint checks the rest of the
    /// handshake (method, HTTP version, `Connection`, key, version 13) itself.
    public var isWebSocketUpgrade: Bool
    /// The request's HTTP version, for the WebSocket handshake's check (1.1 or later).
    public var httpVersion: HTTPVersionNumber = HTTPVersionNumber(major: 1, minor: 1)
    /// Under `CORSAllowedOrigins.custom`, the application's verdict on the `Origin`, which the shell asks before
    /// the event (the check is a closure, so it cannot live in this value).
    public var originAllowedByApplication: Bool?
    /// The request path, for the application's `environ`.
    public var path: String
    /// The peer's address, for the application's `environ` (`REMOTE_ADDR`); behind a trusted proxy, the client's
    /// address from `X-Forwarded-For`.
    public var remoteAddress: String?
    /// The host the client asked for, from a trusted proxy's `X-Forwarded-Host`; nil means the `Host` header.
    public var publicHost: String?

    /// A request with these parts; `httpVersion` starts as 1.1 and `publicHost` as nil (`TrustedProxies.resolve`
    /// sets it for a trusted proxy's request).
    public init(
        method: String, query: [QueryItem], headers: [HeaderField] = [], scheme: String = "http", isWebSocketUpgrade: Bool = false,
        originAllowedByApplication: Bool? = nil, path: String = "/engine.io/", remoteAddress: String? = nil
    ) {
        self.method = method
        self.query = query
        self.headers = headers
        self.scheme = scheme
        self.isWebSocketUpgrade = isWebSocketUpgrade
        self.originAllowedByApplication = originAllowedByApplication
        self.path = path
        self.remoteAddress = remoteAddress
    }

    /// The first value of a header, any case.
    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Every line of a header, any case, in order.
    public func headerLines(_ name: String) -> [String] {
        var lines: [String] = []  // one pass; no array at all for a header that is absent
        for header in headers where Self.sameName(header.name, name) { lines.append(header.value) }
        return lines
    }

    /// Header names compared without case (ASCII), byte by byte: no lowercased copies for every header of every
    /// request. (EngineIOWire's `HTTPSyntax.equalsIgnoringASCIICase` does the same over any collection; called
    /// from here across modules it cost polling about 10 µs per message, so this one compares contiguous buffers.)
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && hasPrefixIgnoringCase(lhs, rhs)
    }

    /// Whether `value` starts with `prefix`, ASCII letters compared without case.
    static func hasPrefixIgnoringCase(_ value: String, _ prefix: String) -> Bool {
        var value = value, prefix = prefix
        return value.withUTF8 { value in
            prefix.withUTF8 { prefix in
                guard value.count >= prefix.count else { return false }
                for index in prefix.indices where value[index] != prefix[index] {
                    // Letters differ from their other case by 0x20 alone; anything else must match exactly.
                    let lower = value[index] | 0x20
                    guard lower == prefix[index] | 0x20, lower >= 0x61, lower <= 0x7A else { return false }
                }
                return true
            }
        }
    }

    /// The first value of a query parameter, as python reads duplicates.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// An HTTP version as the request line gave it.
public struct HTTPVersionNumber: Hashable, Codable, Sendable {
    /// The number before the dot: `1` in `HTTP/1.1`.
    public var major: Int
    /// The number after the dot: `1` in `HTTP/1.1`.
    public var minor: Int

    /// The version `major.minor`.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
}

/// What the 101 answer to an accepted WebSocket handshake says: the `Sec-WebSocket-Accept` value and the
/// permessage-deflate parameters agreed, if any. The endpoint decides both; the shell writes them.
public struct WebSocketAcceptance: Hashable, Codable, Sendable {
    /// The `Sec-WebSocket-Accept` header value, derived from the request's `Sec-WebSocket-Key` (RFC 6455).
    public var acceptValue: String
    /// The permessage-deflate parameters agreed, whose `responseHeaderValue` goes in `Sec-WebSocket-Extensions`;
    /// nil when permessage-deflate is off or no offer was acceptable.
    public var deflate: PerMessageDeflateAcceptance?

    /// The 101 answer with this accept value and, if given, this permessage-deflate agreement.
    public init(acceptValue: String, deflate: PerMessageDeflateAcceptance? = nil) {
        self.acceptValue = acceptValue
        self.deflate = deflate
    }
}

/// The server's options, as the endpoint reducer uses them: plain values only.
public struct ServerEndpointSettings: Hashable, Codable, Sendable {
    /// python's `cors_allowed_origins` without the closure (`custom` is decided by the shell, per request).
    public enum CORSPolicy: Hashable, Codable, Sendable {
        /// `sameOrigin`: `Origin` must be the request's own scheme and host; `all`: any origin; `origins`: only these;
        /// `custom`: the application decides (`originAllowedByApplication`); `disabled`: any origin, no CORS headers.
        case sameOrigin, all, origins([String]), custom, disabled
    }

    /// The transports the server accepts; a request or WebSocket for another is refused with `Transport unknown`.
    public var transports: [Transport]
    /// Whether `EIO=3` handshakes open v3 sessions; when false they are refused with `Unsupported protocol version`.
    public var allowEIO3: Bool
    /// How a request's `Origin` is judged (refused with `Forbidden`), and whether replies carry CORS headers.
    public var cors: CORSPolicy
    /// Whether replies that carry CORS headers include `Access-Control-Allow-Credentials: true`.
    public var corsCredentials: Bool
    /// The cookie that carries the sid in the polling handshake's reply, for sticky load balancing; nil sets none.
    public var cookie: CookieOption?
    /// The proxies whose `X-Forwarded-*` headers are believed (none by default).
    public var trustedProxies: TrustedProxies
    /// Whether polling payloads may be compressed (gzip or deflate, as the request's `Accept-Encoding` allows).
    public var httpCompression: Bool
    /// Bytes: a payload body smaller than this is sent uncompressed.
    public var compressionThreshold: Int
    /// Whether a WebSocket's permessage-deflate offer is accepted.
    public var perMessageDeflate: Bool = false
    /// The settings each v4 session (`EIO=4`) gets.
    public var v4: ServerSessionSettings
    /// The settings each v3 session (`EIO=3`) gets.
    public var v3: ServerSessionSettings

    /// The plain values of `options`: an origin list containing `*` becomes `all`, and a `trustedProxies` entry
    /// that is not an address or range is dropped rather than trusted.
    public init(options: ServerOptions) {
        transports = options.transports
        allowEIO3 = options.allowEIO3
        cors =
            switch options.corsAllowedOrigins {
            case .sameOrigin: .sameOrigin
            case .all: .all
            case .origins(let list): list.contains("*") ? .all : .origins(list)
            case .custom: .custom
            case .disabled: .disabled
            }
        corsCredentials = options.corsCredentials
        cookie = options.cookie
        // validated() has checked the entries; one that fails here is dropped rather than trusted.
        trustedProxies = TrustedProxies(ranges: options.trustedProxies.compactMap { AddressRange($0.trimmingSpaces()) })
        httpCompression = options.httpCompression
        compressionThreshold = options.compressionThreshold
        perMessageDeflate = options.perMessageDeflate
        v4 = ServerSessionSettings(options: options, version: .v4)
        v3 = ServerSessionSettings(options: options, version: .v3)
    }
}

extension ServerEndpointSettings {
    /// Decodes settings recorded before `trustedProxies` existed (traces, snapshots) as trusting nobody.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        transports = try container.decode([Transport].self, forKey: .transports)
        allowEIO3 = try container.decode(Bool.self, forKey: .allowEIO3)
        cors = try container.decode(CORSPolicy.self, forKey: .cors)
        corsCredentials = try container.decode(Bool.self, forKey: .corsCredentials)
        cookie = try container.decodeIfPresent(CookieOption.self, forKey: .cookie)
        trustedProxies = try container.decodeIfPresent(TrustedProxies.self, forKey: .trustedProxies) ?? TrustedProxies()
        httpCompression = try container.decode(Bool.self, forKey: .httpCompression)
        compressionThreshold = try container.decode(Int.self, forKey: .compressionThreshold)
        perMessageDeflate = try container.decodeIfPresent(Bool.self, forKey: .perMessageDeflate) ?? false
        v4 = try container.decode(ServerSessionSettings.self, forKey: .v4)
        v3 = try container.decode(ServerSessionSettings.self, forKey: .v3)
    }
}

/// An HTTP answer, complete but for compression, which the shell applies with zlib when `compression` is set.
public struct HTTPReply: Hashable, Codable, Sendable {
    /// The HTTP status code (200, 204, 400, 401, 403, 413, …).
    public var status: Int
    /// The header fields to write, in order.
    public var headers: [HeaderField]
    /// The body, uncompressed.
    public var body: [UInt8]
    /// Compress the body with this method and add `Content-Encoding`; decided from `Accept-Encoding` and the
    /// compression threshold.
    public var compression: CompressionMethod?

    /// An answer with this status and, unless given, no headers, an empty body and no compression.
    public init(status: Int, headers: [HeaderField] = [], body: [UInt8] = [], compression: CompressionMethod? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.compression = compression
    }
}

/// Everything that can happen to the server as a whole.
public enum ServerEndpointEvent: Hashable, Codable, Sendable {
    /// A request on the Engine.IO path. For a `POST` this is its head; the body follows as `bodyReceived`.
    /// `freshSID` is used if the request opens a session (the reducer draws no randomness).
    indirect case requestReceived(RequestID, EngineIORequest, freshSID: String)
    /// A `POST`'s whole body arrived.
    case bodyReceived(RequestID, [UInt8])
    /// A `POST`'s body grew past `maxPayload` bytes.
    case bodyTooLarge(RequestID)
    /// The client went away while the request was unanswered.
    case requestAborted(RequestID)
    /// A WebSocket handshake on the Engine.IO path, held until the reducer accepts or refuses it.
    indirect case webSocketRequested(ConnectionID, EngineIORequest, freshSID: String)
    /// A message arrived on a WebSocket.
    case frameReceived(ConnectionID, WebSocketPayload)
    /// The peer closed the WebSocket (or the connection dropped).
    case webSocketClosed(ConnectionID)
    /// The WebSocket broke the protocol or sent a message over the size limit; the shell has closed it.
    case webSocketFailed(ConnectionID)
    /// A WebSocket holds `bytes` its client has not read (reported past `maxOutboundQueueBytes`).
    case writeBacklog(ConnectionID, bytes: Int)
    /// A session's handlers fell behind its messages, or caught up.
    case applicationBacklogChanged(sid: String, behind: Bool)
    /// The application answered `authorize` for this session.
    case verdictReceived(sid: String, ConnectVerdict)
    /// The application asked something of this session; for an unknown sid it is `rejected`.
    case command(sid: String, ServerCommand)
    /// Close every session (`forced close`) and refuse new ones.
    case shutdownRequested
    /// A deadline this session asked for (`wake`) may have passed.
    case timerFired(sid: String)
    /// Refuse new sessions (503 `Server is draining`) and serve the existing ones for `timeout` milliseconds, then
    /// close those left with `server disconnect`.
    case drainRequested(timeout: Int)
    /// The endpoint's own deadline (`wakeEndpoint`) passed.
    case endpointTimerFired
    /// The application is done with a closed session (its disconnect handler returned): it leaves `departing`.
    case applicationReleased(sid: String)
}

/// Something the shell must do for the server.
public enum ServerEndpointEffect: Hashable, Codable, Sendable {
    /// Answer the request with this reply, compressing its body first if `compression` says so.
    case respond(RequestID, HTTPReply)
    /// Answer the WebSocket handshake with 101, as `acceptance` says.
    indirect case acceptWebSocket(ConnectionID, WebSocketAcceptance)
    /// Refuse the WebSocket handshake with this HTTP answer instead of 101.
    case refuseWebSocket(ConnectionID, HTTPReply)
    /// Send these WebSocket messages, in order.
    case write([WebSocketPayload], to: ConnectionID)
    /// Close the WebSocket (close frame, then the TCP connection).
    case closeWebSocket(ConnectionID)
    /// Stop reading from the WebSocket until `resumeReading`.
    case pauseReading(ConnectionID)
    /// Read from the WebSocket again: the application has caught up.
    case resumeReading(ConnectionID)
    /// Hand a message from session `sid` to the application (python's `message` handler).
    case deliver(sid: String, PacketData)
    /// Ask the application's `connect` handler; answer with `verdictReceived`.
    indirect case authorize(sid: String, EngineIORequest)
    /// Tell the application what happened to session `sid`.
    case notify(sid: String, SessionNotification)
    /// Session `sid`'s earliest deadline moved: send `timerFired(sid:)` at this instant (`nil`: no deadline any more).
    case wake(sid: String, at: Instant?)
    /// The application asked session `sid` for something it cannot do now, or `sid` is unknown; nothing happened.
    case rejected(sid: String, ServerCommand)
    /// The session's peer broke the protocol (the close that follows says how it ends): log it.
    case report(sid: String, ProtocolViolation)
    /// Send `endpointTimerFired` at this time (the drain deadline); a later `wakeEndpoint` replaces it.
    case wakeEndpoint(at: Instant)
    /// A drain is complete: no session is left.
    case drained
}
