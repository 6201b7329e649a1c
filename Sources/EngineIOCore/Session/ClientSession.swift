import EngineIOWire

// Theory of operation
//
// `ClientSession` is one client connection as a value. It names its own requests and WebSockets (counters in the
// state), so the shell only performs what the effects say and reports back.
//
// Phases: `idle` → `connecting` (handshake request or WebSocket) → `open` → `closed(reason)`; or `connecting` →
// `failed(error)` (python raises from `connect`). `closed` and `failed` are terminal.
//
// Polling: one GET is always out while open (re-issued after each response), and at most one POST; packets sent
// while a POST is out wait and go together in the next one, up to the server's `maxPayload` (a single larger packet
// still goes alone).
//
// Upgrade: after a polling handshake that offers `websocket`, a probe WebSocket is opened and sent `2probe`. On
// `3probe` the client pauses polling: it issues no new requests, waits for the outstanding GET and POST to finish,
// then sends `5` on the probe, which becomes the transport, and flushes what it held. A failed probe resumes
// polling.
//
// Heartbeat: v4 servers ping; we answer each ping at once and consider the server dead when no ping came for
// `pingInterval + pingTimeout` (`ping timeout`). v3 reverses it: we ping every interval and want the pong within
// `pingTimeout`. The deadline lives in the state and leaves as `wake(at:)`; expiry is judged before each event.
//
// Closing: a `1` from the server is `server disconnect`; a failed request, a broken WebSocket or an unreadable
// payload is `transport error`, with its cause kept in `closeCause`; our own `disconnect` sends `1` (best effort) and
// is `client disconnect`.
//
// Deadlines (all in the state, all from `requestTimeout`): the whole connect, every phase of it included (TCP, TLS,
// the HTTP response or the 101, the open packet, redirects), shares one budget; each POST has its own; an upgrade
// probe that gets no `3probe` in time is abandoned and the session stays on polling.
//
// Redirects: the handshake follows 301, 302, 303, 307 and 308 (at most `maxRedirects`), to http or https only and
// never from https to http; the last `Location` becomes the server's URL for the rest of the session.
/// One client connection as a value, driven by `reduce(_:_:)`; it names its own requests and WebSockets.
///
/// Its state is readable from anywhere and writable only here: nothing but `reduce(_:_:)` moves it.
public struct ClientSession: Hashable, Codable, Sendable {
    /// Where the connection is in its life; `closed` and `failed` are terminal.
    public enum Phase: Hashable, Codable, Sendable {
        /// Nothing asked yet; `connect` starts the handshake.
        case idle
        /// The handshake request or WebSocket is out; the open packet must arrive before `connectDeadline`.
        case connecting
        /// The open packet arrived; the application has heard `opened`.
        case open
        /// The session ended, for this reason: after it opened (the application has heard `closed`), or by a
        /// `disconnect` while connecting (nothing is told then).
        case closed(DisconnectReason)
        /// `connect` failed, for this reason; the shell was told with `connectFailed`.
        case failed(ConnectError)
    }

    /// An upgrade probe: a WebSocket opened beside polling, which becomes the transport once `5` goes out on it.
    public struct Probe: Hashable, Codable, Sendable {
        /// How far the probe has got; it only moves forward.
        public enum Stage: Hashable, Codable, Sendable {
            /// The WebSocket is being opened.
            case opening
            /// `2probe` is out.
            case probing
            /// `3probe` came: polling is pausing; `5` goes out once the outstanding requests finish.
            case pausing
        }

        /// The probe's WebSocket.
        public internal(set) var connection: ConnectionID
        /// How far the probe has got.
        public internal(set) var stage: Stage
        /// The probe is abandoned if it has not committed by then.
        public internal(set) var deadline: Instant

        /// A probe with these values, stored as given.
        public init(connection: ConnectionID, stage: Stage, deadline: Instant) {
            self.connection = connection
            self.stage = stage
            self.deadline = deadline
        }
    }

