public import EngineIOCore
import EngineIOWire

/// Model-based testing of `ServerSession`: random worlds (a client that may misbehave, an application, a clock)
/// drive the reducer while invariants are checked after every step.
///
/// ```swift
/// try Property("server sessions keep their invariants", ServerSessionSimulation.scenarios()) { scenario in
///     try ServerSessionSimulation.run(scenario)
/// }.check(cases: 500)
/// ```
/// `run` takes the reducer as a parameter, so a test can wrap it with a deliberate fault and see the property fail.
public enum ServerSessionSimulation {
    /// One thing that happens in the world.
    public enum Action: Hashable, Sendable {
        case accept
        case reject
        /// The application sends its next numbered message.
        case appSend
        case appDisconnect
        case shutdown
        /// A new long-poll GET.
        case poll
        /// A POST carrying the client's next `count` numbered messages.
        case postMessages(count: Int)
        /// A POST carrying one control packet (`2`, `3`, `1`, `5`, `6`) or garbage.
        case postPacket(String)
        /// A POST whose body never arrives before the next action.
        case postStart
        /// The client drops its oldest unanswered request.
        case abort
        case openWebSocket
        /// A frame on the newest open WebSocket: `2probe`, `5`, `3`, `1`, the next numbered message, or garbage.
        case frame(String)
        case frameMessage
        case closeWebSocket
        case failWebSocket
        /// Time passes, then the timer fires.
        case advance(milliseconds: Int)
        /// The application's handlers fall behind, or catch up.
        case appBehind(Bool)
        /// The newest WebSocket reports this many bytes its client has not read.
        case writeBacklog(bytes: Int)
    }

    /// A whole scenario: how the session starts, then what happens.
    public struct Scenario: Hashable, Sendable {
        public var startsOnWebSocket: Bool
        public var version: ProtocolVersion
        public var actions: [Action]

        public init(startsOnWebSocket: Bool, version: ProtocolVersion, actions: [Action]) {
            self.startsOnWebSocket = startsOnWebSocket
            self.version = version
            self.actions = actions
        }
    }

    public static let settings = ServerSessionSettings(
        version: .v4, pingInterval: 300, pingTimeout: 200, maxPayload: 10_000, upgrades: [.websocket], upgradeTimeout: 1_000,
        closeTimeout: 2_000, maxOutboundQueueBytes: 200, maxPacketsPerPoll: 3)

    /// Scenarios of up to `maxActions` actions, weighted towards the interesting ones.
    public static func scenarios(maxActions: Int = 60, averageActions: Int = 20) -> Gen<Scenario> {
        // Repeats weight the common steps of a real session (sending, polling, probing) over the rarer failures.
        let action: Gen<Action> = Gen.oneOf([
            Gen.just(.accept), Gen.just(.appSend), Gen.just(.poll), Gen.int(in: 1...3).map { .postMessages(count: $0) },
            Gen.element(of: ["2", "3", "1", "5", "6", "abc", "2probe"]).map(Action.postPacket), Gen.just(.openWebSocket),
            Gen.element(of: ["2probe", "5", "3", "1", "abc"]).map(Action.frame), Gen.just(.frameMessage),
            Gen.int(in: 1...700).map { .advance(milliseconds: $0) }, Gen.just(.appSend), Gen.just(.poll), Gen.just(.frame("2probe")),
            Gen.just(.appSend), Gen.just(.frame("5")), Gen.just(.openWebSocket), Gen.just(.postStart), Gen.just(.abort),
            Gen.just(.closeWebSocket), Gen.just(.failWebSocket), Gen.just(.appDisconnect), Gen.just(.reject), Gen.just(.shutdown),
            Gen.oneOf([Gen.bool.map(Action.appBehind), Gen.int(in: 100...300).map { .writeBacklog(bytes: $0) }]),
        ])
        return Gen { source in
            Scenario(
                startsOnWebSocket: Gen.bool.generate(&source), version: Gen.element(of: [ProtocolVersion.v4, .v3]).generate(&source),
                actions: action.array(maxCount: maxActions, averageCount: averageActions).generate(&source))
        }
    }

