/// The four permessage-deflate parameters (RFC 7692 §7.1), used both as what a side would like and as what was agreed.
///
/// As an agreement it tells each side how to set up zlib: see the `for role:` helpers. As preferences:
/// - on a server, `server*` bound our compressor and `client*` are what we ask of the client (a client window limit
///   can only be asked for when the client's offer included `client_max_window_bits`);
/// - on a client, `server*` are what we ask of the server and `client*` bound our compressor.
///
/// Window bits 8: zlib cannot produce a raw deflate stream with a 256-byte window (`deflateInit2` rejects it), so when
/// 8 is agreed for our compressor we compress with 9 (`compressorWindowBits(for:)`). That stays within the agreement
/// because zlib's deflate never emits a distance beyond the window size minus 262 bytes (`MAX_DIST`), i.e. at most 250
/// bytes with a 512-byte window, which a peer's 256-byte inflate window covers.
public struct PerMessageDeflateConfiguration: Sendable, Equatable, Hashable, Codable {
    /// The LZ77 window sizes RFC 7692 allows, as base-2 logarithms.
    public static let windowBitsRange: ClosedRange<Int> = 8...15

    /// The server resets its compressor after every message (`server_no_context_takeover`).
    public var serverNoContextTakeover: Bool
    /// The client resets its compressor after every message (`client_no_context_takeover`).
    public var clientNoContextTakeover: Bool
    /// The largest window the server compresses with (`server_max_window_bits`), 8...15.
    public var serverMaxWindowBits: Int
    /// The largest window the client compresses with (`client_max_window_bits`), 8...15.
    public var clientMaxWindowBits: Int

    /// A configuration; the defaults are RFC 7692's: context takeover on both sides and 32 KiB windows.
    /// - Precondition: both window sizes lie in `windowBitsRange`.
    public init(
        serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int = 15,
        clientMaxWindowBits: Int = 15
    ) {
        precondition(Self.windowBitsRange.contains(serverMaxWindowBits), "server_max_window_bits must be 8...15")
        precondition(Self.windowBitsRange.contains(clientMaxWindowBits), "client_max_window_bits must be 8...15")
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The window bits to give zlib's `deflateInit2` (negated, for raw deflate) on `role`'s side: the agreed limit,
    /// with 8 raised to 9 as explained on the type.
    public func compressorWindowBits(for role: WebSocketRole) -> Int {
        max(9, clamped(role == .server ? serverMaxWindowBits : clientMaxWindowBits))
    }

    /// The window bits to give zlib's `inflateInit2` (negated) on `role`'s side: the peer's agreed limit.
    public func decompressorWindowBits(for role: WebSocketRole) -> Int {
        clamped(role == .server ? clientMaxWindowBits : serverMaxWindowBits)
    }

    /// Whether `role` must reset its compressor after each message.
    public func resetsCompressor(for role: WebSocketRole) -> Bool {
        role == .server ? serverNoContextTakeover : clientNoContextTakeover
    }

    /// Whether `role` may reset its decompressor after each message, because the peer resets its compressor.
    public func resetsDecompressor(for role: WebSocketRole) -> Bool {
        role == .server ? clientNoContextTakeover : serverNoContextTakeover
    }

    /// The stored properties are public and settable, so guard zlib against values the initialiser would refuse.
    private func clamped(_ bits: Int) -> Int {
        min(max(bits, Self.windowBitsRange.lowerBound), Self.windowBitsRange.upperBound)
    }
}

/// What a server answers to an accepted permessage-deflate offer.
public struct PerMessageDeflateAcceptance: Sendable, Equatable, Hashable, Codable {
    /// The agreed parameters.
    public var configuration: PerMessageDeflateConfiguration
    /// The value for the response's `Sec-WebSocket-Extensions` header.
    public var responseHeaderValue: String

