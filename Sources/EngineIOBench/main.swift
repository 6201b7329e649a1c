// eio-bench: the same loads against four servers, taking turns: the C ceiling (../shared/bench/c-eio-echo, WebSocket
// only), `eio serve --echo --async` (AsyncServer), `eio serve --echo` (Server, handlers on threads) and
// python-engineio's AsyncServer on aiohttp. Each figure is the median of --rounds runs, with the server's CPU per
// operation read from /proc.
//
//   eio-bench [--seconds 3] [--rounds 3] [--idle 10000] [--only LOAD] [--eio PATH] [--attach PORT]   (scripts/bench builds and runs it)
//
// Loads: WebSocket echo (10 and 100 connections, 32 B and 4 KB messages, 8 in flight per connection), two of them
// over TLS (WSS, with a P-256 certificate made by the openssl tool), polling echo (10 connections), handshakes per
// second (4 keep-alive connections), and the RSS each idle WebSocket session costs, plain and over TLS, with --idle
// sessions open under 1 s pings. The load generator is one epoll thread (blocking threads for
// handshakes), identical for both servers; on a 2-core machine it shares the CPU with the server under test.
import CLinux
import EngineIO
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Glibc

/// The command line, read once.
struct BenchSettings {
    var seconds = 3.0
    var idle = 10_000
    /// websocket, tls, polling, idle, client, or machines (the pure machines timed in-process; a full run ends with them)
    var only: String?
    /// Each throughput figure is the median of this many runs, alternating between the servers: one run can be
    /// off by a fifth on a shared 2-core machine.
    var rounds = 3
    /// The `eio` binary to serve with (default: this checkout's release build), e.g. an earlier build to compare.
    var eio: String?
    /// Load an already running server on this port instead (10 WebSocket connections, 32 B), for profiling it.
    var attach: Int?
    /// With --attach: `echo` (10 WebSocket connections, 32 B), `echo1` (one connection, one message in flight),
    /// `handshakes` (WebSocket handshakes on 4 threads),
    /// `polling` (10 polling sessions echoing 32 B), `polling-handshakes` (on 4 keep-alive connections) or `idle`
    /// (`--idle` WebSocket sessions held open for `--seconds`, answering pings).
    var attachLoad = "echo"
    /// With `--load idle`: hold the sessions until standard input closes instead of for `--seconds` (how a parent
    /// spreading an idle load over several processes drives its children).
    var untilStandardInputCloses = false
    /// With `--only machines`: time one machine alone (handshake, echo, http or frames), for a profiler.
    var machine: String?

    static let usage = "usage: eio-bench [--seconds S] [--rounds N] [--idle N] [--only websocket|tls|polling|idle|client|machines [--machine handshake|echo|http|frames]] [--eio PATH] [--attach PORT [--load echo|echo1|handshakes|polling|polling-handshakes|idle [--until-stdin-closes]]]\n"

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--seconds": seconds = Double(iterator.next() ?? "") ?? seconds
            case "--idle": idle = Int(iterator.next() ?? "") ?? idle
            case "--rounds": rounds = max(1, Int(iterator.next() ?? "") ?? rounds)
            case "--only": only = iterator.next()
            case "--attach": attach = Int(iterator.next() ?? "")
            case "--load": attachLoad = iterator.next() ?? attachLoad
            case "--machine": machine = iterator.next()
            case "--eio": eio = iterator.next()
            case "--until-stdin-closes": untilStandardInputCloses = true
            default:
                FileHandle.standardError.write(Data(Self.usage.utf8))
                exit(2)
            }
        }
    }

    func runs(_ load: String) -> Bool { only == nil || only == load }
}

let settings = BenchSettings(CommandLine.arguments.dropFirst())
/// Descriptors a process may hold here (raised to the hard limit first): what one server process can serve idle.
let descriptorLimit = FileLimit.raise()
let seconds = settings.seconds

/// A line on standard output, written at once.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let root = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The servers the loads run against.
enum ServerKind: String, CaseIterable {
    /// `../shared/bench/c-eio-echo`: a minimal C epoll WebSocket echo server, the ceiling for the same bytes.
    case ceiling = "C ceiling"
    case async = "AsyncServer"
    case sync = "Server"
    case python = "python"

    /// The C ceiling speaks WebSocket only (no polling, no TLS).
    var speaksPollingAndTLS: Bool { self != .ceiling }
}

