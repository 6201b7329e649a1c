import EngineIOSpec
import EngineIOWire

// Theory of operation
//
// `ServerEndpoint` is the whole server as a value: it checks every request on the Engine.IO path in the order of
// the JavaScript reference (origin, transport, then with a sid: known session and matching transport; without:
// GET, real upgrade for WebSockets, supported EIO), answers what fails with the reference's JSON error bodies, opens
// sessions with the sid the shell drew, and routes everything else to that session's `ServerSession` reducer.
// A WebSocket handshake is judged here in full: after the origin and the transport, RFC 6455's rules (method, HTTP
// version, Connection, key, version 13; refused with 400 or 426 and the CORS headers), then the accept value and the
// permessage-deflate agreement, which ride with `acceptWebSocket` for the shell to write. It
// turns the session's replies into HTTP (payload encoding for the session's protocol version, CORS headers, the
// sid cookie on the handshake, the compression decision) and its packets into WebSocket messages.
//
// It remembers which session each open request and WebSocket belongs to, so the shell only names requests and
// connections. A session that finishes is forgotten; later requests for its sid get `Session ID unknown`. What the
// application sees (`applicationSIDs`, `applicationTransport`) lasts longer, as python's `sockets` does: a session
// told `closed` stays in `departing` until the shell reports `applicationReleased` (its disconnect handler returned).
//
// Requests from a trusted proxy are read as the client made them (`TrustedProxies.resolve`) before anything else,
// so CORS, the environ and the handlers see the client's address, scheme and host.
//
// Draining (a rolling deploy): new sessions are refused with `Server is draining` (503) while the existing ones are
// served until the drain deadline, which leaves as a `wakeEndpoint` effect; then they are closed with
// `server disconnect`. `drained` is announced once, when the last session has gone.
//
// The endpoint counts what it sees (`counters`): sessions opened and upgraded, messages and bytes each way,
// refused handshakes by error, disconnects by reason. Plain integers in the state, summed by the shell for metrics.
/// The whole server as a pure reducer: it admits requests and WebSocket handshakes, and runs one
/// `ServerSession` per sid.
///
/// Its state is readable from anywhere and writable only here: nothing but `reduce(_:_:)` moves it.
public struct ServerEndpoint: Hashable, Codable, Sendable {
    /// A routed request waiting for its session's answer.
    public struct PendingRequest: Hashable, Codable, Sendable {
        /// What the request is to its session: the polling handshake, a long-poll `GET`, or a `POST`.
        public enum Kind: Hashable, Codable, Sendable { case handshake, poll, post }
        /// The session the request was routed to; for a handshake, the fresh sid it opened.
        public internal(set) var sid: String
        /// What the request is; a handshake's payload reply also carries the sid cookie, if one is configured.
        public internal(set) var kind: Kind
        /// The request as `TrustedProxies` resolved it, which shapes the reply (CORS headers, `b64`,
        /// `Accept-Encoding`); a `POST` body is binary if its `Content-Type` starts with `application/octet-stream`.
        public internal(set) var request: EngineIORequest
    }

    /// The server's options; the reducer never changes them.
    public internal(set) var settings: ServerEndpointSettings
    /// The live sessions by sid. A session joins when its handshake is admitted and leaves once it is finished
    /// (`ServerSession.isFinished`); requests for its sid then get `Session ID unknown`.
    public internal(set) var sessions: [String: ServerSession] = [:]
    /// Sessions that have closed while the application still knows them: python lists a session (`sockets`,
    /// `transport`) until its disconnect handler returns, which is after the session itself has gone. Each entry
    /// keeps the transport the session ended on, and leaves with `applicationReleased`.
    public internal(set) var departing: [String: Transport] = [:]
    /// The requests routed to a session and not answered yet; an entry leaves when the request is answered or
    /// aborted.
    public internal(set) var pending: [RequestID: PendingRequest] = [:]
    /// Which session each WebSocket (session transport or upgrade probe) belongs to.
    public internal(set) var connections: [ConnectionID: String] = [:]
    /// The 101 each admitted WebSocket handshake gets once its session accepts it.
    public internal(set) var acceptances: [ConnectionID: WebSocketAcceptance] = [:]
    /// Set by `shutdownRequested` and never cleared: new sessions are refused (400) from then on.
    public internal(set) var isShutDown = false
    /// Refusing new sessions while the existing ones finish (see `drainRequested`).
    public internal(set) var isDraining = false
    /// When a drain closes the sessions left.
    public internal(set) var drainDeadline: Instant?
    /// Whether `drained` has been announced.
    public internal(set) var hasAnnouncedDrained = false
    /// What the endpoint has counted since it started; the reducer only ever adds to it.
    public internal(set) var counters = ServerCounters()
    /// Room for a session's effects while they are translated, kept from step to step so a step allocates none;
    /// empty between steps, and no part of the state's value.
    var scratch = EffectScratch<ServerSessionEffect>()

