import EngineIO
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Glibc
import Synchronization
import EngineIOTestSupport
import Testing

/// A raw client socket for attacks: blocking, with send and receive timeouts so a stalled server cannot hang a test.
final class RawSocket: @unchecked Sendable {
    let fd: Int32

    init(port: Int, sendTimeout: Int = 200_000) throws {
        fd = try connectedLoopbackSocket(port: port)
        var send = timeval(tv_sec: 0, tv_usec: sendTimeout)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send, socklen_t(MemoryLayout<timeval>.size))
        var receive = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Bytes the kernel took (possibly fewer than given when the send timed out); -1 when the connection failed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? offset : -1 }
            offset += written
        }
        return offset
    }

    /// Everything until the peer closes (or the receive timeout); `reset` tells whether it ended with a reset.
    func readToEnd(limit: Int = 1 << 20) -> (bytes: [UInt8], reset: Bool) {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while result.count < limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                result += buffer[0..<count]
            } else {
                return (result, count < 0 && errno == ECONNRESET)
            }
        }
        return (result, false)
    }

    /// Opens a WebSocket session with a raw handshake; returns what followed the 101 head.
    func openWebSocket() throws -> [UInt8] {
        let key = WebSocketHandshake.key(fromNonce: Array(0..<16))
        let head = HTTPRequestHead(
            method: "GET", target: "/engine.io/?EIO=4&transport=websocket",
            headers: HTTPHeaders([(name: "Host", value: "127.0.0.1")] + WebSocketHandshake.requestHeaders(key: key)))
        send(head.serialized())
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestFailure("no handshake answer") }
            received += buffer[0..<count]
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                guard received.starts(with: Array("HTTP/1.1 101".utf8)) else { throw TestFailure("not upgraded") }
                return Array(received[end.upperBound...])
            }
        }
    }
}

/// One masked client frame.
func clientFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8]) -> [UInt8] {
    WebSocketFrameEncoder.encode(WebSocketFrame(opcode: opcode, payload: payload), maskingKey: [3, 1, 4, 1])
}

extension LoopbackTests {
    /// `eio serve --echo` (threaded `Server`, and `--async`) against peers that try to hurt everyone else.
    @Suite("Hostile peers")
    struct HostilePeerTests {
        static let flavours: [[String]] = [[], ["--async"]]

        static func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

        /// Round trips of a well-behaved client while `during` runs; returns the slowest (seconds), or infinity
        /// when one was not served within 5 s.
        static func slowestEcho(port: Int, while running: @escaping @Sendable () -> Bool) throws -> Double {
            let ws = try TestWebSocket(port: port, target: "/engine.io/?EIO=4&transport=websocket")
            _ = try ws.receiveText()
            var slowest = 0.0
            var count = 0
            while running() || count < 3 {
                let start = Date()
                ws.send("4ping \(count)")
                guard try ws.receiveText() == "4ping \(count)" else { return .infinity }
                slowest = max(slowest, Date().timeIntervalSince(start))
                count += 1
                usleep(50_000)
            }
            return slowest
        }

        @Test("a client flooding 64 KB messages without reading is held to a bounded memory, and others are still served", arguments: flavours)
        func floodWithoutReading(_ flags: [String]) throws {
            let server = try EioServeProcess(["--echo"] + flags)
            let baseline = server.residentBytes
            let flooder = try RawSocket(port: server.port)
            _ = try flooder.openWebSocket()
            let message = clientFrame(.text, Array("4".utf8) + [UInt8](repeating: 120, count: 65_535))
            let running = Atomic<Bool>(true)
            let sent = Atomic<Int>(0)
            let flood = Thread {
                let end = Date().addingTimeInterval(4)
                while Date() < end {
                    let written = flooder.send(message)
                    if written < 0 { break }
                    sent.add(written, ordering: .relaxed)
                }
                running.store(false, ordering: .relaxed)
            }
            flood.start()
            let peak = PeakSampler { server.residentBytes }
            let slowest = try Self.slowestEcho(port: server.port) { running.load(ordering: .relaxed) }
            let highest = peak.stop()
            print("flood without reading (\(flags.isEmpty ? "Server" : "AsyncServer")): \(Self.mb(sent.load(ordering: .relaxed))) sent; RSS \(Self.mb(baseline)) → peak \(Self.mb(highest)); slowest echo of another client \(Int(slowest * 1000)) ms")
            #expect(highest <= 150 << 20, "peak RSS \(Self.mb(highest))")
            #expect(slowest < 1, "another client waited \(slowest) s")
        }