/// The C ceiling, compiled once into .build (nil when its source or a C compiler is missing).
let ceilingBinary: String? = {
    let source = root.deletingLastPathComponent().appendingPathComponent("shared/bench/c-eio-echo/wsecho.c").path
    let binary = root.appendingPathComponent(".build/wsecho").path
    if FileManager.default.isExecutableFile(atPath: binary) { return binary }
    guard FileManager.default.fileExists(atPath: source) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cc", "-O2", "-o", binary, source, "-lpthread"]
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    return process.terminationStatus == 0 ? binary : nil
}()

/// A server process under test.
struct Target {
    var kind: ServerKind
    var port: Int
    var process: Process

    var name: String { kind.rawValue }

    /// `tls`: serve HTTPS/WSS with this certificate and key.
    static func start(_ kind: ServerKind, ping: Double, tls: (certificate: String, key: String)? = nil) throws -> Target {
        // Below Linux's ephemeral range (32768 and up), so a client connection cannot already hold the port.
        let port = 20_000 + Int.random(in: 0..<12_000)
        let process = Process()
        switch kind {
        case .ceiling:
            guard let ceilingBinary else { throw BenchError("the C ceiling could not be built") }
            process.executableURL = URL(fileURLWithPath: ceilingBinary)
            process.arguments = ["-p", String(port), "-e"]
        case .async, .sync:
            process.executableURL = settings.eio.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(".build/release/eio")
            process.arguments = ["serve", "--port", String(port), "--echo", "--ping-interval", String(ping), "--max-payload", "10000000"]
                + (kind == .async ? ["--async"] : []) + (tls.map { ["--certfile", $0.certificate, "--keyfile", $0.key] } ?? [])
        case .python:
            process.executableURL = root.appendingPathComponent(".build/interop-venv/bin/python")
            process.arguments = [root.appendingPathComponent("Tests/Interop/python_server.py").path, String(port), String(ping)]
                + (tls.map { [$0.certificate, $0.key] } ?? [])
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if let socket = try? BlockingSocket(port: port) {
                _ = socket
                return Target(kind: kind, port: port, process: process)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        throw BenchError("\(kind.rawValue) server did not start")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    var rssKB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// CPU time the server has used (user + system), from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Runs `body` (which returns the operations it completed) and measures it: rate, and server CPU per operation.
    func measure(_ body: () throws -> Int) rethrows -> Measured {
        let cpu = cpuSeconds, began = monotonicNanoseconds()
        let operations = try body()
        let elapsed = Double(monotonicNanoseconds() - began) / 1e9
        return Measured(rate: Double(operations) / elapsed, cpuPerOperation: operations > 0 ? (cpuSeconds - cpu) / Double(operations) : 0)
    }
}

/// One load's figures against one server.
struct Measured {
    var rate: Double
    /// Server CPU seconds per operation.
    var cpuPerOperation: Double
    /// Round trips (message sent → its echo parsed), for loads with one message in flight: medians and 99th
    /// percentiles in microseconds.
    var roundTrip: RoundTrip?
}

/// Round-trip percentiles of one load, in microseconds.
struct RoundTrip {
    var p50: Double
    var p99: Double

    /// The percentiles of `samples` (nanoseconds); `nil` when there are none.
    init?(nanoseconds samples: [Int64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        p50 = Double(sorted[sorted.count / 2]) / 1e3
        p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1e3
    }

    init(p50: Double, p99: Double) {
        self.p50 = p50
        self.p99 = p99
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A blocking socket with HTTP helpers, for the polling and handshake loads.
final class BlockingSocket {
    let fd: Int32
    private var leftover: [UInt8] = []
    /// Reused by every read: the load generator should cost as little as it can, for both servers alike.
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw BenchError("connect failed")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func request(_ method: String, _ target: String, body: [UInt8] = []) throws -> HTTPResponse {
        var head = HTTPRequestHead(method: method, target: target, headers: ["Host": "127.0.0.1"])
        if !body.isEmpty { head.headers.add(name: "Content-Type", value: "text/plain;charset=UTF-8") }
        let bytes = HTTPRequest(head: head, body: body).serialized()
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var parser = HTTPResponseParser(limits: HTTPParserLimits(maxBodyBytes: 50_000_000))
        parser.expectResponse(toMethod: method)
        parser.append(leftover)
        while true {
            if let response = try parser.next() {
                leftover = parser.takeBufferedBytes()
                return response
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65_536) }
            guard count > 0 else { throw BenchError("connection closed") }
            parser.append(buffer[0..<count])
        }
    }
}

/// Many non-blocking WebSocket clients on one epoll thread.
final class WebSocketSwarm {
    final class Connection {
        let fd: Int32
        var upgraded = false
        var open = false
        var closed = false
        var http = HTTPResponseParser()
        var assembler = WebSocketMessageAssembler(role: .client, limits: .init(maxFrameSize: 50_000_000), maxMessageSize: 50_000_000)
        var output: [UInt8] = []
        var pongs = 0
        /// When the message now in flight was queued (monotonic ns), for round trips with one in flight.
        var sentAt: Int64 = 0
        /// WSS: every byte goes through this, once its handshake is done.
        var tls: TLSConnection?

        init(fd: Int32) {
            self.fd = fd
            http.expectResponse(toMethod: "GET")
        }
    }

    let epoll: Epoll
    var connections: [Connection] = []
    var echoes = 0
    let message: [UInt8]
    let window: Int
    /// Round trips in nanoseconds, recorded with one message in flight (`window == 1`) while `recording`.
    var roundTrips: [Int64] = []
    var recording = false

    /// `tls`: speak WSS (the handshakes happen as the swarm runs).
    init(port: Int, count: Int, message: [UInt8], window: Int, tls: TLSClientContext? = nil) throws {
        epoll = try Epoll(maxEventsPerWait: 1024)
        self.message = message
        self.window = window
        let request = HTTPRequestHead(
            method: "GET", target: "/engine.io/?EIO=4&transport=websocket",
            headers: HTTPHeaders([(name: "Host", value: "127.0.0.1")] + WebSocketHandshake.requestHeaders(key: WebSocketHandshake.key(fromNonce: Array(0..<16))))
        ).serialized()
        for index in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd)
            connection.output = request
            if let tls { connection.tls = try TLSConnection(context: tls, fd: fd, hostname: "127.0.0.1") }
            connections.append(connection)
            try epoll.add(fd, events: [.readable, .writable, .edgeTriggered], token: UInt64(index))
        }
    }

    deinit { for connection in connections { close(connection.fd) } }

    /// Runs the swarm until `deadline` (monotonic ns); returns when it passes.
    func run(until deadline: Int64) {
        var buffer = [UInt8](repeating: 0, count: 262_144)
        while monotonicNanoseconds() < deadline {
            let timeout = Int32(max(1, (deadline - monotonicNanoseconds()) / 1_000_000))
            _ = try? epoll.wait(timeoutMilliseconds: min(timeout, 100)) { token, events in
                let connection = connections[Int(token)]
                if let tls = connection.tls, !tls.isEstablished {
                    switch tls.handshake() {
                    case .done: break
                    case .wantRead, .wantWrite: return
                    case .closed, .failed: return connection.closed = true
                    }
                }
                flush(connection)
                if events.contains(.readable) || events.contains(.hangUp) || connection.tls != nil { read(connection, &buffer) }
                flush(connection)
            }
        }
    }

    var openCount: Int { connections.filter { $0.open && !$0.closed }.count }

    private func read(_ connection: Connection, _ buffer: inout [UInt8]) {
        while !connection.closed {
            let count: Int
            if let tls = connection.tls {
                switch buffer.withUnsafeMutableBytes({ tls.read(into: $0) }) {
                case .done(let read): count = read
                case .wantRead, .wantWrite: return
                case .closed, .failed: return connection.closed = true
                }
            } else {
                count = buffer.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress, $0.count) }
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
                    connection.closed = true
                    return
                }
                if count < 0 { return }
            }
            if connection.upgraded {
                connection.assembler.append(buffer[0..<count])
            } else {
                connection.http.append(buffer[0..<count])
                guard let response = try? connection.http.next() else { continue }
                guard response.head.status == 101 else {
                    connection.closed = true
                    return
                }
                connection.upgraded = true
                connection.assembler.append(connection.http.takeBufferedBytes())
            }
            while let event = try? connection.assembler.next() {
                switch event {
                case .text(let text):
                    if text.hasPrefix("0") {
                        connection.open = true
                        for _ in 0..<window { send(message, on: connection) }
                        connection.sentAt = monotonicNanoseconds()
                    } else if text == "2" {
                        connection.pongs += 1
                        send(Array("3".utf8), on: connection)
                    } else if text.hasPrefix("4") {
                        echoed(on: connection)
                    }
                case .binary:
                    echoed(on: connection)
                case .close:
                    connection.closed = true
                default:
                    break
                }
            }
        }
    }