    /// An endpoint with no sessions, neither draining nor shut down.
    public init(settings: ServerEndpointSettings) { self.settings = settings }

    /// `(State, Input) -> (State, [Effect])`, for documentation and property tests.
    public static func step(_ state: ServerEndpoint, _ input: Input<ServerEndpointEvent>) -> (ServerEndpoint, [ServerEndpointEffect]) {
        var next = state
        let effects = reduce(&next, input)
        return (next, effects)
    }

    /// Applies one input; returns the effects in the order the shell must run them.
    public static func reduce(_ state: inout ServerEndpoint, _ input: Input<ServerEndpointEvent>) -> [ServerEndpointEffect] {
        var effects: [ServerEndpointEffect] = []
        state.handle(input, &effects)
        return effects
    }

    /// `reduce(_:_:)` appending its effects to `effects`: a shell that keeps one array from step to step (emptied
    /// once its effects have run, its capacity kept) allocates none per step.
    public static func reduce(_ state: inout ServerEndpoint, _ input: Input<ServerEndpointEvent>, into effects: inout [ServerEndpointEffect]) {
        state.handle(input, &effects)
    }

    private mutating func handle(_ input: Input<ServerEndpointEvent>, _ effects: inout [ServerEndpointEffect]) {
        let now = input.now
        switch input.event {
        case .requestReceived(let id, let request, let freshSID):
            httpRequest(id, request, freshSID: freshSID, now: now, &effects)
        case .bodyReceived(let id, let body):
            guard let routed = pending[id] else { return }
            let binary = routed.request.header("Content-Type").map { EngineIORequest.hasPrefixIgnoringCase($0, "application/octet-stream") } ?? false
            forward(.postReceived(id, body: body, binary: binary), to: routed.sid, now: now, &effects)
        case .bodyTooLarge(let id):
            guard let routed = pending[id] else { return }
            forward(.postTooLarge(id), to: routed.sid, now: now, &effects)
        case .requestAborted(let id):
            guard let routed = pending.removeValue(forKey: id) else { return }
            forward(.requestAborted(id), to: routed.sid, now: now, &effects)
        case .webSocketRequested(let connection, let request, let freshSID):
            webSocketRequest(connection, request, freshSID: freshSID, now: now, &effects)
        case .frameReceived(let connection, let payload):
            guard let sid = connections[connection] else { return }
            forward(.frameReceived(connection, payload), to: sid, now: now, &effects)
        case .webSocketClosed(let connection):
            acceptances[connection] = nil
            guard let sid = connections.removeValue(forKey: connection) else { return }
            forward(.webSocketClosed(connection), to: sid, now: now, &effects)
        case .webSocketFailed(let connection):
            acceptances[connection] = nil
            guard let sid = connections.removeValue(forKey: connection) else { return }
            forward(.webSocketFailed(connection), to: sid, now: now, &effects)
        case .writeBacklog(let connection, let bytes):
            guard let sid = connections[connection] else { return }
            forward(.writeBacklog(connection, bytes: bytes), to: sid, now: now, &effects)
        case .applicationBacklogChanged(let sid, let behind):
            forward(.applicationBacklogChanged(behind: behind), to: sid, now: now, &effects)
        case .verdictReceived(let sid, let verdict):
            forward(.verdictReceived(verdict), to: sid, now: now, &effects)
        case .command(let sid, let command):
            guard let index = sessions.index(forKey: sid) else {
                effects.append(.rejected(sid: sid, command))  // python: "Cannot send to sid", and nothing else
                return
            }
            if case .send(let packet) = command, packet.type == .message {
                counters.messagesOut += 1
                counters.bytesOut += packet.dataByteCount
            }
            forward(.command(command), to: sid, at: index, now: now, &effects)
        case .drainRequested(let timeout):
            guard !isDraining, !isShutDown else { return }
            isDraining = true
            let deadline = now + max(0, timeout)
            drainDeadline = deadline
            if timeout <= 0 { return closeDrainingSessions(now: now, &effects) }
            effects.append(.wakeEndpoint(at: deadline))
            announceIfDrained(&effects)
        case .endpointTimerFired:
            guard isDraining, let deadline = drainDeadline else { return }
            guard now >= deadline else { return effects.append(.wakeEndpoint(at: deadline)) }
            closeDrainingSessions(now: now, &effects)
        case .shutdownRequested:
            isShutDown = true
            for sid in sessions.keys.sorted() { forward(.command(.shutdown), to: sid, now: now, &effects) }
        case .timerFired(let sid):
            forward(.timerFired, to: sid, now: now, &effects)
        case .applicationReleased(let sid):
            departing[sid] = nil
        }
    }

