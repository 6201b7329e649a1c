import EngineIO
import EngineIOCore
import EngineIOWire
import Foundation
import Glibc
import EngineIOTestSupport
import Testing

/// What an operator sees of `eio serve`: `/healthz`, `/metrics`, and the drain that SIGTERM starts.
@Suite("Operating eio serve", .serialized)
struct OperationsTests {
    /// One GET on a fresh connection.
    static func get(_ port: Int, _ target: String) throws -> HTTPResponse {
        try TestSocket(port: port).request("GET", target)
    }

    /// The samples of a Prometheus text page: `name{labels}` → value.
    static func samples(_ page: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in page.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// Polls `/metrics` until `condition` holds (the page may trail the loops by a sweep), at most 3 s.
    static func metrics(_ port: Int, until condition: ([String: Double]) -> Bool) throws -> [String: Double] {
        var last: [String: Double] = [:]
        for _ in 0..<60 {
            let response = try get(port, "/metrics")
            #expect(response.head.status == 200)
            #expect(response.head.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            last = samples(String(decoding: response.body, as: UTF8.self))
            if condition(last) { return last }
            usleep(50_000)
        }
        return last
    }

    @Test("eio serve --metrics counts its sessions by transport, and SIGTERM drains them: healthz 503, new handshakes 503, old sessions served then closed", arguments: [[], ["--async"]])
    func metricsAndDrain(_ flags: [String]) throws {
        // 3 s of drain: time enough, on a loaded machine, to check everything the drain promises before it ends.
        let server = try EioServeProcess(["--echo", "--metrics", "--drain-timeout", "3"] + flags)
        let port = server.port
        #expect(String(decoding: try Self.get(port, "/healthz").body, as: UTF8.self) == "ok\n")

        var sockets: [TestWebSocket] = []
        for _ in 0..<5 {
            let socket = try TestWebSocket(port: port, target: "/engine.io/?EIO=4&transport=websocket")
            #expect(try socket.receiveText()?.hasPrefix("0{") == true)
            sockets.append(socket)
        }
        var polls: [(socket: TestSocket, sid: String)] = []
        for _ in 0..<3 {
            let socket = try TestSocket(port: port)
            let open = try socket.request("GET", "/engine.io/?EIO=4&transport=polling")
            let sid = try OpenPacket(packet: try PacketCodec.v4.decodeText(open.body)).sid
            polls.append((socket, sid))
        }
        for (index, socket) in sockets.enumerated() {
            socket.send("4hello \(index)")
            #expect(try socket.receiveText() == "4hello \(index)")
        }
        let counted = try Self.metrics(port) { $0["engineio_sessions{transport=\"websocket\"}"] == 5 && $0["engineio_sessions{transport=\"polling\"}"] == 3 }
        print("metrics with 5 WebSocket and 3 polling clients: \(counted.filter { $0.key.hasPrefix("engineio_sessions") || ($0.key.hasSuffix("_total") && $0.value > 0) })")
        #expect(counted["engineio_sessions{transport=\"websocket\"}"] == 5)
        #expect(counted["engineio_sessions{transport=\"polling\"}"] == 3)
        #expect(counted["engineio_handshakes_total"] == 8)
        #expect(counted["engineio_messages_received_total"] == 5)
        #expect(counted["engineio_messages_sent_total"] == 5)
        #expect(counted["engineio_draining"] == 0)

        // Each polling client parks a GET, as a live one does.
        for poll in polls {
            poll.socket.write(HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/engine.io/?EIO=4&transport=polling&sid=\(poll.sid)", headers: ["Host": "127.0.0.1"])).serialized())
        }
        let started = Date()
        kill(server.pid, SIGTERM)
        var health = try Self.get(port, "/healthz")
        for _ in 0..<80 where health.head.status != 503 {
            usleep(25_000)
            health = try Self.get(port, "/healthz")
        }
        #expect(health.head.status == 503)
        let refused = try Self.get(port, "/engine.io/?EIO=4&transport=polling")
        #expect(refused.head.status == 503)
        #expect(String(decoding: refused.body, as: UTF8.self) == #"{"code":6,"message":"Server is draining"}"#)
        let refusedSocket = try TestWebSocket(port: port, target: "/engine.io/?EIO=4&transport=websocket")
        #expect(refusedSocket.status == 503)
        // The sessions already there are still served.
        sockets[0].send("4during the drain")
        #expect(try sockets[0].receiveText() == "4during the drain")
        #expect(try Self.metrics(port) { $0["engineio_draining"] == 1 }["engineio_draining"] == 1)

        // At the drain timeout, each gets the close packet.
        for socket in sockets {
            #expect(try socket.receiveText() == "1")
            #expect(try socket.closes())
        }
        for poll in polls {
            #expect(String(decoding: try poll.socket.response(to: "GET").body, as: UTF8.self) == "1")
        }
        let closedAfter = Date().timeIntervalSince(started)
        for _ in 0..<200 where server.process.isRunning { usleep(50_000) }
        let exitedAfter = Date().timeIntervalSince(started)
        print("\(flags): SIGTERM → sessions closed after \(String(format: "%.2f", closedAfter)) s (drain timeout 3 s), process exited after \(String(format: "%.2f", exitedAfter)) s")
        #expect(!server.process.isRunning)
        if !server.process.isRunning { #expect(server.process.terminationStatus == 0) }
    }

    @Test("the Prometheus page labels sessions by transport, errors by code and disconnects by reason, with HELP and TYPE for every family")
    func prometheusFormat() {
        var metrics = ServerMetrics(sessions: [.websocket: 2], eventLoopLag: 0.003)
        metrics.counters.disconnects[.pingTimeout] = 4
        metrics.counters.handshakeErrors[.unknownSessionID] = 1
        let text = metrics.prometheusText()
        #expect(text.contains("engineio_sessions{transport=\"polling\"} 0\n"))
        #expect(text.contains("engineio_sessions{transport=\"websocket\"} 2\n"))
        #expect(text.contains("engineio_disconnects_total{reason=\"ping timeout\"} 4\n"))
        #expect(text.contains("engineio_handshake_errors_total{code=\"1\",message=\"Session ID unknown\"} 1\n"))
        #expect(text.contains("engineio_event_loop_lag_seconds 0.003\n"))
        let families = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.prefix { $0 != "{" && $0 != " " } }
        for family in Set(families) {
            #expect(text.contains("# TYPE \(family) "), "\(family) has no TYPE line")
            #expect(text.contains("# HELP \(family) "), "\(family) has no HELP line")
        }
    }
}

@Suite("eio's help and version")
struct EioHelpTests {
    /// Runs `eio` with `arguments`; its exit status and standard output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: EioServeProcess.binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("--help succeeds and prints the usage on standard output; --version names the version", arguments: [["--help"], ["serve", "--help"], ["connect", "--help"]])
    func helpExitsZero(_ arguments: [String]) throws {
        let (status, output) = try Self.run(arguments)
        #expect(status == 0)
        #expect(output.hasPrefix("usage: eio"))
        let version = try Self.run(["--version"])
        #expect(version.status == 0 && version.output.hasPrefix("eio "))
        #expect(try Self.run(["serve", "--no-such-flag"]).status == 2)
    }

    @Test("both apps answer python's not_found with a 404")
    func notFound() throws {
        #expect(WSGIApp(try Server(options: ServerOptions())).notFound().head.status == 404)
        #expect(ASGIApp(try AsyncServer(options: ServerOptions())).notFound().head.status == 404)
    }
}

@Suite("engineioPath")
struct EngineIOPathTests {
    @Test("a server served by two apps with different engineioPaths answers each on its own path")
    func eachListenerKeepsItsPath() throws {
        let server = try Server(options: ServerOptions())
        let first = WSGIApp(server, engineioPath: "one")
        let second = WSGIApp(server, engineioPath: "two")
        let firstPort = try first.start(host: "127.0.0.1", port: 0)
        let secondPort = try second.start(host: "127.0.0.1", port: 0)
        defer { first.stop() }
        #expect(try TestSocket(port: firstPort).request("GET", "/one/?EIO=4&transport=polling").head.status == 200)
        #expect(try TestSocket(port: secondPort).request("GET", "/two/?EIO=4&transport=polling").head.status == 200)
        #expect(try TestSocket(port: secondPort).request("GET", "/one/?EIO=4&transport=polling").head.status == 404)
    }
}

@Suite("eio serve's flags from the spec")
struct EioServeFlagTests {
    @Test("flags generated from the spec reach the server: EIO 3, the sid cookie, ping interval with grace, ping timeout")
    func generatedFlagsApply() throws {
        let server = try EioServeProcess(["--echo", "--allow-eio3", "--cookie", "sticky", "--ping-interval", "2,1", "--ping-timeout", "0.5"])
        let response = try TestSocket(port: server.port).request("GET", "/engine.io/?EIO=3&transport=polling&b64=1")
        #expect(response.head.status == 200)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains(#""pingInterval":3000"#) && body.contains(#""pingTimeout":500"#), "\(body)")
        #expect(response.head.headers["Set-Cookie"]?.hasPrefix("sticky=") == true)
    }

    @Test("a value the option cannot take, or outside its range, stops eio serve with the option's name")
    func badValuesAreRefused() throws {
        for (arguments, message) in [(["--ping-timeout", "soon"], "pingTimeout"), (["--ping-timeout", "-1"], "pingTimeout"), (["--transports", "carrier-pigeon"], "transports")] {
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: EioServeProcess.binary)
            process.arguments = ["serve", "--port", "0"] + arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2)
            #expect(text.contains(message), "\(text)")
        }
    }
}

@Suite("deploy/ templates")
struct DeployTemplateTests {
    static let analyzer = "/usr/bin/systemd-analyze"

    /// Skipped where systemd's tools are not installed (a container without systemd); the proxy templates run in
    /// ProxyTests.
    @Test("the systemd unit passes systemd-analyze verify without a warning", .enabled(if: FileManager.default.isExecutableFile(atPath: analyzer)))
    func systemdUnitVerifies() throws {
        let root = packageRoot
        let unit = try String(contentsOf: root.appendingPathComponent("deploy/systemd/eio@.service"), encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eio-unit-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The unit names /usr/local/bin/eio; verify checks that ExecStart exists, so point it at the built binary.
        let instance = folder.appendingPathComponent("eio@5001.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/eio", with: EioServeProcess.binary).write(to: instance, atomically: true, encoding: .utf8)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: Self.analyzer)
        process.arguments = ["verify", instance.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.isEmpty, "\(text)")
    }
}