    public typealias Reducer = (inout ServerSession, Input<ServerSessionEvent>) -> [ServerSessionEffect]

    /// Runs `scenario` through `reducer` (the real one by default), checking every invariant after every step.
    /// Returns the number of steps run.
    @discardableResult
    public static func run(_ scenario: Scenario, reducer: @escaping Reducer = ServerSession.reduce) throws -> Int {
        var world = World(scenario: scenario, reducer: reducer)
        try world.start()
        for action in scenario.actions { try world.perform(action) }
        try world.finish()
        return world.steps
    }

    /// The simulated surroundings of one session, and the bookkeeping the invariants need.
    struct World {
        let scenario: Scenario
        let reducer: Reducer
        var session: ServerSession
        var now = Instant.zero
        var steps = 0
        var nextID: UInt64 = 1
        /// Requests sent and not yet answered, oldest first.
        var unanswered: [RequestID] = []
        var answered: Set<RequestID> = []
        var openSockets: [ConnectionID] = []
        var closedSockets: Set<ConnectionID> = []
        var appSent = 0
        var clientSent = 0
        /// App messages the client has seen (by number), and client messages the app has seen.
        var clientReceived: [Int] = []
        var appReceived: [Int] = []
        var closedNotifications = 0
        var refusedNotifications = 0
        var pausedSockets: Set<ConnectionID> = []
        var wasOpened = false
        var terminal: ServerSession.Phase?

        init(scenario: Scenario, reducer: @escaping Reducer) {
            self.scenario = scenario
            self.reducer = reducer
            var settings = ServerSessionSimulation.settings
            settings.version = scenario.version
            session = ServerSession.start(sid: "S", settings: settings, handshake: .polling(RequestID(0))).0
        }

        mutating func newID() -> UInt64 {
            defer { nextID += 1 }
            return nextID
        }

        mutating func start() throws {
            var settings = ServerSessionSimulation.settings
            settings.version = scenario.version
            let handshake: Handshake
            if scenario.startsOnWebSocket {
                let connection = ConnectionID(newID())
                openSockets.append(connection)
                handshake = .websocket(connection)
            } else {
                let request = RequestID(newID())
                unanswered.append(request)
                handshake = .polling(request)
            }
            let (session, effects) = ServerSession.start(sid: "S", settings: settings, handshake: handshake)
            self.session = session
            try absorb(effects)
        }

        mutating func perform(_ action: Action) throws {
            switch action {
            case .accept: try apply(.verdictReceived(.accept))
            case .reject: try apply(.verdictReceived(.unauthorized))
            case .appSend:
                appSent += 1
                try apply(.command(.send(.message("s\(appSent)"))))
            case .appDisconnect: try apply(.command(.disconnect))
            case .shutdown: try apply(.command(.shutdown))
            case .poll:
                let request = RequestID(newID())
                unanswered.append(request)
                try apply(.pollReceived(request))
            case .postMessages(let count):
                var packets: [Packet] = []
                for _ in 0..<count {
                    clientSent += 1
                    packets.append(.message("c\(clientSent)"))
                }
                try post(PayloadCodec(version: scenario.version).encode(packets))
            case .postPacket(let text):
                let body = scenario.version == .v4 ? Array(text.utf8) : Array("\(text.utf16.count):\(text)".utf8)
                try post(body)
            case .postStart:
                let request = RequestID(newID())
                unanswered.append(request)
                try apply(.postStarted(request))
            case .abort:
                guard let request = unanswered.first else { return }
                unanswered.removeFirst()
                answered.insert(request)  // the shell reports nothing more about it
                try apply(.requestAborted(request))
            case .openWebSocket:
                let connection = ConnectionID(newID())
                openSockets.append(connection)
                try apply(.webSocketOpened(connection, base64: false))
            case .frame(let text):
                guard let connection = openSockets.last else { return }
                try apply(.frameReceived(connection, .text(Array(text.utf8))))
            case .frameMessage:
                guard let connection = openSockets.last else { return }
                clientSent += 1
                try apply(.frameReceived(connection, .text(Array("4c\(clientSent)".utf8))))
            case .closeWebSocket, .failWebSocket:
                guard let connection = openSockets.popLast() else { return }
                closedSockets.insert(connection)
                try apply(action == .closeWebSocket ? .webSocketClosed(connection) : .webSocketFailed(connection))
            case .advance(let milliseconds):
                now = now + milliseconds
                try apply(.timerFired)
            case .appBehind(let behind):
                try apply(.applicationBacklogChanged(behind: behind))
            case .writeBacklog(let bytes):
                guard let connection = openSockets.last else { return }
                let wasOpenOnIt = session.webSocket == connection && session.phase == .open
                try apply(.writeBacklog(connection, bytes: bytes))
                if wasOpenOnIt, bytes > ServerSessionSimulation.settings.maxOutboundQueueBytes {
                    try ensureEqual(session.phase, .closed(.forcedClose), "a WebSocket client over the backlog bound")
                }
            }
        }

