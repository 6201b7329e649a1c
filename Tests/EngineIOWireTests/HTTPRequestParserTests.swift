import EngineIOWire
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Everything a parser produced from a stream: the requests, then the error that stopped it, if any.
private struct Outcome: Equatable {
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?
}

/// Feeds `chunks` one at a time, calling `next()` after each until it returns `nil` or throws.
private func run(_ chunks: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var outcome = Outcome()
    for chunk in chunks {
        parser.append(chunk)
        do throws(HTTPParseError) {
            while let request = try parser.next() { outcome.requests.append(request) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

private func run(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
    run([bytes(text)], limits: limits)
}

/// The first error parsing `text` in one piece raises.
private func error(parsing text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
    run(text, limits: limits).error
}

/// Splits `wire` at pseudo-random positions (a fixed LCG, so failures reproduce).
private func randomSplits(of wire: [UInt8], seed: UInt64) -> [[UInt8]] {
    var state = seed
    var chunks: [[UInt8]] = []
    var start = 0
    while start < wire.count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let length = Int(state >> 33) % 23 + 1
        let end = min(wire.count, start + length)
        chunks.append(Array(wire[start..<end]))
        start = end
    }
    return chunks
}

private let pipelined =
    "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: example.com\r\n\r\n"
    + "POST /engine.io/?EIO=4&transport=polling&sid=abc HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\n4ping"
    + "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n"
    + "\r\nDELETE /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    @Test("A simple GET is parsed into method, target, version, headers and an empty body")
    func simpleGet() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"))
        let request = try #require(try parser.next())
        #expect(request.head.method == "GET")
        #expect(request.head.target == "/engine.io/?EIO=4&transport=polling")
        #expect(request.head.path == "/engine.io/")
        #expect(request.head.query == "EIO=4&transport=polling")
        #expect(request.head.version == .http1_1)
        #expect(request.head.headers == ["Host": "example.com", "Accept": "*/*"])
        #expect(request.body.isEmpty)
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("A target without a question mark has the whole target as path and no query")
    func pathWithoutQuery() {
        let head = HTTPRequestHead(method: "GET", target: "/socket.io/")
        #expect(head.path == "/socket.io/")
        #expect(head.query == nil)
        #expect(HTTPRequestHead(method: "GET", target: "/a?").query == "")
        #expect(HTTPRequestHead(method: "GET", target: "/a?b?c").query == "b?c")
    }

    @Test("A POST with Content-Length waits for exactly that many body bytes")
    func postWithContentLength() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST /e HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello"))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 5)
        parser.append(bytes(" worldGET"))
        let request = try #require(try parser.next())
        #expect(request.head.method == "POST")
        #expect(request.body == bytes("hello world"))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 3)
    }

    @Test("Field values lose surrounding whitespace but keep inner tabs and UTF-8 text")
    func fieldValueTrimming() throws {
        let outcome = run("GET / HTTP/1.1\r\nX-A: \t a\tb \t\r\nX-B:\r\nX-C: caf\u{E9}\r\n\r\n")
        let head = try #require(outcome.requests.first?.head)
        #expect(head.headers == ["X-A": "a\tb", "X-B": "", "X-C": "caf\u{E9}"])
    }

    @Test("A chunked POST with extensions and trailers decodes to the chunk data alone")
    func chunkedWithExtensionsAndTrailers() throws {
        let outcome = run(
            "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6 ; ext ; other=\"q\"\r\n world\r\n0;last\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n"
        )
        #expect(outcome.error == nil)
        let request = try #require(outcome.requests.first)
        #expect(outcome.requests.count == 1)
        #expect(request.body == bytes("hello world"))
        #expect(request.head.headers == ["Host": "a", "Transfer-Encoding": "chunked"])
    }

    @Test("Chunk sizes are hexadecimal in either case")
    func chunkSizesAreHex() throws {
        let data = String(repeating: "x", count: 0x1F)
        let outcome = run("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n1f\r\n\(data)\r\n01F\r\n\(data)\r\n0\r\n\r\n")
        #expect(try #require(outcome.requests.first).body == bytes(data + data))
    }

    @Test("Pipelined requests in one buffer come out one per call, in order")
    func pipelining() throws {
        let outcome = run(pipelined)
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.method) == ["GET", "POST", "POST", "DELETE"])
        #expect(outcome.requests.map(\.head.target) == ["/engine.io/?EIO=4&transport=polling", "/engine.io/?EIO=4&transport=polling&sid=abc", "/upload", "/x"])
        #expect(outcome.requests.map(\.body) == [[], bytes("4ping"), bytes("abc0123456789"), []])
        #expect(outcome.requests[3].head.version == .http1_0)
    }

    @Test("Splitting a request stream at any byte position, byte by byte or randomly gives the same requests")
    func splitInvariance() {
        let wire = bytes(pipelined)
        let whole = run([wire])
        #expect(whole.requests.count == 4)
        for split in 0...wire.count {
            #expect(run([Array(wire[..<split]), Array(wire[split...])]) == whole, "split at \(split)")
        }
        #expect(run(wire.map { [$0] }) == whole)
        for seed in UInt64(1)...20 {
            #expect(run(randomSplits(of: wire, seed: seed)) == whole, "seed \(seed)")
        }
    }

    @Test("Splitting a stream that ends in an error at any byte position gives the same requests and error")
    func splitInvarianceOfErrors() {
        let limits = HTTPParserLimits(maxHeadBytes: 120, maxBodyBytes: 12, maxChunkLineBytes: 16)
        let streams = [
            "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\nGET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n8\r\n12345678\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;aaaaaaaaaaaaaaaaaaaa\r\nhello\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n",
            "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
        ]
        for stream in streams {
            let wire = bytes(stream)
            let whole = run([wire], limits: limits)
            #expect(whole.error != nil, "\(stream)")
            for split in 0...wire.count {
                #expect(run([Array(wire[..<split]), Array(wire[split...])], limits: limits) == whole, "split at \(split)")
            }
            #expect(run(wire.map { [$0] }, limits: limits) == whole)
        }
    }

    @Test(
        "Keep-alive defaults on for HTTP/1.1 unless Connection: close, and off for HTTP/1.0 unless Connection: keep-alive",
        arguments: [
            ("HTTP/1.1", nil, true),
            ("HTTP/1.1", "close", false),
            ("HTTP/1.1", "Keep-Alive, CLOSE", false),
            ("HTTP/1.1", "keep-alive", true),
            ("HTTP/1.0", nil, false),
            ("HTTP/1.0", "keep-alive", true),
            ("HTTP/1.0", "Upgrade, Keep-Alive", true),
            ("HTTP/1.0", "close", false),
        ] as [(String, String?, Bool)]
    )
    func keepAlive(version: String, connection: String?, expected: Bool) throws {
        let field = connection.map { "Connection: \($0)\r\n" } ?? ""
        let outcome = run("GET / \(version)\r\n\(field)\r\n")
        let head = try #require(outcome.requests.first?.head)
        #expect(head.keepAlive == expected)
    }

    @Test("Empty lines before a request line are skipped up to the limit")
    func leadingEmptyLines() {
        #expect(run("\r\n\r\nGET / HTTP/1.1\r\n\r\n").requests.map(\.head.target) == ["/"])
        let limits = HTTPParserLimits(maxLeadingEmptyLines: 1)
        #expect(run("\r\nGET / HTTP/1.1\r\n\r\n", limits: limits).requests.count == 1)
        #expect(error(parsing: "\r\n\r\nGET / HTTP/1.1\r\n\r\n", limits: limits) == .tooManyLeadingEmptyLines)
    }

    @Test("Repeated identical Content-Length values are accepted")
    func identicalContentLengths() {
        #expect(run("POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc").requests.map(\.body) == [bytes("abc")])
        #expect(run("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc").requests.map(\.body) == [bytes("abc")])
    }

    @Test(
        "Malformed requests are rejected with the error for their cause",
        arguments: [
            ("G(T / HTTP/1.1\r\n\r\n", .invalidMethod),
            (" / HTTP/1.1\r\n\r\n", .invalidMethod),
            ("GET /a b HTTP/1.1\r\n\r\n", .invalidRequestTarget),
            ("GET  HTTP/1.1\r\n\r\n", .invalidRequestTarget),
            ("GET /a\u{1}b HTTP/1.1\r\n\r\n", .invalidRequestTarget),
            ("GET /\u{E9} HTTP/1.1\r\n\r\n", .invalidRequestTarget),
            ("GET /\r\n\r\n", .invalidRequestLine),
            ("GET\r\n\r\n", .invalidRequestLine),
            ("GET / HTTP/1.x\r\n\r\n", .invalidVersion),
            ("GET / http/1.1\r\n\r\n", .invalidVersion),
            ("GET / HTTP/1.10\r\n\r\n", .invalidVersion),
            ("GET / HTTP/2.0\r\n\r\n", .unsupportedVersion(HTTPVersion(major: 2, minor: 0))),
            ("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion(HTTPVersion(major: 0, minor: 9))),
            ("GET / HTTP/1.1\nHost: a\n\n", .bareLineFeed),
            ("GET / HTTP/1.1\r\nHost: a\n\r\n", .bareLineFeed),
            ("\nGET / HTTP/1.1\r\n\r\n", .bareLineFeed),
            ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", .invalidHeaderName),
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .invalidHeaderName),
            ("GET / HTTP/1.1\r\n: x\r\n\r\n", .invalidHeaderName),
            ("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", .invalidHeaderValue),
            ("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", .invalidHeaderValue),
            ("GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n", .invalidHeaderValue),
            ("GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n", .obsoleteLineFolding),
            ("GET / HTTP/1.1\r\n\tX: a\r\n\r\n", .obsoleteLineFolding),
            ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", .missingHeaderColon),
            ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .conflictingContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", .conflictingContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .contentLengthWithTransferEncoding),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\u{1}\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFF\r\n", .invalidChunkSize),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n", .bareLineFeed),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n", .missingChunkDataTerminator),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX", .missingChunkDataTerminator),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n", .missingChunkDataTerminator),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", .invalidHeaderName),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: x\n\r\n", .bareLineFeed),
        ] as [(String, HTTPParseError)]
    )
    func rejection(input: String, expected: HTTPParseError) {
        #expect(error(parsing: input) == expected)
        #expect(run(bytes(input).map { [$0] }).error == expected)
    }

    @Test("Each error suggests its response status")
    func suggestedStatuses() {
        #expect(HTTPParseError.invalidMethod.suggestedStatus == 400)
        #expect(HTTPParseError.contentLengthWithTransferEncoding.suggestedStatus == 400)
        #expect(HTTPParseError.unsupportedVersion(HTTPVersion(major: 2, minor: 0)).suggestedStatus == 505)
        #expect(HTTPParseError.headTooLarge.suggestedStatus == 431)
        #expect(HTTPParseError.tooManyHeaders.suggestedStatus == 431)
        #expect(HTTPParseError.unsupportedTransferEncoding.suggestedStatus == 501)
        #expect(HTTPParseError.bodyTooLarge(head: HTTPRequestHead(method: "POST", target: "/")).suggestedStatus == 413)
        #expect(HTTPParseError.invalidStatusLine.suggestedStatus == 502)
    }

    @Test("A head larger than maxHeadBytes is rejected, even before its end arrives")
    func headTooLarge() {
        let limits = HTTPParserLimits(maxHeadBytes: 64)
        let header = "X-Long: " + String(repeating: "a", count: 100)
        #expect(error(parsing: "GET / HTTP/1.1\r\n\(header)\r\n\r\n", limits: limits) == .headTooLarge)
        // No CRLF yet: the partial line alone is over the limit.
        #expect(error(parsing: "GET / HTTP/1.1\r\n\(header)", limits: limits) == .headTooLarge)
        #expect(error(parsing: "GET /" + String(repeating: "a", count: 100), limits: limits) == .headTooLarge)
        // Exactly at the limit is fine: 16 + 46 + 2 bytes.
        let exact = "GET / HTTP/1.1\r\n" + "X: " + String(repeating: "b", count: 41) + "\r\n\r\n"
        #expect(exact.utf8.count == 64)
        #expect(run(exact, limits: limits).requests.count == 1)
        #expect(run(exact + "GET / HTTP/1.1\r\n\r\n", limits: limits).requests.count == 2)
    }

    @Test("More header fields than maxHeaderCount are rejected")
    func tooManyHeaders() {
        let limits = HTTPParserLimits(maxHeaderCount: 2)
        #expect(run("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).requests.count == 1)
        #expect(error(parsing: "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits) == .tooManyHeaders)
    }

    @Test("Chunk lines and trailer sections are bounded by their limits")
    func chunkFramingLimits() {
        let limits = HTTPParserLimits(maxChunkLineBytes: 16, maxTrailerBytes: 12)
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        // 16 bytes with its CRLF, then 17.
        #expect(run(head + "5;abcdefghijkl\r\nhello\r\n0\r\n\r\n", limits: limits).requests.count == 1)
        #expect(error(parsing: head + "5;abcdefghijklm\r\nhello\r\n0\r\n\r\n", limits: limits) == .chunkLineTooLarge)
        #expect(error(parsing: head + "5;" + String(repeating: "e", count: 40), limits: limits) == .chunkLineTooLarge)
        // 10 + 2 bytes, then 11 + 2.
        #expect(run(head + "0\r\nA: 12345\r\n\r\n", limits: limits).requests.count == 1)
        #expect(error(parsing: head + "0\r\nA: 123456\r\n\r\n", limits: limits) == .trailersTooLarge)
        #expect(error(parsing: head + "0\r\nA: " + String(repeating: "z", count: 40), limits: limits) == .trailersTooLarge)
    }

    @Test("A Content-Length over maxBodyBytes throws 413 from the head alone, carrying the head")
    func bodyTooLargeFromHead() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxBodyBytes: 1000))
        parser.append(bytes("POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n"))
        let expectedHead = HTTPRequestHead(
            method: "POST", target: "/upload?x=1", headers: ["Host": "a", "Content-Length": "1001"])
        #expect(nextError(&parser) == .bodyTooLarge(head: expectedHead))
        #expect(parser.bufferedByteCount == 0)
        #expect(run("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 1000), limits: HTTPParserLimits(maxBodyBytes: 1000)).requests.count == 1)
    }

    @Test("Chunked data throws 413 as soon as a chunk size would pass maxBodyBytes, before its data arrives")
    func chunkedBodyTooLarge() throws {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        var parser = HTTPRequestParser(limits: limits)
        parser.append(bytes("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n"))
        #expect(try parser.next() == nil)
        parser.append(bytes("5\r\n"))
        let head = HTTPRequestHead(method: "POST", target: "/c", headers: ["Transfer-Encoding": "chunked"])
        #expect(nextError(&parser) == .bodyTooLarge(head: head))
        #expect(run("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n", limits: limits).requests.map(\.body) == [bytes("abcdefghij")])
    }

    @Test("After an error the parser keeps throwing it, whatever is appended")
    func errorsAreSticky() {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET / HTTP/1.1\r\nNoColon\r\n\r\n"))
        #expect(nextError(&parser) == .missingHeaderColon)
        parser.append(bytes("GET / HTTP/1.1\r\n\r\n"))
        #expect(nextError(&parser) == .missingHeaderColon)
    }

    @Test("An upgrade request pauses parsing and leaves the bytes that followed its head")
    func upgradeLeavesFollowingBytes() throws {
        let frame: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        var parser = HTTPRequestParser()
        parser.append(
            bytes(
                "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ) + frame
        )
        let request = try #require(try parser.next())
        #expect(request.head.isUpgrade)
        #expect(request.head.headers["upgrade"] == "websocket")
        #expect(parser.isPausedForUpgrade)
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == frame.count)
        #expect(parser.takeBufferedBytes() == frame)
        #expect(parser.bufferedByteCount == 0)
        #expect(!parser.isPausedForUpgrade)
    }

    @Test("A declined upgrade resumes HTTP parsing with resume()")
    func declinedUpgradeResumes() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET /next HTTP/1.1\r\n\r\n"))
        #expect(try parser.next()?.head.target == "/ws")
        #expect(try parser.next() == nil)
        parser.resume()
        #expect(try parser.next()?.head.target == "/next")
    }

    @Test("Upgrade is ignored in HTTP/1.0 and without Connection: upgrade")
    func upgradeNeedsHTTP11AndConnectionToken() {
        let outcome = run(
            "GET /a HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                + "GET /b HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /c HTTP/1.1\r\n\r\n"
        )
        #expect(outcome.requests.map(\.head.target) == ["/a", "/b", "/c"])
        #expect(outcome.requests.map(\.head.isUpgrade) == [false, false, false])
    }

    @Test("Many requests fed one at a time are all parsed and leave nothing buffered")
    func longConnection() throws {
        var parser = HTTPRequestParser()
        var count = 0
        for index in 0..<2000 {
            parser.append(bytes("POST /\(index) HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
            while let request = try parser.next() {
                #expect(request.head.target == "/\(count)")
                count += 1
            }
        }
        #expect(count == 2000)
        #expect(parser.bufferedByteCount == 0)
    }
}

/// The error the parser's next `next()` throws, or `nil`.
private func nextError(_ parser: inout HTTPRequestParser) -> HTTPParseError? {
    do throws(HTTPParseError) {
        _ = try parser.next()
        return nil
    } catch {
        return error
    }
}