    private func echoed(on connection: Connection) {
        echoes += 1
        send(message, on: connection)
        guard window == 1 else { return }
        let now = monotonicNanoseconds()
        if recording { roundTrips.append(now - connection.sentAt) }
        connection.sentAt = now
    }

    private func send(_ text: [UInt8], on connection: Connection) {
        guard !text.isEmpty else { return }
        WebSocketFrameEncoder.encode(fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: .text, payload: text, maskingKey: [1, 2, 3, 4], into: &connection.output)
    }

    private func flush(_ connection: Connection) {
        while !connection.output.isEmpty, !connection.closed {
            let written: Int
            if let tls = connection.tls {
                guard tls.isEstablished, case .done(let count) = connection.output.withUnsafeBytes({ tls.write($0) }) else { return }
                written = count
            } else {
                written = connection.output.withUnsafeBytes { Glibc.send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            if written > 0 {
                connection.output.removeFirst(written)
            } else {
                return
            }
        }
    }
}

func webSocketEcho(_ target: Target, connections: Int, size: Int, window: Int = 8, tls: TLSClientContext? = nil) throws -> Measured {
    let message = Array("4".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size)
    let swarm = try WebSocketSwarm(port: target.port, count: connections, message: message, window: window, tls: tls)
    swarm.run(until: monotonicNanoseconds() + 500_000_000)  // connect and warm up
    let start = swarm.echoes
    swarm.recording = true
    var measured = target.measure {
        swarm.run(until: monotonicNanoseconds() + Int64(seconds * 1e9))
        return swarm.echoes - start
    }
    measured.roundTrip = RoundTrip(nanoseconds: swarm.roundTrips)
    return measured
}

/// WebSocket handshakes up to the open packet, one after another on `threads` threads.
func webSocketHandshakes(_ target: Target, threads: Int) -> Measured {
    let request = HTTPRequestHead(
        method: "GET", target: "/engine.io/?EIO=4&transport=websocket",
        headers: HTTPHeaders([(name: "Host", value: "127.0.0.1")] + WebSocketHandshake.requestHeaders(key: WebSocketHandshake.key(fromNonce: Array(0..<16))))
    ).serialized()
    let count = LockedCounter()
    return target.measure {
        let deadline = Date().addingTimeInterval(seconds)
        let workers = (0..<threads).map { _ in
            Thread {
                var buffer = [UInt8](repeating: 0, count: 4_096)
                while Date() < deadline {
                    guard let socket = try? BlockingSocket(port: target.port) else { return }
                    _ = request.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    // The 101 and the open packet's frame: read until a frame starting "0{" has arrived.
                    var received: [UInt8] = []
                    while !received.contains(UInt8(ascii: "}")) {
                        let read = buffer.withUnsafeMutableBytes { Glibc.read(socket.fd, $0.baseAddress, $0.count) }
                        if read <= 0 { return }
                        received += buffer[0..<read]
                    }
                    count.add(1)
                }
            }
        }
        workers.forEach { $0.start() }
        while Date() < deadline.addingTimeInterval(0.3) { Thread.sleep(forTimeInterval: 0.1) }
        return count.value
    }
}

/// Polling sessions on one epoll thread, each doing POST then GET for its echo, like the WebSocket swarm: the load
/// generator should take as little of the shared CPU as it can, for both servers alike.
final class PollingSwarm {
    /// One session: a keep-alive connection for its POSTs and one for its GETs, one request out at a time.
    final class Session {
        let poster: BlockingSocket
        let poller: BlockingSocket
        let post: [UInt8]
        let get: [UInt8]
        var inbox: [UInt8] = []
        var waitingForPost = true
        var failed = false

        init(poster: BlockingSocket, poller: BlockingSocket, sid: String, body: [UInt8]) {
            self.poster = poster
            self.poller = poller
            let target = "/engine.io/?EIO=4&transport=polling&sid=\(sid)"
            post = Array("POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            get = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        }
    }

    let epoll: Epoll
    var sessions: [Session] = []
    var echoes = 0

    init(port: Int, count: Int, message: [UInt8]) throws {
        epoll = try Epoll(maxEventsPerWait: 1024)
        for index in 0..<count {
            let poster = try BlockingSocket(port: port), poller = try BlockingSocket(port: port)
            let handshake = try poller.request("GET", "/engine.io/?EIO=4&transport=polling")
            let open = try OpenPacket(json: String(decoding: handshake.body.dropFirst(), as: UTF8.self))
            let session = Session(poster: poster, poller: poller, sid: open.sid, body: message)
            for fd in [poster.fd, poller.fd] {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                try epoll.add(fd, events: .readable, token: UInt64(index))
            }
            sessions.append(session)
        }
    }

    /// Runs the sessions until `deadline` (monotonic ns).
    func run(until deadline: Int64) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for session in sessions { write(session.post, to: session.poster.fd, session) }
        while monotonicNanoseconds() < deadline {
            _ = try? epoll.wait(timeoutMilliseconds: 100) { token, _ in
                let session = sessions[Int(token)]
                guard !session.failed else { return }
                let fd = session.waitingForPost ? session.poster.fd : session.poller.fd
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { session.failed = true }
                guard count > 0 else { return }
                session.inbox.append(contentsOf: buffer[0..<count])
                guard let body = Self.completeBody(session.inbox) else { return }
                session.inbox.removeAll(keepingCapacity: true)
                if session.waitingForPost {
                    session.waitingForPost = false
                    write(session.get, to: session.poller.fd, session)
                } else {
                    echoes += Self.messageCount(body)
                    session.waitingForPost = true
                    write(session.post, to: session.poster.fd, session)
                }
            }
        }
    }

    /// A request is a few hundred bytes: the socket buffer always takes it whole.
    private func write(_ bytes: [UInt8], to fd: Int32, _ session: Session) {
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written != bytes.count { session.failed = true }
    }

    /// The body of the response in `bytes` once it has all arrived (both servers send Content-Length). Bytes, not
    /// strings: this runs for every response, on the CPU the server under test needs.
    static func completeBody(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        guard bytes.count >= 4 else { return nil }
        var headEnd: Int?
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            headEnd = index
            break
        }
        guard let headEnd else { return nil }
        let name = Array("\r\ncontent-length:".utf8)
        var length: Int?
        var index = 0
        while length == nil, index + name.count <= headEnd {
            if (0..<name.count).allSatisfy({ bytes[index + $0] | (name[$0] >= 65 ? 0x20 : 0) == name[$0] }) {
                var cursor = index + name.count, value = 0
                while bytes[cursor] == 32 { cursor += 1 }
                while (48...57).contains(bytes[cursor]) {
                    value = value * 10 + Int(bytes[cursor] - 48)
                    cursor += 1
                }
                length = value
            }
            index += 1
        }
        guard let length else { return nil }
        let start = headEnd + 4
        return bytes.count >= start + length ? bytes[start..<start + length] : nil
    }

    /// The message packets (`4…`) in a v4 polling payload.
    static func messageCount(_ body: ArraySlice<UInt8>) -> Int {
        var count = 0, atStart = true
        for byte in body {
            if atStart, byte == UInt8(ascii: "4") { count += 1 }
            atStart = byte == 0x1E
        }
        return count
    }
}

func pollingEcho(_ target: Target, connections: Int) throws -> Measured {
    let message = Array("4".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 32)
    let swarm = try PollingSwarm(port: target.port, count: connections, message: message)
    swarm.run(until: monotonicNanoseconds() + 500_000_000)  // warm up
    let start = swarm.echoes
    let measured = target.measure {
        swarm.run(until: monotonicNanoseconds() + Int64(seconds * 1e9))
        return swarm.echoes - start
    }
    let failed = swarm.sessions.filter(\.failed).count
    if failed > 0 { throw BenchError("\(target.name): \(failed) polling sessions failed") }
    return measured
}

func handshakes(_ target: Target, threads: Int) -> Measured {
    let count = LockedCounter()
    return target.measure {
        let deadline = Date().addingTimeInterval(seconds)
        let workers = (0..<threads).map { _ in
            Thread {
                guard let socket = try? BlockingSocket(port: target.port) else { return }
                while Date() < deadline {
                    guard let response = try? socket.request("GET", "/engine.io/?EIO=4&transport=polling"), response.head.status == 200 else { return }
                    count.add(1)
                }
            }
        }
        workers.forEach { $0.start() }
        while Date() < deadline.addingTimeInterval(0.3) { Thread.sleep(forTimeInterval: 0.1) }
        return count.value
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ amount: Int) {
        lock.lock()
        total += amount
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }
}

/// Opens `count` idle WebSocket sessions with a 1 s ping interval, answers every ping for 4 s, and reports the RSS
/// they added per session and how many stayed open.
/// A self-signed P-256 certificate for 127.0.0.1, made once with the openssl tool, for the TLS loads. (ECDSA: its
/// handshakes cost both servers little, so the figures are about the traffic.)
let benchCertificate: Result<(certificate: String, key: String), BenchError> = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eio-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certificate = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
        certificate, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return .failure(BenchError("openssl is not installed")) }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return .failure(BenchError("openssl req failed")) }
    return .success((certificate, key))
}()

