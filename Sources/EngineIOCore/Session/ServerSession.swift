import EngineIOWire


// Theory of operation
//
// One `ServerSession` is one Engine.IO session (one sid), as a value. `reduce(_:_:)` takes the session and one
// input (what happened, and when) and returns what the shell must do; nothing in here reads a clock, touches a
// socket or draws a random number.
//
// Phases: `authorizing` (the handshake request waits for the application's verdict) → `open` → `draining` (a
// server-side close over polling waits for the client's next poll, or for a probed upgrade to finish, to deliver
// what is queued and the close packet) → `closed`; or `authorizing` → `rejected`; or `authorizing` → `abandoned`
// (the client left before the verdict). `closed` and `rejected` are terminal.
//
// Transports: a session starts on polling or on a WebSocket. Polling allows one parked GET and one POST in flight;
// a second of either is a protocol violation (400 to the newcomer, session closed with `transport error`).
// Packets for the client queue in `outbound` until a GET is parked (then they go out at once, as in the JavaScript
// server) and the queue is bounded by `maxOutboundQueueBytes` (beyond it: `forced close`).
//
// Upgrade: a WebSocket with the session's sid becomes the `probe`. The client sends `2probe` on it; we answer
// `3probe` and release any parked GET with `6`. From then on every GET is answered `6` at once and nothing else is
// written to polling: packets stay queued. The client's `5` commits: the probe becomes the session's WebSocket and
// the queue is flushed over it, so nothing is lost, duplicated or reordered. Anything else on the probe, its
// closing, or `upgradeTimeout` passing abandons the probe and the session stays on polling.
//
// Heartbeat (v4): the server pings `pingInterval` after the open packet and after each pong; a pong must come
// within `pingTimeout` (else `ping timeout`). v3 reverses it: the client pings, we answer, and a client silent for
// `pingInterval + pingTimeout` times out. Deadlines live in the state; after every step the earliest one leaves as
// `wake(at:)` if it moved (and again after every `timerFired`, so an early tick cannot leave the shell without a
// timer). Expiry is judged from the state against the input's time before any event is handled, so a late tick
// cannot let a request slip in after a deadline, and a spurious tick is harmless.
//
// Closing sends `1` where it helps the peer (server close: after everything queued) and closes the WebSocket right
// away; the application hears `closed(reason)` exactly once.
/// One server-side Engine.IO session (one sid) as a value, driven by `reduce(_:_:)`.
///
/// Its state is readable from anywhere and writable only here: nothing but `reduce(_:_:)` moves it.
public struct ServerSession: Hashable, Codable, Sendable {
    /// Where the session is in its life; `closed` and `rejected` are terminal.
    public enum Phase: Hashable, Codable, Sendable {
        /// The handshake waits for the application's verdict; what the application sends meanwhile queues behind
        /// the open packet.
        case authorizing(Handshake)
        /// The open packet went out; messages flow both ways.
        case open
        /// Closed for the application; the close packet waits in `outbound` for a poll until `deadline`.
        case draining(DisconnectReason, deadline: Instant)
        /// The session is over, for this reason; the application has heard `closed`.
        case closed(DisconnectReason)
        /// The application refused the connection; it never opened, so it never closes either.
        case rejected
        /// The client left while the application was deciding. An `accept` that comes later is told at once that
        /// the session opened and closed (`transport close`), so python's connect/disconnect pairing holds.
        case abandoned
    }

    /// A WebSocket that may become the session's transport.
    public struct Probe: Hashable, Codable, Sendable {
        /// The candidate WebSocket.
        public internal(set) var connection: ConnectionID
        /// `2probe` was answered; GETs now get `6` and packets wait for the upgrade.
        public internal(set) var probed: Bool
        /// The probe is abandoned (its WebSocket closed) if the client has not sent `5` by this instant,
        /// `upgradeTimeout` after the WebSocket opened.
        public internal(set) var deadline: Instant
        /// The WebSocket's `b64` query flag: binary data goes on it as base64 text; it becomes `webSocketBase64` when
        /// the upgrade commits.
        public internal(set) var base64: Bool

        /// A probe with these values, stored as given.
        public init(connection: ConnectionID, probed: Bool, deadline: Instant, base64: Bool) {
            self.connection = connection
            self.probed = probed
            self.deadline = deadline
            self.base64 = base64
        }
    }

