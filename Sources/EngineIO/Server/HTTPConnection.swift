import CLinux
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Glibc

/// One accepted TCP connection: HTTP/1.1 requests (one answered at a time, pipelined ones wait in the parser),
/// then possibly a WebSocket. Loop-thread only.
final class HTTPConnection: LoopHandler, RequestOwner, SocketOwner, @unchecked Sendable {
    private enum Mode {
        case http
        /// The handshake went to the reducer; the connection waits for accept or refuse.
        case upgrading(ConnectionID, accept: String)
        case webSocket(ConnectionID, WebSocketMessageAssembler)
        case closed
    }

    /// The shard whose loop serves this connection; it changes only when the connection moves (see `move`).
    unowned var engine: ServerEngine
    let fd: Int32
    var token: UInt64 = 0
    let remoteAddress: String
    private var parser: HTTPRequestParser
    private var mode = Mode.http
    /// The Engine.IO request waiting for the reducer's answer; others wait behind it in the parser.
    private var awaiting: (id: RequestID, keepAlive: Bool, shard: ServerEngine)?
    /// The shard whose session this connection's WebSocket belongs to.
    private var socketShard: ServerEngine?
    /// permessage-deflate, when the client offered it and the server allows it (`perMessageDeflate`).
    private var deflate: PerMessageDeflateAcceptance?
    private var compressor: Deflater?
    private var decompressor: Inflater?
    /// Our side asked for the WebSocket to close (so its closing is not news to the reducer).
    private var closingWebSocket = false
    private var closeWhenFlushed = false
    /// Handed over to another loop: this one must not touch the connection again.
    private var moving = false
    /// What the shard's sweep last saw this connection in the middle of, and since when (loop milliseconds).
    private var unfinished: (part: UnfinishedPart, since: Int64)?

    /// What a peer may leave half-sent to hold a connection open.
    enum UnfinishedPart: Equatable {
        case tlsHandshake, head, body
    }
    private var output: [UInt8] = []
    private var outputStart = 0
    /// HTTPS: every byte in and out goes through this session.
    private let tls: TLSConnection?
    /// A TLS read (or the handshake) needs the socket writable before it can go on.
    private var tlsReadWaitsForWritable = false
    /// The events epoll reports for this connection now.
    private var interest: IOEvents = [.readable, .peerClosed]
    /// Above this many unsent bytes the connection stops reading, so a peer that does not read cannot make us
    /// buffer without bound by asking for more; reading resumes once everything is written.
    private static let highWater = 256 * 1024
    private static let readSize = 65_536

    init(engine: ServerEngine, fd: Int32, remoteAddress: String, initialBytes: [UInt8] = [], tls: TLSConnection? = nil) {
        self.engine = engine
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.tls = tls
        parser = HTTPRequestParser(limits: engine.parserLimits)
        parser.append(initialBytes)
    }

    /// Serves what arrived before the engine took the connection over (see `ServerEngine.adopt`).
    func start() {
        processRequests()
        readAvailable()
    }

    func ready(_ events: IOEvents) {
        if events.contains(.writable) {
            if tlsReadWaitsForWritable {
                tlsReadWaitsForWritable = false
                readAvailable()
            }
            flush()
        }
        if events.contains(.readable) || events.contains(.peerClosed) || events.contains(.hangUp) || events.contains(.error) {
            readAvailable()
        }
    }

    // MARK: reading

