import EngineIOCore
import EngineIOWire
import EngineIOSpec
import EngineIOTesting
import Testing

/// Every phase × every event: the reducer moves to a phase it may move to, answers each request at most once,
/// and never traps. The matrix it prints is the coverage table of the reducer.
@Suite("Server session totality")
struct ServerSessionTotalityTests {
    static let settings = ServerSessionSimulation.settings
    static let ws = ConnectionID(50)
    static let probe = ConnectionID(60)

    /// One representative state per phase (and per interesting sub-state).
    static func states() -> [(name: String, state: ServerSession)] {
        func open(_ events: [ServerSessionEvent], handshake: Handshake = .polling(RequestID(1))) -> ServerSession {
            var session = ServerSession.start(sid: "S", settings: settings, handshake: handshake).0
            for (index, event) in events.enumerated() { _ = ServerSession.reduce(&session, Input(at: Instant(milliseconds: Int64(index)), event)) }
            return session
        }
        let accept = ServerSessionEvent.verdictReceived(.accept)
        return [
            ("authorizing (polling)", open([])),
            ("authorizing (websocket)", open([], handshake: .websocket(ws))),
            ("open (polling, idle)", open([accept])),
            ("open (polling, parked poll)", open([accept, .pollReceived(RequestID(2))])),
            ("open (polling, POST in flight)", open([accept, .postStarted(RequestID(3))])),
            ("open (polling, POST held)", open([accept, .applicationBacklogChanged(behind: true), .postReceived(RequestID(3), body: Array("4m".utf8), binary: false)])),
            ("open (polling, probing)", open([accept, .webSocketOpened(probe, base64: false)])),
            ("open (polling, probed)", open([accept, .webSocketOpened(probe, base64: false), .frameReceived(probe, .text(Array("2probe".utf8)))])),
            ("open (websocket)", open([accept], handshake: .websocket(ws))),
            ("open (upgraded)", open([accept, .webSocketOpened(probe, base64: false), .frameReceived(probe, .text(Array("2probe".utf8))), .frameReceived(probe, .text(Array("5".utf8)))])),
            ("draining", open([accept, .command(.send(.message("x"))), .command(.disconnect)])),
            ("draining (probed)", open([accept, .webSocketOpened(probe, base64: false), .frameReceived(probe, .text(Array("2probe".utf8))), .command(.disconnect)])),
            ("closed", open([accept, .command(.disconnect), .pollReceived(RequestID(4))])),
            ("rejected", open([.verdictReceived(.unauthorized)])),
            ("abandoned", open([.requestAborted(RequestID(1))])),
        ]
    }

    /// One representative event per kind, naming requests and connections the states know and ones they do not.
    static let events: [(name: String, event: ServerSessionEvent)] = [
        ("accept", .verdictReceived(.accept)), ("reject", .verdictReceived(.unauthorized)),
        ("send", .command(.send(.message("m")))), ("send close", .command(.send(.close))), ("disconnect", .command(.disconnect)),
        ("shutdown", .command(.shutdown)), ("poll", .pollReceived(RequestID(20))), ("post started", .postStarted(RequestID(21))),
        ("post message", .postReceived(RequestID(22), body: Array("4m".utf8), binary: false)),
        ("post close", .postReceived(RequestID(23), body: Array("1".utf8), binary: false)),
        ("post garbage", .postReceived(RequestID(24), body: Array("x".utf8), binary: false)),
        ("post binary", .postReceived(RequestID(25), body: [0, 2, 255, 4, 1], binary: true)),
        ("post too large", .postTooLarge(RequestID(26))), ("abort handshake", .requestAborted(RequestID(1))),
        ("abort parked poll", .requestAborted(RequestID(2))), ("abort post", .requestAborted(RequestID(3))),
        ("websocket opened", .webSocketOpened(ConnectionID(70), base64: false)),
        ("2probe on probe", .frameReceived(probe, .text(Array("2probe".utf8)))), ("5 on probe", .frameReceived(probe, .text(Array("5".utf8)))),
        ("message on websocket", .frameReceived(ws, .text(Array("4m".utf8)))), ("garbage on websocket", .frameReceived(ws, .text(Array("z".utf8)))),
        ("binary on websocket", .frameReceived(ws, .binary([1]))), ("message on probe", .frameReceived(probe, .text(Array("4m".utf8)))),
        ("frame on stranger", .frameReceived(ConnectionID(99), .text(Array("4m".utf8)))), ("websocket closed", .webSocketClosed(ws)),
        ("probe closed", .webSocketClosed(probe)), ("websocket failed", .webSocketFailed(ws)), ("probe failed", .webSocketFailed(probe)),
        ("timer (early)", .timerFired), ("application behind", .applicationBacklogChanged(behind: true)),
        ("application caught up", .applicationBacklogChanged(behind: false)),
        ("websocket backlog over the bound", .writeBacklog(ws, bytes: 100_000_000)), ("probe backlog", .writeBacklog(probe, bytes: 100_000_000)),
    ]