    /// The heartbeat deadline that is running: v4 servers ping, v3 clients do.
    public enum Heartbeat: Hashable, Codable, Sendable {
        /// v4: the next ping goes out at this instant.
        case pingDue(Instant)
        /// v4: a ping is out; its pong must arrive by this instant.
        case awaitingPong(deadline: Instant)
        /// v3: the client must ping by this instant.
        case expectingPing(deadline: Instant)
    }

    /// The session ID the shell drew, sent in the open packet; it never changes.
    public internal(set) var sid: String
    /// The limits and timings for the session's protocol version, chosen at the handshake; they never change.
    public internal(set) var settings: ServerSessionSettings
    /// Where the session is; each event is handled as its phase says, after expired deadlines are acted on.
    public internal(set) var phase: Phase
    /// The transport packets go out on: the handshake's, then `websocket` once an upgrade commits; it never goes
    /// back.
    public internal(set) var transport: Transport
    /// The session's WebSocket, once it has one.
    public internal(set) var webSocket: ConnectionID?
    /// Whether binary data goes to the WebSocket as base64 text (the JavaScript client's `b64` flag).
    public internal(set) var webSocketBase64: Bool
    /// The upgrade in progress, if any: set when a WebSocket with this sid opens on a polling session that may
    /// upgrade; cleared when the client commits, the probe fails or times out, or the session closes.
    public internal(set) var probe: Probe?
    /// The long-poll `GET` waiting for packets, at most one: answered as soon as something is queued, with `6`
    /// once a probe is probed, or at the close.
    public internal(set) var parkedPoll: RequestID?
    /// The `POST` whose body is on its way, from `postStarted` until the body is handled; another `POST`
    /// meanwhile (or while `heldPost` waits) closes the session with `transport error`.
    public internal(set) var activePost: RequestID?
    /// A POST whose packets were delivered and whose `ok` waits: the application is behind, or the client is not
    /// collecting what is queued for it (see `ServerSessionSettings.outboundHighWater`).
    public internal(set) var heldPost: RequestID?
    /// The application's handlers are behind this session's messages (the WebSocket is paused meanwhile).
    public internal(set) var applicationBehind: Bool
    /// Packets waiting for a poll (or for the upgrade to finish).
    public internal(set) var outbound: [Packet]
    /// The data bytes in `outbound`, which the queue bound counts.
    public internal(set) var outboundBytes: Int
    /// The heartbeat deadline while the session is open; nil before it opens and once it closes.
    public internal(set) var heartbeat: Heartbeat?

    /// A session whose handshake just arrived; the effects ask the application to authorize it.
    public static func start(sid: String, settings: ServerSessionSettings, handshake: Handshake) -> (ServerSession, [ServerSessionEffect]) {
        let transport: Transport
        var webSocket: ConnectionID?
        switch handshake {
        case .polling: transport = .polling
        case .websocket(let connection):
            transport = .websocket
            webSocket = connection
        }
        let session = ServerSession(
            sid: sid, settings: settings, phase: .authorizing(handshake), transport: transport, webSocket: webSocket,
            webSocketBase64: false, probe: nil, parkedPoll: nil, activePost: nil, heldPost: nil, applicationBehind: false, outbound: [],
            outboundBytes: 0, heartbeat: nil)
        return (session, [.authorize])
    }

    /// `(State, Input) -> (State, [Effect])`, for documentation and property tests.
    public static func step(_ state: ServerSession, _ input: Input<ServerSessionEvent>) -> (ServerSession, [ServerSessionEffect]) {
        var next = state
        let effects = reduce(&next, input)
        return (next, effects)
    }

    /// Applies one input; returns the effects in the order the shell must run them.
    public static func reduce(_ state: inout ServerSession, _ input: Input<ServerSessionEvent>) -> [ServerSessionEffect] {
        var effects: [ServerSessionEffect] = []
        reduce(&state, input, into: &effects)
        return effects
    }

    /// `reduce(_:_:)` appending its effects to `effects`: a caller that keeps one array from step to step (emptied,
    /// its capacity kept) allocates none per step.
    public static func reduce(_ state: inout ServerSession, _ input: Input<ServerSessionEvent>, into effects: inout [ServerSessionEffect]) {
        let before = state.nextDeadline
        if let due = before, input.now >= due { state.expireDeadlines(now: input.now, &effects) }
        switch state.phase {
        case .authorizing(let handshake): state.authorizing(handshake, input, &effects)
        case .open: state.open(input, &effects)
        case .draining(let reason, let deadline): state.draining(reason, deadline, input, &effects)
        case .closed, .rejected: state.finished(input, &effects)
        case .abandoned: state.abandoned(input, &effects)
        }
        state.releaseHeldPost(&effects)
        let after = state.nextDeadline
        if after != before || (after != nil && input.event.isTimerFired) { effects.append(.wake(at: after)) }
    }

