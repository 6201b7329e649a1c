import EngineIO
import EngineIOCore
import EngineIOPlatform
import EngineIOTesting
import EngineIOWire
import Foundation
import Synchronization
import EngineIOTestSupport
import Testing

/// What the server's handlers saw, per session: the order of their calls and whether two ever overlapped.
final class HandlerLog: Sendable {
    private struct Session {
        var events: [String] = []
        var running = 0
        var overlaps = 0
    }

    private let sessions = Locked<[String: Session]>([:])

    /// Marks a handler of `sid` running (and counts it if another of that session still runs).
    func enter(_ sid: String, _ event: String) {
        sessions.withLock { sessions in
            sessions[sid, default: Session()].running += 1
            if sessions[sid]!.running > 1 { sessions[sid]!.overlaps += 1 }
            sessions[sid]!.events.append(event)
        }
    }

    func leave(_ sid: String) { sessions.withLock { $0[sid]?.running -= 1 } }

    func events(_ sid: String) -> [String] { sessions.withLock { $0[sid]?.events ?? [] } }
    func overlaps(_ sid: String) -> Int { sessions.withLock { $0[sid]?.overlaps ?? 0 } }
    var sids: [String] { sessions.withLock { Array($0.keys) } }
}

/// One case of the ordering property: sessions, each sending numbered messages over one kind of transport; each
/// message names how long its handler dawdles.
struct OrderingScenario: CustomStringConvertible {
    enum Path: String, CaseIterable { case polling, websocket, upgrade }
    struct Session {
        var path: Path
        /// Per message, the handler's delay in milliseconds.
        var delays: [Int]
        /// Packets per POST (polling and the polling half of an upgrade).
        var batch: Int
    }

    var sessions: [Session]

    var description: String {
        sessions.map { "\($0.path.rawValue)(\($0.delays.count) msgs, batch \($0.batch), delays \($0.delays))" }.joined(separator: "; ")
    }

    static let generator: Gen<OrderingScenario> = {
        let delay = Gen<Int>.oneOf([.just(0), .int(in: 0...3)])
        let session = Gen<Session> { source in
            let path = Gen<Path>.element(of: Path.allCases).generate(&source)
            let delays = delay.array(count: .int(in: 1...40)).generate(&source)
            return Session(path: path, delays: delays, batch: Gen<Int>.int(in: 1...16).generate(&source))
        }
        return session.array(count: .int(in: 1...4)).map { OrderingScenario(sessions: $0) }
    }()
}

/// A server whose handlers log what they see, dawdle as each message asks, and echo.
final class LoggingEchoServer: Sendable {
    let log = HandlerLog()
    let port: Int
    private let stop: @Sendable () -> Void

    init(async useAsync: Bool, concurrent: Bool = false) async throws {
        let options = ServerOptions(pingInterval: 20, pingTimeout: 20, concurrentMessageHandlers: concurrent)
        let log = self.log
        if useAsync {
            let server = try AsyncServer(options: options)
            server.on(.connect) { sid, _ in
                log.enter(sid, "connect")
                log.leave(sid)
                return nil
            }
            server.on(.message) { sid, data in
                guard case .text(let text) = data else { return }
                log.enter(sid, text)
                let delay = Self.delay(of: text)
                if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
                log.leave(sid)
                await server.send(sid, data)
            }
            server.on(.disconnect) { sid, _ in
                log.enter(sid, "disconnect")
                log.leave(sid)
            }
            let app = ASGIApp(server)
            port = try await app.start(host: "127.0.0.1", port: 0)
            // Not waited for: a deinit that blocked on a task could starve the task pool (see EchoServer).
            stop = { Task { await app.stop() } }
        } else {
            let server = try Server(options: options)
            server.on(.connect) { sid, _ in
                log.enter(sid, "connect")
                log.leave(sid)
                return nil
            }
            server.on(.message) { sid, data in
                guard case .text(let text) = data else { return }
                log.enter(sid, text)
                let delay = Self.delay(of: text)
                if delay > 0 { usleep(UInt32(delay * 1000)) }
                log.leave(sid)
                server.send(sid, data)
            }
            server.on(.disconnect) { sid, _ in
                log.enter(sid, "disconnect")
                log.leave(sid)
            }
            let app = WSGIApp(server)
            port = try app.start(host: "127.0.0.1", port: 0)
            stop = { app.stop() }
        }
    }

    deinit { stop() }

    /// Messages read `m<number>d<delay>`.
    static func delay(of text: String) -> Int { Int(text.split(separator: "d").last ?? "") ?? 0 }
}

