// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

public import EngineIOSpec

extension Server {
    /// python's `Server(**options)`: every option of `ServerOptions` as a parameter, at its default unless
    /// given. Throws `OptionError` for a value outside its allowed range, as `init(options:)` does.
    public convenience init(
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
    ) throws {
        try self.init(
            options: ServerOptions(
                asyncMode: asyncMode,
                pingInterval: pingInterval,
                pingTimeout: pingTimeout,
                maxHttpBufferSize: maxHttpBufferSize,
                allowUpgrades: allowUpgrades,
                httpCompression: httpCompression,
                compressionThreshold: compressionThreshold,
                cookie: cookie,
                corsAllowedOrigins: corsAllowedOrigins,
                corsCredentials: corsCredentials,
                logger: logger,
                json: json,
                asyncHandlers: asyncHandlers,
                concurrentMessageHandlers: concurrentMessageHandlers,
                monitorClients: monitorClients,
                transports: transports,
                upgradeTimeout: upgradeTimeout,
                allowEIO3: allowEIO3,
                perMessageDeflate: perMessageDeflate,
                perMessageDeflateThreshold: perMessageDeflateThreshold,
                maxOutboundQueueBytes: maxOutboundQueueBytes,
                maxPacketsPerPoll: maxPacketsPerPoll,
                maxHeaderBytes: maxHeaderBytes,
                headersTimeout: headersTimeout,
                requestBodyTimeout: requestBodyTimeout,
                keepAliveTimeout: keepAliveTimeout,
                eventLoops: eventLoops,
                handlerThreads: handlerThreads,
                closeTimeout: closeTimeout,
                trustedProxies: trustedProxies,
                drainTimeout: drainTimeout
            ))
    }
}

extension AsyncServer {
    /// python's `AsyncServer(**options)`: every option of `ServerOptions` as a parameter, at its default unless
    /// given. Throws `OptionError` for a value outside its allowed range, as `init(options:)` does.
    public convenience init(
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
    ) throws {
        try self.init(
            options: ServerOptions(
                asyncMode: asyncMode,
                pingInterval: pingInterval,
                pingTimeout: pingTimeout,
                maxHttpBufferSize: maxHttpBufferSize,
                allowUpgrades: allowUpgrades,
                httpCompression: httpCompression,
                compressionThreshold: compressionThreshold,
                cookie: cookie,
                corsAllowedOrigins: corsAllowedOrigins,
                corsCredentials: corsCredentials,
                logger: logger,
                json: json,
                asyncHandlers: asyncHandlers,
                concurrentMessageHandlers: concurrentMessageHandlers,
                monitorClients: monitorClients,
                transports: transports,
                upgradeTimeout: upgradeTimeout,
                allowEIO3: allowEIO3,
                perMessageDeflate: perMessageDeflate,
                perMessageDeflateThreshold: perMessageDeflateThreshold,
                maxOutboundQueueBytes: maxOutboundQueueBytes,
                maxPacketsPerPoll: maxPacketsPerPoll,
                maxHeaderBytes: maxHeaderBytes,
                headersTimeout: headersTimeout,
                requestBodyTimeout: requestBodyTimeout,
                keepAliveTimeout: keepAliveTimeout,
                eventLoops: eventLoops,
                handlerThreads: handlerThreads,
                closeTimeout: closeTimeout,
                trustedProxies: trustedProxies,
                drainTimeout: drainTimeout
            ))
    }
}

extension Client {
    /// python's `Client(**options)`: every option of `ClientOptions` as a parameter, at its default unless
    /// given. Throws `OptionError` for a value outside its allowed range, as `init(options:)` does.
    public convenience init(
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
    ) throws {
        try self.init(
            options: ClientOptions(
                logger: logger,
                json: json,
                requestTimeout: requestTimeout,
                httpSession: httpSession,
                sslVerify: sslVerify,
                handleSigint: handleSigint,
                websocketExtraOptions: websocketExtraOptions,
                timestampRequests: timestampRequests,
                caFile: caFile,
                perMessageDeflate: perMessageDeflate,
                maxMessageBytes: maxMessageBytes,
                maxOutboundQueueBytes: maxOutboundQueueBytes,
                maxRedirects: maxRedirects,
                maxPacketsPerPost: maxPacketsPerPost,
                reconnection: reconnection,
                reconnectionAttempts: reconnectionAttempts,
                reconnectionDelay: reconnectionDelay,
                reconnectionDelayMax: reconnectionDelayMax,
                randomizationFactor: randomizationFactor,
                reconnectionBufferBytes: reconnectionBufferBytes
            ))
    }
}

extension AsyncClient {
    /// python's `AsyncClient(**options)`: every option of `ClientOptions` as a parameter, at its default unless
    /// given. Throws `OptionError` for a value outside its allowed range, as `init(options:)` does.
    public convenience init(
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
    ) throws {
        try self.init(
            options: ClientOptions(
                logger: logger,
                json: json,
                requestTimeout: requestTimeout,
                httpSession: httpSession,
                sslVerify: sslVerify,
                handleSigint: handleSigint,
                websocketExtraOptions: websocketExtraOptions,
                timestampRequests: timestampRequests,
                caFile: caFile,
                perMessageDeflate: perMessageDeflate,
                maxMessageBytes: maxMessageBytes,
                maxOutboundQueueBytes: maxOutboundQueueBytes,
                maxRedirects: maxRedirects,
                maxPacketsPerPost: maxPacketsPerPost,
                reconnection: reconnection,
                reconnectionAttempts: reconnectionAttempts,
                reconnectionDelay: reconnectionDelay,
                reconnectionDelayMax: reconnectionDelayMax,
                randomizationFactor: randomizationFactor,
                reconnectionBufferBytes: reconnectionBufferBytes
            ))
    }
}