    /// The earliest instant at which something is due.
    public var nextDeadline: Instant? {
        switch phase {
        case .open: Instant.earliest(heartbeatDeadline, probe?.deadline)
        case .draining(_, let deadline): Instant.earliest(deadline, probe?.deadline)
        case .authorizing, .closed, .rejected, .abandoned: nil
        }
    }

    /// When the heartbeat next needs the session: a ping to send, a pong or a ping to expect.
    private var heartbeatDeadline: Instant? {
        switch heartbeat {
        case .pingDue(let at)?, .awaitingPong(let at)?, .expectingPing(let at)?: at
        case nil: nil
        }
    }

    /// Whether the application may still hear from this session.
    public var isFinished: Bool {
        switch phase {
        case .closed, .rejected: true
        case .authorizing, .open, .draining, .abandoned: false
        }
    }

    // MARK: authorizing

    private mutating func authorizing(_ handshake: Handshake, _ input: Input<ServerSessionEvent>, _ effects: inout [ServerSessionEffect]) {
        switch input.event {
        case .verdictReceived(.accept):
            phase = .open
            heartbeat =
                settings.version == .v4
                ? .pingDue(input.now + settings.pingInterval)
                : .expectingPing(deadline: input.now + settings.advertisedPingInterval + settings.pingTimeout)
            let upgrades: [Transport] = if case .polling = handshake { settings.upgrades } else { [] }
            let open = OpenPacket(
                sid: sid, upgrades: upgrades.map(\.rawValue), pingInterval: settings.advertisedPingInterval,
                pingTimeout: settings.pingTimeout, maxPayload: settings.maxPayload
            ).packet
            let first = [open] + outbound
            outbound = []
            outboundBytes = 0
            switch handshake {
            case .polling(let request):
                effects.append(.respond(request, .payload(first)))
            case .websocket(let connection):
                effects.append(.acceptWebSocket(connection))
                effects.append(.write(first, to: connection))
                if applicationBehind { effects.append(.pauseReading(connection)) }
            }
            effects.append(.notify(.opened))
        case .verdictReceived(.reject(let body)):
            reject(handshake, body: body, &effects)
        case .command(.send(let packet)):
            // python runs `connect` before answering, so what it sends rides along with the open packet.
            if Self.isSendable(packet) { enqueue(packet, &effects) } else { effects.append(.rejected(.send(packet))) }
        case .command(.disconnect), .command(.shutdown):
            reject(handshake, body: "\"Unauthorized\"", &effects)
        case .requestAborted(let request):
            if case .polling(request) = handshake { abandon() }
        case .webSocketClosed(let connection), .webSocketFailed(let connection):
            if case .websocket(connection) = handshake { abandon() }
        case .pollReceived(let request), .postStarted(let request), .postReceived(let request, _, _), .postTooLarge(let request):
            effects.append(.respond(request, .error(.badRequest)))  // python: "Not connected"
        case .webSocketOpened(let connection, _):
            effects.append(.closeWebSocket(connection))
        case .applicationBacklogChanged(let behind):
            applicationBehind = behind
        case .frameReceived, .writeBacklog, .timerFired:
            break
        }
    }

    /// Packets an application may not send: they would break the protocol (python raises for some of them).
    static func isSendable(_ packet: Packet) -> Bool {
        switch packet.type {
        case .message: true
        case .ping, .pong, .noop: if case .binary = packet.data { false } else { true }
        case .open, .close, .upgrade: false
        }
    }

    private mutating func abandon() {
        phase = .abandoned
        webSocket = nil
        outbound = []
        outboundBytes = 0
    }

    private mutating func abandoned(_ input: Input<ServerSessionEvent>, _ effects: inout [ServerSessionEffect]) {
        if case .verdictReceived(.accept) = input.event {
            phase = .closed(.transportClose)
            effects.append(.notify(.opened))
            effects.append(.notify(.closed(.transportClose)))
        } else if case .verdictReceived(.reject) = input.event {
            phase = .rejected
        } else {
            finished(input, &effects)
        }
    }

