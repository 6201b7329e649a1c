// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

/// Constructor options of Server and AsyncServer: python's parameters in python's order, then our additions.
///
/// python-engineio: `Server`, `AsyncServer`.
public struct ServerOptions: Sendable {
    /// Concurrency model for handlers; nil picks the one matching the class (threading for Server, async for AsyncServer). python's eventlet, gevent and framework modes have no Swift counterpart.
    ///
    /// python-engineio: `async_mode`, default `None`.
    public var asyncMode: AsyncMode?

    /// Seconds between server pings, or an (interval, grace) pair that pings every interval but tells the client interval + grace. It is advertised in exact milliseconds, following JS rather than python's whole-second truncation.
    ///
    /// python-engineio: `ping_interval`, default `25`. Unit: seconds.
    public var pingInterval: PingInterval

    /// Seconds the server waits for a pong after each ping before closing the session with `ping timeout`; advertised to clients in milliseconds.
    ///
    /// python-engineio: `ping_timeout`, default `20`. Unit: seconds. Allowed: > 0.
    public var pingTimeout: Double

    /// Largest accepted polling POST body or WebSocket message, in bytes; advertised to clients as maxPayload.
    ///
    /// python-engineio: `max_http_buffer_size`, default `1000000`. Unit: bytes. Allowed: ≥ 1.
    public var maxHttpBufferSize: Int

    /// Whether polling sessions may upgrade to WebSocket; when false the open packet advertises no upgrades.
    ///
    /// python-engineio: `allow_upgrades`, default `True`.
    public var allowUpgrades: Bool

    /// Whether polling responses are compressed with gzip or deflate when the client's Accept-Encoding allows it.
    ///
    /// python-engineio: `http_compression`, default `True`.
    public var httpCompression: Bool

    /// Minimum size in bytes of an encoded polling response before HTTP compression is applied.
    ///
    /// python-engineio: `compression_threshold`, default `1024`. Unit: bytes. Allowed: ≥ 0.
    public var compressionThreshold: Int

    /// HTTP cookie holding the sid, set on the polling handshake response for sticky load balancing: a name, or a name with attributes. nil sends no cookie.
    ///
    /// python-engineio: `cookie`, default `None`.
    public var cookie: CookieOption?

    /// Origins allowed to connect: the same origin by default, one origin, a list, any origin, or CORS handling turned off. A request whose Origin is not allowed is rejected with 400, WebSockets included.
    ///
    /// python-engineio: `cors_allowed_origins`, default `None`.
    public var corsAllowedOrigins: CORSAllowedOrigins

    /// Whether responses carry `Access-Control-Allow-Credentials: true` so browsers may send cookies and credentials.
    ///
    /// python-engineio: `cors_credentials`, default `True`.
    public var corsCredentials: Bool

    /// Where log output goes: disabled (fatal errors are still reported), the default logger, or a custom one.
    ///
    /// python-engineio: `logger`, default `False`.
    public var logger: LoggerOption

    /// JSON codec used to encode and decode structured message data; .standard is the built-in codec.
    ///
    /// python-engineio: `json`, default `None`.
    public var json: JSONCodecOption

    /// Whether handlers run without holding up the session's transport, as in python. Either way a session's handlers run one at a time, in arrival order. When true the transport keeps reading while handlers run, up to a bound (then it pauses until they catch up); when false it stops reading from the session's client until each message's handler has returned, which holds a fast client to its slow handler's pace.
    ///
    /// python-engineio: `async_handlers`, default `True`.
    public var asyncHandlers: Bool

    /// Runs each message handler as soon as its message arrives, alongside the session's other message handlers, as python-engineio does with async_handlers: messages of one session may then be handled concurrently and out of order. Off by default, so a session's events are handled one at a time, in order; the connect handler still runs first and the disconnect handler after the last message handler has returned.
    ///
    /// An addition: python-engineio has no such option.
    public var concurrentMessageHandlers: Bool

    /// Whether a background task closes sessions whose heartbeat has expired; python's None means true.
    ///
    /// python-engineio: `monitor_clients`, default `None`.
    public var monitorClients: Bool

    /// Transports the server accepts; python's None means both. Unlike python, the advertised upgrades are filtered by this list, as in JS.
    ///
    /// python-engineio: `transports`, default `None`.
    public var transports: [Transport]

    /// Seconds a started WebSocket upgrade may take to complete before the candidate WebSocket is closed and the session stays on polling, as JS does; python has no such limit.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: > 0.
    public var upgradeTimeout: Double

    /// Whether protocol v3 clients (EIO=3) are served alongside v4; when false they get the unsupported-protocol-version error.
    ///
    /// An addition: python-engineio has no such option.
    public var allowEIO3: Bool

    /// Whether the server accepts the RFC 7692 permessage-deflate extension when a WebSocket client offers it; off by default, as in JS.
    ///
    /// An addition: python-engineio has no such option.
    public var perMessageDeflate: Bool

    /// Minimum WebSocket message size in bytes before permessage-deflate compresses it.
    ///
    /// An addition: python-engineio has no such option. Unit: bytes. Allowed: ≥ 0.
    public var perMessageDeflateThreshold: Int

    /// Limit in bytes on the packets queued for one session but not yet sent. A session whose unsent packets exceed it is closed with `forced close`.
    ///
    /// An addition: python-engineio has no such option. Unit: bytes. Allowed: ≥ 1.
    public var maxOutboundQueueBytes: Int

    /// Most packets one long-poll response carries; the rest wait for the next poll. python-engineio clients refuse payloads of more than 16 packets (its Payload.max_decode_packets), so the default keeps them working.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1.
    public var maxPacketsPerPoll: Int

