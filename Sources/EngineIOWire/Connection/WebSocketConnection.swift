// Theory of operation
//
// `WebSocketConnection` is one WebSocket after its opening handshake, for either side, as a value: bytes from the
// peer go in (`receive`), messages and the peer's close come out (`nextEvent`), the application's messages and
// closes go in (`send`, `close`), and the bytes to write wait in `output` until the shell says how many it wrote
// (`didWrite`). No sockets, clocks or randomness: time comes in as milliseconds, client masking keys come from a
// seeded generator the shell seeds.
//
// Phases: `open` → `closing` (our close frame is queued; the peer's is awaited until a deadline) → `closed`; or
// `open` → `closed` directly when the peer closes first (our answering close frame is queued) or breaks the
// protocol (our close frame carries the code RFC 6455 assigns to the violation: 1002, 1007 or 1009). `closed` is
// terminal: what is queued is still written, then the shell ends the TCP connection (`isFinished`). The owner hears
// of the end at most once, as `closedByPeer` or `failed`; a close it asked for itself is no news.
//
// Automatic replies: a ping is answered with a pong carrying its payload; a peer's close frame with a close frame
// carrying the same code.
//
// permessage-deflate (RFC 7692), when agreed, runs through a compressor the shell injects (zlib lives above this
// module): messages of at least `compressionThreshold` bytes are sent compressed; compressed messages are inflated
// up to `maxMessageSize` bytes (else 1009) and text is checked as UTF-8 once inflated (else 1007).
//
// Flow control: the machine accounts every byte it holds (`heldBytes`: unparsed input, the message being
// assembled, unsent output). Input is bounded by `maxMessageSize` plus one frame header and whatever one read
// brings, because the shell reads only while `wantsToRead`: that turns false while more than `outputHighWater`
// bytes wait to be written (a peer that sends without reading our answers, pings included, slows itself down) and
// true again at `outputLowWater`, and the owner may pause reading too (`readingPaused`, e.g. while its handlers
// catch up). Output the application adds is bounded by the owner (Engine.IO's `maxOutboundQueueBytes`).

/// One WebSocket message's content: text (valid UTF-8) or binary.
public enum WebSocketPayload: Hashable, Sendable, Codable {
    case text([UInt8])
    case binary([UInt8])

    /// The message's bytes.
    public var bytes: [UInt8] {
        switch self {
        case .text(let bytes), .binary(let bytes): bytes
        }
    }
}

/// Compresses and inflates whole messages for permessage-deflate; the shell provides one over zlib, set up for the
/// agreed window sizes and context takeover.
public protocol WebSocketMessageCompressor: AnyObject, Sendable {
    /// `message` as one compressed message, without the 4-byte trailer RFC 7692 §7.2.1 strips.
    func compress(_ message: [UInt8]) throws -> [UInt8]
    /// A received compressed message (trailer not appended) inflated, refusing more than `limit` bytes.
    func decompress(_ payload: [UInt8], limit: Int) throws(WebSocketDecompressionError) -> [UInt8]
}

/// Why a compressed message could not be inflated.
public enum WebSocketDecompressionError: Error, Sendable, Equatable {
    /// It inflates to more than the limit.
    case tooLarge
    /// It is not valid deflate data.
    case invalid
}

/// Why a WebSocket failed; each carries the close code sent to the peer.
public enum WebSocketConnectionError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The peer broke RFC 6455 framing rules.
    case protocolViolation(WebSocketProtocolError)
    /// A compressed message inflates beyond the message limit.
    case inflatedMessageTooLarge(limit: Int)
    /// A compressed message is not valid deflate data.
    case invalidCompressedData
    /// A compressed text message is not UTF-8 once inflated.
    case invalidUTF8AfterInflating
    /// A compressed message arrived although permessage-deflate was not agreed.
    case unexpectedCompression

    /// The close code the connection is failed with.
    public var closeCode: UInt16 {
        switch self {
        case .protocolViolation(let error): error.closeCode
        case .inflatedMessageTooLarge: WebSocketCloseCode.messageTooBig
        case .invalidCompressedData, .invalidUTF8AfterInflating: WebSocketCloseCode.invalidPayload
        case .unexpectedCompression: WebSocketCloseCode.protocolError
        }
    }

    public var description: String {
        switch self {
        case .protocolViolation(let error): error.description
        case .inflatedMessageTooLarge(let limit): "compressed message inflates beyond \(limit) bytes"
        case .invalidCompressedData: "compressed message is not valid deflate data"
        case .invalidUTF8AfterInflating: "compressed text message is not UTF-8 once inflated"
        case .unexpectedCompression: "compressed message without a negotiated permessage-deflate"
        }
    }
}