/// The clients of the TLS loads: no verification (the certificate is our own, made a moment ago).
func benchTLSClient() throws -> TLSClientContext { try TLSClientContext(verify: false) }

/// Opens `count` WebSocket sessions (waiting up to 60 s for all of them), then keeps them idle through 4 s of 1 s
/// pings. Returns the server's RSS growth per open session, how many are still open at the end, the pings answered
/// in those 4 s, and how long opening took.
func idle(_ name: ServerKind, count: Int, tls: Bool = false) throws -> (perSessionBytes: Double, open: Int, pings: Int, openingSeconds: Double) {
    let target = try Target.start(name, ping: 1, tls: tls ? benchCertificate.get() : nil)
    defer { target.stop() }
    Thread.sleep(forTimeInterval: 0.5)
    let before = target.rssKB
    let swarm = try WebSocketSwarm(port: target.port, count: count, message: [], window: 0, tls: tls ? benchTLSClient() : nil)
    let began = monotonicNanoseconds()
    while swarm.openCount < count, monotonicNanoseconds() - began < 60_000_000_000 {
        swarm.run(until: monotonicNanoseconds() + 100_000_000)
    }
    let opening = Double(monotonicNanoseconds() - began) / 1e9
    let pongs = swarm.connections.reduce(0) { $0 + $1.pongs }
    swarm.run(until: monotonicNanoseconds() + 4_000_000_000)
    let after = target.rssKB
    let answered = swarm.connections.reduce(0) { $0 + $1.pongs } - pongs
    return (Double(after - before) * 1024 / Double(max(1, swarm.openCount)), swarm.openCount, answered, opening)
}

