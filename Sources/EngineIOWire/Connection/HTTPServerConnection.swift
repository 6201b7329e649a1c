// Theory of operation
//
// `HTTPServerConnection` is the server side of one HTTP/1.1 connection as a value: bytes in (`receive`), requests
// out (`nextEvent`), responses in (`respond`), bytes to write out (`output`, `didWrite`). No sockets or clocks: time
// comes in as milliseconds and every deadline is state, judged by `expire(now:)`.
//
// Phases:
//   idle        between requests: nothing of the next one has arrived. The first request must complete its head
//               within `headersTimeout` of the accept; later ones must start within `keepAliveTimeout` of the last
//               response, or the connection closes quietly (a peer cannot hold a socket by sending nothing).
//   receiving   a head, then a body, is arriving: the head by `headersTimeout` from its first byte, the body by
//               `requestBodyTimeout` from the head's end, or 408 and close (slowloris).
//   responding  one request is with the application; pipelined bytes wait in the parser, which reads no more than
//               `pipelineLimit` ahead. Its response goes back to `idle` (keep-alive) or to `lingering`.
//   upgraded    the request switched protocols (a WebSocket): the connection's bytes are someone else's now.
//   lingering   the last response is queued; once it is written the shell shuts down the write side and reads and
//               drops what the peer still sends, until it closes, `lingerTimeout` passes or `lingerBytes` are
//               dropped. Closing at once would make the kernel answer unread input with a reset, and the peer would
//               lose the response that says why (a 413, a 431, a 408).
//   closed      the shell closes the socket.
//
// Errors in the bytes are answered here, with the status RFC 9110 gives them and a body that says why, and the
// connection lingers. A body declared too large is handed to the owner (`bodyTooLarge`), since the 413 it deserves
// depends on where the request was going; the body is never read.
//
// Flow control: the connection holds at most one head (`maxHeadBytes`), one body (`maxBodyBytes`), `pipelineLimit`
// bytes read ahead and its unsent output; the shell reads only while `wantsToRead`, which is false while more than
// `outputHighWater` bytes wait to be written.

/// The server side of one HTTP/1.1 connection, as a value (see the theory of operation above).
public struct HTTPServerConnection: Sendable, Equatable {
    /// The connection's limits and timeouts. Copies share one box of values (see `Shared`): every connection of a
    /// server holds the same configuration, so each holds a pointer to it, not its own copy.
    public struct Configuration: Sendable, Equatable, Hashable {
        private struct Values: Sendable, Hashable {
            var limits: HTTPParserLimits
            var headersTimeout: Int64
            var requestBodyTimeout: Int64
            var keepAliveTimeout: Int64
            var lingerTimeout: Int64
            var lingerBytes: Int
            var pipelineLimit: Int
            var outputHighWater: Int
        }

        private var values: Shared<Values>

        /// Bounds on what the request parser buffers.
        public var limits: HTTPParserLimits {
            get { values.value.limits }
            set { values.value.limits = newValue }
        }
        /// Milliseconds a request head may take (from the accept, for the first one).
        public var headersTimeout: Int64 {
            get { values.value.headersTimeout }
            set { values.value.headersTimeout = newValue }
        }
        /// Milliseconds a request body may take from the end of its head.
        public var requestBodyTimeout: Int64 {
            get { values.value.requestBodyTimeout }
            set { values.value.requestBodyTimeout = newValue }
        }
        /// Milliseconds an idle keep-alive connection is kept between requests.
        public var keepAliveTimeout: Int64 {
            get { values.value.keepAliveTimeout }
            set { values.value.keepAliveTimeout = newValue }
        }
        /// Milliseconds a closing connection keeps draining the peer's input after its last response.
        public var lingerTimeout: Int64 {
            get { values.value.lingerTimeout }
            set { values.value.lingerTimeout = newValue }
        }
        /// Bytes a closing connection drops before it gives up on the peer and closes.
        public var lingerBytes: Int {
            get { values.value.lingerBytes }
            set { values.value.lingerBytes = newValue }
        }
        /// Bytes read ahead of the request being answered.
        public var pipelineLimit: Int {
            get { values.value.pipelineLimit }
            set { values.value.pipelineLimit = newValue }
        }
        /// Reading stops while more than this many bytes wait to be written.
        public var outputHighWater: Int {
            get { values.value.outputHighWater }
            set { values.value.outputHighWater = newValue }
        }