/// One open WebSocket, server or client side, as a value (see the theory of operation above).
public struct WebSocketConnection: Sendable {
    /// What the connection allows and how it paces itself. Copies share one box of values (see `Shared`), so the
    /// connections of a server hold a pointer each, not a copy.
    public struct Configuration: Sendable, Equatable, Hashable {
        private struct Values: Sendable, Hashable {
            var role: WebSocketRole
            var maxMessageSize: Int
            var compressionThreshold: Int
            var closeTimeout: Int64
            var outputHighWater: Int
            var outputLowWater: Int
        }

        private var values: Shared<Values>

        /// Which side of the WebSocket this is (a client masks what it sends).
        public var role: WebSocketRole {
            get { values.value.role }
            set { values.value.role = newValue }
        }
        /// The largest message (after inflating, for compressed ones), in bytes.
        public var maxMessageSize: Int {
            get { values.value.maxMessageSize }
            set { values.value.maxMessageSize = newValue }
        }
        /// Messages of at least this many bytes are sent compressed when permessage-deflate was agreed.
        public var compressionThreshold: Int {
            get { values.value.compressionThreshold }
            set { values.value.compressionThreshold = newValue }
        }
        /// How long (milliseconds) our close waits for the peer's close frame.
        public var closeTimeout: Int64 {
            get { values.value.closeTimeout }
            set { values.value.closeTimeout = newValue }
        }
        /// Reading stops while more than this many bytes wait to be written…
        public var outputHighWater: Int {
            get { values.value.outputHighWater }
            set { values.value.outputHighWater = newValue }
        }
        /// …and resumes once no more than this many do.
        public var outputLowWater: Int {
            get { values.value.outputLowWater }
            set { values.value.outputLowWater = newValue }
        }

        public init(
            role: WebSocketRole, maxMessageSize: Int, compressionThreshold: Int = 1024, closeTimeout: Int64 = 1_000,
            outputHighWater: Int = 256 * 1024, outputLowWater: Int = 64 * 1024
        ) {
            values = Shared(
                Values(
                    role: role, maxMessageSize: maxMessageSize, compressionThreshold: compressionThreshold, closeTimeout: closeTimeout,
                    outputHighWater: outputHighWater, outputLowWater: min(outputLowWater, outputHighWater)))
        }
    }

    public enum Phase: Sendable, Equatable, Hashable {
        case open
        /// Our close frame is queued; the peer's is awaited until `deadline` (milliseconds).
        case closing(deadline: Int64)
        /// The WebSocket is over: what is queued is written, then the TCP connection ends.
        case closed
    }

    /// What the owner learns from the peer.
    public enum Event: Sendable, Equatable, Hashable {
        case message(WebSocketPayload)
        /// The peer closed the WebSocket (`code` as it sent it); our answering close frame is queued.
        case closedByPeer(code: UInt16?)
        /// The peer broke the protocol; our close frame with `error.closeCode` is queued.
        case failed(WebSocketConnectionError)
    }

    public private(set) var configuration: Configuration
    public private(set) var phase = Phase.open
    private var assembler: WebSocketMessageAssembler
    private var compressor: (any WebSocketMessageCompressor)?
    private var keys: MaskingKeyGenerator?
    /// Bytes waiting to be written.
    public private(set) var output = OutputBuffer()
    private var pausedForOutput = false
    /// The owner's own reason to stop reading (its application is behind, say).
    public var readingPaused = false