/// `count` idle WebSocket sessions over `processes` server processes of one kind, each loaded by a child eio-bench
/// of its own (see `IdleLoadProcess`), held through 4 s of 1 s pings once all are open; RSS is summed over the
/// servers.
func idleAcrossProcesses(_ kind: ServerKind, count: Int, processes: Int) throws -> (perSessionBytes: Double, open: Int, pings: Int, openingSeconds: Double) {
    var targets: [Target] = []
    defer { targets.forEach { $0.stop() } }
    while targets.count < processes {
        let target = try Target.start(kind, ping: 1)
        // Ports are drawn at random: a second server on a port already taken could not listen there.
        if targets.contains(where: { $0.port == target.port }) { target.stop() } else { targets.append(target) }
    }
    Thread.sleep(forTimeInterval: 0.5)
    let before = targets.map(\.rssKB).reduce(0, +)
    let began = monotonicNanoseconds()
    let loads = try targets.enumerated().map { index, target in
        try IdleLoadProcess(port: target.port, count: count / processes + (index < count % processes ? 1 : 0))
    }
    // Each child gives up opening after a minute.
    while !loads.allSatisfy(\.hasOpened), monotonicNanoseconds() - began < 90_000_000_000 { Thread.sleep(forTimeInterval: 0.1) }
    let opening = Double(monotonicNanoseconds() - began) / 1e9
    Thread.sleep(forTimeInterval: 4)
    let after = targets.map(\.rssKB).reduce(0, +)
    let results = loads.map { $0.finish() }
    let open = results.map(\.open).reduce(0, +)
    return (Double(after - before) * 1024 / Double(max(1, open)), open, results.map(\.pings).reduce(0, +), opening)
}

