import EngineIO
import EngineIOCore
import Foundation
import Glibc
import EngineIOTestSupport
import Testing

extension ClientLoopbackTests {
    /// Our `Client` and `AsyncClient` against live servers: ours, and python-engineio's `AsyncServer` on aiohttp.
    @Suite("Clients over loopback")
    struct ClientTests {
        /// Collects what a client sees.
        final class Recorder: @unchecked Sendable {
            private let lock = NSLock()
            private var messages: [MessageData] = []
            private(set) var disconnects: [DisconnectReason] = []
            let done = EngineEvent()
            let closed = EngineEvent()
            var expected = 0

            func message(_ data: MessageData) {
                lock.lock()
                messages.append(data)
                let count = messages.count
                lock.unlock()
                if count >= expected { done.set() }
            }

            func disconnected(_ reason: DisconnectReason) {
                lock.lock()
                disconnects.append(reason)
                lock.unlock()
                closed.set()
            }

            var received: [MessageData] {
                lock.lock()
                defer { lock.unlock() }
                return messages
            }
        }

        /// python-engineio's AsyncServer (echo) as a subprocess.
        final class PythonServer {
            let process = ChildProcess()
            let port: Int

            /// `threading`: python's `Server` in threading mode behind Werkzeug instead of `AsyncServer` on aiohttp.
            /// The server picks a free port and says which.
            init(pingInterval: Double = 25, certificate: (cert: String, key: String)? = nil, threading: Bool = false) throws {
                let root = packageRoot
                process.executableURL = root.appendingPathComponent(".build/interop-venv/bin/python")
                if threading {
                    process.arguments = [root.appendingPathComponent("Tests/Interop/python_threading_server.py").path, "0"]
                } else {
                    process.arguments = [root.appendingPathComponent("Tests/Interop/python_server.py").path, "0", String(pingInterval)]
                        + (certificate.map { [$0.cert, $0.key] } ?? [])
                }
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                var line: [UInt8] = []
                while line.last != UInt8(ascii: "\n") {
                    let byte = output.fileHandleForReading.readData(ofLength: 1)
                    guard let first = byte.first else { break }
                    line.append(first)
                }
                let words = String(decoding: line, as: UTF8.self).split(separator: " ")
                guard words.first == "ready", let bound = words.last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                    throw TestFailure("python server did not start")
                }
                port = bound
            }

            /// SIGKILL: a crash, not a graceful shutdown (aiohttp would wait up to a minute for open connections).
            func kill() {
                Glibc.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }

            deinit { if process.isRunning { kill() } }
        }

        func echo(port: Int, transports: [Transport]?) throws -> (Recorder, Transport) {
            let client = try Client()
            let recorder = Recorder()
            recorder.expected = 200
            client.on(.message) { recorder.message($0) }
            client.on(.disconnect) { recorder.disconnected($0) }
            try client.connect("http://127.0.0.1:\(port)", transports: transports)
            Thread.sleep(forTimeInterval: 0.2)  // let the upgrade finish, if any
            let transport = client.transport()
            for index in 0..<100 {
                try client.send(.text("m\(index) ☃"))
                try client.send(.binary([UInt8(index), 0, 255]))
            }
            #expect(recorder.done.wait(timeout: 10))
            client.disconnect()
            #expect(recorder.closed.wait(timeout: 5))
            #expect(recorder.disconnects == [.clientDisconnect])
            return (recorder, transport)
        }

        static let expectedEcho: [MessageData] = (0..<100).flatMap { index in [MessageData.text("m\(index) ☃"), .binary([UInt8(index), 0, 255])] }

        @Test("Client echoes through our server over every transport combination", arguments: [nil, [Transport.polling], [.websocket]])
        func ourServer(transports: [Transport]?) async throws {
            let server = try await EchoServer()
            let (recorder, transport) = try echo(port: server.port, transports: transports)
            #expect(recorder.received == Self.expectedEcho)
            #expect(transport == (transports == [.polling] ? .polling : .websocket))
        }

        @Test("Client echoes through python-engineio's AsyncServer (aiohttp) and Server (threading) over every transport combination", arguments: [
            (nil, false), ([Transport.polling], false), ([.websocket], false), (nil, true), ([.polling], true), ([.websocket], true),
        ])
        func pythonServer(transports: [Transport]?, threading: Bool) throws {
            let server = try PythonServer(threading: threading)
            let (recorder, transport) = try echo(port: server.port, transports: transports)
            #expect(recorder.received.count == Self.expectedEcho.count)
            #expect(Set(recorder.received.map { "\($0)" }) == Set(Self.expectedEcho.map { "\($0)" }))  // python's handlers run concurrently
            #expect(transport == (transports == [.polling] ? .polling : .websocket))
        }