    private mutating func reject(_ handshake: Handshake, body: String, _ effects: inout [ServerSessionEffect]) {
        switch handshake {
        case .polling(let request): effects.append(.respond(request, .unauthorized(body: body)))
        case .websocket(let connection): effects.append(.refuseWebSocket(connection, .unauthorized(body: body)))
        }
        phase = .rejected
        webSocket = nil
        outbound = []
        outboundBytes = 0
        effects.append(.notify(.refused))
    }

    // MARK: open

    private mutating func open(_ input: Input<ServerSessionEvent>, _ effects: inout [ServerSessionEffect]) {
        let now = input.now
        switch input.event {
        case .verdictReceived:
            break  // answered already; a second verdict changes nothing
        case .command(.send(let packet)):
            if Self.isSendable(packet) { send(packet, &effects) } else { effects.append(.rejected(.send(packet))) }
        case .command(.disconnect):
            close(.serverDisconnect, now: now, &effects)
        case .command(.shutdown):
            close(.forcedClose, now: now, &effects)
        case .pollReceived(let request):
            poll(request, now: now, &effects)
        case .postStarted(let request):
            postStarted(request, now: now, &effects)
        case .postReceived(let request, let body, let binary):
            if activePost != request {
                postStarted(request, now: now, &effects)
                guard activePost == request else { return }
            }
            post(request, body: body, binary: binary, now: now, &effects)
        case .postTooLarge(let request):
            if transport == .websocket {
                effects.append(.respond(request, .error(.badRequest)))  // a stray POST after the upgrade
                return
            }
            if activePost == request { activePost = nil }
            effects.append(.respond(request, .payloadTooLarge))
            close(.transportError, violation: .postTooLarge(limit: settings.maxPayload), now: now, &effects)
        case .requestAborted(let request):
            if parkedPoll == request {
                parkedPoll = nil
                close(.transportError, violation: .pollAborted, now: now, &effects)  // JS: "poll connection closed prematurely"
            } else if activePost == request || heldPost == request {
                if activePost == request { activePost = nil } else { heldPost = nil }
                close(.transportError, violation: .postAborted, now: now, &effects)
            }
        case .webSocketOpened(let connection, let base64):
            if transport == .polling, probe == nil, settings.upgrades.contains(.websocket) {
                probe = Probe(connection: connection, probed: false, deadline: now + settings.upgradeTimeout, base64: base64)
            } else {
                effects.append(.closeWebSocket(connection))  // no upgrade allowed, one in progress, or already upgraded
            }
        case .frameReceived(let connection, let payload):
            if connection == probe?.connection {
                probeFrame(payload, &effects)
            } else if connection == webSocket {
                guard let packet = decode(payload) else {
                    close(.parseError, violation: .invalidPacket, now: now, &effects)
                    return
                }
                receive(packet, now: now, &effects)
            }  // frames from a connection this session does not own are not its business
        case .webSocketClosed(let connection), .webSocketFailed(let connection):
            if connection == probe?.connection {
                probe = nil
            } else if connection == webSocket {
                webSocket = nil  // already closed by the peer or the shell
                if case .webSocketClosed = input.event {
                    close(.transportClose, now: now, &effects)
                } else {
                    close(.transportError, violation: .webSocketFailed, now: now, &effects)
                }
            }
        case .writeBacklog(let connection, let bytes):
            // The client does not read what it is sent: the same bound, and the same reason, as a polling queue's.
            if connection == webSocket, bytes > settings.maxOutboundQueueBytes { close(.forcedClose, now: now, &effects) }
        case .applicationBacklogChanged(let behind):
            guard behind != applicationBehind else { return }
            applicationBehind = behind
            if let connection = webSocket { effects.append(behind ? .pauseReading(connection) : .resumeReading(connection)) }
        case .timerFired:
            break  // deadlines were judged before the event
        }
    }

    /// Answers the held POST once the application has caught up and the client has collected its queue.
    private mutating func releaseHeldPost(_ effects: inout [ServerSessionEffect]) {
        guard let held = heldPost, !applicationBehind, outboundBytes <= settings.outboundLowWater else { return }
        heldPost = nil
        effects.append(.respond(held, .ok))
    }