    // MARK: drain

    private mutating func closeDrainingSessions(now: Instant, _ effects: inout [ServerEndpointEffect]) {
        drainDeadline = nil
        for sid in sessions.keys.sorted() { forward(.command(.disconnect), to: sid, now: now, &effects) }
        announceIfDrained(&effects)
    }

    private mutating func announceIfDrained(_ effects: inout [ServerEndpointEffect]) {
        guard isDraining, sessions.isEmpty, !hasAnnouncedDrained else { return }
        hasAnnouncedDrained = true
        effects.append(.drained)
    }

    // MARK: admission

    private mutating func httpRequest(
        _ id: RequestID, _ received: EngineIORequest, freshSID: String, now: Instant, _ effects: inout [ServerEndpointEffect]
    ) {
        let request = settings.trustedProxies.resolve(received)
        let cors = HTTPPolicies.corsHeaders(request, settings: settings)
        func refuse(_ error: HandshakeError) {
            counters.handshakeErrors[error, default: 0] += 1
            effects.append(.respond(id, reply(.error(error), request: request, kind: nil, sid: nil)))
        }
        guard HTTPPolicies.originAllowed(request, policy: settings.cors) else { return refuse(.forbidden) }
        if request.method == "OPTIONS", settings.cors != .disabled {
            effects.append(.respond(id, HTTPReply(status: 204, headers: cors)))
            return
        }
        guard let transport = request.queryValue("transport").flatMap(Transport.init(rawValue:)),
            settings.transports.contains(transport)
        else { return refuse(.transportUnknown) }
        if let sid = request.queryValue("sid") {
            guard let session = sessions[sid] else { return refuse(.unknownSessionID) }
            // An HTTP request must ask for polling, and only a polling session takes it.
            guard transport == .polling, session.transport == .polling else { return refuse(.badRequest) }
            switch request.method {
            case "GET":
                pending[id] = PendingRequest(sid: sid, kind: .poll, request: request)
                forward(.pollReceived(id), to: sid, now: now, &effects)
            case "POST":
                pending[id] = PendingRequest(sid: sid, kind: .post, request: request)
                forward(.postStarted(id), to: sid, now: now, &effects)
            default:
                refuse(.badRequest)
            }
            return
        }
        guard request.method == "GET" else { return refuse(.badHandshakeMethod) }
        guard transport == .polling else { return refuse(.badRequest) }  // websocket without an upgrade
        guard let version = acceptedVersion(request) else { return refuse(.unsupportedProtocolVersion) }
        guard !isDraining else { return refuse(.serverDraining) }
        guard !isShutDown, sessions.index(forKey: freshSID) == nil else { return refuse(.badRequest) }
        pending[id] = PendingRequest(sid: freshSID, kind: .handshake, request: request)
        let (session, sessionEffects) = ServerSession.start(
            sid: freshSID, settings: version == .v4 ? settings.v4 : settings.v3, handshake: .polling(id))
        sessions[freshSID] = session
        guard let index = sessions.index(forKey: freshSID) else { return }
        translate(sessionEffects, sid: freshSID, at: index, request: request, &effects)
    }

