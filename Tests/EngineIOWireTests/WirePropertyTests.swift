import EngineIOTesting
import EngineIOWire
import Testing

/// Round trips, chunk-split invariance and robustness of the wire codecs, 1000+ seeded cases each.
@Suite("Wire properties")
struct WirePropertyTests {
    static let cases = 1_000

    // MARK: generators

    static let token: Gen<String> = Gen.string(
        maxCount: 10, of: Gen.element(of: Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".unicodeScalars))
    ).map { $0.isEmpty ? "x" : $0 }

    /// Header values: visible ASCII and inner spaces (leading and trailing whitespace is not part of a value).
    static let headerValue: Gen<String> = Gen.string(
        maxCount: 16, of: Gen.oneOf([Gen.element(of: Array("abc XYZ019;=,/\"()".unicodeScalars)), Gen.int(in: 0x21...0x7E).map { Unicode.Scalar(UInt8($0)) }])
    ).map { value in
        var text = Substring(value)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }

    static let header: Gen<(name: String, value: String)> = Gen.zip(
        Gen.oneOf([Gen.element(of: ["Host", "Accept-Encoding", "Origin", "Cookie", "User-Agent"]), token.map { "X-" + $0 }]),
        headerValue
    ).map { (name: $0.0, value: $0.1) }

    static let request: Gen<HTTPRequest> = Gen { source in
        let method = Gen.element(of: ["GET", "POST", "PUT", "OPTIONS", "DELETE"]).generate(&source)
        let target = "/engine.io/?EIO=4&transport=polling&t=" + token.generate(&source)
        var headers = HTTPHeaders(header.array(maxCount: 5).generate(&source))
        let body = method == "POST" || method == "PUT" ? Gen.bytes(maxCount: 200).generate(&source) : []
        if !body.isEmpty, Gen.bool.generate(&source) { headers.add(name: "Transfer-Encoding", value: "chunked") }
        return HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: headers), body: body)
    }

    static let response: Gen<HTTPResponse> = Gen { source in
        let status = Gen.element(of: [200, 400, 403, 404, 413, 500]).generate(&source)
        var headers = HTTPHeaders(header.array(maxCount: 5).generate(&source))
        let body = Gen.bytes(maxCount: 200).generate(&source)
        if !body.isEmpty, Gen.bool.generate(&source) { headers.add(name: "Transfer-Encoding", value: "chunked") }
        return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
    }

    /// Bytes that start as a valid stream and then suffer a few random edits (replace, insert, delete), which
    /// reaches far more error paths than uniformly random bytes.
    static func mutated(_ valid: Gen<[UInt8]>) -> Gen<[UInt8]> {
        Gen { source in
            var bytes = valid.generate(&source)
            for _ in 0..<Int(source.draw(upTo: 4)) where !bytes.isEmpty {
                let position = Int(source.draw(upTo: UInt64(bytes.count - 1)))
                switch source.draw(upTo: 2) {
                case 0: bytes[position] = UInt8(source.draw(upTo: 255))
                case 1: bytes.insert(UInt8(source.draw(upTo: 255)), at: position)
                default: bytes.remove(at: position)
                }
            }
            return bytes
        }
    }

    static func withoutFraming(_ headers: HTTPHeaders) -> [String] {
        headers.filter { !["content-length", "transfer-encoding"].contains($0.name.lowercased()) }.map { "\($0.name): \($0.value)" }
    }

    /// The outcome of feeding `bytes` whole, byte by byte, and in the given chunks must be the same.
    static func ensureSplitInvariant<Parser: ChunkedParser>(
        _ bytes: [UInt8], chunks lengths: [Int], _ make: () -> Parser
    ) throws -> ParseOutcome<Parser.Output, Parser.Failure> {
        var whole = make()
        let expected = drain(&whole, feeding: [bytes[...]])
        var byByte = make()
        try ensureEqual(drain(&byByte, feeding: bytes.chunked(by: [])), expected, "byte by byte")
        var split = make()
        try ensureEqual(drain(&split, feeding: bytes.chunked(by: lengths)), expected, "split \(lengths)")
        return expected
    }

    // MARK: HTTP

    @Test("requests survive serialisation and parsing, pipelined, however the bytes are split")
    func requestRoundTrip() throws {
        try Property("HTTP requests round trip", Gen.zip(Self.request.array(maxCount: 3), Generators.chunkLengths)) { requests, lengths in
            let stream = requests.flatMap { $0.serialized() }
            let outcome = try Self.ensureSplitInvariant(stream, chunks: lengths) { HTTPRequestParser() }
            try ensure(outcome.error == nil, "unexpected error \(String(describing: outcome.error))")
            try ensureEqual(outcome.values.count, requests.count)
            for (parsed, original) in zip(outcome.values, requests) {
                try ensureEqual(parsed.head.method, original.head.method)
                try ensureEqual(parsed.head.target, original.head.target)
                try ensureEqual(parsed.body, original.body)
                try ensureEqual(Self.withoutFraming(parsed.head.headers), Self.withoutFraming(original.head.headers))
            }
        }.check(cases: Self.cases)
    }

    @Test("responses survive serialisation and parsing however the bytes are split")
    func responseRoundTrip() throws {
        try Property("HTTP responses round trip", Gen.zip(Self.response, Generators.chunkLengths)) { response, lengths in
            let outcome = try Self.ensureSplitInvariant(response.serialized(), chunks: lengths) { () -> HTTPResponseParser in
                var parser = HTTPResponseParser()
                parser.expectResponse(toMethod: "GET")
                return parser
            }
            try ensure(outcome.error == nil, "unexpected error \(String(describing: outcome.error))")
            let parsed = try #require(outcome.values.first)
            try ensureEqual(parsed.head.status, response.head.status)
            try ensureEqual(parsed.body, response.body)
            try ensureEqual(Self.withoutFraming(parsed.head.headers), Self.withoutFraming(response.head.headers))
        }.check(cases: Self.cases)
    }

    @Test("damaged HTTP streams parse or fail with a typed error, the same way however they are split")
    func damagedHTTP() throws {
        let requests = Self.mutated(Self.request.array(maxCount: 2).map { $0.flatMap { $0.serialized() } })
        try Property("damaged requests", requests) { bytes in
            try ensure(FuzzTargets.run("http-request", bytes) == nil, FuzzTargets.run("http-request", bytes) ?? "")
        }.check(cases: Self.cases * 3)
        let responses = Self.mutated(Self.response.map { $0.serialized() })
        try Property("damaged responses", responses) { bytes in
            try ensure(FuzzTargets.run("http-response", bytes) == nil, FuzzTargets.run("http-response", bytes) ?? "")
        }.check(cases: Self.cases * 3)
    }

    // MARK: WebSocket

    static let frame: Gen<WebSocketFrame> = Gen { source in
        let opcode = Gen.element(of: [WebSocketOpcode.text, .binary, .continuation, .ping, .pong, .close]).generate(&source)
        let payload = Gen.bytes(maxCount: opcode.isControl ? 125 : 300).generate(&source)
        let fin = opcode.isControl ? true : Gen.bool.generate(&source)
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }

    @Test("frames survive encoding and parsing in both roles, however the bytes are split")
    func frameRoundTrip() throws {
        let gen = Gen.zip(Gen.zip(Self.frame.array(maxCount: 4), Gen.bytes(maxCount: 4)), Generators.chunkLengths)
        try Property("WebSocket frames round trip", gen) { input, lengths in
            let (frames, key) = input
            for role in [WebSocketRole.server, .client] {
                var stream: [UInt8] = []
                // Clients mask (the server role parses masked frames); the key is any four bytes.
                let maskingKey = role == .server ? Array((key + [9, 9, 9, 9]).prefix(4)) : nil
                for frame in frames { WebSocketFrameEncoder.encode(frame, maskingKey: maskingKey, into: &stream) }
                let outcome = try Self.ensureSplitInvariant(stream, chunks: lengths) { WebSocketFrameParser(role: role) }
                try ensureEqual(outcome.error, nil, "role \(role)")
                try ensureEqual(outcome.values, frames, "role \(role)")
            }
        }.check(cases: Self.cases)
    }

    enum Message: Equatable, Sendable {
        case text(String)
        case binary([UInt8])
    }

    static let message: Gen<Message> = Gen.oneOf([Gen.string(maxCount: 40).map(Message.text), Gen.bytes(maxCount: 120).map(Message.binary)])

    @Test("fragmented messages with interleaved pings reassemble in order, UTF-8 split anywhere")
    func messageAssembly() throws {
        let gen = Gen.zip(Gen.zip(Self.message, Gen.int(in: 1...6)), Generators.chunkLengths)
        try Property("WebSocket message assembly", gen) { input, lengths in
            let (message, fragments) = input
            let (opcode, payload): (WebSocketOpcode, [UInt8]) =
                switch message {
                case .text(let text): (.text, Array(text.utf8))
                case .binary(let bytes): (.binary, bytes)
                }
            var stream: [UInt8] = []
            var expected: [WebSocketEvent] = []
            let size = max(1, (payload.count + fragments - 1) / fragments)
            let pieces = payload.isEmpty ? [[]] : stride(from: 0, to: payload.count, by: size).map { Array(payload[$0..<min(payload.count, $0 + size)]) }
            for (index, piece) in pieces.enumerated() {
                let frame = WebSocketFrame(fin: index == pieces.count - 1, opcode: index == 0 ? opcode : .continuation, payload: piece)
                WebSocketFrameEncoder.encode(frame, maskingKey: [1, 2, 3, 4], into: &stream)
                if index < pieces.count - 1 {
                    WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .ping, payload: [UInt8(index)]), maskingKey: [5, 6, 7, 8], into: &stream)
                    expected.append(.ping([UInt8(index)]))
                }
            }
            switch message {
            case .text(let text): expected.append(.text(text))
            case .binary(let bytes): expected.append(.binary(bytes))
            }
            let outcome = try Self.ensureSplitInvariant(stream, chunks: lengths) { WebSocketMessageAssembler(role: .server) }
            try ensureEqual(outcome.error, nil)
            try ensureEqual(outcome.values, expected)
        }.check(cases: Self.cases)
    }

    @Test("damaged WebSocket streams parse or fail with a close code, the same way however they are split")
    func damagedWebSocket() throws {
        let streams = Self.mutated(Self.frame.array(maxCount: 3).map { frames in
            frames.flatMap { WebSocketFrameEncoder.encode($0, maskingKey: [1, 2, 3, 4]) }
        })
        try Property("damaged WebSocket streams", streams) { bytes in
            try ensure(FuzzTargets.run("websocket-server", bytes) == nil, FuzzTargets.run("websocket-server", bytes) ?? "")
            try ensure(FuzzTargets.run("websocket-client", bytes) == nil, FuzzTargets.run("websocket-client", bytes) ?? "")
        }.check(cases: Self.cases * 3)
    }

    // MARK: bytes

    @Test("the UTF-8 validator agrees with the standard library on any bytes, fed in any pieces")
    func utf8Validation() throws {
        let nearUTF8 = Gen.oneOf([Gen.string(maxCount: 12).map { Array($0.utf8) }, Gen.bytes(maxCount: 24)])
        try Property("UTF-8 validator", Self.mutated(nearUTF8)) { bytes in
            try ensure(FuzzTargets.run("utf8", bytes) == nil, FuzzTargets.run("utf8", bytes) ?? "")
        }.check(cases: Self.cases * 3)
    }

    @Test("base64 round trips any bytes and refuses text outside the alphabet")
    func base64() throws {
        try Property("base64 round trip", Gen.bytes(maxCount: 64)) { bytes in
            let text = Base64.encode(bytes)
            try ensureEqual(text.utf8.count, Base64.encodedLength(of: bytes.count))
            try ensureEqual(Base64.decode(text), bytes)
        }.check(cases: Self.cases)
        #expect(Base64.decode("AQIDBA==") == [1, 2, 3, 4])
        #expect(Base64.decode("AQIDBA") == [1, 2, 3, 4])
        #expect(Base64.decode("-_8=") == [0xFB, 0xFF])
        #expect(Base64.decode("AQ!D") == nil)
        #expect(Base64.decode("A") == nil)
        #expect(Base64.decode("AQ==AQ==") == nil)
    }

    @Test("extension headers parse back to what they serialise to, and our answers are acceptable to the offerer")
    func extensionHeaders() throws {
        let parameter = Gen.element(of: [
            "server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits=10", "client_max_window_bits",
            "client_max_window_bits=15", "server_max_window_bits=\"12\"", "x=1",
        ])
        let offer = Gen.zip(Gen.element(of: ["permessage-deflate", "x-webkit-deflate-frame"]), parameter.array(maxCount: 3)).map {
            ([$0.0] + $0.1).joined(separator: "; ")
        }
        try Property("extension headers", offer.array(maxCount: 3).map { $0.joined(separator: ", ") }) { header in
            try ensure(FuzzTargets.run("websocket-extensions", Array(header.utf8)) == nil, FuzzTargets.run("websocket-extensions", Array(header.utf8)) ?? "")
        }.check(cases: Self.cases)
    }
}
