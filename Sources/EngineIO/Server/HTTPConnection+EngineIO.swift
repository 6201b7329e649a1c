import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Glibc

/// What a connection does with the requests and WebSocket messages its machines produce: Engine.IO requests go to
/// the reducer of the shard that owns their session, and its answers come back here.
extension HTTPConnection {
    // MARK: requests

    func processRequests() {
        while !isClosed, !moving, awaiting == nil, upgrading == nil, webSocket == nil, let event = http.nextEvent(now: now) {
            switch event {
            case .request(let request): handle(request)
            case .bodyTooLarge(let head): refuseLargeBody(head)
            }
        }
        flush()
    }

    /// Whether `path` is under the Engine.IO path, or is that path without its final slash. Compared as bytes:
    /// `hasPrefix` on a `Substring` walks characters.
    private func isEngineIOPath(_ path: Substring) -> Bool {
        let prefix = self.path.utf8, bytes = path.utf8
        if bytes.starts(with: prefix) { return true }
        return bytes.count + 1 == prefix.count && prefix.last == UInt8(ascii: "/") && prefix.starts(with: bytes)
    }

    private func handle(_ request: HTTPRequest) {
        let head = request.head
        guard isEngineIOPath(head.path) else {
            let response = engine.core?.fallback.withLock({ $0 })?(request) ?? HTTPResponse.notFound
            http.respond(response, now: now)
            return
        }
        let upgrade = head.isUpgrade && head.headers.contains(token: "websocket", inHeader: "Upgrade")
        serve(request, engine.describe(head, remoteAddress: remoteAddress, upgrade: upgrade, secure: tls != nil))
    }

    /// Serves an Engine.IO request, described once, on the loop that owns its session: the connection moves there
    /// first when it is idle and on another loop.
    private func serve(_ request: HTTPRequest, _ described: EngineIORequest) {
        let head = request.head
        let sid = described.queryValue("sid")
        let shard = engine.shard(for: sid)
        if shard !== engine, pendingBytes == 0 {
            return move(to: shard) { $0.serve(request, described) }
        }
        if described.isWebSocketUpgrade { return startUpgrade(head, described) }
        let id = RequestID(engine.newID())
        awaiting = (id, shard)
        let fresh = sid == nil ? engine.generateID() : ""
        let owner: any RequestOwner = shard === engine ? self : LoopBound(self)
        let body = head.method == "POST" ? request.body : nil
        shard.perform { shard in
            shard.own(id, by: owner)
            shard.apply(.requestReceived(id, described, freshSID: fresh))
            if let body, shard.isPending(id) { shard.apply(.bodyReceived(id, body)) }
        }
    }

    /// Leaves this loop and runs `next` (then serves what follows on the connection) on `shard`'s. A client keeps
    /// using its connections for its session, so moving once saves a hand-over between loops (there and back) on
    /// every later request and WebSocket frame. Only a connection with nothing left to write moves; nothing else on
    /// this loop refers to it, so after the hand-over only the new loop touches it.
    private func move(to shard: ServerEngine, then next: @escaping @Sendable (HTTPConnection) -> Void) {
        moving = true
        engine.loop.deregister(fd, token: token)
        engine.removed(self)
        // Handed over only once this loop is done with the turn: until then its stack may still be inside this
        // connection (a read loop, a flush), and the other loop must not start on it meanwhile.
        let from = engine.loop
        from.atEndOfTurn { [self] in handOver(to: shard, then: next) }
    }

    private func handOver(to shard: ServerEngine, then next: @escaping @Sendable (HTTPConnection) -> Void) {
        let accepted = shard.loop.execute { [self] in
            engine = shard
            moving = false
            do {
                try reRegister(on: shard.loop)
                shard.add(self)
            } catch {
                abandon()
                return
            }
            next(self)
            flushScheduledOutput()  // a flush deferred on the old loop, which skipped it while the connection moved
            processRequests()
            readAvailable()  // OpenSSL may hold records it read from the socket, which epoll will not report again
        }
        if !accepted { abandon() }  // that loop has stopped (the server is shutting down): nobody else holds the socket
    }

    private func refuseLargeBody(_ head: HTTPRequestHead) {
        guard isEngineIOPath(head.path), head.method == "POST" else {
            return http.respond(plain(413, "Content Too Large"), keepAlive: false, now: now)
        }
        let described = engine.describe(head, remoteAddress: remoteAddress, secure: tls != nil)
        let id = RequestID(engine.newID())
        let shard = engine.shard(for: described.queryValue("sid"))
        awaiting = (id, shard)
        let owner: any RequestOwner = shard === engine ? self : LoopBound(self)
        shard.perform { shard in
            shard.own(id, by: owner)
            shard.apply(.requestReceived(id, described, freshSID: ""))
            if shard.isPending(id) { shard.apply(.bodyTooLarge(id)) }
        }
    }