    private mutating func webSocketRequest(
        _ connection: ConnectionID, _ received: EngineIORequest, freshSID: String, now: Instant, _ effects: inout [ServerEndpointEffect]
    ) {
        let request = settings.trustedProxies.resolve(received)
        func refuse(_ error: HandshakeError) {
            counters.handshakeErrors[error, default: 0] += 1
            effects.append(.refuseWebSocket(connection, reply(.error(error), request: request, kind: nil, sid: nil)))
        }
        guard HTTPPolicies.originAllowed(request, policy: settings.cors) else { return refuse(.forbidden) }
        guard request.queryValue("transport") == Transport.websocket.rawValue, settings.transports.contains(.websocket) else {
            return refuse(.transportUnknown)
        }
        guard request.isWebSocketUpgrade else { return refuse(.badRequest) }
        // The rest of RFC 6455's handshake: method, HTTP version, Connection, key, version 13 (426 names the one we
        // speak). Refused with the error's status, CORS headers included.
        let acceptValue: String
        do {
            // Looked up by name in place (byte-wise), rather than through a copy of the header list as tuples.
            acceptValue = try WebSocketHandshake.validateUpgradeRequest(
                method: request.method, httpVersion: (request.httpVersion.major, request.httpVersion.minor),
                header: request.headerLines)
        } catch {
            var headers = HTTPPolicies.corsHeaders(request, settings: settings)
            headers += error.responseHeaders.map { HeaderField($0.name, $0.value) }
            headers.append(HeaderField("Content-Type", "text/plain; charset=utf-8"))
            effects.append(.refuseWebSocket(connection, HTTPReply(status: error.httpStatus, headers: headers, body: Array("\(error)".utf8))))
            return
        }
        let deflate = settings.perMessageDeflate
            ? PerMessageDeflate.negotiate(headerValues: request.headerLines("Sec-WebSocket-Extensions")) : nil
        let acceptance = WebSocketAcceptance(acceptValue: acceptValue, deflate: deflate)
        let base64 = request.queryValue("b64") != nil
        if let sid = request.queryValue("sid") {
            guard sessions.index(forKey: sid) != nil else { return refuse(.unknownSessionID) }
            // Complete the handshake, then let the session decide whether this is an acceptable upgrade probe.
            effects.append(.acceptWebSocket(connection, acceptance))
            connections[connection] = sid
            forward(.webSocketOpened(connection, base64: base64), to: sid, now: now, &effects)
            return
        }
        guard let version = acceptedVersion(request) else { return refuse(.unsupportedProtocolVersion) }
        guard !isDraining else { return refuse(.serverDraining) }
        guard !isShutDown, sessions.index(forKey: freshSID) == nil else { return refuse(.badRequest) }
        var (session, sessionEffects) = ServerSession.start(
            sid: freshSID, settings: version == .v4 ? settings.v4 : settings.v3, handshake: .websocket(connection))
        session.webSocketBase64 = base64
        sessions[freshSID] = session
        connections[connection] = freshSID
        acceptances[connection] = acceptance
        guard let index = sessions.index(forKey: freshSID) else { return }
        translate(sessionEffects, sid: freshSID, at: index, request: request, &effects)
    }

    private func acceptedVersion(_ request: EngineIORequest) -> ProtocolVersion? {
        switch request.queryValue("EIO") {
        case "4": .v4
        case "3" where settings.allowEIO3: .v3
        default: nil
        }
    }

    // MARK: sessions

