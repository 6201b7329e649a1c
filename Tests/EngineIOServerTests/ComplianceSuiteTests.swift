import EngineIO
import EngineIOCore
import EngineIOWire
import Foundation
import EngineIOTestSupport
import Testing

/// Every test that runs a real server on loopback. Serialized as a whole: several cases depend on 100 ms timing,
/// which a CPU-heavy neighbour (a python client moving megabytes) would disturb on two cores.
@Suite("Loopback", .serialized, .loopbackGate)
enum LoopbackTests {}

extension LoopbackTests {
/// The official engine.io-protocol v4 test suite, case by case, with the suite's reference configuration, against
/// `Server` and `AsyncServer` and against `eio serve --echo` (with and without `--async`) as users run it.
@Suite("Compliance suite over loopback")
struct ComplianceSuiteTests {
    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test("1: a polling handshake returns the open packet with the suite's values", arguments: EchoKind.allCases)
    func pollingHandshake(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let socket = try TestSocket(port: server.port)
        let response = try socket.request("GET", "\(server.base)&transport=polling")
        #expect(response.head.status == 200)
        let body = text(response)
        let open = try OpenPacket(json: String(body.dropFirst()))
        #expect(body.hasPrefix("0"))
        #expect(open.upgrades == ["websocket"] && open.pingInterval == 300 && open.pingTimeout == 200 && open.maxPayload == 1_000_000)
        #expect(open.sid.count == 20)
    }

    @Test("2 to 4: bad EIO, transport or method are refused with 400", arguments: EchoKind.allCases)
    func badHandshakes(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let socket = try TestSocket(port: server.port)
        for (method, target) in [("GET", "/engine.io/?transport=polling"), ("GET", "/engine.io/?EIO=abc&transport=polling"), ("GET", "/engine.io/?EIO=4"),
                                 ("GET", "/engine.io/?EIO=4&transport=abc"), ("POST", "/engine.io/?EIO=4&transport=polling"), ("PUT", "/engine.io/?EIO=4&transport=polling")] {
            #expect(try socket.request(method, target).head.status == 400, "\(method) \(target)")
        }
    }

    @Test("5: a WebSocket handshake opens a session without upgrades", arguments: EchoKind.allCases)
    func webSocketHandshake(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
        #expect(ws.status == 101)
        let open = try #require(try ws.receiveText())
        #expect(open.hasPrefix("0"))
        #expect(try OpenPacket(json: String(open.dropFirst())).upgrades == [])
    }

    @Test("6 and 7: WebSockets with a bad EIO or transport are refused", arguments: EchoKind.allCases)
    func badWebSockets(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        for target in ["/engine.io/?transport=websocket", "/engine.io/?EIO=abc&transport=websocket", "/engine.io/?EIO=4", "/engine.io/?EIO=4&transport=abc"] {
            #expect(try TestWebSocket(port: server.port, target: target).status == 400, "\(target)")
        }
    }

    @Test("8 to 10: POSTed packets are answered ok and echoed in one poll", arguments: EchoKind.allCases)
    func pollingMessages(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let socket = try TestSocket(port: server.port)
        let sid = try server.pollingSession(socket)
        for body in ["4hello", "4test1\u{1E}4test2\u{1E}4test3", "4hello\u{1E}bAQIDBA=="] {
            let post = try socket.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array(body.utf8))
            #expect(post.head.status == 200 && text(post) == "ok")
            // The echoes come from handlers (in order: the echo server's handlers are ordered), maybe over more than
            // one poll on a busy machine.
            let expected = body.split(separator: "\u{1E}").map(String.init)
            var echoed: [String] = []
            while echoed.count < expected.count {
                echoed += text(try socket.request("GET", "\(server.base)&transport=polling&sid=\(sid)")).split(separator: "\u{1E}").map(String.init)
            }
            #expect(echoed == expected)
        }
    }

