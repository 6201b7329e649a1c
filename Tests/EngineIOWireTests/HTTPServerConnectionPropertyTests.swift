import EngineIOTesting
import EngineIOWire
import Testing

/// Seeded, shrinking properties of `HTTPServerConnection`: random requests, random chunking, random clocks.
@Suite("HTTP server connection properties")
struct HTTPServerConnectionPropertyTests {
    static let cases = 1_000
    static let configuration = HTTPServerConnection.Configuration(
        limits: HTTPParserLimits(maxHeadBytes: 2_048, maxBodyBytes: 4_096), headersTimeout: 3_000, requestBodyTimeout: 6_000, keepAliveTimeout: 5_000,
        lingerTimeout: 2_000, lingerBytes: 8_192, pipelineLimit: 4_096, outputHighWater: 16_384)

    static func chunks(of bytes: [UInt8], _ source: inout ChoiceSource) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let size = Gen.oneOf([Gen.int(in: 1...3), Gen.int(in: 1...100), Gen.int(in: 1...20_000)]).generate(&source)
            result.append(Array(bytes[start..<min(bytes.count, start + size)]))
            start += size
        }
        return result
    }

    /// Statuses the connection wrote, in order.
    static func statuses(_ connection: inout HTTPServerConnection) -> [Int] {
        var parser = HTTPResponseParser()
        connection.withPendingOutput { parser.append($0) }
        connection.didWrite(connection.pendingOutputCount)
        var statuses: [Int] = []
        while true {
            parser.expectResponse(toMethod: "GET")
            guard let response = try? parser.next() else { return statuses }
            statuses.append(response.head.status)
        }
    }

    @Test("pipelined requests split anywhere come out whole and in order, one at a time")
    func pipelined() throws {
        let scenario = Gen { source -> ([HTTPRequest], [[UInt8]]) in
            let requests = WirePropertyTests.request.array(maxCount: 6).generate(&source)
            let bytes = requests.flatMap { $0.serialized() }
            return (requests, Self.chunks(of: bytes, &source))
        }
        try Property("pipelined requests", scenario) { requests, chunks in
            var connection = HTTPServerConnection(configuration: Self.configuration, acceptedAt: 0)
            var received: [HTTPRequest] = []
            var now: Int64 = 0
            func drain() throws {
                while let event = connection.nextEvent(now: now) {
                    guard case .request(let request) = event else { throw PropertyViolation("unexpected \(event)") }
                    try ensure(connection.nextEvent(now: now) == nil, "a second request before the first was answered")
                    received.append(request)
                    connection.respond(HTTPResponse(head: HTTPResponseHead(status: 200), body: []), now: now)
                }
            }
            for chunk in chunks {
                now += 1
                if connection.wantsToRead { connection.receive(chunk, now: now) } else { throw PropertyViolation("not reading while idle") }
                try drain()
                try ensure(connection.heldBytes <= 2_048 + 4_096 + 4_096 + 20_000 + 1_024 * received.count, "held \(connection.heldBytes)")
            }
            try ensureEqual(received.map(\.head.method), requests.map(\.head.method))
            try ensureEqual(received.map(\.body), requests.map(\.body))
            try ensureEqual(received.map(\.head.target), requests.map(\.head.target))
        }.check(cases: Self.cases)
    }

    /// Where a connection is left waiting, and the deadline (from the moment it got there) that ends it.
    enum Stall: CaseIterable {
        case neverSends, partialHead, partialBody, idleAfterResponse
    }

    @Test("idle, head, body and keep-alive deadlines fire on time and never early")
    func deadlines() throws {
        let scenario = Gen.zip(Gen.element(of: Stall.allCases), Gen.int(in: 0...4_000).array(maxCount: 8))
        try Property("connection deadlines", scenario) { stall, steps in
            var connection = HTTPServerConnection(configuration: Self.configuration, acceptedAt: 1_000)
            let due: Int64
            switch stall {
            case .neverSends:
                due = 1_000 + 3_000
            case .partialHead:
                connection.receive(Array("GET / HTTP/1.1\r\nHost: x".utf8), now: 1_500)
                _ = connection.nextEvent(now: 1_500)
                due = 1_000 + 3_000  // the first head counts from the accept
            case .partialBody:
                connection.receive(Array("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".utf8), now: 1_500)
                _ = connection.nextEvent(now: 1_500)
                due = 1_500 + 6_000
            case .idleAfterResponse:
                connection.receive(Array("GET / HTTP/1.1\r\n\r\n".utf8), now: 1_500)
                _ = connection.nextEvent(now: 1_500)
                connection.respond(HTTPResponse(head: HTTPResponseHead(status: 204), body: []), now: 1_600)
                _ = Self.statuses(&connection)
                due = 1_600 + 5_000
            }
            try ensureEqual(connection.deadline, due, "\(stall)")
            var now: Int64 = 1_600
            for step in steps {
                now += Int64(step)
                connection.expire(now: now)
                let ended: Bool =
                    switch connection.phase {
                    case .closed: true
                    case .lingering: true
                    default: false
                    }
                try ensureEqual(ended, now >= due, "\(stall) at \(now), due \(due): \(connection.phase)")
                if ended {
                    let statuses = Self.statuses(&connection)
                    let expected = stall == .partialHead || stall == .partialBody ? [408] : []
                    try ensureEqual(statuses, expected, "\(stall)")
                    return
                }
            }
        }.check(cases: Self.cases)
    }

    @Test("broken requests get one answer with their status, then the connection lingers and ends within its bounds")
    func errorsLinger() throws {
        let broken: [(String, [UInt8], Int)] = [
            ("bare LF", Array("GET / HTTP/1.1\nHost: x\n\n".utf8), 400),
            ("head too large", Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 3_000) + "\r\n\r\n").utf8), 431),
            ("smuggling", Array("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), 400),
            ("HTTP/2 line", Array("GET / HTTP/2.0\r\n\r\n".utf8), 505),
            ("bad chunk", Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8), 400),
        ]
        let scenario = Gen { source in
            let chosen = broken[Int(source.draw(upTo: UInt64(broken.count - 1)))]
            let trailing = Gen.int(in: 0...20_000).generate(&source)
            let bytes = chosen.1 + [UInt8](repeating: 65, count: trailing)
            return (chosen.0, chosen.2, Self.chunks(of: bytes, &source), Gen.int(in: 0...3_000).generate(&source))
        }
        try Property("errors answered once, then lingering", scenario) { name, status, chunks, wait in
            var connection = HTTPServerConnection(configuration: Self.configuration, acceptedAt: 0)
            var statuses: [Int] = []
            var dropped = 0
            for chunk in chunks where connection.phase != .closed {
                try ensure(connection.wantsToRead, "\(name): not reading while \(connection.phase)")
                if case .lingering = connection.phase { dropped += chunk.count }
                connection.receive(chunk, now: 10)
                try ensure(connection.nextEvent(now: 10) == nil, "\(name): a request came out")
                statuses += Self.statuses(&connection)
            }
            try ensureEqual(statuses, [status], name)
            switch connection.phase {
            case .lingering, .closed: break
            default: throw PropertyViolation("\(name): \(connection.phase) after the error")
            }
            // Lingering drops at most its budget and ends at its deadline.
            connection.expire(now: 10 + Int64(wait))
            try ensureEqual(connection.phase == .closed, wait >= 2_000 || dropped >= 8_192, "\(name): \(connection.phase) after dropping \(dropped) and waiting \(wait)")
            try ensure(connection.heldBytes == 0, "\(name): holds \(connection.heldBytes) bytes while lingering")
        }.check(cases: Self.cases)
    }
}