    /// An acceptance.
    public init(configuration: PerMessageDeflateConfiguration, responseHeaderValue: String) {
        self.configuration = configuration
        self.responseHeaderValue = responseHeaderValue
    }
}

/// permessage-deflate negotiation (RFC 7692 §5, §7.1). Compression itself is zlib's and lives in the shells.
public enum PerMessageDeflate {
    /// The extension token.
    public static let extensionName = "permessage-deflate"

    /// The bytes a sender strips from the end of each compressed message and a receiver appends before inflating
    /// (RFC 7692 §7.2.1, §7.2.2): the empty stored block a sync flush ends with.
    public static let messageTrailer: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    // MARK: Server

    /// Picks the first acceptable permessage-deflate offer among `offers` and builds the response; `nil` to decline.
    ///
    /// An offer is skipped (RFC 7692 §5.1) when it has a parameter we do not know, the same parameter twice, a value
    /// on a parameter that takes none, or window bits outside 8...15 (or written with a leading zero or sign). Other
    /// extensions are ignored. The agreement combines the offer with `preferences`:
    /// - `server_no_context_takeover` when offered or preferred;
    /// - `client_no_context_takeover` when offered (a promise by the client) or preferred (our request);
    /// - `server_max_window_bits`: the smaller of the offered and preferred values, sent back whenever offered or
    ///   below 15;
    /// - `client_max_window_bits`: only when offered, the smaller of the offered value (15 if none) and the preferred
    ///   one, sent back when below 15. Without it in the offer the client may use any window, which costs us only
    ///   inflate memory, so the offer is still accepted.
    public static func negotiate(
        offers: [WebSocketExtension],
        preferences: PerMessageDeflateConfiguration = PerMessageDeflateConfiguration()
    ) -> PerMessageDeflateAcceptance? {
        for offer in offers where WebSocketHeaderText.equalsIgnoringCase(offer.name, extensionName) {
            guard case .success(let offered) = Parameters.parse(offer.parameters, inResponse: false) else { continue }
            return accept(offered, preferences: preferences)
        }
        return nil
    }

    /// `negotiate(offers:preferences:)` on the raw values of every `Sec-WebSocket-Extensions` request header.
    ///
    /// A malformed header declines compression rather than failing the handshake: the connection works without it.
    public static func negotiate(
        headerValues: [String],
        preferences: PerMessageDeflateConfiguration = PerMessageDeflateConfiguration()
    ) -> PerMessageDeflateAcceptance? {
        guard let offers = WebSocketExtension.parse(headerValues: headerValues) else { return nil }
        return negotiate(offers: offers, preferences: preferences)
    }

    private static func accept(
        _ offered: Parameters,
        preferences: PerMessageDeflateConfiguration
    ) -> PerMessageDeflateAcceptance {
        var response = WebSocketExtension(name: extensionName)
        var agreed = PerMessageDeflateConfiguration()

        agreed.serverNoContextTakeover = offered.serverNoContextTakeover || preferences.serverNoContextTakeover
        if agreed.serverNoContextTakeover {
            response.parameters.append(.init(name: Parameters.serverNoContextTakeover))
        }
        agreed.clientNoContextTakeover = offered.clientNoContextTakeover || preferences.clientNoContextTakeover
        if agreed.clientNoContextTakeover {
            response.parameters.append(.init(name: Parameters.clientNoContextTakeover))
        }

        let preferredServerBits = clamped(preferences.serverMaxWindowBits)
        agreed.serverMaxWindowBits = min(offered.serverMaxWindowBits ?? 15, preferredServerBits)
        if offered.serverMaxWindowBits != nil || agreed.serverMaxWindowBits < 15 {
            response.parameters.append(
                .init(name: Parameters.serverMaxWindowBits, value: String(agreed.serverMaxWindowBits))
            )
        }

        if case .offered(let offeredClientBits) = offered.clientMaxWindowBits {
            agreed.clientMaxWindowBits = min(offeredClientBits ?? 15, clamped(preferences.clientMaxWindowBits))
            if agreed.clientMaxWindowBits < 15 {
                response.parameters.append(
                    .init(name: Parameters.clientMaxWindowBits, value: String(agreed.clientMaxWindowBits))
                )
            }
        }
        return PerMessageDeflateAcceptance(configuration: agreed, responseHeaderValue: response.headerValue)
    }

