import EngineIOTesting
import EngineIOWire
import Testing

/// Seeded, shrinking properties of `WebSocketConnection`: random chunking, random peers, random clocks.
@Suite("WebSocket connection properties")
struct WebSocketConnectionPropertyTests {
    static let cases = 1_000
    static let maxMessage = 4_096

    static func configuration(_ role: WebSocketRole) -> WebSocketConnection.Configuration {
        WebSocketConnection.Configuration(role: role, maxMessageSize: maxMessage, closeTimeout: 1_000, outputHighWater: 8_192, outputLowWater: 2_048)
    }

    // MARK: generators

    /// A message as a peer sends it: its content and how many fragments it goes in.
    struct PeerMessage: Equatable, CustomStringConvertible {
        var payload: WebSocketPayload
        var fragments: Int
        var description: String {
            switch payload {
            case .text(let bytes): "text(\(bytes.count) B in \(fragments))"
            case .binary(let bytes): "binary(\(bytes.count) B in \(fragments))"
            }
        }
    }

    static let message: Gen<PeerMessage> = Gen { source in
        let size = Gen.oneOf([Gen.int(in: 0...20), Gen.int(in: 0...maxMessage)]).generate(&source)
        let payload: WebSocketPayload =
            Gen.bool.generate(&source)
            ? .text(Array(String(repeating: "é", count: size / 2).utf8))  // multi-byte UTF-8, split anywhere by fragments
            : .binary((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        return PeerMessage(payload: payload, fragments: Gen.int(in: 1...4).generate(&source))
    }

    /// Frames for `message`, masked when a client sends them.
    static func frames(_ message: PeerMessage, masked: Bool) -> [UInt8] {
        let (opcode, bytes): (WebSocketOpcode, [UInt8]) =
            switch message.payload {
            case .text(let bytes): (.text, bytes)
            case .binary(let bytes): (.binary, bytes)
            }
        var output: [UInt8] = []
        let pieces = max(1, min(message.fragments, bytes.count))
        let step = max(1, (bytes.count + pieces - 1) / pieces)
        var start = 0
        var first = true
        repeat {
            let end = min(bytes.count, start + step)
            WebSocketFrameEncoder.encode(
                fin: end == bytes.count, opcode: first ? opcode : .continuation, payload: bytes[start..<end], maskingKey: masked ? [9, 8, 7, 6] : nil,
                into: &output)
            first = false
            start = end
        } while start < bytes.count
        return output
    }

    /// Cuts `bytes` into chunks whose sizes the generator picks (so shrinking finds the one split that matters).
    static func chunks(of bytes: [UInt8], _ source: inout ChoiceSource) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let size = Gen.oneOf([Gen.int(in: 1...3), Gen.int(in: 1...200), Gen.int(in: 1...70_000)]).generate(&source)
            result.append(Array(bytes[start..<min(bytes.count, start + size)]))
            start += size
        }
        return result
    }

    /// The frames a machine wrote, parsed back (as its peer would read them).
    static func written(_ machine: inout WebSocketConnection, by role: WebSocketRole) -> [WebSocketFrame] {
        var parser = WebSocketFrameParser(role: role == .server ? .client : .server, limits: .init(maxFrameSize: 1 << 24, allowRSV1: true))
        machine.withPendingOutput { parser.append($0) }
        machine.didWrite(machine.pendingOutputCount)
        var frames: [WebSocketFrame] = []
        while let frame = try? parser.next() { frames.append(frame) }
        return frames
    }

    // MARK: properties