    func plain(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(head: HTTPResponseHead(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"]), body: Array((text + "\n").utf8))
    }

    /// The reducer's answer to the request this connection waits on.
    func send(_ reply: HTTPReply, for id: RequestID) {
        guard let current = awaiting, current.id == id, !isClosed else { return }
        awaiting = nil
        http.respond(reply.response(), now: now)
        processRequests()
    }

    // MARK: WebSocket

    /// Hands the WebSocket handshake to the reducer, which checks it (RFC 6455 and Engine.IO's rules, in order) and
    /// answers `acceptWebSocket` or `refuseWebSocket`.
    private func startUpgrade(_ head: HTTPRequestHead, _ described: EngineIORequest) {
        let id = ConnectionID(engine.newID())
        upgrading = id
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

    func acceptWebSocket(_ acceptance: WebSocketAcceptance) {
        guard let id = upgrading, !isClosed else { return }
        upgrading = nil
        var agreed = acceptance.deflate
        // zlib may refuse the agreed window (out of memory): then the 101 simply does not offer the extension.
        let compressor = agreed.flatMap { ZlibMessageCompressor(configuration: $0.configuration, role: .server) }
        if compressor == nil { agreed = nil }
        let response = HTTPResponseHead(
            status: 101, headers: HTTPHeaders(WebSocketHandshake.responseHeaders(acceptValue: acceptance.acceptValue, extensions: agreed?.responseHeaderValue)))
        let leftover = http.acceptUpgrade(response: response)
        var machine = WebSocketConnection(configuration: engine.webSocketConfiguration, compressor: compressor)
        machine.receive(leftover)
        webSocket = (id, machine)
        processFrames()
    }

    func refuseWebSocket(_ reply: HTTPReply) {
        guard upgrading != nil, !isClosed else { return }
        upgrading = nil
        http.respond(reply.response(), keepAlive: false, now: now)
        flush()
    }

    /// Frames the messages now and sends them at the end of the loop's turn, with whatever else this turn writes to
    /// the connection: the echoes of a batch of frames read together leave in one `send`, not one each. Past
    /// `maxOutboundQueueBytes` it writes at once instead, so a turn's burst cannot hold more than the bound.
    func writeMessages(_ payloads: [WebSocketPayload]) {
        guard webSocket != nil, !isClosed else { return }
        for payload in payloads { webSocket!.machine.send(payload) }
        if webSocket!.machine.pendingOutputCount > engine.options.maxOutboundQueueBytes {
            flushAndCheckBacklog()
        } else {
            scheduleFlush()
        }
    }

    /// Asks for `flushScheduledOutput` at the end of the loop's turn, once however often it is asked.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        engine.loop.atEndOfTurn { [self] in flushScheduledOutput() }
    }

    /// The turn's deferred flush (see `writeMessages`).
    func flushScheduledOutput() {
        guard flushScheduled else { return }
        flushScheduled = false
        flushAndCheckBacklog()
    }

    /// Writes what the socket takes, then checks the backlog: a peer that stops reading while the application keeps
    /// sending is the reducer's to judge (`forced close`).
    private func flushAndCheckBacklog() {
        flush()
        guard let id = webSocket?.id, !isClosed else { return }
        let backlog = webSocket!.machine.pendingOutputCount
        if !reportedBacklog, backlog > engine.options.maxOutboundQueueBytes {
            reportedBacklog = true
            report(.writeBacklog(id, bytes: backlog))
        }
    }

    /// The reducer closes the WebSocket: the machine sends the close frame and waits for the peer's (bounded by its
    /// close timeout; a peer that does not read loses what was queued then).
    func closeWebSocket(code: UInt16) {
        guard webSocket != nil, !isClosed else { return }
        webSocket!.machine.close(code: code, now: now)
        flush()
    }

    func pauseReading(_ paused: Bool) {
        guard webSocket != nil, !isClosed else { return }
        webSocket!.machine.readingPaused = paused
        if paused { flush() } else { readAvailable() }
    }

    func processFrames() {
        // Only the id is read out: copying the connection's machine (a struct holding buffers) would cost retains on
        // every frame.
        while !isClosed, let id = webSocket?.id, let event = webSocket!.machine.nextEvent() {
            switch event {
            case .message(let payload):
                report(.frameReceived(id, payload))
            case .closedByPeer:
                report(.webSocketClosed(id), disowning: id)
            case .failed(let error):
                engine.log(.info, "WebSocket from \(remoteAddress) failed (\(error.closeCode)): \(error)")
                report(.webSocketFailed(id), disowning: id)
            }
        }
        // What the frames led to (answers, pongs, a 101 before them) leaves at the end of the turn, together.
        scheduleFlush()
    }

    /// Tells the shard that owns this connection's WebSocket, on its loop.
    func report(_ event: ServerEndpointEvent, disowning id: ConnectionID? = nil) {
        let shard = socketShard ?? engine
        if shard.loop.isCurrent {  // the common case, without a closure to allocate per frame
            if let id { shard.disown(id) }
            return shard.apply(event)
        }
        shard.perform { shard in
            if let id { shard.disown(id) }
            shard.apply(event)
        }
    }
}