        @Test("a client flooding 64 KB messages and reading its echoes is held to a bounded memory, and memory goes back after", arguments: flavours)
        func floodReading(_ flags: [String]) throws {
            let server = try EioServeProcess(["--echo"] + flags)
            let baseline = server.residentBytes
            let flooder = try RawSocket(port: server.port)
            _ = try flooder.openWebSocket()
            let message = clientFrame(.text, Array("4".utf8) + [UInt8](repeating: 120, count: 65_535))
            let running = Atomic<Bool>(true)
            let echoed = Atomic<Int>(0)
            let reader = Thread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while running.load(ordering: .relaxed) {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(flooder.fd, $0.baseAddress, $0.count) }
                    if count <= 0 { break }
                    echoed.add(count, ordering: .relaxed)
                }
            }
            reader.start()
            let flood = Thread {
                let end = Date().addingTimeInterval(4)
                while Date() < end, flooder.send(message) >= 0 {}
                running.store(false, ordering: .relaxed)
            }
            flood.start()
            let peak = PeakSampler { server.residentBytes }
            let slowest = try Self.slowestEcho(port: server.port) { running.load(ordering: .relaxed) }
            let highest = peak.stop()
            shutdown(flooder.fd, Int32(SHUT_RDWR))
            // Memory goes back once the burst is over (the server trims its heap after a quiet moment).
            usleep(4_000_000)
            let after = server.residentBytes
            print("flood with reading (\(flags.isEmpty ? "Server" : "AsyncServer")): \(Self.mb(echoed.load(ordering: .relaxed))) echoed; RSS \(Self.mb(baseline)) → peak \(Self.mb(highest)) → \(Self.mb(after)) 4 s after; slowest echo of another client \(Int(slowest * 1000)) ms")
            #expect(highest <= 150 << 20, "peak RSS \(Self.mb(highest))")
            #expect(slowest < 1, "another client waited \(slowest) s")
            #expect(after <= baseline + 50 << 20, "RSS \(Self.mb(after)) after the flood, baseline \(Self.mb(baseline))")
        }

        @Test("connections that send nothing, and idle keep-alive connections, are closed at their deadlines")
        func idleConnectionsClose() throws {
            let server = try EioServeProcess(["--echo", "--headers-timeout", "1", "--keep-alive-timeout", "1"])
            let silent = try (0..<20).map { _ in try RawSocket(port: server.port) }
            let idle = try (0..<20).map { _ in
                let socket = try TestSocket(port: server.port)
                _ = try socket.request("GET", "/")  // the demo page, on a keep-alive connection
                return socket
            }
            let start = Date()
            let ends = Locked<[Double]>([])
            let fds = silent.map(\.fd) + idle.map(\.fd)
            DispatchQueue.concurrentPerform(iterations: fds.count) { index in
                let fd = fds[index]
                var byte: UInt8 = 0
                let count = Glibc.read(fd, &byte, 1)  // 0 at end of stream; the 5 s receive timeout otherwise
                ends.withLock { $0.append(count == 0 ? Date().timeIntervalSince(start) : .infinity) }
            }
            let times = ends.withLock { $0 }.sorted()
            print("idle connections closed after \(String(format: "%.2f", times.first!))…\(String(format: "%.2f", times.last!)) s (deadlines 1 s)")
            #expect(times.allSatisfy { $0 < 3 })
        }

        @Test("out of file descriptors the server stays quiet, and serves again once idle connections are reclaimed")
        func fileDescriptorExhaustion() throws {
            let server = try EioServeProcess(["--echo", "--headers-timeout", "2"], fileLimit: 256)
            let before = server.cpuSeconds
            var hogs: [RawSocket] = []
            for _ in 0..<300 { hogs.append(try RawSocket(port: server.port)) }
            usleep(1_500_000)
            let busy = server.cpuSeconds - before
            // The idle connections are closed at the head deadline; then a new client is served.
            usleep(1_500_000)
            let ws = try TestWebSocket(port: server.port, target: "/engine.io/?EIO=4&transport=websocket")
            let open = try ws.receiveText()
            print("fd exhaustion (ulimit -n 256, 300 idle connections): \(String(format: "%.2f", busy)) s of CPU in 1.5 s; a new client then got \(open?.prefix(12) ?? "nothing")")
            #expect(busy < 0.5, "the server burned \(busy) s of CPU out of descriptors")
            #expect(open?.hasPrefix("0{") == true)
            _ = hogs
        }

        @Test("eio serve raises its soft limit on descriptors to the hard one, so a soft 512 does not cap it at 500 connections")
        func serveRaisesItsFileLimit() throws {
            let server = try EioServeProcess(["--echo"], softFileLimit: 512)
            let limits = server.fileLimits
            print("eio serve started under ulimit -S -n 512: soft \(limits.soft), hard \(limits.hard)")
            try #require(limits.hard > 512, "the hard limit here is \(limits.hard)")
            #expect(limits.soft == limits.hard)
        }

        @Test("a burst of connections larger than 1,024 waits in the accept queue while the server is busy, none of its SYNs dropped")
        func connectionBurstFitsTheAcceptQueue() throws {
            // The kernel caps a listen backlog at net.core.somaxconn; below 2,048 a burst of 2,000 cannot tell.
            let somaxconn = Int((try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            try #require(somaxconn >= 2_048, "net.core.somaxconn is \(somaxconn)")
            let burst = 2_000
            try #require(FileLimit.raise(to: burst + 256) >= burst + 256)
            let server = try EioServeProcess(["--echo"])
            // Stopped, the server accepts nothing: the kernel completes each handshake into the accept queue, as far
            // as the backlog the server asked for reaches; past it, SYNs are dropped and clients wait out TCP's
            // retransmission backoff (1 s, 3 s, …).
            kill(server.pid, SIGSTOP)
            defer { kill(server.pid, SIGCONT) }
            var sockets: [Int32] = []
            defer { sockets.forEach { close($0) } }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(server.port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            for _ in 0..<burst {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
                try #require(fd >= 0)
                sockets.append(fd)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            usleep(300_000)
            var polled = sockets.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), 0)
            let connected = polled.filter { entry in
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length)
                return entry.revents & Int16(POLLOUT) != 0 && error == 0
            }.count
            print("connection burst against a stopped eio serve: \(connected) of \(burst) connected (somaxconn \(somaxconn))")
            #expect(connected == burst)
        }

        @Test("an oversized WebSocket message gets the 1009 close frame, not a reset, while the client is still sending")
        func oversizedFrameGetsCloseCode() throws {
            let server = try EioServeProcess(["--echo"])
            let socket = try RawSocket(port: server.port)
            _ = try socket.openWebSocket()
            // A 2 MB frame (the limit is 1 MB), sent in full: the server refuses it from its header.
            var header: [UInt8] = [0x82, 0xFF] + withUnsafeBytes(of: UInt64(2_000_000).bigEndian) { Array($0) } + [0, 0, 0, 0]
            header[1] = 0xFF
            socket.send(header)
            for _ in 0..<32 { if socket.send([UInt8](repeating: 0, count: 65_536)) < 0 { break } }
            let (bytes, reset) = socket.readToEnd()
            var parser = WebSocketFrameParser(role: .client)
            parser.append(bytes)
            var close: WebSocketFrame?
            while let frame = try? parser.next() { if frame.opcode == .close { close = frame } }
            print("oversized frame: close frame \(close.map { Array($0.payload.prefix(2)) } ?? []) ; reset: \(reset)")
            #expect(close.map { Array($0.payload.prefix(2)) } == [0x03, 0xF1])  // 1009
        }

        @Test("a head too large gets 431 while the client is still writing it")
        func headTooLarge() throws {
            let server = try EioServeProcess(["--echo"])
            let socket = try RawSocket(port: server.port)
            socket.send(Array("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n".utf8))
            let line = Array("X-Filler: \(String(repeating: "y", count: 1_000))\r\n".utf8)
            for _ in 0..<200 { if socket.send(line) < 0 { break } }  // 200 KB of headers, still no end
            let (bytes, reset) = socket.readToEnd()
            let text = String(decoding: bytes, as: UTF8.self)
            print("oversized head: \(text.prefix(40).debugDescription); reset: \(reset)")
            #expect(text.hasPrefix("HTTP/1.1 431"))
        }

        @Test("a malformed POST payload gets 400 with a JSON body that says why")
        func malformedPostBody() throws {
            let server = try EioServeProcess(["--echo"])
            let socket = try TestSocket(port: server.port)
            let handshake = try socket.request("GET", "/engine.io/?EIO=4&transport=polling")
            let sid = try OpenPacket(json: String(String(decoding: handshake.body, as: UTF8.self).dropFirst())).sid
            let response = try socket.request("POST", "/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: Array("4abc\u{1e}zz".utf8))
            #expect(response.head.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"code":3,"message":"Bad request"}"#)
        }
    }
}