    @Test("11: an invalid packet closes the session", arguments: EchoKind.allCases)
    func invalidPacket(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let socket = try TestSocket(port: server.port)
        let sid = try server.pollingSession(socket)
        #expect(try socket.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array("abc".utf8)).head.status == 400)
        #expect(try socket.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
    }

    @Test("12: a duplicate poll gets 400, the parked one 1, and the session is gone", arguments: EchoKind.allCases)
    func duplicatePoll(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let first = try TestSocket(port: server.port), second = try TestSocket(port: server.port)
        let sid = try server.pollingSession(first)
        first.write(HTTPRequestHead(method: "GET", target: "\(server.base)&transport=polling&sid=\(sid)", headers: ["Host": "x"]).serialized())
        try await Task.sleep(for: .seconds(0.1))  // the first poll is parked before the second arrives
        #expect(try second.request("GET", "\(server.base)&transport=polling&sid=\(sid)&t=burst").head.status == 400)
        let parked = try first.response(to: "GET")
        // The close packet ends the payload; on a loaded machine the 300 ms ping may be due and go out before it.
        #expect(parked.head.status == 200 && ["1", "2\u{1e}1"].contains(text(parked)), "parked poll got \(text(parked))")
        #expect(try second.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
    }

    @Test("13 to 15: WebSocket text and binary echo; an invalid packet closes the socket", arguments: EchoKind.allCases)
    func webSocketMessages(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
        _ = try ws.receiveText()
        ws.send("4hello")
        #expect(try ws.receiveText() == "4hello")
        ws.send(opcode: .binary, [1, 2, 3, 4])
        #expect(try ws.receive() == .binary([1, 2, 3, 4]))
        ws.send("abc")
        #expect(try ws.closes())
    }

    @Test("16 and 17: polling pings arrive each interval; unanswered, the session is gone at 500 ms", arguments: EchoKind.allCases)
    func pollingHeartbeat(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let socket = try TestSocket(port: server.port)
        let sid = try server.pollingSession(socket)
        for _ in 0..<3 {
            #expect(text(try socket.request("GET", "\(server.base)&transport=polling&sid=\(sid)")) == "2")
            #expect(try socket.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array("3".utf8)).head.status == 200)
        }
        let lonely = try server.pollingSession(socket)
        try await Task.sleep(for: .seconds(0.55))
        #expect(try socket.request("GET", "\(server.base)&transport=polling&sid=\(lonely)").head.status == 400)
    }

    @Test("18 and 19: WebSocket pings arrive each interval; unanswered, the socket closes", arguments: EchoKind.allCases)
    func webSocketHeartbeat(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
        _ = try ws.receiveText()
        for _ in 0..<3 {
            #expect(try ws.receiveText() == "2")
            ws.send("3")
        }
        #expect(try ws.receiveText() == "2")
        #expect(try ws.closes())
    }

    @Test("20 and 21: a client close answers the parked poll with 6; over WebSocket the socket closes", arguments: EchoKind.allCases)
    func clientClose(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let poller = try TestSocket(port: server.port), poster = try TestSocket(port: server.port)
        let sid = try server.pollingSession(poller)
        poller.write(HTTPRequestHead(method: "GET", target: "\(server.base)&transport=polling&sid=\(sid)", headers: ["Host": "x"]).serialized())
        try await Task.sleep(for: .seconds(0.1))  // the poll is parked before the close arrives
        #expect(text(try poster.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array("1".utf8))) == "ok")
        #expect(text(try poller.response(to: "GET")) == "6")
        #expect(try poster.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
        let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
        _ = try ws.receiveText()
        ws.send("1")
        #expect(try ws.closes())
    }