    /// The heartbeat deadline that is running: v4 servers ping, v3 clients do.
    public enum Heartbeat: Hashable, Codable, Sendable {
        /// v4: the server must ping by this instant.
        case expectingPing(deadline: Instant)
        /// v3: our next ping goes out at this instant.
        case pingDue(Instant)
        /// v3: our ping is out; the pong must come by this instant.
        case awaitingPong(deadline: Instant)
    }

    /// The client's options; the reducer never changes them.
    public internal(set) var settings: ClientSessionSettings
    /// Where the session is; it starts `idle`, and each event is handled as its phase says.
    public internal(set) var phase: Phase = .idle
    /// The transport in use: the first of `settings.transports` (polling if none), then `websocket` once an
    /// upgrade commits.
    public internal(set) var transport: Transport
    /// The server's open packet (sid, heartbeat timings, `maxPayload`), from the moment the session opens; kept
    /// after it closes.
    public internal(set) var handshake: OpenPacket?
    /// The polling handshake `GET` awaiting its answer (the first, or the one a redirect led to); nil
    /// otherwise.
    public internal(set) var handshakeRequest: RequestID?
    /// The session's WebSocket: while connecting, the WebSocket-only handshake's; once open, the transport
    /// (after that handshake or a committed upgrade). Nil when there is none or it has closed.
    public internal(set) var webSocket: ConnectionID?
    /// The upgrade probe in progress, opened after a polling handshake that offers `websocket` when
    /// `settings.upgrade` allows it.
    public internal(set) var probe: Probe?
    /// The long-poll `GET` awaiting its answer: over polling one is always out, re-issued after each response,
    /// except while an upgrade is pausing.
    public internal(set) var poll: RequestID?
    /// The `POST` awaiting its answer, at most one; packets sent meanwhile wait in `outbound`. The best-effort
    /// close `POST` of `disconnect` is not tracked.
    public internal(set) var post: RequestID?
    /// Packets waiting for a POST slot, or for the upgrade to finish.
    public internal(set) var outbound: [Packet] = []
    /// The data bytes of `outbound`, kept as it changes so the shell can report its backlog without a walk over it.
    public internal(set) var outboundBytes = 0
    /// The heartbeat deadline while the session is open; nil before it opens and once it closes.
    public internal(set) var heartbeat: Heartbeat?
    /// The ID the next request or WebSocket the session names gets; both share this counter, so no ID repeats.
    public internal(set) var nextID: UInt64 = 1
    /// The connect gives up at this instant (while connecting).
    public internal(set) var connectDeadline: Instant?
    /// A direct WebSocket handshake was answered (101); the open packet is awaited.
    public internal(set) var webSocketAnswered = false
    /// Redirects followed by the handshake.
    public internal(set) var redirects = 0
    /// The outstanding POST fails at this instant.
    public internal(set) var postDeadline: Instant?
    /// Why the session ended with `transport error`, as far as the shell could tell.
    public internal(set) var closeCause: TransportFailure?

    /// An idle session that will start on the first of `settings.transports` (polling if the list is empty).
    public init(settings: ClientSessionSettings) {
        self.settings = settings
        transport = settings.transports.first ?? .polling
    }

    /// The session ID from the server's open packet; nil until the session opens.
    public var sid: String? { handshake?.sid }

    /// `(State, Input) -> (State, [Effect])`, for documentation and property tests.
    public static func step(_ state: ClientSession, _ input: Input<ClientSessionEvent>) -> (ClientSession, [ClientSessionEffect]) {
        var next = state
        let effects = reduce(&next, input)
        return (next, effects)
    }

    /// Applies one input; returns the effects in the order the shell must run them.
    public static func reduce(_ state: inout ClientSession, _ input: Input<ClientSessionEvent>) -> [ClientSessionEffect] {
        var effects: [ClientSessionEffect] = []
        let before = state.nextDeadline
        if let due = before, input.now >= due { state.expireDeadlines(now: input.now, &effects) }
        switch state.phase {
        case .idle: state.idle(input, &effects)
        case .connecting: state.connecting(input, &effects)
        case .open: state.open(input, &effects)
        case .closed, .failed: state.finished(input, &effects)
        }
        let after = state.nextDeadline
        if after != before || (after != nil && input.event.isTimerFired) { effects.append(.wake(at: after)) }
        return effects
    }