    /// Acts on every deadline that `now` has reached: the upgrade's, the heartbeat's, the drain's.
    private mutating func expireDeadlines(now: Instant, _ effects: inout [ServerSessionEffect]) {
        if let current = probe, now >= current.deadline {
            effects.append(.closeWebSocket(current.connection))
            probe = nil
        }
        switch phase {
        case .open:
            switch heartbeat {
            case .pingDue(let at)? where now >= at:
                heartbeat = .awaitingPong(deadline: now + settings.pingTimeout)
                send(.ping, &effects)
            case .awaitingPong(let deadline)? where now >= deadline:
                close(.pingTimeout, now: now, &effects)
            case .expectingPing(let deadline)? where now >= deadline:
                close(.pingTimeout, now: now, &effects)
            default:
                break
            }
        case .draining(let reason, let deadline) where now >= deadline:
            finishDraining(reason, &effects)
        default:
            break
        }
    }

    private mutating func poll(_ request: RequestID, now: Instant, _ effects: inout [ServerSessionEffect]) {
        if transport == .websocket {
            effects.append(.respond(request, .error(.badRequest)))  // polling after the upgrade
            return
        }
        if parkedPoll != nil {
            effects.append(.respond(request, .badRequest))
            close(.transportError, violation: .overlappingPolls, now: now, &effects)
            return
        }
        if probe?.probed == true {
            effects.append(.respond(request, .payload([.noop])))
            return
        }
        if outbound.isEmpty {
            parkedPoll = request
        } else {
            effects.append(.respond(request, .payload(takeForPoll())))
        }
    }

    private mutating func postStarted(_ request: RequestID, now: Instant, _ effects: inout [ServerSessionEffect]) {
        if transport == .websocket {
            effects.append(.respond(request, .error(.badRequest)))
            return
        }
        if let active = activePost ?? heldPost, active != request {
            activePost = nil
            heldPost = nil
            effects.append(.respond(request, .badRequest))
            effects.append(.respond(active, .badRequest))
            close(.transportError, violation: .overlappingPosts, now: now, &effects)
            return
        }
        activePost = request
    }

    private mutating func post(_ request: RequestID, body: [UInt8], binary: Bool, now: Instant, _ effects: inout [ServerSessionEffect]) {
        activePost = nil
        if body.count > settings.maxPayload {
            effects.append(.respond(request, .payloadTooLarge))
            close(.transportError, violation: .postTooLarge(limit: settings.maxPayload), now: now, &effects)
            return
        }
        if binary && settings.version == .v4 {
            effects.append(.respond(request, .badRequest))  // v4 polling bodies are text
            close(.transportError, violation: .binaryPollingBody, now: now, &effects)
            return
        }
        let codec = PayloadCodec(version: settings.version)
        let packets: [Packet]
        do {
            packets = binary ? try codec.decodeV3Binary(body) : try codec.decode(body)
        } catch {
            effects.append(.respond(request, .badRequest))
            close(.parseError, violation: .invalidPayload("\(error)"), now: now, &effects)
            return
        }
        for packet in packets {
            guard case .open = phase else { break }
            if receive(packet, now: now, &effects) {
                effects.append(.respond(request, .badRequest))
                return
            }
        }
        // A client that sends faster than the application handles, or than it collects its own answers, waits for
        // its `ok`: it sends no other POST meanwhile (`releaseHeldPost`).
        if case .open = phase, applicationBehind || outboundBytes > settings.outboundHighWater {
            heldPost = request
        } else {
            effects.append(.respond(request, .ok))
        }
    }

    /// Handles one packet from the client on its current transport. Returns `true` when the packet broke the
    /// protocol (the session is then closed).
    @discardableResult
    private mutating func receive(_ packet: Packet, now: Instant, _ effects: inout [ServerSessionEffect]) -> Bool {
        switch packet.type {
        case .message:
            effects.append(.deliver(packet.data))
        case .pong:
            guard settings.version == .v4 else {
                close(.transportError, violation: .pongFromV3Client, now: now, &effects)  // v3 clients ping; they never pong
                return true
            }
            if case .awaitingPong = heartbeat { heartbeat = .pingDue(now + settings.pingInterval) }
        case .ping:
            guard settings.version == .v3 else {
                close(.transportError, violation: .pingFromV4Client, now: now, &effects)  // "invalid heartbeat direction"
                return true
            }
            heartbeat = .expectingPing(deadline: now + settings.advertisedPingInterval + settings.pingTimeout)
            send(Packet(.pong, packet.data), &effects)
        case .close:
            close(.clientDisconnect, now: now, &effects)
        case .upgrade, .noop:
            break  // a late or repeated `5` (some clients send `52`) and noops are harmless
        case .open:
            close(.transportError, violation: .openFromClient, now: now, &effects)
            return true
        }
        return false
    }

