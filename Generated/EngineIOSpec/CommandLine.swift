// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

extension ServerOptions {
    /// The flags `eio` takes for these options, generated from the spec: `--name VALUE`, or `--name` and
    /// `--no-name` for a switch.
    public static let commandLineFlags: [CommandLineFlag] = [
        CommandLineFlag(flag: "--ping-interval", option: "pingInterval", valueName: "SECONDS", doc: "Seconds between server pings, or an (interval, grace) pair that pings every interval but tells the client interval + grace"),
        CommandLineFlag(flag: "--ping-timeout", option: "pingTimeout", valueName: "SECONDS", doc: "Seconds the server waits for a pong after each ping before closing the session with `ping timeout`; advertised to clients in milliseconds"),
        CommandLineFlag(flag: "--max-http-buffer-size", option: "maxHttpBufferSize", valueName: "BYTES", doc: "Largest accepted polling POST body or WebSocket message, in bytes; advertised to clients as maxPayload"),
        CommandLineFlag(flag: "--allow-upgrades", option: "allowUpgrades", valueName: nil, doc: "Whether polling sessions may upgrade to WebSocket; when false the open packet advertises no upgrades"),
        CommandLineFlag(flag: "--http-compression", option: "httpCompression", valueName: nil, doc: "Whether polling responses are compressed with gzip or deflate when the client's Accept-Encoding allows it"),
        CommandLineFlag(flag: "--compression-threshold", option: "compressionThreshold", valueName: "BYTES", doc: "Minimum size in bytes of an encoded polling response before HTTP compression is applied"),
        CommandLineFlag(flag: "--cookie", option: "cookie", valueName: "VALUE", doc: "HTTP cookie holding the sid, set on the polling handshake response for sticky load balancing: a name, or a name with attributes"),
        CommandLineFlag(flag: "--cors-allowed-origins", option: "corsAllowedOrigins", valueName: "VALUE", doc: "Origins allowed to connect: the same origin by default, one origin, a list, any origin, or CORS handling turned off"),
        CommandLineFlag(flag: "--cors-credentials", option: "corsCredentials", valueName: nil, doc: "Whether responses carry `Access-Control-Allow-Credentials: true` so browsers may send cookies and credentials"),
        CommandLineFlag(flag: "--async-handlers", option: "asyncHandlers", valueName: nil, doc: "Whether handlers run without holding up the session's transport, as in python"),
        CommandLineFlag(flag: "--concurrent-message-handlers", option: "concurrentMessageHandlers", valueName: nil, doc: "Runs each message handler as soon as its message arrives, alongside the session's other message handlers, as python-engineio does with async_handlers: messages of one session may then be handled concurrently and out of order"),
        CommandLineFlag(flag: "--monitor-clients", option: "monitorClients", valueName: nil, doc: "Whether a background task closes sessions whose heartbeat has expired; python's None means true"),
        CommandLineFlag(flag: "--transports", option: "transports", valueName: "polling,websocket", doc: "Transports the server accepts; python's None means both"),
        CommandLineFlag(flag: "--upgrade-timeout", option: "upgradeTimeout", valueName: "SECONDS", doc: "Seconds a started WebSocket upgrade may take to complete before the candidate WebSocket is closed and the session stays on polling, as JS does; python has no such limit"),
        CommandLineFlag(flag: "--allow-eio3", option: "allowEIO3", valueName: nil, doc: "Whether protocol v3 clients (EIO=3) are served alongside v4; when false they get the unsupported-protocol-version error"),
        CommandLineFlag(flag: "--per-message-deflate", option: "perMessageDeflate", valueName: nil, doc: "Whether the server accepts the RFC 7692 permessage-deflate extension when a WebSocket client offers it; off by default, as in JS"),
        CommandLineFlag(flag: "--per-message-deflate-threshold", option: "perMessageDeflateThreshold", valueName: "BYTES", doc: "Minimum WebSocket message size in bytes before permessage-deflate compresses it"),
        CommandLineFlag(flag: "--max-outbound-queue-bytes", option: "maxOutboundQueueBytes", valueName: "BYTES", doc: "Limit in bytes on the packets queued for one session but not yet sent"),
        CommandLineFlag(flag: "--max-packets-per-poll", option: "maxPacketsPerPoll", valueName: "N", doc: "Most packets one long-poll response carries; the rest wait for the next poll"),
        CommandLineFlag(flag: "--max-header-bytes", option: "maxHeaderBytes", valueName: "BYTES", doc: "Size limit in bytes of an HTTP request head (request line plus headers) accepted by the built-in server"),
        CommandLineFlag(flag: "--headers-timeout", option: "headersTimeout", valueName: "SECONDS", doc: "Seconds the built-in server gives a request head to arrive in full: the first from the connection's accept (its TLS handshake included), later ones from their first byte"),
        CommandLineFlag(flag: "--request-body-timeout", option: "requestBodyTimeout", valueName: "SECONDS", doc: "Seconds the built-in server gives a request body, from the end of its head, to arrive in full; after that the connection gets 408 Request Timeout and is closed, so a body sent a byte at a time cannot hold it open"),
        CommandLineFlag(flag: "--keep-alive-timeout", option: "keepAliveTimeout", valueName: "SECONDS", doc: "Seconds the built-in server keeps an idle keep-alive connection open between requests (Node's default); after that it closes it, so idle sockets cannot pile up"),
        CommandLineFlag(flag: "--event-loops", option: "eventLoops", valueName: "N", doc: "Number of epoll event loops the built-in server runs; 0 starts one per CPU core"),
        CommandLineFlag(flag: "--handler-threads", option: "handlerThreads", valueName: "N", doc: "Most threads Server runs its blocking handlers on (AsyncServer runs them as tasks instead)"),
        CommandLineFlag(flag: "--close-timeout", option: "closeTimeout", valueName: "SECONDS", doc: "Seconds a server-initiated close over polling waits for a GET to collect the close packet before the session is torn down anyway"),
        CommandLineFlag(flag: "--trusted-proxies", option: "trustedProxies", valueName: "A,B,…", doc: "Addresses or CIDR ranges (IPv4 or IPv6, e.g"),
        CommandLineFlag(flag: "--drain-timeout", option: "drainTimeout", valueName: "SECONDS", doc: "Seconds a draining server (shutdown(drain:), or SIGTERM to eio serve) keeps serving its existing sessions while it refuses new ones with 503; then it closes those left with `server disconnect`, so clients that reconnect move to another backend"),
    ]