        public init(
            limits: HTTPParserLimits = HTTPParserLimits(), headersTimeout: Int64 = 30_000, requestBodyTimeout: Int64 = 60_000,
            keepAliveTimeout: Int64 = 5_000, lingerTimeout: Int64 = 2_000, lingerBytes: Int = 64 * 1024, pipelineLimit: Int = 64 * 1024,
            outputHighWater: Int = 256 * 1024
        ) {
            values = Shared(
                Values(
                    limits: limits, headersTimeout: headersTimeout, requestBodyTimeout: requestBodyTimeout, keepAliveTimeout: keepAliveTimeout,
                    lingerTimeout: lingerTimeout, lingerBytes: lingerBytes, pipelineLimit: pipelineLimit, outputHighWater: outputHighWater))
        }
    }

    public enum Phase: Sendable, Equatable, Hashable {
        case idle(deadline: Int64)
        /// A head (or, once it is in, a body) arrives by `deadline`.
        case receiving(deadline: Int64, body: Bool)
        case responding(keepAlive: Bool)
        case upgraded
        /// `budget` more bytes may be dropped before `deadline`.
        case lingering(deadline: Int64, budget: Int)
        case closed
    }

    /// What the owner must act on.
    public enum Event: Sendable, Equatable, Hashable {
        /// A whole request; answer it with `respond` (or `acceptUpgrade` for an upgrade).
        case request(HTTPRequest)
        /// A head whose body is over `maxBodyBytes`; answer it (413) with `respond`. The body is not read and the
        /// connection closes after the answer.
        case bodyTooLarge(HTTPRequestHead)
    }

    public let configuration: Configuration
    public private(set) var phase: Phase
    private var parser: HTTPRequestParser
    public private(set) var output = OutputBuffer()
    /// The write side was shut down (lingering).
    public private(set) var writeClosed = false

    /// A connection accepted at `now` (milliseconds).
    public init(configuration: Configuration, acceptedAt now: Int64) {
        self.configuration = configuration
        parser = HTTPRequestParser(limits: configuration.limits)
        phase = .idle(deadline: now + configuration.headersTimeout)
    }

    // MARK: state the shell reads

    /// When something is due (`expire(now:)` acts on it).
    public var deadline: Int64? {
        switch phase {
        case .idle(let deadline), .receiving(let deadline, _), .lingering(let deadline, _): deadline
        case .responding, .upgraded, .closed: nil
        }
    }

    /// Whether the shell should read from the socket now.
    public var wantsToRead: Bool {
        switch phase {
        case .idle, .receiving: output.count <= configuration.outputHighWater
        case .responding: parser.bufferedByteCount < configuration.pipelineLimit && output.count <= configuration.outputHighWater
        case .lingering: true
        case .upgraded, .closed: false
        }
    }

    /// Bytes waiting to be written.
    public var pendingOutputCount: Int { output.count }

    /// Every byte the connection holds: unparsed input and unsent output.
    public var heldBytes: Int { parser.bufferedByteCount + output.count }

    /// The last response is written: the shell shuts down its write side (then reports `didCloseWrite`).
    public var shouldCloseWrite: Bool {
        if case .lingering = phase { !writeClosed && output.isEmpty } else { false }
    }

    /// The shell closes the socket (once its output, if any, is written).
    public var isFinished: Bool { phase == .closed }

    // MARK: input

