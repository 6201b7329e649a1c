import EngineIO
import EngineIOWire
import Foundation
import Glibc
import EngineIOTestSupport
import Testing

extension LoopbackTests {
    /// Bad input over real sockets: each case gets a clear error or a clean close, and the server keeps serving
    /// everyone else.
    @Suite("Malformed input over loopback")
    struct MalformedInputTests {
        func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

        /// The server still answers a fresh handshake: nothing that came before broke it.
        func stillServing(_ server: EchoServer) throws {
            let socket = try TestSocket(port: server.port)
            #expect(try socket.request("GET", "\(server.base)&transport=polling").head.status == 200)
        }

        @Test("an unknown sid and a wrong method on a session are refused with JSON errors")
        func unknownSidAndMethod() async throws {
            let server = try await EchoServer()
            let socket = try TestSocket(port: server.port)
            let unknown = try socket.request("GET", "\(server.base)&transport=polling&sid=nobody")
            #expect(unknown.head.status == 400 && text(unknown) == #"{"code":1,"message":"Session ID unknown"}"#)
            let sid = try server.pollingSession(socket)
            #expect(try socket.request("DELETE", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
            try stillServing(server)
        }

        @Test("an oversized POST is answered 413 and the session closes")
        func oversizedPost() async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, maxHttpBufferSize: 1_000))
            let socket = try TestSocket(port: server.port)
            let sid = try server.pollingSession(socket)
            let post = try socket.request("POST", "\(server.base)&transport=polling&sid=\(sid)", body: Array(("4" + String(repeating: "x", count: 2_000)).utf8))
            #expect(post.head.status == 413)
            let again = try TestSocket(port: server.port)
            #expect(try again.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
            try stillServing(server)
        }

        @Test("an oversized WebSocket message closes with 1009", arguments: [false, true])
        func oversizedWebSocketMessage(fragmented: Bool) async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, maxHttpBufferSize: 1_000))
            let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
            _ = try ws.receiveText()
            if fragmented {
                for index in 0..<3 {
                    ws.socket.write(WebSocketFrameEncoder.encode(WebSocketFrame(fin: index == 2, opcode: index == 0 ? .text : .continuation, payload: Array(repeating: 0x61, count: 600)), maskingKey: [1, 2, 3, 4]))
                }
            } else {
                ws.send("4" + String(repeating: "x", count: 2_000))
            }
            #expect(try ws.receive() == .close(code: 1009, reason: ""))
            try stillServing(server)
        }

        @Test("broken WebSocket frames close the connection with the RFC's code", arguments: [
            ("invalid UTF-8 text", [0x81, 0x82, 0, 0, 0, 0, 0x34, 0xFF], UInt16(1007)),
            ("an unmasked client frame", [0x81, 0x02, 0x34, 0x61], 1002),
            ("a control frame over 125 bytes", [0x89, 0xFE, 0x00, 0x7E, 0, 0, 0, 0] + Array(repeating: 0, count: 126), 1002),
            ("a reserved opcode", [0x83, 0x80, 0, 0, 0, 0], 1002),
            ("a forbidden close code", [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xED], 1002),
            ("a continuation without a start", [0x80, 0x80, 0, 0, 0, 0], 1002),
        ])
        func brokenFrames(name: String, bytes: [UInt8], code: UInt16) async throws {
            let server = try await EchoServer()
            let ws = try TestWebSocket(port: server.port, target: "\(server.base)&transport=websocket")
            _ = try ws.receiveText()
            ws.socket.write(bytes)
            #expect(try ws.receive() == .close(code: code, reason: ""), "\(name)")
            try stillServing(server)
        }

        @Test("a client that vanishes mid-poll ends its session, and the server carries on")
        func vanishingPoller() async throws {
            let server = try await EchoServer()
            var sid = ""
            do {
                let socket = try TestSocket(port: server.port)
                sid = try server.pollingSession(socket)
                socket.write(HTTPRequestHead(method: "GET", target: "\(server.base)&transport=polling&sid=\(sid)", headers: ["Host": "x"]).serialized())
                try await Task.sleep(for: .seconds(0.1))
            }  // the socket closes here, with the poll parked
            try await Task.sleep(for: .seconds(0.05))
            let socket = try TestSocket(port: server.port)
            #expect(try socket.request("GET", "\(server.base)&transport=polling&sid=\(sid)").head.status == 400)
            try stillServing(server)
        }

        @Test("a request whose head arrives one byte at a time is served normally")
        func slowHeaders() async throws {
            let server = try await EchoServer()
            let socket = try TestSocket(port: server.port)
            for byte in HTTPRequestHead(method: "GET", target: "\(server.base)&transport=polling", headers: ["Host": "x"]).serialized() {
                socket.write([byte])
                usleep(200)
            }
            let response = try socket.response(to: "GET")
            #expect(response.head.status == 200 && text(response).hasPrefix("0{"))
        }

        @Test("a head left unfinished past headersTimeout gets 408 and a closed connection; an idle keep-alive connection stays")
        func unfinishedHead() async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 5, pingTimeout: 5, headersTimeout: 0.3))
            let idle = try TestSocket(port: server.port)
            #expect(try idle.request("GET", "\(server.base)&transport=polling").head.status == 200)
            let stalled = try TestSocket(port: server.port)
            stalled.write(Array("GET \(server.base)&transport=polling HTTP/1.1\r\nHost: x\r\n".utf8))
            let began = Date()
            #expect(try stalled.response(to: "GET").head.status == 408)
            #expect(stalled.read() == nil)
            // Well before the socket's own 5 s read timeout: the server closed it.
            #expect(Date().timeIntervalSince(began) < 4)
            // The keep-alive connection sat idle through the same time and still serves.
            #expect(try idle.request("GET", "\(server.base)&transport=polling").head.status == 200)
            try stillServing(server)
        }

        @Test("a POST body left unfinished past requestBodyTimeout gets 408 and a closed connection")
        func unfinishedBody() async throws {
            let server = try await EchoServer(options: ServerOptions(pingInterval: 5, pingTimeout: 5, requestBodyTimeout: 0.3))
            let handshake = try TestSocket(port: server.port)
            let sid = try server.pollingSession(handshake)
            let stalled = try TestSocket(port: server.port)
            let head = "POST \(server.base)&transport=polling&sid=\(sid) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
            stalled.write(Array((head + "4only part").utf8))
            let began = Date()
            #expect(try stalled.response(to: "POST").head.status == 408)
            #expect(stalled.read() == nil)
            #expect(Date().timeIntervalSince(began) < 4)  // the server closed it, not the socket's 5 s read timeout
            try stillServing(server)
        }

        @Test("garbage instead of HTTP gets 400 and a closed connection")
        func garbage() async throws {
            let server = try await EchoServer()
            let socket = try TestSocket(port: server.port)
            socket.write(Array("\u{1}\u{2}not http at all\r\n\r\n".utf8))
            #expect(try socket.response(to: "GET").head.status == 400)
            #expect(socket.read() == nil)
            try stillServing(server)
        }

        @Test("ten thousand connections opened and dropped leave no session behind")
        func manyDroppedConnections() async throws {
            let server = try await EchoServer()
            for index in 0..<10_000 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = UInt16(server.port).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if index % 3 == 0 {
                    let request = Array("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                    _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                close(fd)
            }
            try stillServing(server)
            // Handshakes whose clients left open sessions that only a ping timeout ends (as for any silent client).
            try await Task.sleep(for: .seconds(0.7))
            #expect(server.sids().count <= 1)
        }
    }
}