    /// `index`: where `sid` is in `sessions`, when the caller has looked it up already (a lookup hashes the sid).
    private mutating func forward(
        _ event: ServerSessionEvent, to sid: String, at index: [String: ServerSession].Index? = nil, now: Instant, _ effects: inout [ServerEndpointEffect]
    ) {
        guard let index = index ?? sessions.index(forKey: sid) else {
            // The session is gone: answer what needs an answer, drop the rest.
            switch event {
            case .pollReceived(let id), .postStarted(let id), .postReceived(let id, _, _), .postTooLarge(let id):
                let request = pending.removeValue(forKey: id)?.request ?? EngineIORequest(method: "GET", query: [])
                effects.append(.respond(id, reply(.error(.unknownSessionID), request: request, kind: nil, sid: nil)))
            case .webSocketOpened(let connection, _), .frameReceived(let connection, _):
                connections[connection] = nil
                effects.append(.closeWebSocket(connection))
            case .command(let command):
                effects.append(.rejected(sid: sid, command))
            default:
                break
            }
            return
        }
        // Reduced in place: a copy taken out of the dictionary would share its queues with the stored one, and the
        // first change to them would copy them whole. (Even reading a field through the dictionary's getter copies
        // the whole session, so what is read afterwards is read in place too.)
        var sessionEffects = scratch.take()
        let isFinished = Self.reduceInPlace(&sessions.values[index], Input(at: now, event), into: &sessionEffects)
        translate(sessionEffects, sid: sid, at: index, request: nil, &effects)
        scratch.give(back: &sessionEffects)
        if isFinished {
            sessions[sid] = nil
            for (connection, owner) in connections where owner == sid { acceptances[connection] = nil }
            connections = connections.filter { $0.value != sid }
            announceIfDrained(&effects)
        }
    }

    /// Session effects → endpoint effects. `request` is the handshake request, for `authorize`; `index`, where the
    /// session is in `sessions` (translating changes no session, so it stays valid throughout).
    private mutating func translate(
        _ sessionEffects: [ServerSessionEffect], sid: String, at index: [String: ServerSession].Index, request: EngineIORequest?,
        _ effects: inout [ServerEndpointEffect]
    ) {
        for effect in sessionEffects {
            switch effect {
            case .respond(let id, let sessionReply):
                guard let routed = pending.removeValue(forKey: id) else { continue }
                effects.append(.respond(id, reply(sessionReply, request: routed.request, kind: routed.kind, sid: sid)))
            case .acceptWebSocket(let connection):
                guard let acceptance = acceptances.removeValue(forKey: connection) else { continue }
                effects.append(.acceptWebSocket(connection, acceptance))
            case .refuseWebSocket(let connection, let sessionReply):
                connections[connection] = nil
                acceptances[connection] = nil
                effects.append(.refuseWebSocket(connection, reply(sessionReply, request: request ?? EngineIORequest(method: "GET", query: []), kind: nil, sid: sid)))
            case .write(let packets, let connection):
                let (codec, base64) = Self.webSocketEncoding(of: &sessions.values[index], on: connection)
                effects.append(.write(packets.map { codec.encodeWebSocket($0, base64: base64) }, to: connection))
            case .closeWebSocket(let connection):
                connections[connection] = nil
                effects.append(.closeWebSocket(connection))
            case .pauseReading(let connection):
                effects.append(.pauseReading(connection))
            case .resumeReading(let connection):
                effects.append(.resumeReading(connection))
            case .deliver(let data):
                counters.messagesIn += 1
                counters.bytesIn += data.byteCount
                effects.append(.deliver(sid: sid, data))
            case .authorize:
                effects.append(.authorize(sid: sid, request ?? EngineIORequest(method: "GET", query: [])))
            case .notify(let notification):
                counters.count(notification)
                // The application has heard `closed`: it still lists the session until it lets go.
                if case .closed = notification { departing[sid] = sessions.values[index].transport }
                effects.append(.notify(sid: sid, notification))
            case .wake(let at):
                effects.append(.wake(sid: sid, at: at))
            case .rejected(let command):
                effects.append(.rejected(sid: sid, command))
            case .report(let violation):
                counters.violations[violation.kind, default: 0] += 1
                effects.append(.report(sid: sid, violation))
            }
        }
    }