    /// A connection whose opening handshake is done. `compressor`: permessage-deflate, when agreed. `maskingSeed`:
    /// seeds the client's masking keys (ignored for a server); the shell draws it from a secure source.
    public init(configuration: Configuration, compressor: (any WebSocketMessageCompressor)? = nil, maskingSeed: UInt64 = 0) {
        self.configuration = configuration
        self.compressor = compressor
        let limits = WebSocketFrameParser.Limits(maxFrameSize: configuration.maxMessageSize, allowRSV1: compressor != nil)
        assembler = WebSocketMessageAssembler(role: configuration.role, limits: limits, maxMessageSize: configuration.maxMessageSize)
        if configuration.role == .client { keys = MaskingKeyGenerator(seed: maskingSeed) }
    }

    // MARK: state the shell reads

    /// Bytes waiting to be written.
    public var pendingOutputCount: Int { output.count }

    /// Every byte the connection holds: unparsed input, the message being assembled, unsent output.
    public var heldBytes: Int { assembler.bufferedByteCount + pendingOutputCount }

    /// Whether the shell should read from the socket now.
    public var wantsToRead: Bool { phase != .closed && !pausedForOutput && !readingPaused }

    /// Over: nothing left to write, so the TCP connection can end.
    public var isFinished: Bool { phase == .closed && pendingOutputCount == 0 }

    /// When the close handshake gives up waiting for the peer, if it is under way.
    public var deadline: Int64? {
        if case .closing(let deadline) = phase { deadline } else { nil }
    }

    /// Lowers (or raises) the message limit from now on: a client learns the server's `maxPayload` only from the
    /// open packet.
    public mutating func limitMessages(to maxMessageSize: Int) {
        configuration.maxMessageSize = maxMessageSize
        assembler.maxMessageSize = maxMessageSize
        assembler.limitFrames(to: maxMessageSize)
    }

    // MARK: input

    /// Bytes from the peer. Ignored once closed.
    public mutating func receive(_ bytes: some Collection<UInt8>) {
        guard phase != .closed else { return }
        // As one buffer, so the parser's append is specialized code (see `withContiguousBytes`).
        bytes.withContiguousBytes { assembler.append($0) }
    }

    /// The next thing the owner must hear of, from the bytes received so far; `nil` when more are needed. Pings are
    /// answered on the way.
    public mutating func nextEvent() -> Event? {
        while phase != .closed {
            let assembled: WebSocketMessageAssembler.Assembled?
            do {
                assembled = try assembler.nextAssembled()
            } catch {
                return fail(.protocolViolation(error))  // nil while closing: our close is on its way already
            }
            guard let assembled else { return nil }
            let closing = phase != .open
            let event: WebSocketEvent
            switch assembled {
            case .text(let bytes):
                if closing { continue }
                return .message(.text(bytes))
            case .other(let other):
                event = other
            }
            switch event {
            case .text:
                break  // text messages come as bytes (above)
            case .binary(let bytes):
                if !closing { return .message(.binary(bytes)) }
            case .compressed(let opcode, let payload):
                guard let compressor else { return fail(.unexpectedCompression) }  // not reached: RSV1 is refused
                let inflated: [UInt8]
                do {
                    inflated = try compressor.decompress(payload, limit: configuration.maxMessageSize)
                } catch .tooLarge {
                    return fail(.inflatedMessageTooLarge(limit: configuration.maxMessageSize))
                } catch {
                    return fail(.invalidCompressedData)
                }
                if closing { continue }
                guard opcode == .text else { return .message(.binary(inflated)) }
                guard UTF8Validator.isValid(inflated) else { return fail(.invalidUTF8AfterInflating) }
                return .message(.text(inflated))
            case .ping(let payload):
                if !closing { appendFrame(.pong, payload) }
            case .pong:
                break
            case .close(let code, _):
                if closing {
                    phase = .closed  // the answer to our close: the handshake is complete
                    return nil
                }
                appendFrame(.close, WebSocketCloseCode.closeFramePayload(code: code ?? WebSocketCloseCode.normal))
                phase = .closed
                return .closedByPeer(code: code)
            }
        }
        return nil
    }