    /// Sets the option `flag` names from `value()` (asked only when the flag takes a value). Returns false when
    /// no option has this flag. Throws `OptionError` for text that is not a value of the option's type;
    /// ranges are `validated()`'s to check.
    public mutating func setCommandLineOption(_ flag: String, value: () throws(OptionError) -> String) throws(OptionError) -> Bool {
        switch flag {
        case "--ping-interval": pingInterval = try PingInterval(commandLineArgument: value(), option: "pingInterval")
        case "--ping-timeout": pingTimeout = try CommandLineValue.double(value(), option: "pingTimeout")
        case "--max-http-buffer-size": maxHttpBufferSize = try CommandLineValue.int(value(), option: "maxHttpBufferSize")
        case "--allow-upgrades": allowUpgrades = true
        case "--no-allow-upgrades": allowUpgrades = false
        case "--http-compression": httpCompression = true
        case "--no-http-compression": httpCompression = false
        case "--compression-threshold": compressionThreshold = try CommandLineValue.int(value(), option: "compressionThreshold")
        case "--cookie": cookie = try CookieOption(commandLineArgument: value(), option: "cookie")
        case "--cors-allowed-origins": corsAllowedOrigins = try CORSAllowedOrigins(commandLineArgument: value(), option: "corsAllowedOrigins")
        case "--cors-credentials": corsCredentials = true
        case "--no-cors-credentials": corsCredentials = false
        case "--async-handlers": asyncHandlers = true
        case "--no-async-handlers": asyncHandlers = false
        case "--concurrent-message-handlers": concurrentMessageHandlers = true
        case "--no-concurrent-message-handlers": concurrentMessageHandlers = false
        case "--monitor-clients": monitorClients = true
        case "--no-monitor-clients": monitorClients = false
        case "--transports": transports = try CommandLineValue.transports(value(), option: "transports")
        case "--upgrade-timeout": upgradeTimeout = try CommandLineValue.double(value(), option: "upgradeTimeout")
        case "--allow-eio3": allowEIO3 = true
        case "--no-allow-eio3": allowEIO3 = false
        case "--per-message-deflate": perMessageDeflate = true
        case "--no-per-message-deflate": perMessageDeflate = false
        case "--per-message-deflate-threshold": perMessageDeflateThreshold = try CommandLineValue.int(value(), option: "perMessageDeflateThreshold")
        case "--max-outbound-queue-bytes": maxOutboundQueueBytes = try CommandLineValue.int(value(), option: "maxOutboundQueueBytes")
        case "--max-packets-per-poll": maxPacketsPerPoll = try CommandLineValue.int(value(), option: "maxPacketsPerPoll")
        case "--max-header-bytes": maxHeaderBytes = try CommandLineValue.int(value(), option: "maxHeaderBytes")
        case "--headers-timeout": headersTimeout = try CommandLineValue.double(value(), option: "headersTimeout")
        case "--request-body-timeout": requestBodyTimeout = try CommandLineValue.double(value(), option: "requestBodyTimeout")
        case "--keep-alive-timeout": keepAliveTimeout = try CommandLineValue.double(value(), option: "keepAliveTimeout")
        case "--event-loops": eventLoops = try CommandLineValue.int(value(), option: "eventLoops")
        case "--handler-threads": handlerThreads = try CommandLineValue.int(value(), option: "handlerThreads")
        case "--close-timeout": closeTimeout = try CommandLineValue.double(value(), option: "closeTimeout")
        case "--trusted-proxies": trustedProxies = CommandLineValue.list(try value())
        case "--drain-timeout": drainTimeout = try CommandLineValue.double(value(), option: "drainTimeout")
        default: return false
        }
        return true
    }
}