    private func readAvailable() {
        if let tls { return readAvailable(through: tls) }
        while !moving {
            if case .closed = mode { return }
            // One buffer per loop, reused by every connection: reads are consumed before the next one starts.
            let count = engine.readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.readSize) }
            if count > 0 {
                consume(engine.readBuffer[0..<count])
                if count < Self.readSize { return }
            } else if count == 0 {
                return terminate()
            } else {
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                if errno == EINTR { continue }
                return terminate()
            }
        }
    }

    /// Reads until OpenSSL wants more from the socket: it may hold decrypted bytes the socket no longer signals.
    private func readAvailable(through tls: TLSConnection) {
        while !moving {
            if case .closed = mode { return }
            let progress: TLSConnection.Progress
            if tls.isEstablished {
                progress = engine.readBuffer.withUnsafeMutableBytes { tls.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Self.readSize])) }
            } else {
                progress = tls.handshake()
                if case .done = progress {
                    flush()  // nothing is queued before the handshake ends, but writes were held until now
                    continue
                }
            }
            switch progress {
            case .done(let count): consume(engine.readBuffer[0..<count])
            case .wantRead: return
            case .wantWrite:
                tlsReadWaitsForWritable = true
                return updateInterest()
            case .closed, .failed: return terminate()
            }
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        switch mode {
        case .http, .upgrading:
            parser.append(bytes)
            processRequests()
        case .webSocket(let id, var assembler):
            assembler.append(bytes)
            mode = .webSocket(id, assembler)
            processFrames()
        case .closed:
            break
        }
    }

    private func processRequests() {
        while case .http = mode, awaiting == nil, !closeWhenFlushed, !moving {
            let request: HTTPRequest
            do {
                guard let next = try parser.next() else { return }
                request = next
            } catch .bodyTooLarge(let head) {
                return refuseLargeBody(head)
            } catch {
                return sendPlain(status: error.suggestedStatus, body: "\(error)", keepAlive: false)
            }
            handle(request)
        }
    }

    private func isEngineIOPath(_ path: Substring) -> Bool {
        let prefix = engine.path
        return path.hasPrefix(prefix) || path + "/" == prefix
    }

    private func handle(_ request: HTTPRequest) {
        let head = request.head
        guard isEngineIOPath(head.path) else {
            let response = engine.delegate.fallback(request) ?? HTTPResponse(
                head: HTTPResponseHead(status: 404, headers: ["Content-Type": "text/plain"]), body: Array("Not Found".utf8))
            return send(response, keepAlive: head.keepAlive)
        }
        let upgrade = head.isUpgrade && head.headers.contains(token: "websocket", inHeader: "Upgrade")
        serve(request, engine.describe(head, remoteAddress: remoteAddress, upgrade: upgrade, secure: tls != nil))
    }

    /// Serves an Engine.IO request, described once, on the loop that owns its session: the connection moves
    /// there first when it is idle and on another loop.
    private func serve(_ request: HTTPRequest, _ described: EngineIORequest) {
        let head = request.head
        let sid = described.queryValue("sid")
        let shard = engine.shard(for: sid)
        if shard !== engine, isIdle {
            return move(to: shard) { $0.serve(request, described) }
        }
        if described.isWebSocketUpgrade { return startUpgrade(head, described) }
        let id = RequestID(engine.newID())
        awaiting = (id, head.keepAlive, shard)
        let fresh = sid == nil ? engine.generateID() : ""
        let owner: any RequestOwner = shard === engine ? self : LoopBound(self)
        let body = head.method == "POST" ? request.body : nil
        shard.perform { shard in
            shard.own(id, by: owner)
            shard.apply(.requestReceived(id, described, freshSID: fresh))
            if let body, shard.isPending(id) { shard.apply(.bodyReceived(id, body)) }
        }
    }

    /// Whether the connection may move to the loop owning its request's session: only between requests, with
    /// nothing left to write. A client keeps using its connections for its session, so moving once saves a
    /// hand-over between loops (there and back) on every later request and WebSocket frame.
    private var isIdle: Bool {
        guard case .http = mode else { return false }
        return pendingBytes == 0 && !closeWhenFlushed
    }

    /// Leaves this loop and runs `next` (then serves what follows on the connection) on `shard`'s. Nothing else on
    /// this loop refers to an idle connection, so after the hand-over only the new loop touches it.
    private func move(to shard: ServerEngine, then next: @escaping @Sendable (HTTPConnection) -> Void) {
        moving = true
        engine.loop.deregister(fd, token: token)
        engine.removed(self)
        let accepted = shard.loop.execute { [self] in
            engine = shard
            moving = false
            do {
                token = try shard.loop.register(fd, events: interest, handler: self)
                shard.add(self)
            } catch {
                mode = .closed
                close(fd)
                return
            }
            next(self)
            processRequests()
            readAvailable()  // OpenSSL may hold records it read from the socket, which epoll will not report again
        }
        if !accepted {  // that loop has stopped (the server is shutting down): nobody else holds the socket
            mode = .closed
            close(fd)
        }
    }

    private func refuseLargeBody(_ head: HTTPRequestHead) {
        guard isEngineIOPath(head.path), head.method == "POST" else {
            return sendPlain(status: 413, body: "Content Too Large", keepAlive: false)
        }
        let described = engine.describe(head, remoteAddress: remoteAddress, secure: tls != nil)
        let id = RequestID(engine.newID())
        let shard = engine.shard(for: described.queryValue("sid"))
        awaiting = (id, false, shard)  // the unread body makes the rest of the stream unusable
        let owner: any RequestOwner = shard === engine ? self : LoopBound(self)
        shard.perform { shard in
            shard.own(id, by: owner)
            shard.apply(.requestReceived(id, described, freshSID: ""))
            if shard.isPending(id) { shard.apply(.bodyTooLarge(id)) }
        }
    }

    // MARK: WebSocket

    private func startUpgrade(_ head: HTTPRequestHead, _ described: EngineIORequest) {
        let accept: String
        do {
            accept = try WebSocketHandshake.validateUpgradeRequest(
                method: head.method, httpVersion: (head.version.major, head.version.minor),
                header: { name in head.headers.values(for: name) })
        } catch {
            var response = HTTPResponse(head: HTTPResponseHead(status: error.httpStatus), body: Array("\(error)".utf8))
            for field in error.responseHeaders { response.head.headers.add(name: field.name, value: field.value) }
            return send(response, keepAlive: false)
        }
        if engine.options.perMessageDeflate {
            deflate = PerMessageDeflate.negotiate(headerValues: head.headers.values(for: "Sec-WebSocket-Extensions"))
        }
        let id = ConnectionID(engine.newID())
        mode = .upgrading(id, accept: accept)
        let sid = described.queryValue("sid")
        let shard = engine.shard(for: sid)
        socketShard = shard
        let fresh = sid == nil ? engine.generateID() : ""
        let owner: any SocketOwner = shard === engine ? self : LoopBound(self)
        shard.perform { shard in
            shard.own(id, by: owner)
            shard.apply(.webSocketRequested(id, described, freshSID: fresh))
        }
    }

    func acceptWebSocket() {
        guard case .upgrading(let id, let accept) = mode else { return }
        if let configuration = deflate?.configuration {
            compressor = try? Deflater(format: .raw(windowBits: configuration.compressorWindowBits(for: .server)))
            decompressor = try? Inflater(format: .raw(windowBits: configuration.decompressorWindowBits(for: .server)))
            if compressor == nil || decompressor == nil { deflate = nil }
        }
        let response = HTTPResponseHead(
            status: 101, headers: HTTPHeaders(WebSocketHandshake.responseHeaders(acceptValue: accept, extensions: deflate?.responseHeaderValue)))
        append(response.serialized())
        let limits = WebSocketFrameParser.Limits(maxFrameSize: engine.options.maxHttpBufferSize, allowRSV1: deflate != nil)
        var assembler = WebSocketMessageAssembler(role: .server, limits: limits, maxMessageSize: engine.options.maxHttpBufferSize)
        assembler.append(parser.takeBufferedBytes())
        mode = .webSocket(id, assembler)
        flush()
        processFrames()
    }

    func refuseWebSocket(_ reply: HTTPReply) {
        guard case .upgrading = mode else { return }
        mode = .http
        send(reply, keepAlive: false)
    }

    func writeMessages(_ payloads: [WebSocketPayload]) {
        guard case .webSocket(let id, _) = mode, !closingWebSocket else { return }
        for payload in payloads {
            let (opcode, bytes): (WebSocketOpcode, [UInt8]) =
                switch payload {
                case .text(let bytes): (.text, bytes)
                case .binary(let bytes): (.binary, bytes)
                }
            // Small messages go as they are: deflate would only add bytes and work.
            if let compressor, let configuration = deflate?.configuration, bytes.count >= engine.options.perMessageDeflateThreshold,
                var compressed = try? compressor.compressMessage(bytes)
            {
                if compressed.suffix(4) == PerMessageDeflate.messageTrailer[...] { compressed.removeLast(4) }
                if configuration.resetsCompressor(for: .server) { compressor.reset() }
                WebSocketFrameEncoder.encode(fin: true, rsv1: true, rsv2: false, rsv3: false, opcode: opcode, payload: compressed, maskingKey: nil, into: &output)
            } else {
                WebSocketFrameEncoder.encode(fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: opcode, payload: bytes, maskingKey: nil, into: &output)
            }
        }
        flush()
        // A peer that stops reading while the application keeps sending: end the session instead of buffering.
        if pendingBytes > engine.options.maxOutboundQueueBytes { abandonWebSocket(id) }
    }

    /// The peer does not read: drop what waits (a close frame would only queue behind it) and end the connection.
    private func abandonWebSocket(_ id: ConnectionID) {
        closingWebSocket = true
        output = []
        outputStart = 0
        report(.webSocketFailed(id), disowning: id)
        terminate()
    }

    /// Tells the shard that owns this connection's WebSocket, on its loop.
    private func report(_ event: ServerEndpointEvent, disowning id: ConnectionID? = nil) {
        let shard = socketShard ?? engine
        shard.perform { shard in
            if let id { shard.disown(id) }
            shard.apply(event)
        }
    }

    /// Sends a close frame and closes the connection once it is written.
    func closeWebSocket(code: UInt16) {
        guard case .webSocket = mode, !closingWebSocket else { return }
        closingWebSocket = true
        WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: code)), into: &output)
        flushThenClose()
    }

    private func processFrames() {
        while case .webSocket(let id, var assembler) = mode {
            let event: WebSocketEvent?
            do {
                event = try assembler.next()
            } catch {
                mode = .webSocket(id, assembler)
                failWebSocket(id, code: error.closeCode)
                return
            }
            mode = .webSocket(id, assembler)
            guard let event else { return }
            switch event {
            case .text(let text): received(.text(Array(text.utf8)), on: id)
            case .binary(let bytes): received(.binary(bytes), on: id)
            case .ping(let payload):
                WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .pong, payload: payload), into: &output)
                flush()
            case .pong:
                break
            case .close(let code, _):
                let wasOurs = closingWebSocket
                closingWebSocket = true
                if !wasOurs {
                    WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: code ?? WebSocketCloseCode.normal)), into: &output)
                    report(.webSocketClosed(id), disowning: id)
                }
                flushThenClose()
                return
            case .compressed(let opcode, let payload):
                guard let decompressor, let configuration = deflate?.configuration else {
                    failWebSocket(id, code: WebSocketCloseCode.protocolError)
                    return
                }
                let inflated: [UInt8]
                do {
                    inflated = try decompressor.decompressMessage(payload + PerMessageDeflate.messageTrailer, limit: engine.options.maxHttpBufferSize)
                } catch {
                    failWebSocket(id, code: error == .outputLimitExceeded ? WebSocketCloseCode.messageTooBig : WebSocketCloseCode.invalidPayload)
                    return
                }
                if configuration.resetsDecompressor(for: .server) { decompressor.reset() }
                if opcode == .text {
                    // The assembler checks UTF-8 only for what it can read: compressed text is checked once inflated.
                    guard UTF8Validator.isValid(inflated) else {
                        failWebSocket(id, code: WebSocketCloseCode.invalidPayload)
                        return
                    }
                    received(.text(inflated), on: id)
                } else {
                    received(.binary(inflated), on: id)
                }
            }
        }
    }

    /// A whole message from the peer, for the reducer; none once either side has begun to close.
    private func received(_ payload: WebSocketPayload, on id: ConnectionID) {
        if !closingWebSocket { report(.frameReceived(id, payload)) }
    }

    private func failWebSocket(_ id: ConnectionID, code: UInt16) {
        let wasOurs = closingWebSocket
        closingWebSocket = true
        WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: code)), into: &output)
        if !wasOurs { report(.webSocketFailed(id), disowning: id) }
        flushThenClose()
    }

    // MARK: answering

    func send(_ reply: HTTPReply, for id: RequestID) {
        guard let current = awaiting, current.id == id else { return }
        awaiting = nil
        send(reply, keepAlive: current.keepAlive)
        processRequests()
    }

    private func send(_ reply: HTTPReply, keepAlive: Bool) {
        send(reply.response(), keepAlive: keepAlive)
    }

    private func sendPlain(status: Int, body: String, keepAlive: Bool) {
        send(HTTPResponse(head: HTTPResponseHead(status: status, headers: ["Content-Type": "text/plain"]), body: Array(body.utf8)), keepAlive: keepAlive)
    }

    private func send(_ response: HTTPResponse, keepAlive: Bool) {
        var response = response
        if !keepAlive { response.head.headers.replaceOrAdd(name: "Connection", value: "close") }
        response.serialize(into: &output)
        if keepAlive { flush() } else { flushThenClose() }
    }

    /// The shard's periodic check: a TLS handshake, request head or request body that has taken longer than its
    /// timeout (milliseconds) ends the connection, so peers cannot hold connections open by sending a byte at a time.
    func sweep(now: Int64, timeout: (UnfinishedPart) -> Int64) {
        var part: UnfinishedPart?
        if case .http = mode, awaiting == nil, !closeWhenFlushed, !moving {
            if !(tls?.isEstablished ?? true) {
                part = .tlsHandshake
            } else if parser.isReadingHead {
                part = .head
            } else if parser.isReadingBody {
                part = .body
            }
        }
        guard let part else {
            unfinished = nil
            return
        }
        guard let current = unfinished, current.part == part else {
            unfinished = (part, now)
            return
        }
        guard now - current.since >= timeout(part) else { return }
        if part == .tlsHandshake {
            terminate()
        } else {
            sendPlain(status: 408, body: "Request Timeout", keepAlive: false)
        }
    }

    // MARK: writing and closing

    private func append(_ bytes: [UInt8]) { output.append(contentsOf: bytes) }

    private var pendingBytes: Int { output.count - outputStart }

    private func flush() {
        while outputStart < output.count {
            if let tls {
                guard tls.isEstablished else { return updateInterest() }
                switch output.withUnsafeBytes({ tls.write(UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }) {
                case .done(let written):
                    outputStart += written
                    continue
                case .wantWrite, .wantRead:
                    return holdOutput()
                case .closed, .failed:
                    return terminate()
                }
            }
            let written = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + outputStart, output.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outputStart += written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return holdOutput()
            } else {
                return terminate()
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 65_536)
        outputStart = 0
        updateInterest()
        if closeWhenFlushed { terminate() }
    }

    /// The socket is full: keep the unsent bytes and wait to be writable.
    private func holdOutput() {
        if outputStart >= 65_536, outputStart >= pendingBytes {
            output.removeSubrange(0..<outputStart)  // drop what was sent, so a slow peer cannot grow it
            outputStart = 0
        }
        updateInterest()
    }

    func flushThenClose() {
        closeWhenFlushed = true
        flush()
    }

    /// Writable while bytes wait; readable unless too many bytes wait.
    private func updateInterest() {
        if case .closed = mode { return }
        var wanted: IOEvents = [.peerClosed]
        // Output waits for the TLS handshake without asking for writability, which would only spin.
        if pendingBytes > 0, tls?.isEstablished ?? true { wanted.insert(.writable) }
        if tlsReadWaitsForWritable { wanted.insert(.writable) }
        if pendingBytes <= Self.highWater { wanted.insert(.readable) }
        guard wanted != interest else { return }
        interest = wanted
        engine.loop.modify(fd, token: token, events: wanted)
    }

    /// The connection is gone (or done): tell the reducer about whatever still hung on it, and release the socket.
    private func terminate() {
        if case .closed = mode { return }
        let previous = mode
        mode = .closed
        engine.loop.deregister(fd, token: token)
        close(fd)
        engine.removed(self)
        if let current = awaiting {
            awaiting = nil
            current.shard.perform { shard in
                shard.disown(current.id)
                shard.apply(.requestAborted(current.id))
            }
        }
        switch previous {
        case .webSocket(let id, _) where !closingWebSocket, .upgrading(let id, _):
            report(.webSocketClosed(id), disowning: id)
        default:
            break
        }
    }
}