    /// The earliest instant at which something is due: the connect's deadline while connecting; the `POST`'s,
    /// the probe's or the heartbeat's while open; nil otherwise.
    public var nextDeadline: Instant? {
        switch phase {
        case .connecting: return connectDeadline
        case .open:
            let beat: Instant? =
                switch heartbeat {
                case .expectingPing(let at)?, .pingDue(let at)?, .awaitingPong(let at)?: at
                case nil: nil
                }
            return Instant.earliest(postDeadline, probe?.deadline, beat)
        case .idle, .closed, .failed: return nil
        }
    }

    /// Whether the session has ended (`closed` or `failed`); from then on it only rejects commands.
    public var isFinished: Bool {
        switch phase {
        case .closed, .failed: true
        case .idle, .connecting, .open: false
        }
    }

    private mutating func newRequest() -> RequestID {
        defer { nextID += 1 }
        return RequestID(nextID)
    }

    private mutating func newConnection() -> ConnectionID {
        defer { nextID += 1 }
        return ConnectionID(nextID)
    }

    private var codec: PacketCodec { PacketCodec(version: settings.version) }

    /// Packets as WebSocket messages for this session's protocol version (binary data as binary frames).
    private func encoded(_ packets: [Packet]) -> [WebSocketPayload] {
        let codec = PacketCodec(version: settings.version)
        return packets.map { codec.encodeWebSocket($0) }
    }

    // MARK: idle and connecting

    private mutating func idle(_ input: Input<ClientSessionEvent>, _ effects: inout [ClientSessionEffect]) {
        switch input.event {
        case .command(.connect):
            phase = .connecting
            connectDeadline = input.now + settings.requestTimeout
            if transport == .polling {
                let request = newRequest()
                handshakeRequest = request
                effects.append(.sendRequest(request, .handshake()))
            } else {
                let connection = newConnection()
                webSocket = connection
                effects.append(.openWebSocket(connection, sid: nil))
            }
        case .command(let command):
            effects.append(.rejected(command))  // python drops sends while disconnected
        default:
            break
        }
    }

    private mutating func connecting(_ input: Input<ClientSessionEvent>, _ effects: inout [ClientSessionEffect]) {
        let now = input.now
        switch input.event {
        case .command(.send(let packet)):
            outbound.append(packet)  // goes out once connected
            outboundBytes += packet.dataByteCount
        case .command(.disconnect):
            // Nothing opened, so nothing closes for the application either.
            if let request = handshakeRequest { effects.append(.cancelRequest(request)) }
            if let connection = webSocket { effects.append(.closeWebSocket(connection)) }
            handshakeRequest = nil
            webSocket = nil
            outbound = []
            outboundBytes = 0
            phase = .closed(.clientDisconnect)
        case .command(.connect):
            effects.append(.rejected(.connect))  // "Client is not in a disconnected state"
        case .responseReceived(let request, let status, let body, let binary) where request == handshakeRequest:
            handshakeRequest = nil
            guard status == 200 else { return fail(.unexpectedStatus(status, body: body), &effects) }
            let payload = PayloadCodec(version: settings.version)
            guard let packets = try? (binary ? payload.decodeV3Binary(body) : payload.decode(body)), let first = packets.first else {
                return fail(.unexpectedResponse, &effects)
            }
            guard first.type == .open else { return fail(.noOpenPacket, &effects) }
            guard let open = try? OpenPacket(packet: first) else { return fail(.unexpectedResponse, &effects) }
            opened(open, now: now, &effects)
            for packet in packets.dropFirst() where phase == .open { receive(packet, now: now, &effects) }
            guard phase == .open else { return }
            if settings.upgrade, settings.transports.contains(.websocket), open.upgradeTransports.contains(.websocket) {
                let connection = newConnection()
                probe = Probe(connection: connection, stage: .opening, deadline: now + settings.requestTimeout)
                effects.append(.openWebSocket(connection, sid: open.sid))
            }
            startPolling(now: now, &effects)
        case .redirected(let request, let status, let location) where request == handshakeRequest:
            handshakeRequest = nil
            if let problem = redirectProblem(status: status, location: location) { return fail(.badRedirect(problem), &effects) }
            redirects += 1
            let next = newRequest()
            handshakeRequest = next
            effects.append(.sendRequest(next, .handshake(redirect: location)))
        case .requestFailed(let request, let failure) where request == handshakeRequest:
            handshakeRequest = nil
            fail(.transport(failure), &effects)
        case .webSocketOpened(let connection) where connection == webSocket:
            webSocketAnswered = true
        case .webSocketRefused(let connection, let status, let body, let failure) where connection == webSocket:
            webSocket = nil
            fail(status.map { .unexpectedStatus($0, body: body) } ?? .transport(failure ?? .closed), &effects)
        case .webSocketClosed(let connection, let failure) where connection == webSocket:
            webSocket = nil
            fail(.transport(failure ?? .closed), &effects)
        case .frameReceived(let connection, let payload) where connection == webSocket:
            guard let packet = decode(payload) else { return fail(.unexpectedResponse, &effects) }
            guard packet.type == .open, let open = try? OpenPacket(packet: packet) else {
                effects.append(.closeWebSocket(connection))
                webSocket = nil
                return fail(.noOpenPacket, &effects)
            }
            opened(open, now: now, &effects)
            flush(now: now, &effects)
        default:
            break
        }
    }