    @Test("22 to 24: the upgrade, then HTTP and a second WebSocket for the sid are refused", arguments: EchoKind.allCases)
    func upgrade(_ kind: EchoKind) async throws {
        let server = try await EchoServer(kind: kind)
        let poller = try TestSocket(port: server.port)
        let sid = try server.pollingSession(poller)
        let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket&sid=\(sid)")
        #expect(ws.status == 101)
        ws.send("2probe")
        #expect(try ws.receiveText() == "3probe")
        #expect(text(try poller.request("GET", "\(server.base)&transport=polling&sid=\(sid)")) == "6")
        ws.send("5")
        ws.send("4hello")
        #expect(try ws.receiveText() == "4hello")
        #expect(try poller.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
        let second = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket&sid=\(sid)")
        #expect(try second.closes())
        ws.send("4again")
        #expect(try ws.receiveText() == "4again")
    }
}
}

extension LoopbackTests {
    @Suite("Several event loops")
    struct SeveralLoopsTests {
        @Test("sessions work when their requests and WebSockets land on other loops than their handshake")
        func crossLoop() async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, corsAllowedOrigins: "*", eventLoops: 4))
            var sockets: [TestWebSocket] = []  // kept open, so the sessions stay
            for _ in 0..<8 {
                // Every new TCP connection goes to the next loop in turn, so these three land on three loops.
                let handshake = try TestSocket(port: server.port), poster = try TestSocket(port: server.port), poller = try TestSocket(port: server.port)
                let sid = try server.pollingSession(handshake)
                let post = try poster.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array("4across".utf8))
                #expect(String(decoding: post.body, as: UTF8.self) == "ok")
                #expect(String(decoding: try poller.request("GET", "\(server.base)&transport=polling&sid=\(sid)").body, as: UTF8.self) == "4across")
                let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket&sid=\(sid)")
                ws.send("2probe")
                #expect(try ws.receiveText() == "3probe")
                ws.send("5")
                ws.send("4upgraded")
                #expect(try ws.receiveText() == "4upgraded")
                sockets.append(ws)
            }
            #expect(server.sids().count == 8)
        }

        @Test("a connection that moves to its session's loop keeps its pipelined requests and serves many more", arguments: [false, true])
        func movedConnection(async: Bool) async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 5, pingTimeout: 5, eventLoops: 2), async: async)
            // With two loops, every other connection lands on the loop that does not own the session.
            for _ in 0..<4 {
                let handshake = try TestSocket(port: server.port), poster = try TestSocket(port: server.port)
                let sid = try server.pollingSession(handshake)
                let target = "\(server.base)&transport=polling&sid=\(sid)"
                // Two POSTs in one write: the second waits in the parser while the connection changes loops.
                var pipelined: [UInt8] = []
                for text in ["4first", "4second"] {
                    var head = HTTPRequestHead(method: "POST", target: target, headers: ["Host": "127.0.0.1"])
                    head.headers.add(name: "Content-Type", value: "text/plain;charset=UTF-8")
                    pipelined += HTTPRequest(head: head, body: Array(text.utf8)).serialized()
                }
                poster.write(pipelined)
                #expect(String(decoding: try poster.response(to: "POST").body, as: UTF8.self) == "ok")
                #expect(String(decoding: try poster.response(to: "POST").body, as: UTF8.self) == "ok")
                var echoed: [String] = []
                while echoed.count < 2 {
                    let body = String(decoding: try handshake.request("GET", target).body, as: UTF8.self)
                    echoed += body.split(separator: "\u{1E}").map(String.init)
                }
                #expect(echoed == ["4first", "4second"])
                for round in 0..<50 {
                    #expect(String(decoding: try poster.request("POST", target, body: Array("4r\(round)".utf8)).body, as: UTF8.self) == "ok")
                    #expect(String(decoding: try handshake.request("GET", target).body, as: UTF8.self) == "4r\(round)")
                }
            }
            #expect(server.sids().count == 4)
        }
    }
}

extension LoopbackTests {
    @Suite("Where AsyncServer runs its handlers")
    struct AsyncHandlerPlacementTests {
        /// The name of the thread the caller runs on.
        static func threadName() -> String {
            ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
        }