/// Our `Client` against `eio serve --echo`: how long connecting takes, and how many messages one client moves.
func clientBenchmark() throws {
    let target = try Target.start(.async, ping: 25)
    defer { target.stop() }
    let url = "http://127.0.0.1:\(target.port)"
    var handshakes: [Double] = [], upgrades: [Double] = []
    for _ in 0..<50 {
        let client = try Client()
        let started = monotonicNanoseconds()
        try client.connect(url)
        handshakes.append(Double(monotonicNanoseconds() - started) / 1e6)
        while client.transport() != .websocket, monotonicNanoseconds() - started < 2_000_000_000 { usleep(100) }
        upgrades.append(Double(monotonicNanoseconds() - started) / 1e6)
        client.disconnect()
    }
    handshakes.sort()
    upgrades.sort()
    say(String(format: "client connect (polling handshake): median %.2f ms; until upgraded to WebSocket: median %.2f ms (50 connects)",
               handshakes[25], upgrades[25]))
    // 100,000 messages over WebSocket (under a second) so the figure is steadier than a 0.2 s burst.
    for (transports, count) in [([Transport.websocket], 100_000), ([.polling], 20_000)] {
        let client = try Client()
        let received = LockedCounter()
        let done = DispatchSemaphore(value: 0)
        client.on(.message) { _ in
            received.add(1)
            if received.value == count { done.signal() }
        }
        try client.connect(url, transports: transports)
        let started = monotonicNanoseconds()
        for index in 0..<count { try client.send(.text("message \(index)")) }
        let finished = done.wait(timeout: .now() + 60) == .success
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        say(String(format: "client echo over %@: %d messages in %.2f s = %.0f msg/s%@", transports[0].rawValue as NSString, received.value, elapsed,
                   Double(received.value) / elapsed, (finished ? "" : " (timed out)") as NSString))
        client.disconnect()
    }
}