    private mutating func fail(_ error: ConnectError, _ effects: inout [ClientSessionEffect]) {
        if let request = handshakeRequest { effects.append(.cancelRequest(request)) }
        if let connection = webSocket { effects.append(.closeWebSocket(connection)) }
        handshakeRequest = nil
        webSocket = nil
        connectDeadline = nil
        phase = .failed(error)
        outbound = []
        outboundBytes = 0
        effects.append(.connectFailed(error))
    }

    /// Why a redirect may not be followed, or nil: too many, not a redirect status, another scheme, or https → http.
    private func redirectProblem(status: Int, location: String) -> String? {
        guard [301, 302, 303, 307, 308].contains(status) else { return "status \(status)" }
        guard redirects < settings.maxRedirects else { return "more than \(settings.maxRedirects) redirects" }
        let lowered = location.lowercased()
        if lowered.hasPrefix("/") && !lowered.hasPrefix("//") { return nil }  // same server
        if lowered.hasPrefix("https://") { return nil }
        if lowered.hasPrefix("http://") { return settings.secure ? "from https to http (\(location))" : nil }
        return "to \(location), which is not http or https"
    }

    private mutating func opened(_ open: OpenPacket, now: Instant, _ effects: inout [ClientSessionEffect]) {
        handshake = open
        phase = .open
        connectDeadline = nil
        heartbeat =
            settings.version == .v4
            ? .expectingPing(deadline: now + open.pingInterval + open.pingTimeout)
            : .pingDue(now + open.pingInterval)
        effects.append(.notify(.opened(open)))
    }

    // MARK: open