    /// Size limit in bytes of an HTTP request head (request line plus headers) accepted by the built-in server.
    ///
    /// An addition: python-engineio has no such option. Unit: bytes. Allowed: ≥ 256.
    public var maxHeaderBytes: Int

    /// Seconds the built-in server gives a request head to arrive in full: the first from the connection's accept (its TLS handshake included), later ones from their first byte. After that the connection gets 408 Request Timeout (when it has begun a head and speaks HTTP) and is closed, so a peer cannot hold a socket by sending nothing or a byte at a time. Idle keep-alive connections between requests are governed by keepAliveTimeout.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: > 0.
    public var headersTimeout: Double

    /// Seconds the built-in server gives a request body, from the end of its head, to arrive in full; after that the connection gets 408 Request Timeout and is closed, so a body sent a byte at a time cannot hold it open.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: > 0.
    public var requestBodyTimeout: Double

    /// Seconds the built-in server keeps an idle keep-alive connection open between requests (Node's default); after that it closes it, so idle sockets cannot pile up. A connection that never completes its first request head is closed after headersTimeout from its accept. WebSocket connections are governed by the Engine.IO heartbeat instead.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: > 0.
    public var keepAliveTimeout: Double

    /// Number of epoll event loops the built-in server runs; 0 starts one per CPU core.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 0.
    public var eventLoops: Int

    /// Most threads Server runs its blocking handlers on (AsyncServer runs them as tasks instead). Threads start when work waits and end after 10 s idle. A handler that blocks holds up only its own session until every thread is held up; then other sessions wait, and the log says so.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1.
    public var handlerThreads: Int

    /// Seconds a server-initiated close over polling waits for a GET to collect the close packet before the session is torn down anyway.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: > 0.
    public var closeTimeout: Double

    /// Addresses or CIDR ranges (IPv4 or IPv6, e.g. 10.0.0.0/8, ::1) of the reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host headers the server believes: for the environ's REMOTE_ADDR and wsgi.url_scheme and for same-origin CORS. Empty by default: nobody is trusted and the headers are ignored, since any client can send them. The client's address is the rightmost X-Forwarded-For entry that is not itself a trusted proxy.
    ///
    /// An addition: python-engineio has no such option.
    public var trustedProxies: [String]

    /// Seconds a draining server (shutdown(drain:), or SIGTERM to eio serve) keeps serving its existing sessions while it refuses new ones with 503; then it closes those left with `server disconnect`, so clients that reconnect move to another backend.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: ≥ 0.
    public var drainTimeout: Double

    /// Every option at its default unless given.
    public init(
        asyncMode: AsyncMode? = nil,
        pingInterval: PingInterval = 25,
        pingTimeout: Double = 20,
        maxHttpBufferSize: Int = 1_000_000,
        allowUpgrades: Bool = true,
        httpCompression: Bool = true,
        compressionThreshold: Int = 1024,
        cookie: CookieOption? = nil,
        corsAllowedOrigins: CORSAllowedOrigins = .sameOrigin,
        corsCredentials: Bool = true,
        logger: LoggerOption = .disabled,
        json: JSONCodecOption = .standard,
        asyncHandlers: Bool = true,
        concurrentMessageHandlers: Bool = false,
        monitorClients: Bool = true,
        transports: [Transport] = [.polling, .websocket],
        upgradeTimeout: Double = 10,
        allowEIO3: Bool = false,
        perMessageDeflate: Bool = false,
        perMessageDeflateThreshold: Int = 1024,
        maxOutboundQueueBytes: Int = 16_000_000,
        maxPacketsPerPoll: Int = 16,
        maxHeaderBytes: Int = 16_384,
        headersTimeout: Double = 30,
        requestBodyTimeout: Double = 60,
        keepAliveTimeout: Double = 5,
        eventLoops: Int = 0,
        handlerThreads: Int = 32,
        closeTimeout: Double = 30,
        trustedProxies: [String] = [],
        drainTimeout: Double = 30
    ) {
        self.asyncMode = asyncMode
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxHttpBufferSize = maxHttpBufferSize
        self.allowUpgrades = allowUpgrades
        self.httpCompression = httpCompression
        self.compressionThreshold = compressionThreshold
        self.cookie = cookie
        self.corsAllowedOrigins = corsAllowedOrigins
        self.corsCredentials = corsCredentials
        self.logger = logger
        self.json = json
        self.asyncHandlers = asyncHandlers
        self.concurrentMessageHandlers = concurrentMessageHandlers
        self.monitorClients = monitorClients
        self.transports = transports
        self.upgradeTimeout = upgradeTimeout
        self.allowEIO3 = allowEIO3
        self.perMessageDeflate = perMessageDeflate
        self.perMessageDeflateThreshold = perMessageDeflateThreshold
        self.maxOutboundQueueBytes = maxOutboundQueueBytes
        self.maxPacketsPerPoll = maxPacketsPerPoll
        self.maxHeaderBytes = maxHeaderBytes
        self.headersTimeout = headersTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.eventLoops = eventLoops
        self.handlerThreads = handlerThreads
        self.closeTimeout = closeTimeout
        self.trustedProxies = trustedProxies
        self.drainTimeout = drainTimeout
    }

