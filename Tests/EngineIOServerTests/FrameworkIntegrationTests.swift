import EngineIO
import EngineIOCore
import EngineIOWire
import Foundation
import Glibc
import EngineIOTestSupport
import Testing

extension LoopbackTests {
    /// Mounting Engine.IO in another HTTP server: requests handed in, or whole connections taken over.
    @Suite("Framework integration")
    struct FrameworkIntegrationTests {
        func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

        func request(_ method: String, _ target: String, body: String = "") -> HTTPRequest {
            HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: ["Host": "x"]), body: Array(body.utf8))
        }

        @Test("handleRequest serves the handshake, POSTs and long-polls of requests another server received")
        func handleRequest() throws {
            let server = try Server(options: ServerOptions())
            server.on(.message) { sid, data in server.send(sid, data) }
            defer { server.shutdown() }
            let open = server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling"), remoteAddress: "10.0.0.1")
            #expect(open.head.status == 200)
            let sid = try OpenPacket(json: String(text(open).dropFirst())).sid
            let post = server.handleRequest(request("POST", "/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "4hi"))
            #expect(text(post) == "ok")
            #expect(text(server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling&sid=\(sid)"))) == "4hi")
        }

        @Test("a custom logger hears about connections, and a throwing connect handler refuses with 401")
        func logging() throws {
            let lines = LockedLines()
            let server = try Server(options: ServerOptions(logger: .custom(LogSink { level, message in lines.append("\(level): \(message)") })))
            defer { server.shutdown() }
            let open = server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling"))
            let sid = try OpenPacket(json: String(text(open).dropFirst())).sid
            // The open packet goes out before the loop tells the application; give it a moment.
            for _ in 0..<100 where !lines.all.contains("info: \(sid): connected over polling") { Thread.sleep(forTimeInterval: 0.01) }
            #expect(lines.all.contains("info: \(sid): connected over polling"))
            struct Nope: Error {}
            server.on(.connect) { _, _ in throw Nope() }
            let refused = server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling"))
            #expect(refused.head.status == 401 && text(refused) == "\"Unauthorized\"")
            #expect(lines.all.contains { $0.hasPrefix("error: connect handler error") })
            #expect(!lines.all.contains { $0.contains("disconnected") })  // a refused client never connected
        }

        @Test("the async server's handleRequest answers the same way")
        func asyncHandleRequest() async throws {
            let server = try AsyncServer()
            let open = await server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling"))
            #expect(open.head.status == 200 && text(open).hasPrefix("0{"))
            let bad = await server.handleRequest(request("GET", "/engine.io/?EIO=4&transport=polling&sid=nope"))
            #expect(bad.head.status == 400)
            await server.shutdown()
        }

        @Test("an adopted connection is served, WebSocket upgrade included")
        func adoptConnection() throws {
            let server = try Server()
            server.on(.message) { sid, data in server.send(sid, data) }
            defer { server.shutdown() }
            var fds: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            defer { close(fds[1]) }
            // The other server read the head already, and hands it over with the socket.
            let key = WebSocketHandshake.key(fromNonce: Array(0..<16))
            let head = HTTPRequestHead(
                method: "GET", target: "/engine.io/?EIO=4&transport=websocket",
                headers: HTTPHeaders([(name: "Host", value: "x")] + WebSocketHandshake.requestHeaders(key: key)))
            try server.adoptConnection(fd: fds[0], remoteAddress: "10.0.0.2", initialBytes: head.serialized())
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var parser = HTTPResponseParser()
            parser.expectResponse(toMethod: "GET")
            var assembler = WebSocketMessageAssembler(role: .client)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var response: HTTPResponse?
            var messages: [String] = []
            var sentHello = false
            while messages.count < 2 {
                let count = buffer.withUnsafeMutableBytes { read(fds[1], $0.baseAddress, 65_536) }
                guard count > 0 else { break }
                if response == nil {
                    parser.append(buffer[0..<count])
                    response = try parser.next()
                    if response != nil { assembler.append(parser.takeBufferedBytes()) }
                } else {
                    assembler.append(buffer[0..<count])
                }
                while case .text(let message)? = try assembler.next() {
                    messages.append(message)
                    if !sentHello {
                        sentHello = true
                        let frame = WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .text, payload: Array("4hello".utf8)), maskingKey: [1, 2, 3, 4])
                        _ = frame.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
                    }
                }
            }
            #expect(response?.head.status == 101)
            #expect(messages.first?.hasPrefix("0{") == true)
            #expect(messages.last == "4hello")
        }
    }
}

extension LoopbackTests.FrameworkIntegrationTests {
    @Test("a custom origin check decides which origins may connect")
    func customOriginCheck() throws {
        let server = try Server(options: ServerOptions(corsAllowedOrigins: .custom(OriginCheck { $0.hasSuffix(".trusted.example") })))
        defer { server.shutdown() }
        var good = request("GET", "/engine.io/?EIO=4&transport=polling")
        good.head.headers.add(name: "Origin", value: "https://app.trusted.example")
        let accepted = server.handleRequest(good)
        #expect(accepted.head.status == 200)
        #expect(accepted.head.headers["Access-Control-Allow-Origin"] == "https://app.trusted.example")
        var bad = request("GET", "/engine.io/?EIO=4&transport=polling")
        bad.head.headers.add(name: "Origin", value: "https://evil.example")
        #expect(server.handleRequest(bad).head.status == 403)
    }
}