    private mutating func probeFrame(_ payload: WebSocketPayload, _ effects: inout [ServerSessionEffect]) {
        guard let current = probe else { return }
        let packet = decode(payload)
        if !current.probed, packet == .probePing {
            probe?.probed = true
            effects.append(.write([.probePong], to: current.connection))
            if let parked = parkedPoll {
                parkedPoll = nil
                effects.append(.respond(parked, .payload([.noop])))
            }
        } else if current.probed, packet?.type == .upgrade {
            probe = nil
            transport = .websocket
            webSocket = current.connection
            webSocketBase64 = current.base64
            if let parked = parkedPoll {
                parkedPoll = nil
                effects.append(.respond(parked, .payload([.noop])))
            }
            effects.append(.notify(.upgraded))
            if applicationBehind { effects.append(.pauseReading(current.connection)) }
            if !outbound.isEmpty { effects.append(.write(takeOutbound(), to: current.connection)) }
        } else {
            probe = nil  // anything else abandons the upgrade; the session stays on polling
            effects.append(.closeWebSocket(current.connection))
        }
    }

    private func decode(_ payload: WebSocketPayload) -> Packet? {
        let codec = PacketCodec(version: settings.version)
        return switch payload {
        case .text(let bytes): try? codec.decodeWebSocketText(bytes)
        case .binary(let bytes): try? codec.decodeWebSocketBinary(bytes)
        }
    }

    // MARK: sending

    /// Sends on the current transport: straight to the WebSocket, or through the queue to a poll.
    private mutating func send(_ packet: Packet, _ effects: inout [ServerSessionEffect]) {
        if transport == .websocket, let connection = webSocket {
            effects.append(.write([packet], to: connection))
            return
        }
        guard enqueue(packet, &effects) else { return }
        if let parked = parkedPoll, probe?.probed != true {
            parkedPoll = nil
            effects.append(.respond(parked, .payload(takeForPoll())))
        }
    }

    /// Queues a packet for the client; past the queue bound the session is closed instead. Returns whether queued.
    @discardableResult
    private mutating func enqueue(_ packet: Packet, _ effects: inout [ServerSessionEffect]) -> Bool {
        guard outboundBytes + packet.queueCost <= settings.maxOutboundQueueBytes else {
            if case .authorizing = phase {
                effects.append(.rejected(.send(packet)))
            } else {
                close(.forcedClose, now: nil, &effects)
            }
            return false
        }
        outbound.append(packet)
        outboundBytes += packet.queueCost
        return true
    }

    /// The packets one poll response carries: the oldest `maxPacketsPerPoll`; the rest wait for the next poll.
    private mutating func takeForPoll() -> [Packet] {
        guard outbound.count > settings.maxPacketsPerPoll else { return takeOutbound() }
        let batch = Array(outbound.prefix(settings.maxPacketsPerPoll))
        outbound.removeFirst(batch.count)
        outboundBytes -= batch.reduce(0) { $0 + $1.queueCost }
        return batch
    }

    private mutating func takeOutbound() -> [Packet] {
        defer {
            outbound = []
            outboundBytes = 0
        }
        return outbound
    }

    // MARK: closing