extension ClientOptions {
    /// The flags `eio` takes for these options, generated from the spec: `--name VALUE`, or `--name` and
    /// `--no-name` for a switch.
    public static let commandLineFlags: [CommandLineFlag] = [
        CommandLineFlag(flag: "--request-timeout", option: "requestTimeout", valueName: "SECONDS", doc: "Timeout in seconds for the handshake request, each POST, and opening or closing the WebSocket"),
        CommandLineFlag(flag: "--ssl-verify", option: "sslVerify", valueName: nil, doc: "Whether TLS certificates are verified on HTTPS and WSS connections; false also accepts self-signed certificates"),
        CommandLineFlag(flag: "--handle-sigint", option: "handleSigint", valueName: nil, doc: "Whether an interrupt signal (SIGINT) disconnects the active clients before the previously installed handling runs"),
        CommandLineFlag(flag: "--timestamp-requests", option: "timestampRequests", valueName: nil, doc: "Whether a `t` timestamp is added to request query strings to defeat caches"),
        CommandLineFlag(flag: "--ca-file", option: "caFile", valueName: "TEXT", doc: "Path of a PEM file with the trusted CA certificates to use instead of the system trust store; nil uses the system store"),
        CommandLineFlag(flag: "--per-message-deflate", option: "perMessageDeflate", valueName: nil, doc: "Whether WebSocket connections offer RFC 7692 permessage-deflate compression to the server"),
        CommandLineFlag(flag: "--max-message-bytes", option: "maxMessageBytes", valueName: "N", doc: "Largest message, polling response body or inflated (gzip, deflate, permessage-deflate) body the client accepts, in bytes; the server's advertised maxPayload lowers it for messages, and before the open packet a response may not exceed 1 MiB"),
        CommandLineFlag(flag: "--max-outbound-queue-bytes", option: "maxOutboundQueueBytes", valueName: "N", doc: "Bytes of sent messages the server has not taken yet (queued, in an unanswered POST, or unwritten on the WebSocket) above which send throws ClientError.sendQueueFull instead of buffering more, so a server that stops reading cannot make the client grow without bound"),
        CommandLineFlag(flag: "--max-redirects", option: "maxRedirects", valueName: "N", doc: "Most redirects (301, 302, 303, 307, 308) the handshake follows, as python's client does through requests; only to http or https, never from https to http, and the last location becomes the server's URL for the session"),
        CommandLineFlag(flag: "--max-packets-per-post", option: "maxPacketsPerPost", valueName: "N", doc: "Most packets one polling POST carries; the rest go in the next one"),
        CommandLineFlag(flag: "--reconnection", option: "reconnection", valueName: nil, doc: "Whether the client reconnects, with exponential backoff, when an established session is lost (ping timeout, transport error, server disconnect), as socket.io-client's Manager does"),
        CommandLineFlag(flag: "--reconnection-attempts", option: "reconnectionAttempts", valueName: "N", doc: "Most reconnection attempts after one loss before the client gives up; nil tries for ever (socket.io-client's Infinity)"),
        CommandLineFlag(flag: "--reconnection-delay", option: "reconnectionDelay", valueName: "SECONDS", doc: "Seconds before the first reconnection attempt; each later attempt waits twice as long as the one before, up to reconnectionDelayMax, then randomized by randomizationFactor"),
        CommandLineFlag(flag: "--reconnection-delay-max", option: "reconnectionDelayMax", valueName: "SECONDS", doc: "Longest wait in seconds between two reconnection attempts"),
        CommandLineFlag(flag: "--randomization-factor", option: "randomizationFactor", valueName: "NUMBER", doc: "How much each reconnection wait is randomized: a wait of d becomes a value between d × (1 − factor) and d × (1 + factor) (capped at reconnectionDelayMax), so that clients cut off together do not all come back at the same instant"),
        CommandLineFlag(flag: "--reconnection-buffer-bytes", option: "reconnectionBufferBytes", valueName: "BYTES", doc: "Most message bytes send() keeps while the client reconnects; they go out in order once the new session opens"),
    ]