        /// A polling session on `port`, its socket still open, with `packet` POSTed to it.
        static func session(port: Int, posting packet: String) throws -> (socket: TestSocket, sid: String) {
            let socket = try TestSocket(port: port)
            let body = String(decoding: try socket.request("GET", "/engine.io/?EIO=4&transport=polling").body, as: UTF8.self)
            let sid = try OpenPacket(json: String(body.dropFirst())).sid
            _ = try socket.request("POST", "/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: Array(packet.utf8))
            return (socket, sid)
        }

        @Test("message handlers run on the event loop that owns their session; background tasks run elsewhere")
        func handlersOnTheLoop() async throws {
            let server = try AsyncServer(options: ServerOptions(eventLoops: 2))
            let places = AsyncStream<(handler: String, background: String)>.makeStream()
            server.on(.message) { sid, data in
                let handler = Self.threadName()
                let background = await withCheckedContinuation { continuation in
                    server.startBackgroundTask { continuation.resume(returning: Self.threadName()) }
                }
                places.continuation.yield((handler, background))
                await server.send(sid, data)
            }
            let app = ASGIApp(server)
            let port = try await app.start(host: "127.0.0.1", port: 0)
            defer { Task { await app.stop() } }
            let (socket, sid) = try Self.session(port: port, posting: "4where")
            var iterator = places.stream.makeAsyncIterator()
            let place = try #require(await iterator.next())
            #expect(place.handler.hasPrefix("engineio-loop-"))
            #expect(!place.background.hasPrefix("engineio-loop-"))
            #expect(String(decoding: try socket.request("GET", "/engine.io/?EIO=4&transport=polling&sid=\(sid)").body, as: UTF8.self) == "4where")
        }

        @Test("a handler isolated to a global actor runs isolated to it, converted to the handler type as it is")
        func globalActorHandler() async throws {
            let server = try AsyncServer()
            server.on(.message) { @RecorderActor _, data in
                RecorderActor.shared.assertIsolated()
                if case .text(let text) = data { RecorderActor.texts.append(text) }
            }
            let app = ASGIApp(server)
            let port = try await app.start(host: "127.0.0.1", port: 0)
            defer { Task { await app.stop() } }
            _ = try Self.session(port: port, posting: "4recorded")
            for _ in 0..<500 where await RecorderActor.texts.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await RecorderActor.texts == ["recorded"])
        }

        @Test("a handler can shut the server down without waiting on its own loop")
        func shutdownFromAHandler() async throws {
            let server = try AsyncServer()
            let stopped = EngineEvent()
            server.on(.message) { _, _ in
                await server.shutdown()
                stopped.set()
            }
            let app = ASGIApp(server)
            let port = try await app.start(host: "127.0.0.1", port: 0)
            _ = try Self.session(port: port, posting: "4stop")
            #expect(await Task.detached { stopped.wait(timeout: 5) }.value)
            // The session is forgotten once its disconnect handler has run, after this message handler returned.
            for _ in 0..<500 where !server.sids.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.sids.isEmpty)
        }

        @Test("a message handler still awaiting when the server stops finishes after its loop is gone")
        func handlerOutlivesItsLoop() async throws {
            let server = try AsyncServer()
            let started = EngineEvent(), finished = EngineEvent()
            server.on(.message) { _, _ in
                started.set()
                await server.sleep(0.3)  // resumes after the loop that started it has stopped
                finished.set()
            }
            let app = ASGIApp(server)
            let port = try await app.start(host: "127.0.0.1", port: 0)
            _ = try Self.session(port: port, posting: "4wait")
            #expect(await Task.detached { started.wait(timeout: 5) }.value)
            await app.stop()
            #expect(await Task.detached { finished.wait(timeout: 5) }.value)
        }
    }
}

/// A global actor for the handler-isolation test, with what its handler recorded.
@globalActor
actor RecorderActor {
    static let shared = RecorderActor()
    @RecorderActor static var texts: [String] = []
}