/// The servers a load runs against: the C ceiling only for plain WebSocket loads.
func kinds(ceiling: Bool) -> [ServerKind] {
    ServerKind.allCases.filter { $0 != .ceiling || (ceiling && ceilingBinary != nil) }
}

func header() {
    say(String(format: "%-42@ %@  %@  %@", "load" as NSString, ServerKind.allCases.map { ($0.rawValue as NSString).padding(toLength: 20, withPad: " ", startingAt: 0) }.joined(separator: " ") as NSString,
               "Async/C  Sync/Async  Async/python" as NSString, "" as NSString))
}

/// The median of `rounds` runs of `measure` against each server, the servers taking turns; one row with each
/// server's rate and CPU per operation (µs), and the ratios.
func compare(_ label: String, tls: Bool = false, ceiling: Bool = true, _ measure: (Target) throws -> Measured) throws {
    var figures: [ServerKind: [Measured]] = [:]
    let servers = kinds(ceiling: ceiling && !tls)
    for _ in 0..<settings.rounds {
        for kind in servers {
            let target = try Target.start(kind, ping: 25, tls: tls ? benchCertificate.get() : nil)
            defer { target.stop() }
            figures[kind, default: []].append(try measure(target))
        }
    }
    func median(_ kind: ServerKind) -> Measured? {
        guard let values = figures[kind], !values.isEmpty else { return nil }
        func middle(_ figures: [Double]) -> Double { figures.sorted()[figures.count / 2] }
        let trips = values.compactMap(\.roundTrip)
        return Measured(
            rate: middle(values.map(\.rate)), cpuPerOperation: middle(values.map(\.cpuPerOperation)),
            roundTrip: trips.isEmpty ? nil : RoundTrip(p50: middle(trips.map(\.p50)), p99: middle(trips.map(\.p99))))
    }
    let cells = ServerKind.allCases.map { kind -> String in
        guard let figure = median(kind) else { return "–".padding(toLength: 20, withPad: " ", startingAt: 0) }
        return String(format: "%8.0f (%6.1f µs)", figure.rate, figure.cpuPerOperation * 1e6).padding(toLength: 20, withPad: " ", startingAt: 0)
    }
    func ratio(_ a: ServerKind, _ b: ServerKind) -> String {
        guard let x = median(a), let y = median(b), y.rate > 0 else { return "–" }
        return String(format: "%.2f×", x.rate / y.rate)
    }
    say(String(format: "%-42@ %@  %7@  %10@  %12@", label as NSString, cells.joined(separator: " ") as NSString, ratio(.async, .ceiling) as NSString,
               ratio(.sync, .async) as NSString, ratio(.async, .python) as NSString))
    guard ServerKind.allCases.contains(where: { median($0)?.roundTrip != nil }) else { return }
    let trips = ServerKind.allCases.map { kind -> String in
        guard let trip = median(kind)?.roundTrip else { return "–".padding(toLength: 20, withPad: " ", startingAt: 0) }
        return String(format: "%6.1f / %6.1f µs", trip.p50, trip.p99).padding(toLength: 20, withPad: " ", startingAt: 0)
    }
    // Latency ratios: the server's p50 over the other's (lower is better).
    func latencyRatio(_ a: ServerKind, _ b: ServerKind) -> String {
        guard let x = median(a)?.roundTrip, let y = median(b)?.roundTrip, y.p50 > 0 else { return "–" }
        return String(format: "%.2f×", x.p50 / y.p50)
    }
    say(String(format: "%-42@ %@  %7@  %10@  %12@", "  round trip p50 / p99 (ratios of p50)" as NSString, trips.joined(separator: " ") as NSString,
               latencyRatio(.async, .ceiling) as NSString, latencyRatio(.sync, .async) as NSString, latencyRatio(.async, .python) as NSString))
}