    /// Bytes from the peer at `now`.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: Int64) {
        // As one buffer, so the appends below are specialized code (see `withContiguousBytes`).
        bytes.withContiguousBytes { receive(buffer: $0, now: now) }
    }

    private mutating func receive(buffer bytes: UnsafeBufferPointer<UInt8>, now: Int64) {
        switch phase {
        case .idle(let deadline):
            guard !bytes.isEmpty else { return }
            parser.append(bytes)
            // The first request's head counts from the accept; a later one from its first byte.
            phase = .receiving(deadline: min(deadline, now + configuration.headersTimeout), body: false)
        case .receiving, .responding:
            parser.append(bytes)
        case .lingering(let deadline, let budget):
            phase = bytes.count >= budget ? .closed : .lingering(deadline: deadline, budget: budget - bytes.count)
        case .upgraded, .closed:
            break
        }
    }

    /// The peer closed its side (end of stream).
    public mutating func receiveEnd() {
        switch phase {
        case .idle, .receiving, .lingering: phase = .closed
        case .responding, .upgraded, .closed: break  // a half-closed peer may still read its answer
        }
    }

    /// The next request from the bytes received, or `nil` when more are needed (or one is being answered).
    public mutating func nextEvent(now: Int64) -> Event? {
        guard case .receiving(_, let inBody) = phase else { return nil }
        do {
            guard let request = try parser.next() else {
                if !inBody, parser.isReadingBody {
                    phase = .receiving(deadline: now + configuration.requestBodyTimeout, body: true)
                }
                return nil
            }
            phase = .responding(keepAlive: request.head.keepAlive && !request.head.isUpgrade)
            return .request(request)
        } catch .bodyTooLarge(let head) {
            phase = .responding(keepAlive: false)
            return .bodyTooLarge(head)
        } catch {
            fail(status: error.suggestedStatus, reason: error.description, now: now)
            return nil
        }
    }

    /// Time passing: a head or body past its deadline gets 408; an idle connection past its deadline closes; a
    /// lingering one stops waiting.
    public mutating func expire(now: Int64) {
        guard let deadline, now >= deadline else { return }
        switch phase {
        case .idle: phase = .closed
        case .receiving: fail(status: 408, reason: "request timeout", now: now)
        case .lingering: phase = .closed
        case .responding, .upgraded, .closed: break
        }
    }

    // MARK: output

    /// Queues the answer to the request being served. With `keepAlive` false (or a request that asked for no
    /// keep-alive) it says `Connection: close` and the connection lingers after it.
    public mutating func respond(_ response: HTTPResponse, keepAlive: Bool = true, now: Int64) {
        guard case .responding(let requested) = phase else { return }
        var response = response
        let keep = keepAlive && requested
        if !keep { response.head.headers.replaceOrAdd(name: "Connection", value: "close") }
        output.append { response.serialize(into: &$0) }
        if keep {
            phase = .idle(deadline: now + configuration.keepAliveTimeout)
            if parser.bufferedByteCount > 0 { phase = .receiving(deadline: now + configuration.headersTimeout, body: false) }
        } else {
            linger(now: now)
        }
    }

    /// Switches protocols after an upgrade request: queues `response` (the 101), returns the bytes that followed the
    /// request (the new protocol's first ones) and hands the connection over.
    public mutating func acceptUpgrade(response: HTTPResponseHead) -> [UInt8] {
        guard case .responding = phase else { return [] }
        output.append { response.serialize(into: &$0) }
        phase = .upgraded
        return parser.takeBufferedBytes()
    }

    /// Ends the connection gracefully: what is queued is written, then it lingers (or, when nothing was ever read
    /// that is still unanswered, closes). For the owner's own reasons: a server shutting down, a WebSocket ending.
    public mutating func close(now: Int64) {
        switch phase {
        case .idle: phase = .closed
        case .receiving, .responding, .upgraded: linger(now: now)
        case .lingering, .closed: break
        }
    }

    /// Ends at once, dropping what waits to be written (the socket failed).
    public mutating func abort() {
        phase = .closed
        output.removeAll()
    }

    public func withPendingOutput<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try output.withUnsafeBytes(body)
    }

    public mutating func didWrite(_ count: Int) {
        output.consume(count)
        // Once the 101 is out, this machine writes nothing more (the WebSocket has a buffer of its own), so its
        // drained buffer gives the storage back instead of keeping it for the connection's life.
        if phase == .upgraded, output.isEmpty { output.removeAll() }
    }

    public mutating func didCloseWrite() { writeClosed = true }

    // MARK: private

    /// Answers a broken or late request with `status` and a body that says why, then lingers.
    private mutating func fail(status: Int, reason: String, now: Int64) {
        var response = HTTPResponse(
            head: HTTPResponseHead(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"]), body: Array((reason + "\n").utf8))
        response.head.headers.replaceOrAdd(name: "Connection", value: "close")
        output.append { response.serialize(into: &$0) }
        linger(now: now)
    }

    private mutating func linger(now: Int64) {
        parser = HTTPRequestParser(limits: configuration.limits)  // what was read and not answered is dropped
        phase = .lingering(deadline: now + configuration.lingerTimeout, budget: configuration.lingerBytes)
    }
}