    @Test("a message split anywhere, and fragmented anyhow, arrives whole and in order; pings are answered")
    func splitAnywhere() throws {
        let scenario = Gen { source -> (messages: [PeerMessage], pings: Int, chunks: [[UInt8]]) in
            let messages = Self.message.array(maxCount: 8).generate(&source)
            let pings = Gen.int(in: 0...3).generate(&source)
            var bytes: [UInt8] = []
            for (index, message) in messages.enumerated() {
                bytes += Self.frames(message, masked: true)
                if index < pings { WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .ping, payload: [UInt8(index)]), maskingKey: [1, 2, 3, 4], into: &bytes) }
            }
            return (messages, min(pings, messages.count), Self.chunks(of: bytes, &source))
        }
        try Property("messages split anywhere arrive whole", scenario) { scenario in
            var machine = WebSocketConnection(configuration: Self.configuration(.server))
            var received: [WebSocketPayload] = []
            for chunk in scenario.chunks {
                machine.receive(chunk)
                while let event = machine.nextEvent() {
                    guard case .message(let payload) = event else { throw PropertyViolation("unexpected \(event)") }
                    received.append(payload)
                }
                try ensure(machine.heldBytes <= Self.maxMessage + 14 + chunk.count + 256, "held \(machine.heldBytes) bytes")
            }
            try ensureEqual(received, scenario.messages.map(\.payload))
            let pongs = Self.written(&machine, by: .server).filter { $0.opcode == .pong }.map(\.payload)
            try ensureEqual(pongs, (0..<scenario.pings).map { [UInt8($0)] }, "pongs")
            try ensureEqual(machine.phase, .open)
        }.check(cases: Self.cases)
    }

    /// A stream that breaks the protocol in one known way, and the close code RFC 6455 gives it.
    static let violation: Gen<(name: String, bytes: [UInt8], code: UInt16)> = Gen { source in
        let key: [UInt8] = [1, 2, 3, 4]
        func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false, masked: Bool = true) -> [UInt8] {
            var bytes: [UInt8] = []
            WebSocketFrameEncoder.encode(fin: fin, rsv1: rsv1, opcode: opcode, payload: payload, maskingKey: masked ? key : nil, into: &bytes)
            return bytes
        }
        let cases: [(String, [UInt8], UInt16)] = [
            ("reserved opcode", [0x83, 0x80] + key, 1002),
            ("RSV2 set", [0xA1, 0x80] + key, 1002),
            ("RSV1 without deflate", frame(.text, Array("a".utf8), rsv1: true), 1002),
            ("unmasked frame from a client", frame(.text, Array("a".utf8), masked: false), 1002),
            ("fragmented ping", frame(.ping, [], fin: false), 1002),
            ("ping of 126 bytes", [0x89, 0xFE, 0, 126] + key + [UInt8](repeating: 0, count: 126), 1002),
            ("continuation without a message", frame(.continuation, Array("a".utf8)), 1002),
            ("new message inside a fragmented one", frame(.text, Array("a".utf8), fin: false) + frame(.text, Array("b".utf8)), 1002),
            ("close payload of one byte", frame(.close, [3]), 1002),
            ("close code 1005 on the wire", frame(.close, [0x03, 0xED]), 1002),
            ("invalid UTF-8", frame(.text, [0xC3, 0x28]), 1007),
            ("invalid UTF-8 across fragments", frame(.text, [0xE2, 0x82], fin: false) + frame(.continuation, [0x28]), 1007),
            ("frame over the limit", [0x82, 0xFF] + [0, 0, 0, 0, 0, 1, 0, 0] + key, 1009),
            ("message over the limit in fragments", frame(.binary, [UInt8](repeating: 1, count: 3_000), fin: false) + frame(.continuation, [UInt8](repeating: 1, count: 3_000)), 1009),
            ("length 2^63", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0] + key, 1002),
        ]
        let chosen = cases[Int(source.draw(upTo: UInt64(cases.count - 1)))]
        // Valid traffic first, so the violation comes at a random point of a stream split at random.
        let before = message.array(maxCount: 3).generate(&source).flatMap { frames($0, masked: true) }
        return (chosen.0, before + chosen.1 + Gen.bytes(maxCount: 20).generate(&source), chosen.2)
    }

    @Test("every protocol violation yields exactly one failure and one close frame, with the right code")
    func violationsCloseOnce() throws {
        let scenario = Gen { source in
            let violation = Self.violation.generate(&source)
            return (violation, Self.chunks(of: violation.bytes, &source))
        }
        try Property("one close per violation", scenario) { scenario in
            var machine = WebSocketConnection(configuration: Self.configuration(.server))
            var failures: [WebSocketConnectionError] = []
            for chunk in scenario.1 {
                machine.receive(chunk)
                while let event = machine.nextEvent() {
                    if case .failed(let error) = event { failures.append(error) }
                }
            }
            try ensureEqual(failures.count, 1, "failures for \(scenario.0.name)")
            try ensureEqual(failures.first?.closeCode, scenario.0.code, scenario.0.name)
            let closes = Self.written(&machine, by: .server).filter { $0.opcode == .close }
            try ensureEqual(closes.count, 1, "close frames")
            try ensureEqual(closes.first.map { Array($0.payload.prefix(2)) }, [UInt8(scenario.0.code >> 8), UInt8(scenario.0.code & 0xFF)])
            try ensure(machine.isFinished, "not finished after its close frame was written")
            machine.receive([0x81, 0x80, 1, 2, 3, 4])
            try ensure(machine.nextEvent() == nil, "an event after the failure")
        }.check(cases: Self.cases)
    }

    @Test("the close handshake's deadline fires on time and never early")
    func closeDeadline() throws {
        let times = Gen.zip(Gen.int(in: 0...1_000_000), Gen.int(in: 0...3_000).array(maxCount: 6))
        try Property("close deadline", times) { start, steps in
            var machine = WebSocketConnection(configuration: Self.configuration(.client))
            machine.close(code: 4000, now: Int64(start))
            try ensureEqual(machine.deadline, Int64(start) + 1_000)
            var now = Int64(start)
            for step in steps {
                now += Int64(step)
                machine.expire(now: now)
                try ensureEqual(machine.phase == .closed, now >= Int64(start) + 1_000, "phase \(machine.phase) at +\(now - Int64(start)) ms")
            }
        }.check(cases: Self.cases)
    }

    @Test("a peer that floods without reading cannot grow a connection past its bounds")
    func memoryBound() throws {
        // Each step: the peer sends some messages (or pings), the shell reads only while the machine wants to,
        // the application echoes what arrives, and the socket takes some of the output (or none: a peer that
        // does not read). The application stops at an outbound bound, as the session reducer makes it.
        struct Step { var sends: Int; var pings: Int; var socketTakes: Int }
        let step = Gen { source in
            Step(sends: Gen.int(in: 0...6).generate(&source), pings: Gen.int(in: 0...20).generate(&source),
                 socketTakes: Gen.oneOf([Gen.just(0), Gen.int(in: 0...20_000)]).generate(&source))
        }
        let outboundBound = 32_768
        try Property("bounded memory under a flood", step.array(maxCount: 60, averageCount: 30)) { steps in
            var machine = WebSocketConnection(configuration: Self.configuration(.server))
            var socket: [UInt8] = []  // what the peer sent and the shell has not read yet
            var cutOff = false
            for step in steps {
                for index in 0..<step.sends { socket += Self.frames(PeerMessage(payload: .binary([UInt8](repeating: UInt8(index), count: 3_000)), fragments: 2), masked: true) }
                for _ in 0..<step.pings { WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .ping, payload: [1, 2, 3]), maskingKey: [5, 5, 5, 5], into: &socket) }
                // The shell: a bounded read per wake-up, only while the machine wants input.
                var budget = 65_536
                while machine.wantsToRead, budget > 0, !socket.isEmpty {
                    let count = min(budget, socket.count, 16_384)
                    machine.receive(socket.prefix(count))
                    socket.removeFirst(count)
                    budget -= count
                    while let event = machine.nextEvent() {
                        if case .message(let payload) = event, !cutOff { machine.send(payload) }
                    }
                }
                if machine.pendingOutputCount > outboundBound, !cutOff {
                    cutOff = true  // the session reducer's forced close
                    machine.abort()
                }
                machine.didWrite(min(step.socketTakes, machine.pendingOutputCount))
                let bound = Self.maxMessage + outboundBound + 256 * 1024
                try ensure(machine.heldBytes <= bound, "held \(machine.heldBytes) > \(bound)")
                try ensure(machine.pendingOutputCount <= outboundBound + 65_536 + 16_384, "output \(machine.pendingOutputCount)")
            }
        }.check(cases: Self.cases)
    }

    @Test("a peer that pings without reading the pongs stops being read at the output high-water mark")
    func pingFlood() throws {
        let steps = Gen.zip(Gen.int(in: 0...600), Gen.oneOf([Gen.just(0), Gen.int(in: 0...2_000)])).array(maxCount: 40, averageCount: 10)
        try Property("ping flood", steps) { steps in
            var machine = WebSocketConnection(configuration: Self.configuration(.server))
            var socket: [UInt8] = []
            for (pings, taken) in steps {
                for _ in 0..<pings { WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .ping, payload: [1, 2, 3]), maskingKey: [5, 5, 5, 5], into: &socket) }
                while machine.wantsToRead, !socket.isEmpty {
                    let count = min(socket.count, 16_384)
                    machine.receive(socket.prefix(count))
                    socket.removeFirst(count)
                    while machine.nextEvent() != nil {}
                }
                machine.didWrite(min(taken, machine.pendingOutputCount))
                // One read past the mark at most: each 9-byte ping makes a 5-byte pong.
                try ensure(machine.pendingOutputCount <= Self.configuration(.server).outputHighWater + 16_384, "output \(machine.pendingOutputCount)")
            }
        }.check(cases: 300)
    }

    @Test("a server and a client wired together agree on every close")
    func pairAgrees() throws {
        enum Action: Equatable {
            case serverSends(Int), clientSends(Int), serverCloses(UInt16), clientCloses(UInt16), clientSendsGarbage, time(Int)
        }
        let action: Gen<Action> = Gen.oneOf([
            Gen.int(in: 0...5_000).map(Action.serverSends), Gen.int(in: 0...5_000).map(Action.clientSends),
            Gen.element(of: [1000, 1001, 3000, 4999]).map { Action.serverCloses(UInt16($0)) },
            Gen.element(of: [1000, 1001, 3000, 4999]).map { Action.clientCloses(UInt16($0)) }, Gen.just(.clientSendsGarbage),
            Gen.int(in: 0...700).map(Action.time),
        ])
        let scenario = Gen { source in (action.array(maxCount: 12).generate(&source), Gen.int(in: 1...5_000).generate(&source)) }
        try Property("server and client agree on the close", scenario) { actions, chunk in
            var server = WebSocketConnection(configuration: Self.configuration(.server))
            var client = WebSocketConnection(configuration: Self.configuration(.client), maskingSeed: 42)
            var toServer: [UInt8] = [], toClient: [UInt8] = []
            var serverSaw: [WebSocketConnection.Event] = [], clientSaw: [WebSocketConnection.Event] = []
            var now: Int64 = 0
            var firstCloser: (side: String, code: UInt16)?
            // Until nothing is in flight: a 1-byte chunk moves a 5,000-byte message in 5,000 rounds.
            func pump() {
                for _ in 0..<1_000_000 {
                    client.withPendingOutput { toServer += $0 }
                    client.didWrite(client.pendingOutputCount)
                    server.withPendingOutput { toClient += $0 }
                    server.didWrite(server.pendingOutputCount)
                    if toServer.isEmpty && toClient.isEmpty { return }
                    let a = toServer.prefix(chunk), b = toClient.prefix(chunk)
                    toServer.removeFirst(a.count)
                    toClient.removeFirst(b.count)
                    server.receive(a)
                    client.receive(b)
                    while let event = server.nextEvent() { serverSaw.append(event) }
                    while let event = client.nextEvent() { clientSaw.append(event) }
                }
            }
            for action in actions {
                switch action {
                case .serverSends(let size): server.send(.binary([UInt8](repeating: 7, count: size)))
                case .clientSends(let size): client.send(.text([UInt8](repeating: 65, count: size)))
                case .serverCloses(let code):
                    if server.phase == .open, firstCloser == nil { firstCloser = ("server", code) }
                    server.close(code: code, now: now)
                case .clientCloses(let code):
                    if client.phase == .open, firstCloser == nil { firstCloser = ("client", code) }
                    client.close(code: code, now: now)
                case .clientSendsGarbage:
                    if client.phase == .open, firstCloser == nil { firstCloser = ("garbage", 1002) }
                    toServer += [0x83, 0x80, 0, 0, 0, 0]  // a reserved opcode
                case .time(let milliseconds):
                    now += Int64(milliseconds)
                    server.expire(now: now)
                    client.expire(now: now)
                }
                pump()
            }
            let messagesTooBig = serverSaw.contains { if case .failed = $0 { true } else { false } }
                || clientSaw.contains { if case .failed = $0 { true } else { false } }
            guard let closer = firstCloser else {
                try ensure(server.phase == .open || messagesTooBig, "server \(server.phase) without a close")
                return
            }
            // Whoever closed first, the other saw that code, once; both end closed once the bytes have crossed.
            switch closer.side {
            case "server":
                if server.phase == .closed, !messagesTooBig {
                    try ensureEqual(clientSaw.filter { if case .closedByPeer = $0 { true } else { false } }, [.closedByPeer(code: closer.code)])
                    try ensureEqual(client.phase, .closed)
                }
            case "client":
                if client.phase == .closed, !messagesTooBig {
                    try ensureEqual(serverSaw.filter { if case .closedByPeer = $0 { true } else { false } }, [.closedByPeer(code: closer.code)])
                    try ensureEqual(server.phase, .closed)
                }
            default:
                try ensureEqual(serverSaw.last, .failed(.protocolViolation(.reservedOpcode(3))))
                try ensureEqual(clientSaw.filter { if case .closedByPeer = $0 { true } else { false } }, [.closedByPeer(code: 1002)])
            }
            try ensure(serverSaw.filter { if case .closedByPeer = $0 { true } else if case .failed = $0 { true } else { false } }.count <= 1, "the server heard of two ends")
            try ensure(clientSaw.filter { if case .closedByPeer = $0 { true } else if case .failed = $0 { true } else { false } }.count <= 1, "the client heard of two ends")
        }.check(cases: Self.cases)
    }
}
