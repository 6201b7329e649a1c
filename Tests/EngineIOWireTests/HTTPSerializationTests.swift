import EngineIOWire
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

private func parseRequests(_ wire: [UInt8]) throws(HTTPParseError) -> [HTTPRequest] {
    var parser = HTTPRequestParser()
    parser.append(wire)
    var requests: [HTTPRequest] = []
    while let request = try parser.next() { requests.append(request) }
    return requests
}

private func parseResponses(_ wire: [UInt8], methods: [String] = []) throws(HTTPParseError) -> [HTTPResponse] {
    var parser = HTTPResponseParser()
    for method in methods { parser.expectResponse(toMethod: method) }
    parser.append(wire)
    var responses: [HTTPResponse] = []
    while let response = try parser.next() { responses.append(response) }
    return responses
}

@Suite("HTTP serialisation")
struct HTTPSerializationTests {
    @Test("A response serialises to its status line, headers, an added Content-Length and the body")
    func responseBytes() {
        let response = HTTPResponse(
            head: HTTPResponseHead(status: 200, headers: ["Content-Type": "text/plain; charset=UTF-8"]),
            body: bytes("4hello")
        )
        #expect(text(response.serialized()) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 6\r\n\r\n4hello")
    }

    @Test("Content-Length and the status are written in decimal at every digit-count boundary")
    func decimalLengths() {
        for length in [0, 1, 9, 10, 99, 100, 999, 1_000, 65_535, 1_000_000, 123_456_789] {
            let response = HTTPResponse(head: HTTPResponseHead(status: 200), body: [UInt8](repeating: 0x61, count: length))
            let head = text(Array(response.serialized().prefix(64)))
            #expect(head.contains("Content-Length: \(length)\r\n"), "\(length)")
        }
        for status in [100, 101, 200, 404, 599] {
            #expect(text(HTTPResponseHead(status: status).serialized()).hasPrefix("HTTP/1.1 \(status) "))
        }
    }

    @Test("serialize(into:) appends to what is already there")
    func serializeAppends() {
        var output = bytes("prefix|")
        HTTPResponseHead(status: 404).serialize(into: &output)
        #expect(text(output) == "prefix|HTTP/1.1 404 Not Found\r\n\r\n")
    }