    /// How a session's packets are encoded on `connection`: its protocol version, and whether binary goes as base64
    /// text (the session's WebSocket and its upgrade probe each say so for themselves). Reads the session in place
    /// (`inout` only to avoid the dictionary getter's copy; nothing is changed).
    private static func webSocketEncoding(of session: inout ServerSession, on connection: ConnectionID) -> (PacketCodec, base64: Bool) {
        let base64 = connection == session.webSocket ? session.webSocketBase64 : session.probe?.base64 ?? false
        return (PacketCodec(version: session.settings.version), base64)
    }

    /// Reduces a session where it is stored; returns whether it has finished.
    private static func reduceInPlace(
        _ session: inout ServerSession, _ input: Input<ServerSessionEvent>, into effects: inout [ServerSessionEffect]
    ) -> Bool {
        ServerSession.reduce(&session, input, into: &effects)
        return session.isFinished
    }

    // MARK: what the application sees

    /// python's `sockets` keys: the sessions the application has been told are open (not those whose connect
    /// handler still decides), and the closed ones (draining included) whose disconnect handler has not returned.
    public var applicationSIDs: [String] {
        sessions.compactMap { Self.isOpenToApplication($0.value.phase) ? $0.key : nil } + departing.keys
    }

    /// python's `transport(sid)`: the transport of a session in `applicationSIDs`, nil for any other sid.
    public func applicationTransport(of sid: String) -> Transport? {
        if let index = sessions.index(forKey: sid), Self.isOpenToApplication(sessions.values[index].phase) {
            return sessions.values[index].transport
        }
        return departing[sid]
    }

    /// Open, and not yet closed as far as the application knows: a draining session has told it `closed` already
    /// (it is in `departing` until the application lets go).
    private static func isOpenToApplication(_ phase: ServerSession.Phase) -> Bool {
        if case .open = phase { true } else { false }
    }

    // MARK: replies

    /// The HTTP answer for a session reply (or an admission error when `kind` is nil).
    private func reply(_ sessionReply: SessionReply, request: EngineIORequest, kind: PendingRequest.Kind?, sid: String?) -> HTTPReply {
        var headers = HTTPPolicies.corsHeaders(request, settings: settings)
        switch sessionReply {
        case .payload(let packets):
            let version = sid.flatMap { sessions[$0]?.settings.version } ?? .v4
            let codec = PayloadCodec(version: version)
            let body: [UInt8]
            // v3 clients that did not ask for base64 get binary data in the v3 binary payload format.
            if version == .v3, request.queryValue("b64") == nil, packets.contains(where: { if case .binary = $0.data { true } else { false } }) {
                body = codec.encodeV3Binary(packets)
                headers.append(HTTPPolicies.binaryContentType)
            } else {
                body = codec.encode(packets)
                headers.append(HTTPPolicies.textContentType)
            }
            headers.append(HTTPPolicies.noStore)
            if kind == .handshake, let cookie = settings.cookie, let sid {
                headers.append(HeaderField("Set-Cookie", cookie.headerValue(sid: sid)))
            }
            let compression = HTTPPolicies.compression(acceptEncoding: request.header("Accept-Encoding"), size: body.count, settings: settings)
            return HTTPReply(status: 200, headers: headers, body: body, compression: compression)
        case .ok:
            headers.append(HTTPPolicies.okContentType)
            return HTTPReply(status: 200, headers: headers, body: Array(Framing.pollingOK.utf8))
        case .error(let error):
            headers.append(HTTPPolicies.jsonContentType)
            return HTTPReply(status: error.httpStatus, headers: headers, body: HTTPPolicies.errorBody(error))
        case .badRequest:
            headers.append(HTTPPolicies.jsonContentType)
            return HTTPReply(status: 400, headers: headers, body: HTTPPolicies.errorBody(.badRequest))
        case .payloadTooLarge:
            headers.append(HTTPPolicies.jsonContentType)
            return HTTPReply(status: 413, headers: headers, body: HTTPPolicies.payloadTooLargeBody)
        case .unauthorized(let body):
            headers.append(HTTPPolicies.jsonContentType)
            return HTTPReply(status: 401, headers: headers, body: Array(body.utf8))
        }
    }
}