    /// Ends the session for `reason`, doing for each transport what lets the peer learn of it soonest.
    ///
    /// A close the server decides (`server disconnect`, `forced close`) on polling delivers what is queued and then
    /// `1`: to the parked poll, or by draining until the next poll, or (when the client is mid-upgrade and polls no
    /// more) over the WebSocket once the client commits. A POST in flight then still gets `ok`, since failing it would
    /// make the client drop the poll that carries the close. Other causes drop the queue.
    private mutating func close(_ reason: DisconnectReason, violation: ProtocolViolation? = nil, now: Instant?, _ effects: inout [ServerSessionEffect]) {
        if let violation { effects.append(.report(violation)) }
        let byServer = reason == .serverDisconnect || reason == .forcedClose
        // The close drains when a later poll (or a committing probe) must carry it: no poll is parked, or the
        // queue plus `1` is more than one poll response holds.
        let drainable =
            byServer && now != nil && transport == .polling
            && (parkedPoll == nil || outbound.count + 1 > settings.maxPacketsPerPoll)
        if let current = probe, !(drainable && current.probed) {
            effects.append(.closeWebSocket(current.connection))
            probe = nil
        }
        heartbeat = nil
        if let held = heldPost {
            heldPost = nil
            effects.append(.respond(held, .ok))  // its packets were delivered
        }
        if let active = activePost, !drainable {
            activePost = nil
            effects.append(.respond(active, .badRequest))
        }
        switch transport {
        case .websocket:
            if let connection = webSocket {
                if reason != .clientDisconnect { effects.append(.write([.close], to: connection)) }
                effects.append(.closeWebSocket(connection))
                webSocket = nil
            }
            clearOutbound()
            phase = .closed(reason)
        case .polling:
            // A client close releases the poll with `6`; other causes tell a parked poll `1` so the client does not
            // wait for its timeout. The server's own close sends what is queued first, over as many polls as it takes.
            if byServer {
                outbound.append(.close)
                outboundBytes += Packet.close.queueCost
            } else {
                clearOutbound()
                outbound = [reason == .clientDisconnect ? .noop : .close]
            }
            if let parked = parkedPoll {
                parkedPoll = nil
                effects.append(.respond(parked, .payload(takeForPoll())))
            }
            if drainable, let now {
                phase = .draining(reason, deadline: now + settings.closeTimeout)
            } else {
                clearOutbound()
                phase = .closed(reason)
            }
        }
        effects.append(.notify(.closed(reason)))
    }

    private mutating func clearOutbound() {
        outbound = []
        outboundBytes = 0
    }

    // MARK: draining and finished

    private mutating func draining(_ reason: DisconnectReason, _ deadline: Instant, _ input: Input<ServerSessionEvent>, _ effects: inout [ServerSessionEffect]) {
        switch input.event {
        case .pollReceived(let request):
            if probe?.probed == true {
                effects.append(.respond(request, .payload([.noop])))  // the client is upgrading; the close goes there
            } else {
                effects.append(.respond(request, .payload(takeForPoll())))
                if outbound.isEmpty { finishDraining(reason, &effects) }
            }
        case .postStarted(let request):
            if activePost == nil { activePost = request } else { effects.append(.respond(request, .ok)) }
        case .postReceived(let request, _, _):
            if activePost == request { activePost = nil }
            effects.append(.respond(request, .ok))  // the session is closing; its packets no longer matter
        case .frameReceived(let connection, let payload) where connection == probe?.connection:
            if probe?.probed == true, decode(payload)?.type == .upgrade {
                effects.append(.write(takeOutbound(), to: connection))
                effects.append(.closeWebSocket(connection))
                probe = nil
                finishDraining(reason, &effects)
            } else {
                effects.append(.closeWebSocket(connection))
                probe = nil
            }
        case .webSocketClosed(let connection) where connection == probe?.connection,
            .webSocketFailed(let connection) where connection == probe?.connection:
            probe = nil
        case .requestAborted(let request):
            if activePost == request { activePost = nil }
        case .timerFired:
            break
        default:
            finished(input, &effects)
        }
    }

    private mutating func finishDraining(_ reason: DisconnectReason, _ effects: inout [ServerSessionEffect]) {
        if let current = probe {
            effects.append(.closeWebSocket(current.connection))
            probe = nil
        }
        if let active = activePost {
            activePost = nil
            effects.append(.respond(active, .ok))
        }
        clearOutbound()
        phase = .closed(reason)
    }

    /// A session that is over (or draining) answers everything cleanly and changes nothing.
    private mutating func finished(_ input: Input<ServerSessionEvent>, _ effects: inout [ServerSessionEffect]) {
        switch input.event {
        case .pollReceived(let request), .postStarted(let request), .postReceived(let request, _, _), .postTooLarge(let request):
            effects.append(.respond(request, .error(.unknownSessionID)))
        case .webSocketOpened(let connection, _):
            effects.append(.closeWebSocket(connection))  // accepted by the endpoint, and nobody's now
        case .command(let command):
            effects.append(.rejected(command))
        case .verdictReceived, .requestAborted, .frameReceived, .webSocketClosed, .webSocketFailed, .writeBacklog,
            .applicationBacklogChanged, .timerFired:
            break
        }
    }
}