    // MARK: Client

    /// The offer a client sends for `preferences`.
    ///
    /// `client_max_window_bits` is always included (with a value when below 15) because we can honour any window the
    /// server asks for; `server_max_window_bits` only when asking for less than 15.
    public static func clientOffer(
        _ preferences: PerMessageDeflateConfiguration = PerMessageDeflateConfiguration()
    ) -> WebSocketExtension {
        var offer = WebSocketExtension(name: extensionName)
        if preferences.serverNoContextTakeover {
            offer.parameters.append(.init(name: Parameters.serverNoContextTakeover))
        }
        if preferences.clientNoContextTakeover {
            offer.parameters.append(.init(name: Parameters.clientNoContextTakeover))
        }
        let serverBits = clamped(preferences.serverMaxWindowBits)
        if serverBits < 15 {
            offer.parameters.append(.init(name: Parameters.serverMaxWindowBits, value: String(serverBits)))
        }
        let clientBits = clamped(preferences.clientMaxWindowBits)
        offer.parameters.append(
            .init(name: Parameters.clientMaxWindowBits, value: clientBits < 15 ? String(clientBits) : nil)
        )
        return offer
    }

    /// Checks the server's `Sec-WebSocket-Extensions` response against our offer; `nil` when the server declined
    /// compression.
    ///
    /// `offer` is the element we sent (normally `clientOffer(_:)`), or `nil` if we offered no extension. Fails
    /// (RFC 7692 §5.1, RFC 6455 §4.1) on any extension we did not offer, more than one element, unknown or duplicate
    /// parameters, `client_max_window_bits` when we did not offer it, without a value or above our value, and
    /// `server_max_window_bits` above the value we asked for.
    /// - Precondition: `offer`, when given, is a valid permessage-deflate offer.
    public static func acceptResponse(
        _ extensions: [WebSocketExtension],
        offer: WebSocketExtension?
    ) throws(WebSocketHandshakeError) -> PerMessageDeflateConfiguration? {
        guard let first = extensions.first else { return nil }
        guard let offer, WebSocketHeaderText.equalsIgnoringCase(first.name, extensionName) else {
            throw .unexpectedExtension(first.name)
        }
        if extensions.count > 1 { throw .unexpectedExtension(extensions[1].name) }
        guard case .success(let offered) = Parameters.parse(offer.parameters, inResponse: false) else {
            preconditionFailure("invalid permessage-deflate offer: \(offer.headerValue)")
        }
        let answered: Parameters
        switch Parameters.parse(first.parameters, inResponse: true) {
        case .success(let parsed): answered = parsed
        case .failure(let failure): throw .invalidExtensionResponse(failure.reason)
        }

        var agreed = PerMessageDeflateConfiguration()
        agreed.serverNoContextTakeover = answered.serverNoContextTakeover
        // Offering client_no_context_takeover is a promise we keep whether or not the server repeats it.
        agreed.clientNoContextTakeover = answered.clientNoContextTakeover || offered.clientNoContextTakeover

        // The server may limit its own window even unasked; a server that ignores our request compresses within
        // 15 bits, which an inflater sized for 15 handles, so a missing answer is not an error.
        let askedServerBits = offered.serverMaxWindowBits ?? 15
        let serverBits = answered.serverMaxWindowBits ?? 15
        if serverBits > askedServerBits {
            throw .invalidExtensionResponse(
                "server_max_window_bits=\(serverBits) exceeds the offered \(askedServerBits)"
            )
        }
        agreed.serverMaxWindowBits = serverBits

        switch (offered.clientMaxWindowBits, answered.clientMaxWindowBits) {
        case (.absent, .offered):
            throw .invalidExtensionResponse("client_max_window_bits was not offered")
        case (.offered(let ours), .offered(let theirs)):
            let limit = ours ?? 15
            let bits = theirs ?? limit
            if bits > limit {
                throw .invalidExtensionResponse("client_max_window_bits=\(bits) exceeds the offered \(limit)")
            }
            agreed.clientMaxWindowBits = bits
        case (.offered(let ours), .absent):
            agreed.clientMaxWindowBits = ours ?? 15
        case (.absent, .absent):
            agreed.clientMaxWindowBits = 15
        }
        return agreed
    }

