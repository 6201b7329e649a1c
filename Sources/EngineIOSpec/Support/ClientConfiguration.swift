/// python's `http_session`: what a `requests.Session` would carry into every request the client makes.
public struct HTTPSessionConfiguration: Sendable, Hashable {
    /// Headers sent with every HTTP request and the WebSocket handshake.
    public var headers: [String: String]
    /// Cookies sent with every request and the WebSocket handshake.
    public var cookies: [String: String]
    /// A PEM file of trusted certificate authorities, instead of the system store.
    public var caFile: String?
    /// A PEM client certificate and its key, for servers that ask for one.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?

    /// An HTTP proxy, `http://host:port`: every connection (polling, WebSocket, TLS) goes through it as a
    /// `CONNECT` tunnel.
    public var proxy: String?

    public init(
        headers: [String: String] = [:], cookies: [String: String] = [:], caFile: String? = nil,
        clientCertificateFile: String? = nil, clientKeyFile: String? = nil, proxy: String? = nil
    ) {
        self.proxy = proxy
        self.headers = headers
        self.cookies = cookies
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    public func validate(option: String) throws(OptionError) {
        if let proxy, !proxy.hasPrefix("http://") {
            throw OptionError(option: option, message: "the proxy must be an http:// URL, not \(proxy)")
        }
        if (clientCertificateFile == nil) != (clientKeyFile == nil) {
            throw OptionError(option: option, message: "a client certificate needs its key, and a key its certificate")
        }
    }
}

/// python's `websocket_extra_options`: settings for the WebSocket connection only.
public struct WebSocketExtraOptions: Sendable, Hashable {
    /// Headers added to the WebSocket handshake; they override the client's own.
    public var headers: [String: String]
    /// `Sec-WebSocket-Protocol` values to offer.
    public var subprotocols: [String]
    /// Seconds to wait for the WebSocket handshake; `nil` uses `requestTimeout`.
    public var connectTimeout: Double?

    public init(headers: [String: String] = [:], subprotocols: [String] = [], connectTimeout: Double? = nil) {
        self.headers = headers
        self.subprotocols = subprotocols
        self.connectTimeout = connectTimeout
    }

    public func validate(option: String) throws(OptionError) {
        if let connectTimeout {
            try OptionError.require(connectTimeout, option: option + ".connectTimeout", min: 0, max: nil, minExclusive: true)
        }
    }
}
