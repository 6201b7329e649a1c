import EngineIO
import EngineIOWire
import Foundation
import EngineIOTestSupport
import Testing

/// python-engineio's `Client` and `AsyncClient` (pinned, installed by scripts/setup into .build/interop-venv) as live
/// peers of our `Server` and `AsyncServer` over loopback.
extension LoopbackTests {
@Suite("python-engineio clients against our servers")
struct PythonClientInteropTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".build/interop-venv/bin/python").path
    static let script = root.appendingPathComponent("Tests/Interop/python_client.py").path
    // Pings every 0.3 s, so an idle test sees several; a generous timeout, so a python client starved of CPU on a
    // busy machine still answers in time.
    static let options = ServerOptions(pingInterval: 0.3, pingTimeout: 5, maxHttpBufferSize: 4_000_000)

    struct Outcome: Decodable {
        var received: [[String: String]]
        var transport: String?
        var disconnect_reason: String?
    }

    /// Our server, either façade, echoing and disconnecting a client that says "kick-me".
    final class Peer {
        let port: Int
        private let stop: @Sendable () -> Void

        init(async: Bool, options: ServerOptions = PythonClientInteropTests.options, certificate: (cert: String, key: String)? = nil) async throws {
            if async {
                let server = try AsyncServer(options: options)
                server.on(.message) { sid, data in
                    if data == .text("kick-me") { await server.disconnect(sid) } else { await server.send(sid, data) }
                }
                let app = ASGIApp(server)
                port = try await app.start(host: "127.0.0.1", port: 0, certificateFile: certificate?.cert, keyFile: certificate?.key)
                // Not waited for: a deinit that blocked on a task could starve the task pool (see EchoServer).
                stop = { Task { await app.stop() } }
            } else {
                let server = try Server(options: options)
                server.on(.message) { sid, data in
                    if data == .text("kick-me") { server.disconnect(sid) } else { server.send(sid, data) }
                }
                let app = WSGIApp(server)
                port = try app.start(host: "127.0.0.1", port: 0, certificateFile: certificate?.cert, keyFile: certificate?.key)
                stop = { app.stop() }
            }
        }

        deinit { stop() }
    }

    func runClient(_ mode: String, port: Int, transports: String, scenario: String, trusting caFile: String? = nil) throws -> Outcome {
        let scheme = caFile == nil ? "http" : "https"
        // requests, websocket-client and aiohttp each read their own variable for the CA to trust.
        let environment = caFile.map { ["SSL_CERT_FILE": $0, "REQUESTS_CA_BUNDLE": $0, "WEBSOCKET_CLIENT_CA_BUNDLE": $0] } ?? [:]
        return try runPython([Self.script, mode, "\(scheme)://127.0.0.1:\(port)", transports, scenario], environment: environment)
    }

    func runPython<Result: Decodable>(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last else {
            throw TestFailure("python client failed (\(process.terminationStatus)): \(errorText.suffix(2000))")
        }
        return try JSONDecoder().decode(Result.self, from: Data(line.utf8))
    }

    static func expectedEcho() -> [[String: String]] {
        let binary = Array(0..<256).map(UInt8.init)
        var messages: [[String: String]] = [
            ["text": "hello"], ["binary": Base64.encode([1, 2, 3, 4])], ["text": "héllo wörld ☃ 😀"], ["text": ""],
            ["text": String(repeating: "x", count: 1_000_000)], ["binary": Base64.encode(Array((0..<3906).map { _ in binary }.joined()))],
        ]
        messages += (0..<1000).map { ["text": "burst-\($0)"] }
        return messages
    }

    @Test("text, binary, unicode, empty and 1 MB messages and a 1000-message burst echo in order", arguments: [
        ("sync", false, "polling"), ("sync", false, "websocket"), ("sync", false, "polling,websocket"),
        ("async", true, "polling"), ("async", true, "websocket"), ("async", true, "polling,websocket"),
    ])
    func echo(mode: String, asyncServer: Bool, transports: String) async throws {
        let peer = try await Peer(async: asyncServer)
        let outcome = try runClient(mode, port: peer.port, transports: transports, scenario: "echo")
        let expected = Self.expectedEcho()
        #expect(outcome.received.count == expected.count)
        #expect(outcome.received == expected)
        #expect(outcome.transport == (transports == "polling" ? "polling" : "websocket"))
    }

    @Test("eio serve --echo, as users run it, echoes python's messages and bursts in order", arguments: [
        ("sync", false, "polling"), ("sync", false, "websocket"), ("sync", false, "polling,websocket"),
        ("async", true, "polling"), ("async", true, "websocket"), ("async", true, "polling,websocket"),
    ])
    func echoThroughEioServe(mode: String, asyncServer: Bool, transports: String) throws {
        let flags = ["--echo", "--max-payload", "4000000", "--ping-interval", "0.3", "--ping-timeout", "5"]
        let server = try EioServeProcess(flags + (asyncServer ? ["--async"] : []))
        let outcome = try runClient(mode, port: server.port, transports: transports, scenario: "echo")
        let expected = Self.expectedEcho()
        // Counted and located first: a failed comparison of the whole echo would print megabytes.
        #expect(outcome.received.count == expected.count)
        let firstDifference = outcome.received.indices.first { $0 >= expected.count || outcome.received[$0] != expected[$0] }
        #expect(firstDifference == nil, "first difference at \(firstDifference ?? -1): \(firstDifference.map { String(describing: outcome.received[$0]).prefix(80) } ?? "")")
        #expect(outcome.transport == (transports == "polling" ? "polling" : "websocket"))
    }

    // python's sync client over WSS is left out: its read and write threads use one SSL socket at once, which
    // OpenSSL does not allow, and it drops the connection now and then whatever the server does
    // (python-engineio issue #461; 4.15.1 has no lock). Its HTTPS polling uses a connection per thread.
    @Test("over HTTPS and WSS (our server's TLS) python's clients echo everything, verifying our certificate", arguments: [
        ("sync", false, "polling"), ("async", false, "polling"), ("async", true, "polling,websocket"), ("async", false, "websocket"),
    ])
    func echoOverTLS(mode: String, asyncServer: Bool, transports: String) async throws {
        let certificate = try selfSignedCertificate(names: "DNS:localhost,IP:127.0.0.1")
        let peer = try await Peer(async: asyncServer, certificate: certificate)
        let outcome = try runClient(mode, port: peer.port, transports: transports, scenario: "echo", trusting: certificate.cert)
        // Counted first: a failed comparison of the whole echo would print megabytes.
        #expect(outcome.received.count == Self.expectedEcho().count)
        #expect(outcome.disconnect_reason == "client disconnect")
        #expect(outcome.received == Self.expectedEcho())
        #expect(outcome.transport == (transports == "polling" ? "polling" : "websocket"))
    }

    @Test("on the TLS port, plain HTTP and a stalled handshake are closed or left idle while our own client is served")
    func tlsPortRefusesPlainHTTP() async throws {
        let certificate = try selfSignedCertificate(names: "DNS:localhost,IP:127.0.0.1")
        let peer = try await Peer(async: false, certificate: certificate)
        let stalled = try TestSocket(port: peer.port)
        stalled.write([0x16, 0x03, 0x01])  // the start of a ClientHello, and then nothing
        let plain = try TestSocket(port: peer.port)
        plain.write(Array("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        var answer: [UInt8] = []
        while let bytes = plain.read() { answer += bytes }
        // OpenSSL may send an alert record first; what matters is no HTTP answer and a closed connection.
        #expect(!answer.starts(with: Array("HTTP/".utf8)))

        let client = try Client(options: ClientOptions(caFile: certificate.cert))
        let reply = EngineEvent()
        let received = LockedLines()
        client.on(.message) { data in
            if case .text(let text) = data { received.append(text) }
            reply.set()
        }
        try client.connect("https://localhost:\(peer.port)")
        try client.send("over tls")
        #expect(reply.wait(timeout: 5))
        #expect(received.all == ["over tls"])
        client.disconnect()
        withExtendedLifetime(stalled) {}
    }

    @Test("a TLS handshake left unfinished past headersTimeout closes the connection")
    func stalledHandshakeTimesOut() async throws {
        let certificate = try selfSignedCertificate(names: "DNS:localhost,IP:127.0.0.1")
        var options = Self.options
        options.headersTimeout = 0.3
        let peer = try await Peer(async: false, options: options, certificate: certificate)
        let stalled = try TestSocket(port: peer.port)
        stalled.write([0x16, 0x03, 0x01])  // the start of a ClientHello, and then nothing
        let began = Date()
        #expect(stalled.read() == nil)
        #expect(Date().timeIntervalSince(began) < 4)  // closed by the server, not the socket's 5 s read timeout
    }

    @Test("a server-initiated disconnect reaches the client as server disconnect", arguments: [("sync", "polling"), ("sync", "websocket"), ("async", "websocket")])
    func serverDisconnect(mode: String, transports: String) async throws {
        let peer = try await Peer(async: mode == "async")
        let outcome = try runClient(mode, port: peer.port, transports: transports, scenario: "kicked")
        #expect(outcome.disconnect_reason == "server disconnect")
    }

    @Test("pings keep an idle session alive across several intervals", arguments: ["polling", "websocket"])
    func idle(transports: String) async throws {
        // A pong missing for 1 s ends the session, well within the client's 2 s of silence.
        var options = Self.options
        options.pingTimeout = 1
        let peer = try await Peer(async: false, options: options)
        let outcome = try runClient("sync", port: peer.port, transports: transports, scenario: "idle")
        #expect(outcome.received == [["text": "still alive"]])
        // Only the client's own disconnect at the end of the script ended the session.
        #expect(outcome.disconnect_reason == "client disconnect")
    }

    struct DeflateOutcome: Decodable {
        var compress: Int
        var received: [[String: String]]
        var close_code: Int?
    }

    static let deflateScript = root.appendingPathComponent("Tests/Interop/deflate_client.py").path

    @Test("an aiohttp client offering permessage-deflate gets it when the server allows it, and its messages round-trip both ways",
          arguments: [(false, true), (true, true), (false, false)])
    func perMessageDeflate(asyncServer: Bool, enabled: Bool) async throws {
        var options = Self.options
        options.perMessageDeflate = enabled
        options.perMessageDeflateThreshold = 64
        let peer = try await Peer(async: asyncServer, options: options)
        let outcome: DeflateOutcome = try runPython([Self.deflateScript, "ws://127.0.0.1:\(peer.port)/engine.io/?EIO=4&transport=websocket"])
        // aiohttp reports the negotiated window bits, or 0 when the server declined the extension.
        #expect(outcome.compress == (enabled ? 15 : 0))
        let binary = Array(0..<256).map(UInt8.init)
        let expected: [[String: String]] = [
            ["text": "hello"], ["text": String(repeating: "z", count: 200_000)],
            ["text": String(repeating: "héllo wörld ☃ 😀", count: 1000)], ["binary": Base64.encode([1, 2])],
            ["binary": Base64.encode(Array((0..<400).map { _ in binary }.joined()))],
        ]
        #expect(outcome.received == expected)
    }

    @Test("a compressed message that inflates past maxHttpBufferSize closes the WebSocket with 1009, not a 5 MB allocation")
    func perMessageDeflateBomb() async throws {
        var options = Self.options
        options.perMessageDeflate = true
        let peer = try await Peer(async: false, options: options)
        let outcome: DeflateOutcome = try runPython([Self.deflateScript, "ws://127.0.0.1:\(peer.port)/engine.io/?EIO=4&transport=websocket", "bomb"])
        #expect(outcome.compress == 15)
        #expect(outcome.close_code == 1009)
    }
}
}
