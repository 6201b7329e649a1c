import EngineIOWire
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Everything a parser produced from a stream: the responses, then the error that stopped it, if any.
private struct Outcome: Equatable {
    var responses: [HTTPResponse] = []
    var error: HTTPParseError?
}

/// Queues `methods`, feeds `chunks` one at a time draining after each, then optionally signals the end of input.
private func run(
    _ chunks: [[UInt8]],
    methods: [String] = [],
    finish: Bool = false,
    limits: HTTPParserLimits = HTTPParserLimits()
) -> Outcome {
    var parser = HTTPResponseParser(limits: limits)
    for method in methods { parser.expectResponse(toMethod: method) }
    var outcome = Outcome()
    do throws(HTTPParseError) {
        for chunk in chunks {
            parser.append(chunk)
            while let response = try parser.next() { outcome.responses.append(response) }
        }
        if finish {
            parser.finish()
            while let response = try parser.next() { outcome.responses.append(response) }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

private func run(
    _ text: String,
    methods: [String] = [],
    finish: Bool = false,
    limits: HTTPParserLimits = HTTPParserLimits()
) -> Outcome {
    run([bytes(text)], methods: methods, finish: finish, limits: limits)
}

@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    @Test("A 200 with Content-Length yields its status, reason, headers and exactly that body")
    func okWithLength() throws {
        var parser = HTTPResponseParser()
        parser.append(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 6\r\n\r\n4hel"))
        #expect(try parser.next() == nil)
        parser.append(bytes("lo"))
        let response = try #require(try parser.next())
        #expect(response.head.status == 200)
        #expect(response.head.reason == "OK")
        #expect(response.head.version == .http1_1)
        #expect(response.head.headers == ["Content-Type": "text/plain; charset=UTF-8", "Content-Length": "6"])
        #expect(response.body == bytes("4hello"))
        #expect(try parser.next() == nil)
    }

    @Test("A chunked response decodes to the chunk data")
    func chunked() {
        let outcome = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;e=1\r\npedia\r\n0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.body) == [bytes("Wikipedia")])
    }

    @Test("A 101 Switching Protocols has no body, stops parsing and leaves the following bytes")
    func switchingProtocolsLeavesBytes() throws {
        let frame: [UInt8] = [0x81, 0x02, 0x68, 0x69]
        var parser = HTTPResponseParser()
        parser.expectResponse(toMethod: "GET")
        parser.append(
            bytes(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
            ) + frame
        )
        let response = try #require(try parser.next())
        #expect(response.head.status == 101)
        #expect(response.head.reason == "Switching Protocols")
        #expect(response.body.isEmpty)
        #expect(parser.hasSwitchedProtocols)
        #expect(try parser.next() == nil)
        parser.append([0x88, 0x00])
        #expect(try parser.next() == nil)
        #expect(parser.takeBufferedBytes() == frame + [0x88, 0x00])
        #expect(!parser.hasSwitchedProtocols)
    }

    @Test("A 2xx answering CONNECT switches the connection to a tunnel")
    func connectTunnel() {
        let outcome = run("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", methods: ["CONNECT"])
        #expect(outcome.responses.map(\.head.status) == [200])
    }

    @Test("204 and 304 responses have no body even with framing fields, and the next response follows")
    func noContentAndNotModified() {
        let outcome = run(
            "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        )
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.head.status) == [204, 304, 200])
        #expect(outcome.responses.map(\.body) == [[], [], bytes("ok")])
    }

    @Test("A response to HEAD has no body despite its Content-Length; methods are matched in order")
    func headResponse() {
        let outcome = run(
            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
            methods: ["HEAD", "GET"]
        )
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.body) == [[], bytes("abc")])
        #expect(outcome.responses.first?.head.headers["content-length"] == "1234")
    }

    @Test("Interim 1xx responses come out on their own and do not use up the queued method")
    func interimResponses() {
        let outcome = run(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
            methods: ["HEAD"]
        )
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.head.status) == [100, 103, 200])
        #expect(outcome.responses.allSatisfy { $0.body.isEmpty })
    }

    @Test("Without length or chunking the body runs until finish() and is returned then")
    func readUntilClose() throws {
        var parser = HTTPResponseParser()
        parser.append(bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome "))
        #expect(try parser.next() == nil)
        parser.append(bytes("data"))
        #expect(try parser.next() == nil)
        parser.finish()
        let response = try #require(try parser.next())
        #expect(response.head.version == .http1_0)
        #expect(response.body == bytes("some data"))
        #expect(try parser.next() == nil)
        #expect(parser.isFinished)
    }

    @Test("A read-until-close body may be empty")
    func emptyReadUntilClose() {
        let outcome = run("HTTP/1.1 200 OK\r\n\r\n", finish: true)
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.body) == [[]])
    }

    @Test("finish() at a message boundary is a clean end, with buffered responses still returned")
    func cleanEnd() {
        let outcome = run("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 204 No Content\r\n\r\n\r\n", finish: true)
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.head.status) == [200, 204])
        #expect(run("", finish: true) == Outcome())
    }

    @Test(
        "finish() inside a head, a Content-Length body or a chunked body throws unexpectedEnd",
        arguments: [
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
            "HTTP/1.1 200 OK\r\nContent-",
            "HTTP/1.1 200 OK\r\n",
            "HTTP/1.1 2",
        ]
    )
    func unexpectedEnd(input: String) {
        #expect(run(input).error == nil)
        #expect(run(input, finish: true).error == .unexpectedEnd)
    }

    @Test("A body over maxBodyBytes is rejected: from Content-Length at once, or as data accumulates")
    func responseBodyTooLarge() {
        let limits = HTTPParserLimits(maxBodyBytes: 8)
        let head = HTTPResponseHead(status: 200, headers: ["Content-Length": "9"])
        #expect(run("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", limits: limits).error == .responseBodyTooLarge(head: head))
        let untilClose = HTTPResponseHead(status: 200)
        #expect(run("HTTP/1.1 200 OK\r\n\r\n12345678", limits: limits).error == nil)
        #expect(run("HTTP/1.1 200 OK\r\n\r\n123456789", limits: limits).error == .responseBodyTooLarge(head: untilClose))
        let chunked = HTTPResponseHead(status: 200, headers: ["Transfer-Encoding": "chunked"])
        #expect(run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n", limits: limits).error == .responseBodyTooLarge(head: chunked))
    }

    @Test("Status lines are parsed with or without a reason phrase")
    func statusLines() {
        let outcome = run(
            "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 599 Custom  Reason\tHere\r\nContent-Length: 0\r\n\r\n"
        )
        #expect(outcome.error == nil)
        #expect(outcome.responses.map(\.head.status) == [200, 404, 599])
        #expect(outcome.responses.map(\.head.reason) == ["", "", "Custom  Reason\tHere"])
    }

    @Test(
        "Malformed responses are rejected with the error for their cause",
        arguments: [
            ("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 2000 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 abc OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 O\u{1}K\r\n\r\n", .invalidStatusLine),
            ("HTTP/2 200 OK\r\n\r\n", .invalidVersion),
            ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion(HTTPVersion(major: 2, minor: 0))),
            ("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", .bareLineFeed),
            ("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", .invalidHeaderName),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .conflictingContentLength),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n", .invalidChunkSize),
        ] as [(String, HTTPParseError)]
    )
    func rejection(input: String, expected: HTTPParseError) {
        #expect(run(input).error == expected)
        #expect(run(bytes(input).map { [$0] }).error == expected)
    }

    @Test("Splitting a response stream at any byte position gives the same responses")
    func splitInvariance() {
        let wire = bytes(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                + "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nT: 1\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 200 OK\r\n\r\nrest of the stream"
        )
        let methods = ["POST", "HEAD", "GET", "GET", "GET"]
        let whole = run([wire], methods: methods, finish: true)
        #expect(whole.error == nil)
        #expect(whole.responses.map(\.head.status) == [100, 200, 200, 200, 204, 200])
        #expect(whole.responses.last?.body == bytes("rest of the stream"))
        for split in 0...wire.count {
            let pieces = [Array(wire[..<split]), Array(wire[split...])]
            #expect(run(pieces, methods: methods, finish: true) == whole, "split at \(split)")
        }
        #expect(run(wire.map { [$0] }, methods: methods, finish: true) == whole)
    }
}