    /// Time passing: a close handshake the peer leaves unanswered ends at its deadline.
    public mutating func expire(now: Int64) {
        if case .closing(let deadline) = phase, now >= deadline { phase = .closed }
    }

    // MARK: output

    /// Frames `payload` for the peer (compressed when agreed and large enough). Ignored unless open.
    public mutating func send(_ payload: WebSocketPayload) {
        guard phase == .open else { return }
        let (opcode, bytes): (WebSocketOpcode, [UInt8]) =
            switch payload {
            case .text(let bytes): (.text, bytes)
            case .binary(let bytes): (.binary, bytes)
            }
        if let compressor, bytes.count >= configuration.compressionThreshold, let compressed = try? compressor.compress(bytes) {
            appendFrame(opcode, compressed, compressed: true)
        } else {
            appendFrame(opcode, bytes)
        }
    }

    /// Starts the closing handshake with `code`. Ignored unless open.
    public mutating func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "", now: Int64) {
        guard phase == .open else { return }
        appendFrame(.close, WebSocketCloseCode.closeFramePayload(code: code, reason: reason))
        phase = .closing(deadline: now + configuration.closeTimeout)
    }

    /// Ends at once, without a handshake, dropping what waits to be written (the peer is gone, or does not read).
    public mutating func abort() {
        phase = .closed
        output.removeAll()
        pausedForOutput = false
    }

    /// Lends the bytes waiting to be written.
    public func withPendingOutput<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try output.withUnsafeBytes(body)
    }

    /// The shell wrote `count` of the pending bytes.
    public mutating func didWrite(_ count: Int) {
        output.consume(count)
        if pausedForOutput, pendingOutputCount <= configuration.outputLowWater { pausedForOutput = false }
    }

    // MARK: private

    /// Fails the connection: our close frame with the violation's code, unless we already sent one (the owner
    /// asked to close, so it needs no news).
    private mutating func fail(_ error: WebSocketConnectionError) -> Event? {
        let wasOpen = phase == .open
        if wasOpen { appendFrame(.close, WebSocketCloseCode.closeFramePayload(code: error.closeCode)) }
        phase = .closed
        return wasOpen ? .failed(error) : nil
    }

    private mutating func appendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], compressed: Bool = false) {
        let key = keys?.next()
        output.append { WebSocketFrameEncoder.encode(fin: true, rsv1: compressed, opcode: opcode, payload: payload, maskingKey: key, into: &$0) }
        if pendingOutputCount > configuration.outputHighWater { pausedForOutput = true }
    }
}

/// Masking keys for a client's frames: splitmix64 from a seed the shell draws from a secure source. RFC 6455 asks
/// for unpredictable keys so that a script in a browser cannot choose the bytes on the wire; here no script
/// chooses what we send, so a per-connection secure seed is enough.
struct MaskingKeyGenerator: Sendable, Equatable, Hashable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> [UInt8] {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return [UInt8(truncatingIfNeeded: z), UInt8(truncatingIfNeeded: z >> 8), UInt8(truncatingIfNeeded: z >> 16), UInt8(truncatingIfNeeded: z >> 24)]
    }
}

extension WebSocketConnection: Equatable {
    /// Equal when everything but the injected compressor is equal (a compressor is compared by identity).
    public static func == (lhs: WebSocketConnection, rhs: WebSocketConnection) -> Bool {
        lhs.configuration == rhs.configuration && lhs.phase == rhs.phase && lhs.assembler == rhs.assembler
            && lhs.compressor === rhs.compressor && lhs.keys == rhs.keys && lhs.output == rhs.output
            && lhs.pausedForOutput == rhs.pausedForOutput && lhs.readingPaused == rhs.readingPaused
    }
}