    /// These options, or the first one outside the range the spec allows.
    public func validated() throws(OptionError) -> ServerOptions {
        try pingInterval.validate(option: "pingInterval")
        try OptionError.require(pingTimeout, option: "pingTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(maxHttpBufferSize, option: "maxHttpBufferSize", min: 1, max: nil, minExclusive: false)
        try OptionError.require(compressionThreshold, option: "compressionThreshold", min: 0, max: nil, minExclusive: false)
        try cookie?.validate(option: "cookie")
        try corsAllowedOrigins.validate(option: "corsAllowedOrigins")
        try logger.validate(option: "logger")
        try json.validate(option: "json")
        try OptionError.requireTransports(transports, option: "transports")
        try OptionError.require(upgradeTimeout, option: "upgradeTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(perMessageDeflateThreshold, option: "perMessageDeflateThreshold", min: 0, max: nil, minExclusive: false)
        try OptionError.require(maxOutboundQueueBytes, option: "maxOutboundQueueBytes", min: 1, max: nil, minExclusive: false)
        try OptionError.require(maxPacketsPerPoll, option: "maxPacketsPerPoll", min: 1, max: nil, minExclusive: false)
        try OptionError.require(maxHeaderBytes, option: "maxHeaderBytes", min: 256, max: nil, minExclusive: false)
        try OptionError.require(headersTimeout, option: "headersTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(requestBodyTimeout, option: "requestBodyTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(keepAliveTimeout, option: "keepAliveTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(eventLoops, option: "eventLoops", min: 0, max: nil, minExclusive: false)
        try OptionError.require(handlerThreads, option: "handlerThreads", min: 1, max: nil, minExclusive: false)
        try OptionError.require(closeTimeout, option: "closeTimeout", min: 0, max: nil, minExclusive: true)
        try OptionError.require(drainTimeout, option: "drainTimeout", min: 0, max: nil, minExclusive: false)
        return self
    }

    /// Every parameter of the python class(es), in python's order, then our additions.
    public static let descriptors: [OptionDescriptor] = [
        OptionDescriptor(
            swiftName: "asyncMode",
            pythonName: "async_mode",
            swiftType: "AsyncMode?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Concurrency model for handlers; nil picks the one matching the class (threading for Server, async for AsyncServer). python's eventlet, gevent and framework modes have no Swift counterpart."
        ),
        OptionDescriptor(
            swiftName: "pingInterval",
            pythonName: "ping_interval",
            swiftType: "PingInterval",
            unit: "s",
            swiftDefault: "25",
            pythonDefault: "25",
            allowed: nil,
            isArgument: false,
            doc: "Seconds between server pings, or an (interval, grace) pair that pings every interval but tells the client interval + grace. It is advertised in exact milliseconds, following JS rather than python's whole-second truncation."
        ),
        OptionDescriptor(
            swiftName: "pingTimeout",
            pythonName: "ping_timeout",
            swiftType: "Double",
            unit: "s",
            swiftDefault: "20",
            pythonDefault: "20",
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds the server waits for a pong after each ping before closing the session with `ping timeout`; advertised to clients in milliseconds."
        ),
        OptionDescriptor(
            swiftName: "maxHttpBufferSize",
            pythonName: "max_http_buffer_size",
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "1_000_000",
            pythonDefault: "1000000",
            allowed: "≥ 1",
            isArgument: false,
            doc: "Largest accepted polling POST body or WebSocket message, in bytes; advertised to clients as maxPayload."
        ),
        OptionDescriptor(
            swiftName: "allowUpgrades",
            pythonName: "allow_upgrades",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether polling sessions may upgrade to WebSocket; when false the open packet advertises no upgrades."
        ),
        OptionDescriptor(
            swiftName: "httpCompression",
            pythonName: "http_compression",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether polling responses are compressed with gzip or deflate when the client's Accept-Encoding allows it."
        ),
        OptionDescriptor(
            swiftName: "compressionThreshold",
            pythonName: "compression_threshold",
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "1024",
            pythonDefault: "1024",
            allowed: "≥ 0",
            isArgument: false,
            doc: "Minimum size in bytes of an encoded polling response before HTTP compression is applied."
        ),
        OptionDescriptor(
            swiftName: "cookie",
            pythonName: "cookie",
            swiftType: "CookieOption?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "HTTP cookie holding the sid, set on the polling handshake response for sticky load balancing: a name, or a name with attributes. nil sends no cookie."
        ),
        OptionDescriptor(
            swiftName: "corsAllowedOrigins",
            pythonName: "cors_allowed_origins",
            swiftType: "CORSAllowedOrigins",
            unit: nil,
            swiftDefault: ".sameOrigin",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Origins allowed to connect: the same origin by default, one origin, a list, any origin, or CORS handling turned off. A request whose Origin is not allowed is rejected with 400, WebSockets included."
        ),
        OptionDescriptor(
            swiftName: "corsCredentials",
            pythonName: "cors_credentials",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether responses carry `Access-Control-Allow-Credentials: true` so browsers may send cookies and credentials."
        ),
        OptionDescriptor(
            swiftName: "logger",
            pythonName: "logger",
            swiftType: "LoggerOption",
            unit: nil,
            swiftDefault: ".disabled",
            pythonDefault: "False",
            allowed: nil,
            isArgument: false,
            doc: "Where log output goes: disabled (fatal errors are still reported), the default logger, or a custom one."
        ),
        OptionDescriptor(
            swiftName: "json",
            pythonName: "json",
            swiftType: "JSONCodecOption",
            unit: nil,
            swiftDefault: ".standard",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "JSON codec used to encode and decode structured message data; .standard is the built-in codec."
        ),
        OptionDescriptor(
            swiftName: "asyncHandlers",
            pythonName: "async_handlers",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether handlers run without holding up the session's transport, as in python. Either way a session's handlers run one at a time, in arrival order. When true the transport keeps reading while handlers run, up to a bound (then it pauses until they catch up); when false it stops reading from the session's client until each message's handler has returned, which holds a fast client to its slow handler's pace."
        ),
        OptionDescriptor(
            swiftName: "concurrentMessageHandlers",
            pythonName: nil,
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "false",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Runs each message handler as soon as its message arrives, alongside the session's other message handlers, as python-engineio does with async_handlers: messages of one session may then be handled concurrently and out of order. Off by default, so a session's events are handled one at a time, in order; the connect handler still runs first and the disconnect handler after the last message handler has returned."
        ),
        OptionDescriptor(
            swiftName: "monitorClients",
            pythonName: "monitor_clients",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Whether a background task closes sessions whose heartbeat has expired; python's None means true."
        ),
        OptionDescriptor(
            swiftName: "transports",
            pythonName: "transports",
            swiftType: "[Transport]",
            unit: nil,
            swiftDefault: "[.polling, .websocket]",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Transports the server accepts; python's None means both. Unlike python, the advertised upgrades are filtered by this list, as in JS."
        ),
        OptionDescriptor(
            swiftName: "upgradeTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "10",
            pythonDefault: nil,
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds a started WebSocket upgrade may take to complete before the candidate WebSocket is closed and the session stays on polling, as JS does; python has no such limit."
        ),
        OptionDescriptor(
            swiftName: "allowEIO3",
            pythonName: nil,
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "false",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Whether protocol v3 clients (EIO=3) are served alongside v4; when false they get the unsupported-protocol-version error."
        ),
        OptionDescriptor(
            swiftName: "perMessageDeflate",
            pythonName: nil,
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "false",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Whether the server accepts the RFC 7692 permessage-deflate extension when a WebSocket client offers it; off by default, as in JS."
        ),
        OptionDescriptor(
            swiftName: "perMessageDeflateThreshold",
            pythonName: nil,
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "1024",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Minimum WebSocket message size in bytes before permessage-deflate compresses it."
        ),
        OptionDescriptor(
            swiftName: "maxOutboundQueueBytes",
            pythonName: nil,
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "16_000_000",
            pythonDefault: nil,
            allowed: "≥ 1",
            isArgument: false,
            doc: "Limit in bytes on the packets queued for one session but not yet sent. A session whose unsent packets exceed it is closed with `forced close`."
        ),
        OptionDescriptor(
            swiftName: "maxPacketsPerPoll",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "16",
            pythonDefault: nil,
            allowed: "≥ 1",
            isArgument: false,
            doc: "Most packets one long-poll response carries; the rest wait for the next poll. python-engineio clients refuse payloads of more than 16 packets (its Payload.max_decode_packets), so the default keeps them working."
        ),
        OptionDescriptor(
            swiftName: "maxHeaderBytes",
            pythonName: nil,
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "16_384",
            pythonDefault: nil,
            allowed: "≥ 256",
            isArgument: false,
            doc: "Size limit in bytes of an HTTP request head (request line plus headers) accepted by the built-in server."
        ),
        OptionDescriptor(
            swiftName: "headersTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "30",
            pythonDefault: nil,
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds the built-in server gives a request head to arrive in full: the first from the connection's accept (its TLS handshake included), later ones from their first byte. After that the connection gets 408 Request Timeout (when it has begun a head and speaks HTTP) and is closed, so a peer cannot hold a socket by sending nothing or a byte at a time. Idle keep-alive connections between requests are governed by keepAliveTimeout."
        ),
        OptionDescriptor(
            swiftName: "requestBodyTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "60",
            pythonDefault: nil,
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds the built-in server gives a request body, from the end of its head, to arrive in full; after that the connection gets 408 Request Timeout and is closed, so a body sent a byte at a time cannot hold it open."
        ),
        OptionDescriptor(
            swiftName: "keepAliveTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "5",
            pythonDefault: nil,
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds the built-in server keeps an idle keep-alive connection open between requests (Node's default); after that it closes it, so idle sockets cannot pile up. A connection that never completes its first request head is closed after headersTimeout from its accept. WebSocket connections are governed by the Engine.IO heartbeat instead."
        ),
        OptionDescriptor(
            swiftName: "eventLoops",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "0",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Number of epoll event loops the built-in server runs; 0 starts one per CPU core."
        ),
        OptionDescriptor(
            swiftName: "handlerThreads",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "32",
            pythonDefault: nil,
            allowed: "≥ 1",
            isArgument: false,
            doc: "Most threads Server runs its blocking handlers on (AsyncServer runs them as tasks instead). Threads start when work waits and end after 10 s idle. A handler that blocks holds up only its own session until every thread is held up; then other sessions wait, and the log says so."
        ),
        OptionDescriptor(
            swiftName: "closeTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "30",
            pythonDefault: nil,
            allowed: "> 0",
            isArgument: false,
            doc: "Seconds a server-initiated close over polling waits for a GET to collect the close packet before the session is torn down anyway."
        ),
        OptionDescriptor(
            swiftName: "trustedProxies",
            pythonName: nil,
            swiftType: "[String]",
            unit: nil,
            swiftDefault: "[]",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Addresses or CIDR ranges (IPv4 or IPv6, e.g. 10.0.0.0/8, ::1) of the reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host headers the server believes: for the environ's REMOTE_ADDR and wsgi.url_scheme and for same-origin CORS. Empty by default: nobody is trusted and the headers are ignored, since any client can send them. The client's address is the rightmost X-Forwarded-For entry that is not itself a trusted proxy."
        ),
        OptionDescriptor(
            swiftName: "drainTimeout",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "30",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Seconds a draining server (shutdown(drain:), or SIGTERM to eio serve) keeps serving its existing sessions while it refuses new ones with 503; then it closes those left with `server disconnect`, so clients that reconnect move to another backend."
        ),
    ]
}

/// Constructor options of Client and AsyncClient: python's parameters in python's order, then our additions.
///
/// python-engineio: `Client`, `AsyncClient`.
public struct ClientOptions: Sendable {
    /// Where log output goes: disabled (fatal errors are still reported), the default logger, or a custom one.
    ///
    /// python-engineio: `logger`, default `False`.
    public var logger: LoggerOption

    /// JSON codec used to encode and decode structured message data; .standard is the built-in codec.
    ///
    /// python-engineio: `json`, default `None`.
    public var json: JSONCodecOption

    /// Timeout in seconds for the handshake request, each POST, and opening or closing the WebSocket.
    ///
    /// python-engineio: `request_timeout`, default `5`. Unit: seconds. Allowed: > 0.
    public var requestTimeout: Double

    /// Preconfigured HTTP session settings (proxies, cookies, client certificates) used for the client's requests; nil makes a private session.
    ///
    /// python-engineio: `http_session`, default `None`.
    public var httpSession: HTTPSessionConfiguration?

    /// Whether TLS certificates are verified on HTTPS and WSS connections; false also accepts self-signed certificates.
    ///
    /// python-engineio: `ssl_verify`, default `True`.
    public var sslVerify: Bool

    /// Whether an interrupt signal (SIGINT) disconnects the active clients before the previously installed handling runs.
    ///
    /// python-engineio: `handle_sigint`, default `True`.
    public var handleSigint: Bool

    /// Additional settings applied when opening the WebSocket, such as extra handshake headers; nil adds nothing.
    ///
    /// python-engineio: `websocket_extra_options`, default `None`.
    public var websocketExtraOptions: WebSocketExtraOptions?

    /// Whether a `t` timestamp is added to request query strings to defeat caches.
    ///
    /// python-engineio: `timestamp_requests`, default `True`.
    public var timestampRequests: Bool

    /// Path of a PEM file with the trusted CA certificates to use instead of the system trust store; nil uses the system store.
    ///
    /// An addition: python-engineio has no such option.
    public var caFile: String?

    /// Whether WebSocket connections offer RFC 7692 permessage-deflate compression to the server.
    ///
    /// An addition: python-engineio has no such option.
    public var perMessageDeflate: Bool

    /// Largest message, polling response body or inflated (gzip, deflate, permessage-deflate) body the client accepts, in bytes; the server's advertised maxPayload lowers it for messages, and before the open packet a response may not exceed 1 MiB. Larger ones end the session (or the connect) with a transport error that says so.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1024.
    public var maxMessageBytes: Int

    /// Bytes of sent messages the server has not taken yet (queued, in an unanswered POST, or unwritten on the WebSocket) above which send throws ClientError.sendQueueFull instead of buffering more, so a server that stops reading cannot make the client grow without bound.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1024.
    public var maxOutboundQueueBytes: Int

    /// Most redirects (301, 302, 303, 307, 308) the handshake follows, as python's client does through requests; only to http or https, never from https to http, and the last location becomes the server's URL for the session. 0 refuses redirects.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 0.
    public var maxRedirects: Int

    /// Most packets one polling POST carries; the rest go in the next one. python-engineio servers silently drop POSTs of more than 16 packets (its Payload.max_decode_packets), so the default keeps them working.
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1.
    public var maxPacketsPerPost: Int

    /// Whether the client reconnects, with exponential backoff, when an established session is lost (ping timeout, transport error, server disconnect), as socket.io-client's Manager does. Off by default, as in python-engineio and engine.io-client. Never after the application's own disconnect(), after a failed first connect (which throws), or when a reconnection attempt is refused with a 4xx status.
    ///
    /// An addition: python-engineio has no such option.
    public var reconnection: Bool

    /// Most reconnection attempts after one loss before the client gives up; nil tries for ever (socket.io-client's Infinity).
    ///
    /// An addition: python-engineio has no such option. Allowed: ≥ 1.
    public var reconnectionAttempts: Int?

    /// Seconds before the first reconnection attempt; each later attempt waits twice as long as the one before, up to reconnectionDelayMax, then randomized by randomizationFactor.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: ≥ 0.
    public var reconnectionDelay: Double

    /// Longest wait in seconds between two reconnection attempts.
    ///
    /// An addition: python-engineio has no such option. Unit: seconds. Allowed: ≥ 0.
    public var reconnectionDelayMax: Double

    /// How much each reconnection wait is randomized: a wait of d becomes a value between d × (1 − factor) and d × (1 + factor) (capped at reconnectionDelayMax), so that clients cut off together do not all come back at the same instant.
    ///
    /// An addition: python-engineio has no such option. Allowed: 0 ≤ value ≤ 1.
    public var randomizationFactor: Double

    /// Most message bytes send() keeps while the client reconnects; they go out in order once the new session opens. Past it send() throws reconnectBufferFull. Messages sent while the client is not connected and not reconnecting are dropped, as in python.
    ///
    /// An addition: python-engineio has no such option. Unit: bytes. Allowed: ≥ 0.
    public var reconnectionBufferBytes: Int

    /// Every option at its default unless given.
    public init(
        logger: LoggerOption = .disabled,
        json: JSONCodecOption = .standard,
        requestTimeout: Double = 5,
        httpSession: HTTPSessionConfiguration? = nil,
        sslVerify: Bool = true,
        handleSigint: Bool = true,
        websocketExtraOptions: WebSocketExtraOptions? = nil,
        timestampRequests: Bool = true,
        caFile: String? = nil,
        perMessageDeflate: Bool = true,
        maxMessageBytes: Int = 16_000_000,
        maxOutboundQueueBytes: Int = 16_000_000,
        maxRedirects: Int = 5,
        maxPacketsPerPost: Int = 16,
        reconnection: Bool = false,
        reconnectionAttempts: Int? = nil,
        reconnectionDelay: Double = 1,
        reconnectionDelayMax: Double = 5,
        randomizationFactor: Double = 0.5,
        reconnectionBufferBytes: Int = 1_000_000
    ) {
        self.logger = logger
        self.json = json
        self.requestTimeout = requestTimeout
        self.httpSession = httpSession
        self.sslVerify = sslVerify
        self.handleSigint = handleSigint
        self.websocketExtraOptions = websocketExtraOptions
        self.timestampRequests = timestampRequests
        self.caFile = caFile
        self.perMessageDeflate = perMessageDeflate
        self.maxMessageBytes = maxMessageBytes
        self.maxOutboundQueueBytes = maxOutboundQueueBytes
        self.maxRedirects = maxRedirects
        self.maxPacketsPerPost = maxPacketsPerPost
        self.reconnection = reconnection
        self.reconnectionAttempts = reconnectionAttempts
        self.reconnectionDelay = reconnectionDelay
        self.reconnectionDelayMax = reconnectionDelayMax
        self.randomizationFactor = randomizationFactor
        self.reconnectionBufferBytes = reconnectionBufferBytes
    }

    /// These options, or the first one outside the range the spec allows.
    public func validated() throws(OptionError) -> ClientOptions {
        try logger.validate(option: "logger")
        try json.validate(option: "json")
        try OptionError.require(requestTimeout, option: "requestTimeout", min: 0, max: nil, minExclusive: true)
        try httpSession?.validate(option: "httpSession")
        try websocketExtraOptions?.validate(option: "websocketExtraOptions")
        try OptionError.require(maxMessageBytes, option: "maxMessageBytes", min: 1024, max: nil, minExclusive: false)
        try OptionError.require(maxOutboundQueueBytes, option: "maxOutboundQueueBytes", min: 1024, max: nil, minExclusive: false)
        try OptionError.require(maxRedirects, option: "maxRedirects", min: 0, max: nil, minExclusive: false)
        try OptionError.require(maxPacketsPerPost, option: "maxPacketsPerPost", min: 1, max: nil, minExclusive: false)
        if let reconnectionAttempts { try OptionError.require(reconnectionAttempts, option: "reconnectionAttempts", min: 1, max: nil, minExclusive: false) }
        try OptionError.require(reconnectionDelay, option: "reconnectionDelay", min: 0, max: nil, minExclusive: false)
        try OptionError.require(reconnectionDelayMax, option: "reconnectionDelayMax", min: 0, max: nil, minExclusive: false)
        try OptionError.require(randomizationFactor, option: "randomizationFactor", min: 0, max: 1, minExclusive: false)
        try OptionError.require(reconnectionBufferBytes, option: "reconnectionBufferBytes", min: 0, max: nil, minExclusive: false)
        return self
    }

    /// Every parameter of the python class(es), in python's order, then our additions.
    public static let descriptors: [OptionDescriptor] = [
        OptionDescriptor(
            swiftName: "logger",
            pythonName: "logger",
            swiftType: "LoggerOption",
            unit: nil,
            swiftDefault: ".disabled",
            pythonDefault: "False",
            allowed: nil,
            isArgument: false,
            doc: "Where log output goes: disabled (fatal errors are still reported), the default logger, or a custom one."
        ),
        OptionDescriptor(
            swiftName: "json",
            pythonName: "json",
            swiftType: "JSONCodecOption",
            unit: nil,
            swiftDefault: ".standard",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "JSON codec used to encode and decode structured message data; .standard is the built-in codec."
        ),
        OptionDescriptor(
            swiftName: "requestTimeout",
            pythonName: "request_timeout",
            swiftType: "Double",
            unit: "s",
            swiftDefault: "5",
            pythonDefault: "5",
            allowed: "> 0",
            isArgument: false,
            doc: "Timeout in seconds for the handshake request, each POST, and opening or closing the WebSocket."
        ),
        OptionDescriptor(
            swiftName: "httpSession",
            pythonName: "http_session",
            swiftType: "HTTPSessionConfiguration?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Preconfigured HTTP session settings (proxies, cookies, client certificates) used for the client's requests; nil makes a private session."
        ),
        OptionDescriptor(
            swiftName: "sslVerify",
            pythonName: "ssl_verify",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether TLS certificates are verified on HTTPS and WSS connections; false also accepts self-signed certificates."
        ),
        OptionDescriptor(
            swiftName: "handleSigint",
            pythonName: "handle_sigint",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether an interrupt signal (SIGINT) disconnects the active clients before the previously installed handling runs."
        ),
        OptionDescriptor(
            swiftName: "websocketExtraOptions",
            pythonName: "websocket_extra_options",
            swiftType: "WebSocketExtraOptions?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Additional settings applied when opening the WebSocket, such as extra handshake headers; nil adds nothing."
        ),
        OptionDescriptor(
            swiftName: "timestampRequests",
            pythonName: "timestamp_requests",
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: "True",
            allowed: nil,
            isArgument: false,
            doc: "Whether a `t` timestamp is added to request query strings to defeat caches."
        ),
        OptionDescriptor(
            swiftName: "caFile",
            pythonName: nil,
            swiftType: "String?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Path of a PEM file with the trusted CA certificates to use instead of the system trust store; nil uses the system store."
        ),
        OptionDescriptor(
            swiftName: "perMessageDeflate",
            pythonName: nil,
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "true",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Whether WebSocket connections offer RFC 7692 permessage-deflate compression to the server."
        ),
        OptionDescriptor(
            swiftName: "maxMessageBytes",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "16_000_000",
            pythonDefault: nil,
            allowed: "≥ 1024",
            isArgument: false,
            doc: "Largest message, polling response body or inflated (gzip, deflate, permessage-deflate) body the client accepts, in bytes; the server's advertised maxPayload lowers it for messages, and before the open packet a response may not exceed 1 MiB. Larger ones end the session (or the connect) with a transport error that says so."
        ),
        OptionDescriptor(
            swiftName: "maxOutboundQueueBytes",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "16_000_000",
            pythonDefault: nil,
            allowed: "≥ 1024",
            isArgument: false,
            doc: "Bytes of sent messages the server has not taken yet (queued, in an unanswered POST, or unwritten on the WebSocket) above which send throws ClientError.sendQueueFull instead of buffering more, so a server that stops reading cannot make the client grow without bound."
        ),
        OptionDescriptor(
            swiftName: "maxRedirects",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "5",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Most redirects (301, 302, 303, 307, 308) the handshake follows, as python's client does through requests; only to http or https, never from https to http, and the last location becomes the server's URL for the session. 0 refuses redirects."
        ),
        OptionDescriptor(
            swiftName: "maxPacketsPerPost",
            pythonName: nil,
            swiftType: "Int",
            unit: nil,
            swiftDefault: "16",
            pythonDefault: nil,
            allowed: "≥ 1",
            isArgument: false,
            doc: "Most packets one polling POST carries; the rest go in the next one. python-engineio servers silently drop POSTs of more than 16 packets (its Payload.max_decode_packets), so the default keeps them working."
        ),
        OptionDescriptor(
            swiftName: "reconnection",
            pythonName: nil,
            swiftType: "Bool",
            unit: nil,
            swiftDefault: "false",
            pythonDefault: nil,
            allowed: nil,
            isArgument: false,
            doc: "Whether the client reconnects, with exponential backoff, when an established session is lost (ping timeout, transport error, server disconnect), as socket.io-client's Manager does. Off by default, as in python-engineio and engine.io-client. Never after the application's own disconnect(), after a failed first connect (which throws), or when a reconnection attempt is refused with a 4xx status."
        ),
        OptionDescriptor(
            swiftName: "reconnectionAttempts",
            pythonName: nil,
            swiftType: "Int?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: nil,
            allowed: "≥ 1",
            isArgument: false,
            doc: "Most reconnection attempts after one loss before the client gives up; nil tries for ever (socket.io-client's Infinity)."
        ),
        OptionDescriptor(
            swiftName: "reconnectionDelay",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "1",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Seconds before the first reconnection attempt; each later attempt waits twice as long as the one before, up to reconnectionDelayMax, then randomized by randomizationFactor."
        ),
        OptionDescriptor(
            swiftName: "reconnectionDelayMax",
            pythonName: nil,
            swiftType: "Double",
            unit: "s",
            swiftDefault: "5",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Longest wait in seconds between two reconnection attempts."
        ),
        OptionDescriptor(
            swiftName: "randomizationFactor",
            pythonName: nil,
            swiftType: "Double",
            unit: nil,
            swiftDefault: "0.5",
            pythonDefault: nil,
            allowed: "0 ≤ value ≤ 1",
            isArgument: false,
            doc: "How much each reconnection wait is randomized: a wait of d becomes a value between d × (1 − factor) and d × (1 + factor) (capped at reconnectionDelayMax), so that clients cut off together do not all come back at the same instant."
        ),
        OptionDescriptor(
            swiftName: "reconnectionBufferBytes",
            pythonName: nil,
            swiftType: "Int",
            unit: "bytes",
            swiftDefault: "1_000_000",
            pythonDefault: nil,
            allowed: "≥ 0",
            isArgument: false,
            doc: "Most message bytes send() keeps while the client reconnects; they go out in order once the new session opens. Past it send() throws reconnectBufferFull. Messages sent while the client is not connected and not reconnecting are dropped, as in python."
        ),
    ]
}

/// Arguments of Client.connect and AsyncClient.connect.
///
/// python-engineio: `Client.connect`, `AsyncClient.connect`.
public struct ConnectOptions: Sendable {
    /// Extra HTTP headers sent with the handshake request and the WebSocket handshake.
    ///
    /// python-engineio: `headers`, default `None`.
    public var headers: [String: String]

    /// Transports the client may use, the first one for the handshake; nil means polling first, then an upgrade to WebSocket.
    ///
    /// python-engineio: `transports`, default `None`.
    public var transports: [Transport]?

    /// Path of the server's Engine.IO endpoint; the default suits most servers.
    ///
    /// python-engineio: `engineio_path`, default `'engine.io'`.
    public var engineioPath: String

    /// Every option at its default unless given.
    public init(
        headers: [String: String] = [:],
        transports: [Transport]? = nil,
        engineioPath: String = "engine.io"
    ) {
        self.headers = headers
        self.transports = transports
        self.engineioPath = engineioPath
    }

    /// These options, or the first one outside the range the spec allows.
    public func validated() throws(OptionError) -> ConnectOptions {
        if let transports { try OptionError.requireTransports(transports, option: "transports") }
        return self
    }

    /// Every parameter of the python class(es), in python's order, then our additions.
    public static let descriptors: [OptionDescriptor] = [
        OptionDescriptor(
            swiftName: "url",
            pythonName: "url",
            swiftType: "String",
            unit: nil,
            swiftDefault: nil,
            pythonDefault: "(required)",
            allowed: nil,
            isArgument: true,
            doc: "Server URL (http, https, ws or wss), optionally with custom query parameters; its path is ignored in favour of engineioPath, as in python."
        ),
        OptionDescriptor(
            swiftName: "headers",
            pythonName: "headers",
            swiftType: "[String: String]",
            unit: nil,
            swiftDefault: "[:]",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Extra HTTP headers sent with the handshake request and the WebSocket handshake."
        ),
        OptionDescriptor(
            swiftName: "transports",
            pythonName: "transports",
            swiftType: "[Transport]?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Transports the client may use, the first one for the handshake; nil means polling first, then an upgrade to WebSocket."
        ),
        OptionDescriptor(
            swiftName: "engineioPath",
            pythonName: "engineio_path",
            swiftType: "String",
            unit: nil,
            swiftDefault: "\"engine.io\"",
            pythonDefault: "'engine.io'",
            allowed: nil,
            isArgument: false,
            doc: "Path of the server's Engine.IO endpoint; the default suits most servers."
        ),
    ]
}

/// Arguments of the HTTP adapter for a blocking Server, mirroring python's WSGIApp.
///
/// python-engineio: `WSGIApp`.
public struct WSGIAppOptions: Sendable {
    /// Rules mapping URL paths to static files or directories, served for paths outside the Engine.IO endpoint and meant for development; nil serves none.
    ///
    /// python-engineio: `static_files`, default `None`.
    public var staticFiles: StaticFiles?

    /// URL path where the Engine.IO endpoint is mounted; it is normalised to `/path/`.
    ///
    /// python-engineio: `engineio_path`, default `'engine.io'`.
    public var engineioPath: String

    /// Every option at its default unless given.
    public init(
        staticFiles: StaticFiles? = nil,
        engineioPath: String = "engine.io"
    ) {
        self.staticFiles = staticFiles
        self.engineioPath = engineioPath
    }

    /// These options, or the first one outside the range the spec allows.
    public func validated() throws(OptionError) -> WSGIAppOptions {
        try staticFiles?.validate(option: "staticFiles")
        return self
    }

    /// Every parameter of the python class(es), in python's order, then our additions.
    public static let descriptors: [OptionDescriptor] = [
        OptionDescriptor(
            swiftName: "engineioApp",
            pythonName: "engineio_app",
            swiftType: "Server",
            unit: nil,
            swiftDefault: nil,
            pythonDefault: "(required)",
            allowed: nil,
            isArgument: true,
            doc: "The blocking Server that receives every request under engineioPath."
        ),
        OptionDescriptor(
            swiftName: "wsgiApp",
            pythonName: "wsgi_app",
            swiftType: "HTTPHandler?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: true,
            doc: "Handler for all other HTTP traffic; nil answers such requests with 404 Not Found."
        ),
        OptionDescriptor(
            swiftName: "staticFiles",
            pythonName: "static_files",
            swiftType: "StaticFiles?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Rules mapping URL paths to static files or directories, served for paths outside the Engine.IO endpoint and meant for development; nil serves none."
        ),
        OptionDescriptor(
            swiftName: "engineioPath",
            pythonName: "engineio_path",
            swiftType: "String",
            unit: nil,
            swiftDefault: "\"engine.io\"",
            pythonDefault: "'engine.io'",
            allowed: nil,
            isArgument: false,
            doc: "URL path where the Engine.IO endpoint is mounted; it is normalised to `/path/`."
        ),
    ]
}

/// Arguments of the HTTP adapter for an AsyncServer, mirroring python's ASGIApp.
///
/// python-engineio: `ASGIApp`.
public struct ASGIAppOptions: Sendable {
    /// Rules mapping URL paths to static files or directories, served for paths outside the Engine.IO endpoint and meant for development; nil serves none.
    ///
    /// python-engineio: `static_files`, default `None`.
    public var staticFiles: StaticFiles?

    /// URL path where the Engine.IO endpoint is mounted; it is normalised to `/path/`.
    ///
    /// python-engineio: `engineio_path`, default `'engine.io'`.
    public var engineioPath: String

    /// Every option at its default unless given.
    public init(
        staticFiles: StaticFiles? = nil,
        engineioPath: String = "engine.io"
    ) {
        self.staticFiles = staticFiles
        self.engineioPath = engineioPath
    }

    /// These options, or the first one outside the range the spec allows.
    public func validated() throws(OptionError) -> ASGIAppOptions {
        try staticFiles?.validate(option: "staticFiles")
        return self
    }

    /// Every parameter of the python class(es), in python's order, then our additions.
    public static let descriptors: [OptionDescriptor] = [
        OptionDescriptor(
            swiftName: "engineioServer",
            pythonName: "engineio_server",
            swiftType: "AsyncServer",
            unit: nil,
            swiftDefault: nil,
            pythonDefault: "(required)",
            allowed: nil,
            isArgument: true,
            doc: "The AsyncServer that receives every request under engineioPath."
        ),
        OptionDescriptor(
            swiftName: "otherAsgiApp",
            pythonName: "other_asgi_app",
            swiftType: "HTTPHandler?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: true,
            doc: "Handler for all other HTTP traffic; nil answers such requests with 404 Not Found."
        ),
        OptionDescriptor(
            swiftName: "staticFiles",
            pythonName: "static_files",
            swiftType: "StaticFiles?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: false,
            doc: "Rules mapping URL paths to static files or directories, served for paths outside the Engine.IO endpoint and meant for development; nil serves none."
        ),
        OptionDescriptor(
            swiftName: "engineioPath",
            pythonName: "engineio_path",
            swiftType: "String",
            unit: nil,
            swiftDefault: "\"engine.io\"",
            pythonDefault: "'engine.io'",
            allowed: nil,
            isArgument: false,
            doc: "URL path where the Engine.IO endpoint is mounted; it is normalised to `/path/`."
        ),
        OptionDescriptor(
            swiftName: "onStartup",
            pythonName: "on_startup",
            swiftType: "LifecycleHook?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: true,
            doc: "Hook, plain or async, run when the application starts; nil runs nothing."
        ),
        OptionDescriptor(
            swiftName: "onShutdown",
            pythonName: "on_shutdown",
            swiftType: "LifecycleHook?",
            unit: nil,
            swiftDefault: "nil",
            pythonDefault: "None",
            allowed: nil,
            isArgument: true,
            doc: "Hook, plain or async, run when the application shuts down; nil runs nothing."
        ),
    ]
}