    private mutating func open(_ input: Input<ClientSessionEvent>, _ effects: inout [ClientSessionEffect]) {
        let now = input.now
        switch input.event {
        case .command(.send(let packet)):
            outbound.append(packet)
            outboundBytes += packet.dataByteCount
            flush(now: now, &effects)
        case .command(.disconnect):
            close(.clientDisconnect, &effects)
        case .command(.connect):
            effects.append(.rejected(.connect))
        case .responseReceived(let request, let status, let body, let binary):
            if request == poll {
                poll = nil
                guard status == 200 else { return close(.transportError, cause: .protocolViolation("a poll answered \(status)"), &effects) }
                let payload = PayloadCodec(version: settings.version)
                guard let packets = try? (binary ? payload.decodeV3Binary(body) : payload.decode(body)) else {
                    return close(.transportError, cause: .protocolViolation("an unreadable poll payload"), &effects)
                }
                // No packet may be larger than the server says packets are (`maxPayload`).
                if let limit = handshake?.maxPayload, packets.contains(where: { $0.dataByteCount > limit }) {
                    return close(.transportError, cause: .tooLarge(limit: limit), &effects)
                }
                for packet in packets where phase == .open { receive(packet, now: now, &effects) }
                guard phase == .open else { return }
                if probe?.stage == .pausing { commitIfPaused(now: now, &effects) } else { startPolling(now: now, &effects) }
            } else if request == post {
                post = nil
                postDeadline = nil
                guard status == 200 else { return close(.transportError, cause: .protocolViolation("a POST answered \(status)"), &effects) }
                if probe?.stage == .pausing { commitIfPaused(now: now, &effects) } else { flush(now: now, &effects) }
            }
        case .requestFailed(let request, let failure):
            if request == poll || request == post { close(.transportError, cause: failure, &effects) }
        case .redirected(let request, let status, _):
            if request == poll || request == post { close(.transportError, cause: .protocolViolation("a request redirected (\(status))"), &effects) }
        case .webSocketOpened(let connection):
            if connection == probe?.connection {
                probe?.stage = .probing
                effects.append(.write(encoded([.probePing]), to: connection))
            }
        case .webSocketRefused(let connection, _, _, _):
            if connection == probe?.connection { abandonProbe(closing: false, now: now, &effects) }
        case .frameReceived(let connection, let payload):
            if connection == probe?.connection {
                if probe?.stage == .probing, decode(payload) == .probePong {
                    probe?.stage = .pausing
                    commitIfPaused(now: now, &effects)
                } else {
                    abandonProbe(closing: true, now: now, &effects)
                }
            } else if connection == webSocket {
                guard let packet = decode(payload) else { return close(.transportError, cause: .protocolViolation("an unreadable packet"), &effects) }
                receive(packet, now: now, &effects)
            }
        case .webSocketClosed(let connection, let failure):
            if connection == probe?.connection {
                abandonProbe(closing: false, now: now, &effects)
            } else if connection == webSocket {
                webSocket = nil
                close(.transportError, cause: failure ?? .closed, &effects)
            }
        case .timerFired:
            break
        }
    }

    private mutating func receive(_ packet: Packet, now: Instant, _ effects: inout [ClientSessionEffect]) {
        switch packet.type {
        case .message:
            effects.append(.deliver(packet.data))
        case .ping:
            guard settings.version == .v4, let open = handshake else { return }
            heartbeat = .expectingPing(deadline: now + open.pingInterval + open.pingTimeout)
            outbound.insert(Packet(.pong, packet.data), at: 0)  // answer before anything else that waits
            outboundBytes += packet.dataByteCount
            flush(now: now, &effects)
        case .pong:
            guard settings.version == .v3, let open = handshake, case .awaitingPong = heartbeat else { return }
            heartbeat = .pingDue(now + open.pingInterval)
        case .close:
            close(.serverDisconnect, &effects)
        case .open, .upgrade, .noop:
            break
        }
    }

    private mutating func expireDeadlines(now: Instant, _ effects: inout [ClientSessionEffect]) {
        if case .connecting = phase, let deadline = connectDeadline, now >= deadline {
            let stage: ConnectStage = handshakeRequest != nil ? .handshakeResponse : webSocketAnswered ? .openPacket : .webSocketHandshake
            return fail(.timedOut(stage), &effects)
        }
        guard case .open = phase, let open = handshake else { return }
        if let current = probe, now >= current.deadline { abandonProbe(closing: true, now: now, &effects) }
        if let deadline = postDeadline, now >= deadline {
            return close(.transportError, cause: .timedOut("a POST's answer"), &effects)
        }
        switch heartbeat {
        case .expectingPing(let deadline)? where now >= deadline, .awaitingPong(let deadline)? where now >= deadline:
            close(.pingTimeout, cause: nil, &effects)
        case .pingDue(let at)? where now >= at:
            heartbeat = .awaitingPong(deadline: now + open.pingTimeout)
            outbound.insert(.ping, at: 0)
            flush(now: now, &effects)
        default:
            break
        }
    }