        mutating func post(_ body: [UInt8]) throws {
            let request = RequestID(newID())
            unanswered.append(request)
            try apply(.postStarted(request))
            if unanswered.contains(request) { try apply(.postReceived(request, body: body, binary: false)) }
        }

        mutating func apply(_ event: ServerSessionEvent) throws {
            let before = session
            let effects = reducer(&session, Input(at: now, event))
            steps += 1
            try absorb(effects, before: before)
        }

        /// Books the effects and checks every invariant.
        mutating func absorb(_ effects: [ServerSessionEffect], before: ServerSession? = nil) throws {
            for effect in effects {
                switch effect {
                case .respond(let request, let reply):
                    try ensure(!answered.contains(request), "\(request) answered twice")
                    try ensure(unanswered.contains(request), "\(request) answered but never sent")
                    unanswered.removeAll { $0 == request }
                    answered.insert(request)
                    if case .payload(let packets) = reply {
                        if before?.probe?.probed == true || session.probe?.probed == true, session.transport == .polling {
                            try ensure(packets == [.noop] || packets.last == .close, "data went to polling during the upgrade: \(packets)")
                        }
                        try receiveOnClient(packets)
                    }
                case .write(let packets, let connection):
                    try ensure(!closedSockets.contains(connection), "wrote to closed \(connection)")
                    let owned = connection == session.webSocket || connection == before?.webSocket
                    let probe = connection == session.probe?.connection || connection == before?.probe?.connection
                    // A probe gets `3probe`; a probed one that commits while the server is closing gets the rest and `1`.
                    let closingUpgrade = before?.probe?.probed == true && packets.last == .close
                    try ensure(owned || (probe && (packets == [.probePong] || closingUpgrade)), "wrote \(packets) to \(connection), which the session does not own")
                    try receiveOnClient(packets)
                case .closeWebSocket(let connection):
                    openSockets.removeAll { $0 == connection }
                    closedSockets.insert(connection)
                case .acceptWebSocket, .refuseWebSocket(_, _):
                    break
                case .pauseReading(let connection):
                    try ensure(!pausedSockets.contains(connection), "\(connection) paused twice")
                    pausedSockets.insert(connection)
                case .resumeReading(let connection):
                    try ensure(pausedSockets.contains(connection), "\(connection) resumed but not paused")
                    pausedSockets.remove(connection)
                case .deliver(let data):
                    if let before, before.isFinished || { if case .draining = before.phase { true } else { false } }() {
                        throw PropertyViolation("delivered \(data) to the application after the session closed")
                    }
                    guard case .text(let text) = data, text.hasPrefix("c"), let number = Int(text.dropFirst()) else {
                        throw PropertyViolation("delivered something the client never sent: \(data)")
                    }
                    try ensure(number > (appReceived.last ?? 0), "client message \(number) delivered out of order or twice after \(appReceived)")
                    appReceived.append(number)
                case .notify(.opened):
                    try ensure(!wasOpened, "opened twice")
                    wasOpened = true
                case .notify(.closed):
                    closedNotifications += 1
                    try ensure(closedNotifications == 1, "closed notified twice")
                    try ensure(wasOpened, "closed without having opened")
                case .notify(.refused):
                    try ensure(!wasOpened, "refused after having opened")
                    refusedNotifications += 1
                    try ensure(refusedNotifications == 1, "refused notified twice")
                case .notify(.upgraded), .authorize, .wake, .rejected, .report:
                    break
                }
            }
            try checkState()
        }