    /// Sets the option `flag` names from `value()` (asked only when the flag takes a value). Returns false when
    /// no option has this flag. Throws `OptionError` for text that is not a value of the option's type;
    /// ranges are `validated()`'s to check.
    public mutating func setCommandLineOption(_ flag: String, value: () throws(OptionError) -> String) throws(OptionError) -> Bool {
        switch flag {
        case "--request-timeout": requestTimeout = try CommandLineValue.double(value(), option: "requestTimeout")
        case "--ssl-verify": sslVerify = true
        case "--no-ssl-verify": sslVerify = false
        case "--handle-sigint": handleSigint = true
        case "--no-handle-sigint": handleSigint = false
        case "--timestamp-requests": timestampRequests = true
        case "--no-timestamp-requests": timestampRequests = false
        case "--ca-file": caFile = try value()
        case "--per-message-deflate": perMessageDeflate = true
        case "--no-per-message-deflate": perMessageDeflate = false
        case "--max-message-bytes": maxMessageBytes = try CommandLineValue.int(value(), option: "maxMessageBytes")
        case "--max-outbound-queue-bytes": maxOutboundQueueBytes = try CommandLineValue.int(value(), option: "maxOutboundQueueBytes")
        case "--max-redirects": maxRedirects = try CommandLineValue.int(value(), option: "maxRedirects")
        case "--max-packets-per-post": maxPacketsPerPost = try CommandLineValue.int(value(), option: "maxPacketsPerPost")
        case "--reconnection": reconnection = true
        case "--no-reconnection": reconnection = false
        case "--reconnection-attempts": reconnectionAttempts = try CommandLineValue.int(value(), option: "reconnectionAttempts")
        case "--reconnection-delay": reconnectionDelay = try CommandLineValue.double(value(), option: "reconnectionDelay")
        case "--reconnection-delay-max": reconnectionDelayMax = try CommandLineValue.double(value(), option: "reconnectionDelayMax")
        case "--randomization-factor": randomizationFactor = try CommandLineValue.double(value(), option: "randomizationFactor")
        case "--reconnection-buffer-bytes": reconnectionBufferBytes = try CommandLineValue.int(value(), option: "reconnectionBufferBytes")
        default: return false
        }
        return true
    }
}

extension ConnectOptions {
    /// The flags `eio` takes for these options, generated from the spec: `--name VALUE`, or `--name` and
    /// `--no-name` for a switch.
    public static let commandLineFlags: [CommandLineFlag] = [
        CommandLineFlag(flag: "--headers", option: "headers", valueName: "\"NAME: VALUE\"", doc: "Extra HTTP headers sent with the handshake request and the WebSocket handshake"),
        CommandLineFlag(flag: "--transports", option: "transports", valueName: "polling,websocket", doc: "Transports the client may use, the first one for the handshake; nil means polling first, then an upgrade to WebSocket"),
        CommandLineFlag(flag: "--engineio-path", option: "engineioPath", valueName: "TEXT", doc: "Path of the server's Engine.IO endpoint; the default suits most servers"),
    ]

    /// Sets the option `flag` names from `value()` (asked only when the flag takes a value). Returns false when
    /// no option has this flag. Throws `OptionError` for text that is not a value of the option's type;
    /// ranges are `validated()`'s to check.
    public mutating func setCommandLineOption(_ flag: String, value: () throws(OptionError) -> String) throws(OptionError) -> Bool {
        switch flag {
        case "--headers": try CommandLineValue.header(value(), into: &headers, option: "headers")
        case "--transports": transports = try CommandLineValue.transports(value(), option: "transports")
        case "--engineio-path": engineioPath = try value()
        default: return false
        }
        return true
    }
}