        @Test("empty and 1 MB messages and a 1000-message burst arrive in order, in the clear and over TLS; a server disconnect reaches the client",
              arguments: [(nil, false), ([Transport.polling], false), ([.websocket], false), (nil, true), ([.websocket], true)])
        func largeAndBursts(transports: [Transport]?, tls: Bool) throws {
            let server = try Server(options: ServerOptions(maxHttpBufferSize: 4_000_000))
            server.on(.message) { sid, data in
                if data == .text("kick me") { server.disconnect(sid) } else { server.send(sid, data) }
            }
            let schemes = LockedLines()
            server.on(.connect) { _, environ in
                schemes.append(environ["wsgi.url_scheme"] ?? "none")
                return nil
            }
            let app = WSGIApp(server)
            let certificate = tls ? try selfSignedCertificate(names: "DNS:localhost,IP:127.0.0.1") : nil
            let port = try app.start(host: "127.0.0.1", port: 0, certificateFile: certificate?.cert, keyFile: certificate?.key)
            defer { app.stop() }
            let client = try Client(options: ClientOptions(caFile: certificate?.cert))
            let recorder = Recorder()
            let sent: [MessageData] = [.text(""), .text(String(repeating: "é", count: 500_000)), .binary([UInt8](repeating: 7, count: 1_000_000))]
                + (0..<1000).map { .text("burst \($0)") }
            recorder.expected = sent.count
            client.on(.message) { recorder.message($0) }
            client.on(.disconnect) { recorder.disconnected($0) }
            try client.connect("\(tls ? "https://localhost" : "http://127.0.0.1"):\(port)", transports: transports)
            for message in sent { try client.send(message) }
            #expect(recorder.done.wait(timeout: 20))
            #expect(recorder.received == sent)
            try client.send("kick me")
            #expect(recorder.closed.wait(timeout: 5))
            #expect(recorder.disconnects == [.serverDisconnect])
            #expect(client.reason == .serverDisconnect)
            #expect(schemes.all == [tls ? "https" : "http"])
        }

        @Test("connecting twice is refused, and disconnect(reason:) hands the application's own reason to its disconnect handler")
        func customReason() async throws {
            let server = try await EchoServer()
            let client = try Client()
            let recorder = Recorder()
            client.on(.disconnect) { recorder.disconnected($0) }
            try client.connect("http://127.0.0.1:\(server.port)")
            #expect(throws: ClientError.notDisconnected) { try client.connect("http://127.0.0.1:\(server.port)") }
            client.disconnect(reason: .transportClose)
            #expect(recorder.closed.wait(timeout: 5))
            #expect(recorder.disconnects == [.transportClose])
        }

        @Test("a server that accepts the connection but never answers fails connect within requestTimeout", arguments: [[Transport.polling], [.websocket]])
        func silentServer(transports: [Transport]) throws {
            // A listening socket nobody serves: connections complete in the backlog and hear nothing.
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            listen(fd, 16)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let started = Date()
            #expect(throws: ClientError.self) {
                try Client(options: ClientOptions(requestTimeout: 0.5)).connect("http://127.0.0.1:\(port)", transports: transports)
            }
            #expect(Date().timeIntervalSince(started) < 3)
        }

        @Test("a rejecting connect handler surfaces as 401 with its JSON body")
        func rejected() throws {
            let server = try Server()
            server.on(.connect) { _, _ in .reject(body: #"{"message":"nope"}"#) }
            let app = WSGIApp(server)
            let port = try app.start(host: "127.0.0.1", port: 0)
            defer { app.stop() }
            #expect(throws: ClientError.unexpectedStatus(401, body: ["message": "nope"])) {
                try Client().connect("http://127.0.0.1:\(port)")
            }
            #expect(throws: ClientError.noValidTransports) { try Client().connect("http://127.0.0.1:\(port)", transports: []) }
            #expect(throws: ClientError.self) { try Client().connect("http://127.0.0.1:1") }
        }

        @Test("a server killed mid-session is noticed as a transport error within pingInterval plus pingTimeout", arguments: [[Transport.polling], [.websocket]])
        func killedServer(transports: [Transport]) throws {
            let server = try PythonServer(pingInterval: 1)
            let client = try Client()
            let recorder = Recorder()
            client.on(.disconnect) { recorder.disconnected($0) }
            try client.connect("http://127.0.0.1:\(server.port)", transports: transports)
            let started = Date()
            server.kill()
            #expect(recorder.closed.wait(timeout: 1 + 20 + 2))
            #expect(recorder.disconnects == [.transportError])
            #expect(Date().timeIntervalSince(started) < 21)
        }

        @Test("AsyncClient connects, echoes in order and disconnects")
        func asyncClient() async throws {
            let server = try await EchoServer(async: true)
            let client = try AsyncClient()
            let recorder = Recorder()
            recorder.expected = 50
            client.on(.message) { recorder.message($0) }
            client.on(.disconnect) { recorder.disconnected($0) }
            try await client.connect("http://127.0.0.1:\(server.port)")
            for index in 0..<50 { try await client.send(.text("a\(index)")) }
            #expect(recorder.done.wait(timeout: 10))
            #expect(recorder.received == (0..<50).map { .text("a\($0)") })
            await client.disconnect()
            await client.wait()
            #expect(recorder.closed.wait(timeout: 5))
            #expect(client.reason == .clientDisconnect)
        }
    }
}