        mutating func receiveOnClient(_ packets: [Packet]) throws {
            for packet in packets {
                guard packet.type == .message, case .text(let text) = packet.data, text.hasPrefix("s"), let number = Int(text.dropFirst()) else {
                    continue
                }
                try ensure(number > (clientReceived.last ?? 0), "app message \(number) reached the client out of order or twice after \(clientReceived)")
                clientReceived.append(number)
            }
        }

        mutating func checkState() throws {
            if let terminal { try ensureEqual(session.phase, terminal, "a finished session changed phase") }
            if session.isFinished { terminal = session.phase }
            switch session.phase {
            case .open:
                try ensure(session.heartbeat != nil, "an open session has no heartbeat deadline")
                try ensure(session.nextDeadline != nil, "an open session has no wake-up")
            case .authorizing, .draining, .closed, .rejected, .abandoned:
                try ensure(session.heartbeat == nil, "a session that is not open keeps a heartbeat")
            }
            try ensure(session.outboundBytes <= ServerSessionSimulation.settings.maxOutboundQueueBytes, "queue bound exceeded")
            try ensureEqual(session.outboundBytes, session.outbound.reduce(0) { $0 + $1.queueCost }, "queue byte count")
            if let parked = session.parkedPoll { try ensure(unanswered.contains(parked), "the parked poll is not outstanding") }
            if session.transport == .websocket { try ensure(session.parkedPoll == nil && session.probe == nil, "polling state after the upgrade") }
            // Flow control: a behind application pauses the session's WebSocket; a held POST waits for a reason.
            if case .open = session.phase, session.applicationBehind, let connection = session.webSocket {
                try ensure(pausedSockets.contains(connection), "the application is behind but \(connection) still reads")
            }
            if let held = session.heldPost {
                try ensure(unanswered.contains(held), "the held POST is not outstanding")
                try ensure(
                    session.applicationBehind || session.outboundBytes > ServerSessionSimulation.settings.outboundLowWater,
                    "a POST is held with nothing to wait for")
            }
        }

        mutating func finish() throws {
            // While the session is open nothing the application sent may be lost: seen by the client, or queued.
            if case .open = session.phase {
                let queued = session.outbound.compactMap { packet -> Int? in
                    guard case .text(let text) = packet.data, packet.type == .message, text.hasPrefix("s") else { return nil }
                    return Int(text.dropFirst())
                }
                let accounted = clientReceived + queued
                try ensureEqual(accounted, Array(1...max(1, appSent)).filter { _ in appSent > 0 }, "app messages lost while open")
            }
            // Every request is answered, except the one poll parked and a POST whose body has not come.
            let allowed = Set([session.parkedPoll, session.activePost, session.heldPost].compactMap { $0 })
            if case .authorizing(.polling(let request)) = session.phase {
                try ensure(Set(unanswered).subtracting(allowed).subtracting([request]).isEmpty, "unanswered requests \(unanswered)")
            } else {
                try ensure(Set(unanswered).subtracting(allowed).isEmpty, "unanswered requests \(unanswered) (parked \(allowed))")
            }
        }
    }
}
