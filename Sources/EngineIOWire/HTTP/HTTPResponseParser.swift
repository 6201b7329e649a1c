/// Client-side incremental HTTP/1.1 response parser, for a non-blocking socket.
///
/// Feed received bytes with `append(_:)`, call `finish()` when the connection reaches end of input, and call
/// `next()` until it returns `nil`. Results depend only on the bytes received, never on how they were split.
///
/// Body framing follows RFC 9112 §6.3: no body for 1xx, 204, 304 and answers to `HEAD`; chunked; `Content-Length`;
/// otherwise the body runs until the connection closes and is returned once `finish()` is called. To tell which
/// responses answer `HEAD`, call `expectResponse(toMethod:)` for each request sent, in order; a response with no
/// method queued is taken to answer `GET`. Interim 1xx responses are returned as they come and do not use up the
/// queued method.
///
/// A `101 Switching Protocols` (or a 2xx answering `CONNECT`) ends HTTP on the connection: `next()` returns `nil`
/// from then on and `takeBufferedBytes()` hands over the bytes that followed.
public struct HTTPResponseParser: Sendable, Equatable {
    /// The bounds this parser enforces.
    public var limits: HTTPParserLimits

    private var buffer = HTTPByteBuffer()
    private var headReader = HTTPHeadReader<HTTPStatusLine>()
    /// The head whose body is being read, or `nil` while reading a head.
    private var bodyHead: HTTPResponseHead?
    private var bodyDecoder = HTTPBodyDecoder(framing: .contentLength(0))
    /// Methods of requests whose final responses have not arrived yet, oldest first.
    private var pendingMethods: [String] = []
    private var failure: HTTPParseError?

    /// Whether `finish()` has been called.
    public private(set) var isFinished = false
    /// Whether a 101 (or a 2xx to `CONNECT`) has been returned, after which the bytes are no longer HTTP.
    public private(set) var hasSwitchedProtocols = false

    /// A parser enforcing `limits`.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet returned as part of a response (chunked data already decoded excluded).
    public var bufferedByteCount: Int { buffer.readableCount }

    /// Records that a request with `method` was sent; its response is matched to it in order.
    public mutating func expectResponse(toMethod method: String) {
        pendingMethods.append(method)
    }

    /// Adds received bytes. Call `next()` afterwards until it returns `nil`. Ignored after `finish()`.
    /// The bytes are appended as one buffer (see `withContiguousBytes`): from another module (the client), a generic
    /// sequence would cost a witness call per byte.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard !isFinished else { return }
        bytes.withContiguousBytes { buffer.append($0) }
    }

    /// Signals end of input. The next `next()` calls return the responses still buffered, completing one read
    /// until close, and throw `.unexpectedEnd` if the input stopped inside a message.
    public mutating func finish() {
        isFinished = true
    }

    /// The next complete response, or `nil` when more bytes are needed, after a protocol switch, or at a clean end
    /// of input. After throwing, the parser is spent and rethrows the same error.
    public mutating func next() throws(HTTPParseError) -> HTTPResponse? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    /// Removes and returns the bytes not yet consumed, e.g. the first WebSocket frames after a 101, and resets the
    /// parser (pending methods included) to expect a new response.
    public mutating func takeBufferedBytes() -> [UInt8] {
        let bytes = buffer.takeAll()
        self = HTTPResponseParser(limits: limits)
        return bytes
    }

    private mutating func parseNext() throws(HTTPParseError) -> HTTPResponse? {
        if hasSwitchedProtocols { return nil }
        if bodyHead == nil {
            guard let (line, headers) = try headReader.read(from: &buffer, limits: limits, parseStartLine: HTTPStatusLine.parse)
            else {
                if isFinished && (headReader.hasStarted || buffer.readableCount > 0) { throw .unexpectedEnd }
                return nil
            }
            let head = HTTPResponseHead(status: line.status, reason: line.reason, version: line.version, headers: headers)
            if head.status < 200 && head.status != 101 {
                return HTTPResponse(head: head)
            }
            let method = pendingMethods.isEmpty ? "GET" : pendingMethods.removeFirst()
            if head.status == 101 || (method == "CONNECT" && (200..<300).contains(head.status)) {
                hasSwitchedProtocols = true
                return HTTPResponse(head: head)
            }
            // The framing fields of these describe the representation, not this message, so they are not read.
            if method == "HEAD" || head.status == 204 || head.status == 304 {
                return HTTPResponse(head: head)
            }
            switch try HTTPBodyFraming.declared(version: head.version, headers: head.headers) ?? .untilClose {
            case .contentLength(0):
                return HTTPResponse(head: head)
            case .contentLength(let length) where length > limits.maxBodyBytes:
                throw .responseBodyTooLarge(head: head)
            case let framing:
                bodyHead = head
                bodyDecoder = HTTPBodyDecoder(framing: framing)
            }
        }
        guard let head = bodyHead else { return nil }
        switch try bodyDecoder.decode(from: &buffer, limits: limits, atEnd: isFinished) {
        case .needMore:
            if isFinished { throw .unexpectedEnd }
            return nil
        case .tooLarge:
            throw .responseBodyTooLarge(head: head)
        case .complete(let body):
            bodyHead = nil
            return HTTPResponse(head: head, body: body)
        }
    }
}