    @Test("A Content-Length the caller set is kept and not duplicated, in any case")
    func callerContentLength() {
        let response = HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["content-length": "2"]), body: bytes("ok"))
        #expect(text(response.serialized()) == "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    }

    @Test("An empty 200 gets Content-Length: 0, while 101, 204 and 304 get none")
    func contentLengthByStatus() {
        #expect(text(HTTPResponse(head: HTTPResponseHead(status: 200)).serialized()) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        let upgrade = HTTPResponseHead(status: 101, headers: ["Upgrade": "websocket", "Connection": "Upgrade"])
        #expect(text(HTTPResponse(head: upgrade).serialized()) == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        #expect(text(HTTPResponse(head: HTTPResponseHead(status: 204)).serialized()) == "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(text(HTTPResponse(head: HTTPResponseHead(status: 304)).serialized()) == "HTTP/1.1 304 Not Modified\r\n\r\n")
    }

    @Test("Requests get Content-Length for a body or a body-defining method, and none for an empty GET")
    func requestContentLength() {
        let get = HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/engine.io/?EIO=4&transport=polling", headers: ["Host": "a"]))
        #expect(text(get.serialized()) == "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n")
        let emptyPost = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/"))
        #expect(text(emptyPost.serialized()) == "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        let post = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/", version: .http1_0), body: bytes("4hi"))
        #expect(text(post.serialized()) == "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n4hi")
    }

    @Test("With Transfer-Encoding: chunked the body goes out as one chunk and the final chunk")
    func chunkedBody() {
        let response = HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["Transfer-Encoding": "chunked"]), body: bytes("hello"))
        #expect(text(response.serialized()) == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let empty = HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["Transfer-Encoding": "chunked"]))
        #expect(text(empty.serialized()) == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    }

    @Test("ChunkedEncoder writes the size in hex, skips empty data and ends with the final chunk")
    func chunkedEncoder() {
        let data = bytes(String(repeating: "z", count: 26))
        #expect(ChunkedEncoder.encodeChunk(data) == bytes("1A\r\n") + data + bytes("\r\n"))
        #expect(ChunkedEncoder.encodeChunk([UInt8]()) == [])
        #expect(ChunkedEncoder.finalChunk == bytes("0\r\n\r\n"))
        var output = bytes("x")
        ChunkedEncoder.encodeChunk(bytes("ab")[...], into: &output)
        #expect(text(output) == "x2\r\nab\r\n")
    }

    @Test("Streamed chunks parse back to their concatenation")
    func chunkedEncoderRoundTrip() throws {
        var wire = HTTPRequestHead(method: "POST", target: "/s", headers: ["Transfer-Encoding": "chunked"]).serialized()
        for piece in ["4", "hello", "", String(repeating: "w", count: 300)] {
            ChunkedEncoder.encodeChunk(bytes(piece), into: &wire)
        }
        wire += ChunkedEncoder.finalChunk
        let requests = try parseRequests(wire)
        #expect(requests.map(\.body) == [bytes("4hello" + String(repeating: "w", count: 300))])
    }

    @Test("Standard reason phrases are known and unknown codes get an empty one", arguments: [
        (101, "Switching Protocols"), (200, "OK"), (204, "No Content"), (400, "Bad Request"), (401, "Unauthorized"),
        (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"), (413, "Content Too Large"),
        (431, "Request Header Fields Too Large"), (500, "Internal Server Error"), (501, "Not Implemented"),
        (505, "HTTP Version Not Supported"), (299, ""),
    ])
    func reasonPhrases(status: Int, phrase: String) {
        #expect(HTTPStatus.reasonPhrase(for: status) == phrase)
        #expect(HTTPResponseHead(status: status).reason == phrase)
    }

    @Test("CR and LF in values and reasons cannot inject lines: they become spaces")
    func valueInjectionIsNeutralised() throws {
        let head = HTTPResponseHead(
            status: 200,
            reason: "OK\r\nX-Evil: 1",
            headers: ["Location": "/a\r\nSet-Cookie: admin=1", "X-Nul": "a\u{0}b"]
        )
        #expect(text(head.serialized()) == "HTTP/1.1 200 OK  X-Evil: 1\r\nLocation: /a  Set-Cookie: admin=1\r\nX-Nul: a b\r\n\r\n")
        #expect(throws: HTTPParseError.invalidStatusLine) { try head.validate() }
        let parsed = try #require(try parseResponses(HTTPResponse(head: head).serialized()).first)
        #expect(parsed.head.headers.values(for: "Set-Cookie") == [])
        #expect(parsed.head.headers["Location"] == "/a  Set-Cookie: admin=1")
    }

    @Test("Fields with invalid names are left out, and invalid methods and targets are neutralised")
    func namesMethodsAndTargets() {
        let head = HTTPRequestHead(
            method: "GE T\r\n",
            target: "/a b\r\n\u{E9}",
            headers: ["Good": "1", "Bad Name": "2", "Evil\r\nX": "3", "": "4"]
        )
        #expect(text(head.serialized()) == "GET /a%20b%0D%0A%C3%A9 HTTP/1.1\r\nGood: 1\r\n\r\n")
    }

    @Test("validate() reports what the parser would reject")
    func validation() throws {
        #expect(throws: HTTPParseError.invalidMethod) { try HTTPRequestHead(method: "G T", target: "/").validate() }
        #expect(throws: HTTPParseError.invalidRequestTarget) { try HTTPRequestHead(method: "GET", target: "").validate() }
        #expect(throws: HTTPParseError.invalidRequestTarget) { try HTTPRequestHead(method: "GET", target: "/a b").validate() }
        #expect(throws: HTTPParseError.unsupportedVersion(HTTPVersion(major: 2, minor: 0))) {
            try HTTPRequestHead(method: "GET", target: "/", version: HTTPVersion(major: 2, minor: 0)).validate()
        }
        #expect(throws: HTTPParseError.invalidVersion) {
            try HTTPRequestHead(method: "GET", target: "/", version: HTTPVersion(major: 1, minor: 10)).validate()
        }
        #expect(throws: HTTPParseError.invalidHeaderName) { try (["X Y": "1"] as HTTPHeaders).validate() }
        #expect(throws: HTTPParseError.invalidHeaderValue) { try (["X": "a\nb"] as HTTPHeaders).validate() }
        #expect(throws: HTTPParseError.invalidStatusLine) { try HTTPResponseHead(status: 99).validate() }
        try HTTPRequestHead(method: "GET", target: "/", headers: ["X": "tab\tand caf\u{E9}"]).validate()
        try HTTPResponseHead(status: 200).validate()
    }

    @Test("A request serialises and parses back with the added Content-Length as the only change")
    func requestRoundTrip() throws {
        let original = HTTPRequest(
            head: HTTPRequestHead(
                method: "POST",
                target: "/engine.io/?EIO=4&transport=polling&sid=x",
                headers: ["Host": "example.com:3000", "Content-Type": "text/plain;charset=UTF-8", "X-Dup": "1", "x-dup": "2"]
            ),
            body: bytes("4hello\u{1E}4world")
        )
        var expected = original
        expected.head.headers.add(name: "Content-Length", value: "\(original.body.count)")
        #expect(try parseRequests(original.serialized()) == [expected])
        // Parsed messages serialise back to the same bytes.
        #expect(try parseRequests(expected.serialized()) == [expected])
    }

    @Test("A parsed request serialises back to the bytes it came from")
    func wireRoundTrip() throws {
        let wire = bytes("PUT /x?y=1 HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi")
        let request = try #require(try parseRequests(wire).first)
        #expect(request.serialized() == wire)
    }

    @Test("Responses round-trip with Content-Length, chunked framing and a 204")
    func responseRoundTrip() throws {
        let sized = HTTPResponse(head: HTTPResponseHead(status: 200, headers: HTTPHeaders([("Set-Cookie", "io=abc; Path=/"), ("Set-Cookie", "b=2")])), body: [0, 1, 2, 255])
        let chunked = HTTPResponse(head: HTTPResponseHead(status: 201, headers: ["Transfer-Encoding": "chunked"]), body: bytes("data"))
        let empty = HTTPResponse(head: HTTPResponseHead(status: 204, reason: "Nothing Here"))
        let wire = sized.serialized() + chunked.serialized() + empty.serialized()
        var expectedSized = sized
        expectedSized.head.headers.add(name: "Content-Length", value: "4")
        #expect(try parseResponses(wire) == [expectedSized, chunked, empty])
    }
}