    /// `acceptResponse(_:offer:)` on the raw values of every `Sec-WebSocket-Extensions` response header.
    public static func acceptResponse(
        headerValues: [String],
        offer: WebSocketExtension?
    ) throws(WebSocketHandshakeError) -> PerMessageDeflateConfiguration? {
        guard let extensions = WebSocketExtension.parse(headerValues: headerValues) else {
            throw .invalidExtensionResponse("malformed Sec-WebSocket-Extensions header")
        }
        return try acceptResponse(extensions, offer: offer)
    }

    private static func clamped(_ bits: Int) -> Int {
        min(
            max(bits, PerMessageDeflateConfiguration.windowBitsRange.lowerBound),
            PerMessageDeflateConfiguration.windowBitsRange.upperBound
        )
    }

    /// The parameters of one permessage-deflate element, checked against RFC 7692 §7.1.
    private struct Parameters {
        static let serverNoContextTakeover = "server_no_context_takeover"
        static let clientNoContextTakeover = "client_no_context_takeover"
        static let serverMaxWindowBits = "server_max_window_bits"
        static let clientMaxWindowBits = "client_max_window_bits"

        enum ClientWindowBits {
            case absent
            /// Present; the value is optional in an offer (RFC 7692 §7.1.2.2).
            case offered(Int?)
        }

        struct Failure: Error {
            var reason: String
        }

        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int?
        var clientMaxWindowBits = ClientWindowBits.absent

        static func parse(_ parameters: [WebSocketExtension.Parameter], inResponse: Bool) -> Result<Self, Failure> {
            var result = Parameters()
            var seen: Set<String> = []
            for parameter in parameters {
                let name = String(decoding: parameter.name.utf8.map(WebSocketHeaderText.lowercased), as: UTF8.self)
                guard seen.insert(name).inserted else { return .failure(Failure(reason: "duplicate \(name)")) }
                switch name {
                case serverNoContextTakeover, clientNoContextTakeover:
                    guard parameter.value == nil else { return .failure(Failure(reason: "\(name) takes no value")) }
                    if name == serverNoContextTakeover {
                        result.serverNoContextTakeover = true
                    } else {
                        result.clientNoContextTakeover = true
                    }
                case serverMaxWindowBits:
                    guard let bits = windowBits(parameter.value) else {
                        return .failure(Failure(reason: "invalid \(name)"))
                    }
                    result.serverMaxWindowBits = bits
                case clientMaxWindowBits:
                    guard let value = parameter.value else {
                        if inResponse { return .failure(Failure(reason: "\(name) without a value")) }
                        result.clientMaxWindowBits = .offered(nil)
                        continue
                    }
                    guard let bits = windowBits(value) else { return .failure(Failure(reason: "invalid \(name)")) }
                    result.clientMaxWindowBits = .offered(bits)
                default:
                    return .failure(Failure(reason: "unknown parameter \(parameter.name)"))
                }
            }
            return .success(result)
        }

        /// RFC 7692 §7.1.2: a decimal 8...15 without leading zeros, so `Int(_:)` (which takes `+9` and `09`) won't do.
        static func windowBits(_ value: String?) -> Int? {
            switch value {
            case "8": 8
            case "9": 9
            case "10": 10
            case "11": 11
            case "12": 12
            case "13": 13
            case "14": 14
            case "15": 15
            default: nil
            }
        }
    }
}