    // MARK: transport

    private mutating func startPolling(now: Instant, _ effects: inout [ClientSessionEffect]) {
        guard transport == .polling, poll == nil, let sid else { return }
        let request = newRequest()
        poll = request
        effects.append(.sendRequest(request, .poll(sid: sid)))
        flush(now: now, &effects)
    }

    /// Sends what waits, if the transport can take it now.
    private mutating func flush(now: Instant, _ effects: inout [ClientSessionEffect]) {
        guard case .open = phase, !outbound.isEmpty else { return }
        if transport == .websocket, let connection = webSocket {
            effects.append(.write(encoded(outbound), to: connection))
            outbound = []
            outboundBytes = 0
            return
        }
        guard transport == .polling, post == nil, probe?.stage != .pausing, let sid else { return }
        let payload = PayloadCodec(version: settings.version)
        let limit = handshake?.maxPayload ?? Int.max
        var batch: [Packet] = []
        var size = 0
        var dataBytes = 0
        for packet in outbound {
            let cost = packet.dataByteCount + 2
            if !batch.isEmpty, size + cost > limit || batch.count == settings.maxPacketsPerPost { break }
            batch.append(packet)
            size += cost
            dataBytes += packet.dataByteCount
        }
        outbound.removeFirst(batch.count)
        outboundBytes -= dataBytes
        let request = newRequest()
        post = request
        postDeadline = now + settings.requestTimeout
        effects.append(.sendRequest(request, .post(sid: sid, body: payload.encode(batch))))
    }

    private mutating func commitIfPaused(now: Instant, _ effects: inout [ClientSessionEffect]) {
        guard let current = probe, current.stage == .pausing, poll == nil, post == nil else { return }
        probe = nil
        transport = .websocket
        webSocket = current.connection
        effects.append(.write(encoded([.upgrade]), to: current.connection))
        effects.append(.notify(.upgraded))
        flush(now: now, &effects)
    }

    private mutating func abandonProbe(closing: Bool, now: Instant, _ effects: inout [ClientSessionEffect]) {
        guard let current = probe else { return }
        probe = nil
        if closing { effects.append(.closeWebSocket(current.connection)) }
        if current.stage == .pausing {
            startPolling(now: now, &effects)
            flush(now: now, &effects)
        }
    }

    private func decode(_ payload: WebSocketPayload) -> Packet? {
        switch payload {
        case .text(let bytes): try? codec.decodeWebSocketText(bytes)
        case .binary(let bytes): try? codec.decodeWebSocketBinary(bytes)
        }
    }

    // MARK: closing

    private mutating func close(_ reason: DisconnectReason, cause: TransportFailure? = nil, _ effects: inout [ClientSessionEffect]) {
        closeCause = cause
        postDeadline = nil
        if let current = probe {
            effects.append(.closeWebSocket(current.connection))
            probe = nil
        }
        for request in [poll, post].compactMap({ $0 }) { effects.append(.cancelRequest(request)) }
        poll = nil
        post = nil
        if reason == .clientDisconnect, let sid {
            // Best effort, as python: the server learns it was us rather than waiting for a timeout.
            if transport == .websocket, let connection = webSocket {
                effects.append(.write(encoded([.close]), to: connection))
            } else if transport == .polling {
                effects.append(.sendRequest(newRequest(), .post(sid: sid, body: PayloadCodec(version: settings.version).encode([.close]))))
            }
        }
        if let connection = webSocket {
            effects.append(.closeWebSocket(connection))
            webSocket = nil
        }
        outbound = []
        outboundBytes = 0
        heartbeat = nil
        phase = .closed(reason)
        effects.append(.notify(.closed(reason)))
    }

    private mutating func finished(_ input: Input<ClientSessionEvent>, _ effects: inout [ClientSessionEffect]) {
        if case .command(let command) = input.event { effects.append(.rejected(command)) }
    }
}