extension LoopbackTests {
    @Suite("Backpressure over loopback")
    struct BackpressureTests {
        @Test("a WebSocket peer that stops reading is cut off at the outbound bound instead of growing the server's buffer")
        func slowReader() throws {
            let server = try Server(options: ServerOptions(maxOutboundQueueBytes: 1_000_000))
            let closed = EngineEvent()
            server.on(.message) { sid, _ in
                let chunk = MessageData.text(String(repeating: "z", count: 10_000))
                for _ in 0..<3_000 { server.send(sid, chunk) }  // 30 MB for a client that reads nothing
            }
            // The same bound and reason as a polling client's full queue.
            server.on(.disconnect) { _, reason in if reason == .forcedClose { closed.set() } }
            let app = WSGIApp(server)
            let port = try app.start(host: "127.0.0.1", port: 0)
            defer { app.stop() }
            let ws = try TestWebSocket(port: port, target: "/engine.io/?EIO=4&transport=websocket")
            _ = try ws.receiveText()
            ws.send("4flood me")
            #expect(closed.wait(timeout: 10), "the session was not closed")
            // The session is forgotten once its disconnect handler has returned, a moment after `closed` is set.
            let deadline = Date().addingTimeInterval(5)
            while !server.sids.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            #expect(server.sids.isEmpty)
        }

        @Test("a disconnect handler still finds its session's data, which goes once the handler returns", arguments: [false, true])
        func sessionDuringDisconnect(async useAsync: Bool) async throws {
            let seen = LockedLines()
            let forgotten = EngineEvent()
            let port: Int
            let stop: @Sendable () async -> Void
            if useAsync {
                let server = try AsyncServer()
                server.on(.message) { sid, _ in
                    try? await server.saveSession(sid, ["user": "ada"])
                    await server.disconnect(sid)
                }
                server.on(.disconnect) { sid, _ in
                    seen.append(((try? await server.getSession(sid))?["user"] as? String) ?? "missing")
                    seen.append(server.sids.contains(sid) ? "listed" : "unlisted")
                    Task.detached {
                        for _ in 0..<500 where !server.sids.isEmpty { try? await Task.sleep(for: .milliseconds(10)) }
                        if server.sids.isEmpty { forgotten.set() }
                    }
                }
                let app = ASGIApp(server)
                port = try await app.start(host: "127.0.0.1", port: 0)
                stop = { await app.stop() }
            } else {
                let server = try Server()
                server.on(.message) { sid, _ in
                    try? server.saveSession(sid, ["user": "ada"])
                    server.disconnect(sid)
                }
                server.on(.disconnect) { sid, _ in
                    seen.append(((try? server.getSession(sid))?["user"] as? String) ?? "missing")
                    seen.append(server.sids.contains(sid) ? "listed" : "unlisted")
                    Thread {
                        for _ in 0..<500 where !server.sids.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
                        if server.sids.isEmpty { forgotten.set() }
                    }.start()
                }
                let app = WSGIApp(server)
                port = try app.start(host: "127.0.0.1", port: 0)
                stop = { app.stop() }
            }
            _ = try LoopbackTests.AsyncHandlerPlacementTests.session(port: port, posting: "4bye")
            #expect(await Task.detached { forgotten.wait(timeout: 5) }.value)
            #expect(seen.all == ["ada", "listed"])
            await stop()
        }
    }
}