if let port = settings.attach {
    // Profiling aid: the WebSocket echo load against a server someone else started (perf record -p …).
    let target = Target(kind: .async, port: port, process: Process())
    switch settings.attachLoad {
    case "handshakes":
        let figure = webSocketHandshakes(target, threads: 4)
        say(String(format: "%.0f handshakes/s against port %d", figure.rate, port))
    case "polling":
        let figure = try pollingEcho(target, connections: 10)
        say(String(format: "%.0f msg/s (polling) against port %d", figure.rate, port))
    case "polling-handshakes":
        let figure = handshakes(target, threads: 4)
        say(String(format: "%.0f polling handshakes/s against port %d", figure.rate, port))
    case "idle":
        let swarm = try WebSocketSwarm(port: port, count: settings.idle, message: [], window: 0, tls: nil)
        let began = monotonicNanoseconds()
        while swarm.openCount < settings.idle, monotonicNanoseconds() - began < 60_000_000_000 {
            swarm.run(until: monotonicNanoseconds() + 100_000_000)
        }
        if settings.untilStandardInputCloses {
            say(String(format: "%d idle sessions open against port %d; holding them until standard input closes", swarm.openCount, port))
            while !standardInputEnded() { swarm.run(until: monotonicNanoseconds() + 100_000_000) }
        } else {
            say(String(format: "%d idle sessions open against port %d; holding them for %.0f s", swarm.openCount, port, seconds))
            swarm.run(until: monotonicNanoseconds() + Int64(seconds * 1e9))
        }
        say("\(swarm.openCount) still open, \(swarm.connections.reduce(0) { $0 + $1.pongs }) pings answered")
    case "echo1":
        let figure = try webSocketEcho(target, connections: 1, size: 32, window: 1)
        say(String(format: "%.0f msg/s (1 connection, 1 in flight) against port %d; round trip p50 %.1f µs, p99 %.1f µs", figure.rate, port,
                   figure.roundTrip?.p50 ?? 0, figure.roundTrip?.p99 ?? 0))
    default:
        let figure = try webSocketEcho(target, connections: 10, size: 32)
        say(String(format: "%.0f msg/s against port %d", figure.rate, port))
    }
    exit(0)
}

do {
    say("eio-bench: \(seconds) s per load, median of \(settings.rounds) runs, servers taking turns; each cell: operations/s (server CPU per operation)")
    say("C ceiling = ../shared/bench/c-eio-echo (WebSocket only); AsyncServer / Server = eio serve --echo [--async] (release); python = python-engineio AsyncServer on aiohttp")
    if settings.only == "machines" {
        machineBenchmarks(seconds: seconds, only: settings.machine)
        exit(0)
    }
    header()
    if settings.runs("websocket") {
        try compare("WebSocket echo msg/s, 1 conn, 32 B, 1 in flight") { try webSocketEcho($0, connections: 1, size: 32, window: 1) }
        for (connections, size) in [(10, 32), (10, 4096), (100, 32), (100, 4096)] {
            try compare("WebSocket echo msg/s, \(connections) conn, \(size) B") { try webSocketEcho($0, connections: connections, size: size) }
        }
        try compare("WebSocket handshakes/s, 4 threads") { webSocketHandshakes($0, threads: 4) }
    }
    for (connections, size) in [(10, 4096), (100, 32)] where settings.runs("tls") {
        try compare("WSS (TLS) echo msg/s, \(connections) conn, \(size) B", tls: true) {
            try webSocketEcho($0, connections: connections, size: size, tls: benchTLSClient())
        }
    }
    if settings.runs("polling") {
        try compare("polling echo msg/s, 10 sessions, 32 B", ceiling: false) { try pollingEcho($0, connections: 10) }
        try compare("polling handshakes/s, 4 keep-alive conns", ceiling: false) { handshakes($0, threads: 4) }
    }
    if settings.runs("client") { try clientBenchmark() }
    if settings.idle > 0, settings.runs("idle") {
        // A session holds a descriptor on each side: past what one process may hold, the WebSocket count is spread
        // over several server processes (and as many load processes); TLS sessions (tens of KB each) stay in one.
        let perProcess = max(1_000, descriptorLimit - 1_000)
        let processes = (settings.idle + perProcess - 1) / perProcess
        for tls in [false, true] {
            let count = tls ? min(settings.idle, perProcess) : settings.idle
            for kind in kinds(ceiling: !tls) {
                let spread = !tls && processes > 1
                let result = spread ? try idleAcrossProcesses(kind, count: count, processes: processes) : try idle(kind, count: count, tls: tls)
                let across = spread ? " across \(processes) server processes (\(descriptorLimit) descriptors per process here)" : ""
                // Pings answered: in the 4 s held, or in the children's whole run when spread.
                say(String(format: "%@: %d idle %@ sessions%@ opened in %.1f s; %d still open after 4 s more of 1 s pings (%d pings answered %@), %.0f bytes RSS each",
                             kind.rawValue as NSString, count, (tls ? "WSS (TLS)" : "WebSocket") as NSString, across as NSString, result.openingSeconds,
                             result.open, result.pings, (spread ? "in all" : "in them") as NSString, result.perSessionBytes))
            }
        }
    }
    // The reducers' and codecs' share, in this process, to read the server figures above against.
    if settings.only == nil { machineBenchmarks(seconds: min(seconds, 2), only: nil) }
} catch {
    say("eio-bench: \(error)")
    exit(1)
}