    static func phaseName(_ phase: ServerSession.Phase) -> String {
        switch phase {
        case .authorizing: "authorizing"
        case .open: "open"
        case .draining: "draining"
        case .closed: "closed"
        case .rejected: "rejected"
        case .abandoned: "abandoned"
        }
    }

    /// Which phases each phase may move to.
    static let legal: [String: Set<String>] = [
        "authorizing": ["authorizing", "open", "rejected", "abandoned"],
        "open": ["open", "draining", "closed"],
        "draining": ["draining", "closed"],
        "closed": ["closed"],
        "rejected": ["rejected"],
        "abandoned": ["abandoned", "closed", "rejected"],
    ]

    @Test("every phase and event pair leads to a legal phase and answers each request at most once")
    func everyPair() {
        var matrix: [String] = []
        for (stateName, state) in Self.states() {
            var row: [String] = []
            for (eventName, event) in Self.events {
                for time in [Int64(100), 100_000] {  // before and long after every deadline
                    let (next, effects) = ServerSession.step(state, Input(at: Instant(milliseconds: time), event))
                    let from = Self.phaseName(state.phase), to = Self.phaseName(next.phase)
                    #expect(Self.legal[from]?.contains(to) == true, "\(stateName) + \(eventName) at \(time) ms → \(to)")
                    var answered: [RequestID] = []
                    for case .respond(let id, _) in effects { answered.append(id) }
                    #expect(Set(answered).count == answered.count, "\(stateName) + \(eventName): a request answered twice")
                    if time == 100 { row.append("\(eventName)→\(to)") }
                }
            }
            matrix.append("\(stateName): " + row.joined(separator: ", "))
        }
        print("server session phase × event matrix:\n" + matrix.joined(separator: "\n"))
        // The states tried cover every phase the reducer has.
        #expect(Set(Self.states().map { Self.phaseName($0.state.phase) }) == Set(Self.legal.keys))
    }

    @Test("every sequence of up to six actions around the upgrade keeps the simulation's invariants", arguments: [false, true])
    func breadthFirstAroundTheUpgrade(startOnWebSocket: Bool) throws {
        // All sequences of up to six actions from this alphabet, after accept and a probe WebSocket: the upgrade
        // dance with everything that can interrupt it.
        typealias Action = ServerSessionSimulation.Action
        let alphabet: [Action] = [.frame("2probe"), .frame("5"), .poll, .appSend, .advance(milliseconds: 250), .closeWebSocket, .appDisconnect]
        func explore(_ reducer: @escaping ServerSessionSimulation.Reducer) throws -> Int {
            var frontier: [[Action]] = [[]]
            var explored = 0
            for _ in 0..<6 {
                var next: [[Action]] = []
                for prefix in frontier {
                    for action in alphabet {
                        let actions = prefix + [action]
                        let scenario = ServerSessionSimulation.Scenario(startsOnWebSocket: startOnWebSocket, version: .v4, actions: [.accept, .poll, .openWebSocket] + actions)
                        try ServerSessionSimulation.run(scenario, reducer: reducer)
                        explored += 1
                        next.append(actions)
                    }
                }
                frontier = next
            }
            return explored
        }
        let explored = try explore(ServerSession.reduce)
        print("breadth-first upgrade exploration (\(startOnWebSocket ? "websocket" : "polling") start): \(explored) sequences")
        // The same exploration catches a reducer that sends a packet twice on the probe or the upgraded socket.
        #expect(throws: (any Error).self) {
            try explore { session, input in
                ServerSession.reduce(&session, input).flatMap { effect -> [ServerSessionEffect] in
                    if case .write = effect { return [effect, effect] }
                    return [effect]
                }
            }
        }
    }

    private func pow(_ base: Int, _ exponent: Int) -> Double { (0..<exponent).reduce(1.0) { value, _ in value * Double(base) } }
}