extension ClientLoopbackTests {
    @Suite("eio connect")
    struct EIOConnectTests {
        func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String, errors: String) {
            let process = ChildProcess()
            process.executableURL = packageRoot.appendingPathComponent(".build/debug/eio")
            process.arguments = ["connect"] + arguments
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output, errors)
        }

        @Test("each line of input goes out and each reply comes back on its own line", arguments: ["polling,websocket", "polling", "websocket"])
        func echo(transports: String) async throws {
            let server = try await EchoServer()
            let result = try run(["http://127.0.0.1:\(server.port)", "--transports", transports, "--header", "X-Test: yes"], input: "hello\nsecond line ☃\n")
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "hello\nsecond line ☃\n")
        }

        @Test("a failure is one clear line and a non-zero exit")
        func failure() throws {
            let result = try run(["http://127.0.0.1:1"], input: "")
            #expect(result.status != 0)
            #expect(result.errors.hasPrefix("eio: ") && result.errors.split(separator: "\n").count == 1)
        }
    }
}

extension ClientLoopbackTests {
    /// TLS against python-engineio serving a certificate made for the test.
    @Suite("Client TLS")
    struct ClientTLSTests {
        func connect(_ server: ClientTests.PythonServer, host: String = "127.0.0.1", options: ClientOptions, transports: [Transport]? = nil) throws -> String {
            let client = try Client(options: options)
            let reply = EngineEvent()
            let received = LockedLines()
            client.on(.message) { data in
                if case .text(let text) = data { received.append(text) }
                reply.set()
            }
            try client.connect("https://\(host):\(server.port)", transports: transports)
            try client.send("over tls")
            _ = reply.wait(timeout: 5)
            client.disconnect()
            return received.all.first ?? ""
        }

        @Test("a server whose CA we were not given is refused; with --ca-file or sslVerify false it is accepted", arguments: [nil, [Transport.websocket]])
        func verification(transports: [Transport]?) throws {
            let certificate = try selfSignedCertificate(names: "DNS:localhost,IP:127.0.0.1")
            let server = try ClientTests.PythonServer(certificate: certificate)
            #expect {
                try Client().connect("https://127.0.0.1:\(server.port)", transports: transports)
            } throws: { error in
                guard case ClientError.tls(let detail) = error else { return false }
                return detail.contains("certificate verify failed")
            }
            #expect(try connect(server, options: ClientOptions(caFile: certificate.cert), transports: transports) == "over tls")
            #expect(try connect(server, host: "localhost", options: ClientOptions(caFile: certificate.cert), transports: transports) == "over tls")
            #expect(try connect(server, options: ClientOptions(sslVerify: false), transports: transports) == "over tls")
        }

        @Test("a certificate for another host name is refused even from a trusted CA")
        func wrongHostname() throws {
            let certificate = try selfSignedCertificate(names: "DNS:elsewhere.example")
            let server = try ClientTests.PythonServer(certificate: certificate)
            #expect {
                try Client(options: ClientOptions(caFile: certificate.cert)).connect("https://127.0.0.1:\(server.port)")
            } throws: { error in
                guard case ClientError.tls(let detail) = error else { return false }
                return detail.contains("mismatch") || detail.contains("verify failed")
            }
        }
    }
}

extension ClientLoopbackTests {
    @Suite("Client through an HTTP proxy")
    struct ClientProxyTests {
        @Test("every connection goes through the proxy's CONNECT tunnel, on each transport", arguments: [nil, [Transport.polling], [.websocket]])
        func throughProxy(transports: [Transport]?) async throws {
            let server = try await EchoServer()
            let proxy = ChildProcess()
            proxy.executableURL = packageRoot.appendingPathComponent(".build/interop-venv/bin/python")
            proxy.arguments = [packageRoot.appendingPathComponent("Tests/Interop/connect_proxy.py").path]
            let output = Pipe()
            proxy.standardOutput = output
            try proxy.run()
            defer {
                kill(proxy.processIdentifier, SIGKILL)
                proxy.waitUntilExit()
            }
            let lines = LockedLines()
            let ready = DispatchSemaphore(value: 0)
            Thread {
                var line: [UInt8] = []
                while true {
                    let byte = output.fileHandleForReading.readData(ofLength: 1)
                    guard let first = byte.first else { return }
                    if first == 10 {
                        lines.append(String(decoding: line, as: UTF8.self))
                        if line.starts(with: Array("ready".utf8)) { ready.signal() }
                        line = []
                    } else {
                        line.append(first)
                    }
                }
            }.start()
            #expect(ready.wait(timeout: .now() + 10) == .success)
            let port = Int(lines.all.first?.split(separator: " ").last ?? "") ?? 0
            let client = try Client(options: ClientOptions(httpSession: HTTPSessionConfiguration(proxy: "http://127.0.0.1:\(port)")))
            let echoed = EngineEvent()
            client.on(.message) { if $0 == .text("via proxy") { echoed.set() } }
            try client.connect("http://127.0.0.1:\(server.port)", transports: transports)
            try client.send("via proxy")
            #expect(echoed.wait(timeout: 5))
            client.disconnect()
            try await Task.sleep(for: .milliseconds(100))
            #expect(lines.all.contains("tunnel 127.0.0.1:\(server.port)"))
        }
    }
}
