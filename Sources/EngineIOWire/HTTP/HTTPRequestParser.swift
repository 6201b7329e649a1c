/// Server-side incremental HTTP/1.1 request parser, for a non-blocking socket.
///
/// Feed received bytes with `append(_:)`, then call `next()` until it returns `nil`. Results depend only on the
/// bytes received, never on how they were split between `append` calls. Pipelined requests come out one per
/// `next()`. Every byte the parser holds is bounded by `limits` (see `HTTPParserLimits`).
///
/// After a request that asks for a protocol switch (`HTTPRequestHead.isUpgrade`), parsing pauses: `next()` returns
/// `nil` so the bytes that follow, e.g. WebSocket frames, are not read as HTTP. Either take them with
/// `takeBufferedBytes()` and switch, or decline the upgrade with `resume()` and go on reading HTTP.
public struct HTTPRequestParser: Sendable, Equatable {
    /// The bounds this parser enforces.
    public let limits: HTTPParserLimits

    private var buffer = HTTPByteBuffer()
    private var headReader = HTTPHeadReader<HTTPRequestLine>()
    /// The head whose body is being read, or `nil` while reading a head.
    private var bodyHead: HTTPRequestHead?
    private var bodyDecoder = HTTPBodyDecoder(framing: .contentLength(0))
    private var failure: HTTPParseError?

    /// Whether parsing is paused after an upgrade request; see the type's documentation.
    public private(set) var isPausedForUpgrade = false

    /// A parser enforcing `limits`.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet returned as part of a request (chunked data already decoded excluded).
    public var bufferedByteCount: Int { buffer.readableCount }

    /// Whether a request head has begun but not ended: bytes of it are buffered or consumed, and its body (if any)
    /// has not started. A server times this, since a peer can hold a connection open by never finishing a head.
    public var isReadingHead: Bool { bodyHead == nil && !isPausedForUpgrade && (buffer.readableCount > 0 || headReader.hasProgress) }

    /// Whether a request's head has arrived and its body has not yet arrived in full.
    public var isReadingBody: Bool { bodyHead != nil }

    /// Adds received bytes. Call `next()` afterwards until it returns `nil`.
    /// The bytes are appended as one buffer (see `withContiguousBytes`): from another module, a generic sequence would
    /// cost a witness call per byte.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        bytes.withContiguousBytes { buffer.append($0) }
    }

    /// The next complete request, or `nil` when more bytes are needed (or parsing is paused for an upgrade).
    ///
    /// Throws `.bodyTooLarge(head:)` as soon as the head's `Content-Length` or a chunk size exceeds the limit,
    /// before the body is buffered, so the server can answer 413 at once. After throwing, the parser is spent and
    /// rethrows the same error.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    /// Continues parsing HTTP after an upgrade request the server declined.
    public mutating func resume() {
        isPausedForUpgrade = false
    }

    /// Removes and returns the bytes not yet consumed, e.g. the first WebSocket frames that followed an upgrade
    /// request, and resets the parser to expect a new request. Meant for message boundaries: a partly read
    /// message's consumed part is discarded.
    public mutating func takeBufferedBytes() -> [UInt8] {
        let bytes = buffer.takeAll()
        self = HTTPRequestParser(limits: limits)
        return bytes
    }

    private mutating func parseNext() throws(HTTPParseError) -> HTTPRequest? {
        if isPausedForUpgrade { return nil }
        if bodyHead == nil {
            guard let (line, headers) = try headReader.read(from: &buffer, limits: limits, parseStartLine: HTTPRequestLine.parse)
            else { return nil }
            let head = HTTPRequestHead(method: line.method, target: line.target, version: line.version, headers: headers)
            // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3 rule 7).
            switch try HTTPBodyFraming.declared(version: head.version, headers: head.headers) {
            case nil, .contentLength(0):
                return complete(head, body: [])
            case .contentLength(let length) where length > limits.maxBodyBytes:
                throw .bodyTooLarge(head: head)
            case let framing?:
                bodyHead = head
                bodyDecoder = HTTPBodyDecoder(framing: framing)
            }
        }
        guard let head = bodyHead else { return nil }
        switch try bodyDecoder.decode(from: &buffer, limits: limits, atEnd: false) {
        case .needMore:
            return nil
        case .tooLarge:
            throw .bodyTooLarge(head: head)
        case .complete(let body):
            bodyHead = nil
            return complete(head, body: body)
        }
    }

    private mutating func complete(_ head: HTTPRequestHead, body: [UInt8]) -> HTTPRequest {
        if head.isUpgrade { isPausedForUpgrade = true }
        return HTTPRequest(head: head, body: body)
    }
}