/// Runs one session of a scenario as a raw client and returns its sid and the echoes in the order they came.
func runOrderingSession(_ session: OrderingScenario.Session, port: Int) throws -> (sid: String, echoes: [String]) {
    let base = "/engine.io/?EIO=4"
    let messages = session.delays.enumerated().map { "m\($0.offset)d\($0.element)" }
    var echoes: [String] = []
    func collect(_ packets: some Sequence<Substring>) {
        for packet in packets where packet.hasPrefix("4") { echoes.append(String(packet.dropFirst())) }
    }
    func post(_ socket: TestSocket, _ sid: String, _ chunk: ArraySlice<String>) throws {
        let body = chunk.map { "4" + $0 }.joined(separator: "\u{1e}")
        let response = try socket.request("POST", "\(base)&transport=polling&sid=\(sid)", body: Array(body.utf8))
        guard response.head.status == 200 else { throw TestFailure("POST answered \(response.head.status)") }
    }
    func receive(_ ws: TestWebSocket, until count: Int) throws {
        while echoes.count < count {
            guard let text = try ws.receiveText() else { throw TestFailure("the WebSocket ended after \(echoes.count) echoes") }
            collect([Substring(text)])
        }
    }
    switch session.path {
    case .websocket:
        let ws = try TestWebSocket(port: port, target: "\(base)&transport=websocket")
        guard let open = try ws.receiveText(), open.hasPrefix("0") else { throw TestFailure("no open packet") }
        let sid = try OpenPacket(json: String(open.dropFirst())).sid
        for message in messages { ws.send("4" + message) }
        try receive(ws, until: messages.count)
        ws.send("1")
        _ = try ws.closes()
        return (sid, echoes)
    case .polling:
        let socket = try TestSocket(port: port)
        let handshake = try socket.request("GET", "\(base)&transport=polling")
        let sid = try OpenPacket(json: String(String(decoding: handshake.body, as: UTF8.self).dropFirst())).sid
        for start in stride(from: 0, to: messages.count, by: session.batch) {
            try post(socket, sid, messages[start..<min(messages.count, start + session.batch)])
        }
        while echoes.count < messages.count {
            let poll = try socket.request("GET", "\(base)&transport=polling&sid=\(sid)")
            guard poll.head.status == 200 else { throw TestFailure("poll answered \(poll.head.status)") }
            collect(String(decoding: poll.body, as: UTF8.self).split(separator: "\u{1e}"))
        }
        _ = try socket.request("POST", "\(base)&transport=polling&sid=\(sid)", body: Array("1".utf8))
        return (sid, echoes)
    case .upgrade:
        let socket = try TestSocket(port: port)
        let handshake = try socket.request("GET", "\(base)&transport=polling")
        let sid = try OpenPacket(json: String(String(decoding: handshake.body, as: UTF8.self).dropFirst())).sid
        // Half the messages go over polling, unanswered by any poll: their echoes wait for the upgrade.
        let half = messages.count / 2
        for start in stride(from: 0, to: half, by: session.batch) {
            try post(socket, sid, messages[start..<min(half, start + session.batch)])
        }
        let ws = try TestWebSocket(port: port, target: "\(base)&transport=websocket&sid=\(sid)")
        ws.send("2probe")
        guard try ws.receiveText() == "3probe" else { throw TestFailure("no 3probe") }
        ws.send("5")
        for message in messages[half...] { ws.send("4" + message) }
        try receive(ws, until: messages.count)
        ws.send("1")
        _ = try ws.closes()
        return (sid, echoes)
    }
}

/// Runs a scenario's sessions at once and checks what clients and handlers saw.
func checkOrdering(_ scenario: OrderingScenario, on server: LoggingEchoServer) throws {
    let results = Locked<[Int: Result<(sid: String, echoes: [String]), any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: scenario.sessions.count) { index in
        let result = Result { try runOrderingSession(scenario.sessions[index], port: server.port) }
        results.withLock { $0[index] = result }
    }
    for index in scenario.sessions.indices {
        let (sid, echoes) = try results.withLock { $0[index]! }.get()
        let sent = echoes.sorted { Int($0.dropFirst().prefix { $0 != "d" })! < Int($1.dropFirst().prefix { $0 != "d" })! }
        try ensureEqual(echoes, sent, "echoes of \(sid) out of order")
        // The disconnect handler comes last; wait for it (it runs after the close, on the server's time).
        let deadline = Date().addingTimeInterval(5)
        while server.log.events(sid).last != "disconnect", Date() < deadline { usleep(2_000) }
        let events = server.log.events(sid)
        try ensureEqual(events, ["connect"] + sent + ["disconnect"], "handler calls of \(sid)")
        try ensureEqual(server.log.overlaps(sid), 0, "handlers of \(sid) that ran at once")
    }
}

@Suite("Handler ordering", .serialized)
struct HandlerOrderingTests {
    @Test("each session's connect, messages and disconnect reach its handlers one at a time, in order", arguments: [false, true])
    func ordered(async useAsync: Bool) async throws {
        let server = try await LoggingEchoServer(async: useAsync)
        var property = Property("handler order (\(useAsync ? "AsyncServer" : "Server"))", OrderingScenario.generator) { scenario in
            try checkOrdering(scenario, on: server)
        }
        property.shrinkBudget = 40  // each case is real traffic: shrink a little, not thousands of times
        try property.check(cases: 25)
    }

    @Test("the property catches python's unordered message handlers (concurrentMessageHandlers)", arguments: [false, true])
    func catchesUnordered(async useAsync: Bool) async throws {
        let server = try await LoggingEchoServer(async: useAsync, concurrent: true)
        var property = Property("unordered handlers are caught", OrderingScenario.generator) { scenario in
            try checkOrdering(scenario, on: server)
        }
        property.shrinkBudget = 0
        var caught = false
        do {
            try property.check(cases: 25, seed: 7)
        } catch {
            caught = true
            print("caught unordered dispatch: \(error.message)")
        }
        #expect(caught, "25 cases with concurrent handlers kept every session in order")
    }
}
