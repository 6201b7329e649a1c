public import EngineIOWire

extension FuzzTargets {
    /// The wire parsers' targets. Each also checks chunking: the same bytes fed in one piece and in pieces chosen
    /// by the input itself must give the same results and the same error.
    static let wireTargets: [String: Target] = [
        "http-request": httpRequests,
        "http-response": httpResponses,
        "websocket-server": { webSocketMessages($0, role: .server) },
        "websocket-client": { webSocketMessages($0, role: .client) },
        "websocket-extensions": webSocketExtensions,
        "utf8": utf8,
    ]

    /// Splits `bytes` at positions derived from its own first byte, so the fuzzer explores splits too.
    static func splits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let first = bytes.first else { return [] }
        let step = Int(first % 7) + 1
        return stride(from: 0, to: bytes.count, by: step).map { bytes[$0..<min(bytes.count, $0 + step)] }
    }

    /// Runs `parse` over the bytes whole and split; the outcomes (values, then at most one error) must agree.
    static func sameWhenSplit<Output: Equatable, Failure: Error & Equatable>(
        _ bytes: [UInt8], _ makeParser: () -> some ChunkedParser<Output, Failure>
    ) -> String? {
        var whole = makeParser()
        let wholeOutcome = drain(&whole, feeding: [bytes[...]])
        var split = makeParser()
        let splitOutcome = drain(&split, feeding: splits(bytes))
        guard wholeOutcome == splitOutcome else {
            return "one chunk gave \(wholeOutcome), split input gave \(splitOutcome)"
        }
        return nil
    }

    static func httpRequests(_ bytes: [UInt8]) -> String? {
        let limits = HTTPParserLimits(maxHeadBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 2048)
        if let failure = sameWhenSplit(bytes, { HTTPRequestParser(limits: limits) }) { return failure }
        // What parses must serialise to something that parses to the same request.
        var parser = HTTPRequestParser(limits: limits)
        parser.append(bytes)
        guard let request = try? parser.next() else { return nil }
        var again = HTTPRequestParser(limits: HTTPParserLimits(maxHeadBytes: 1 << 20, maxHeaderCount: 1024, maxBodyBytes: 1 << 20))
        again.append(request.serialized())
        guard let reparsed = try? again.next() else { return "request \(request) did not re-parse" }
        guard reparsed.head.method == request.head.method, reparsed.head.target == request.head.target,
            reparsed.body == request.body
        else { return "request \(request) re-parsed as \(reparsed)" }
        return nil
    }

    static func httpResponses(_ bytes: [UInt8]) -> String? {
        let limits = HTTPParserLimits(maxHeadBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 2048)
        return sameWhenSplit(bytes) { () -> HTTPResponseParser in
            var parser = HTTPResponseParser(limits: limits)
            parser.expectResponse(toMethod: "GET")
            return parser
        }
    }

    static func webSocketMessages(_ bytes: [UInt8], role: WebSocketRole) -> String? {
        let limits = WebSocketFrameParser.Limits(maxFrameSize: 4096, allowRSV1: bytes.first.map { $0 & 1 == 1 } ?? false)
        if let failure = sameWhenSplit(bytes, { WebSocketMessageAssembler(role: role, limits: limits, maxMessageSize: 8192) }) {
            return failure
        }
        // Frames that parse must encode back to frames that parse the same.
        var parser = WebSocketFrameParser(role: role, limits: limits)
        parser.append(bytes)
        while let frame = try? parser.next() {
            var encoded: [UInt8] = []
            WebSocketFrameEncoder.encode(frame, maskingKey: role == .server ? [1, 2, 3, 4] : nil, into: &encoded)
            var again = WebSocketFrameParser(role: role, limits: limits)
            again.append(encoded)
            let reparsed = try? again.next()
            if reparsed != frame { return "frame \(frame) re-parsed as \(String(describing: reparsed))" }
        }
        return nil
    }

    static func webSocketExtensions(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let offers = WebSocketExtension.parse(text) else { return nil }
        let again = WebSocketExtension.parse(WebSocketExtension.headerValue(offers))
        guard again == offers else { return "extensions \(offers) re-parsed as \(String(describing: again))" }
        // The server takes the first acceptable offer; our answer must be one its offerer accepts.
        let accepted = PerMessageDeflate.negotiate(offers: offers, preferences: .init())
        let firstAcceptable = offers.lazy.compactMap { offer in
            PerMessageDeflate.negotiate(offers: [offer], preferences: .init()).map { (offer, $0) }
        }.first
        guard accepted == firstAcceptable?.1 else {
            return "negotiation of \(text) chose \(String(describing: accepted)), not the first acceptable offer"
        }
        if let (offer, answer) = firstAcceptable {
            let configuration = try? PerMessageDeflate.acceptResponse(headerValues: [answer.responseHeaderValue], offer: offer)
            guard configuration == answer.configuration else {
                return "the offerer of \(offer.headerValue) reads our answer \(answer.responseHeaderValue) as \(String(describing: configuration)), not \(answer.configuration)"
            }
        }
        return nil
    }

    static func utf8(_ bytes: [UInt8]) -> String? {
        let expected = String(validating: bytes, as: UTF8.self) != nil
        var validator = UTF8Validator()
        for piece in splits(bytes) { validator.consume(piece) }
        let incremental = !validator.hasFailed && validator.isComplete
        guard UTF8Validator.isValid(bytes) == expected, incremental == expected else {
            return "validator disagrees with the standard library on \(bytes)"
        }
        return nil
    }
}

/// A resumable parser: bytes in, values out, `nil` for "need more data". The wire parsers conform, so properties
/// can check that how the bytes arrive never changes what comes out.
public protocol ChunkedParser<Output, Failure> {
    associatedtype Output: Equatable
    associatedtype Failure: Error & Equatable
    mutating func feed(_ bytes: ArraySlice<UInt8>)
    mutating func nextValue() throws(Failure) -> Output?
}

/// Everything a parser produced, then the error that stopped it, if any.
public struct ParseOutcome<Output: Equatable, Failure: Error & Equatable>: Equatable, CustomStringConvertible {
    public var values: [Output] = []
    public var error: Failure?

    public var description: String { "\(values.count) values \(values), error \(String(describing: error))" }
}

/// Feeds the chunks one by one, draining values after each; stops at the first error.
public func drain<Parser: ChunkedParser>(
    _ parser: inout Parser, feeding chunks: [ArraySlice<UInt8>]
) -> ParseOutcome<Parser.Output, Parser.Failure> {
    var outcome = ParseOutcome<Parser.Output, Parser.Failure>()
    for chunk in chunks {
        parser.feed(chunk)
        do {
            while let value = try parser.nextValue() { outcome.values.append(value) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

extension HTTPRequestParser: ChunkedParser {
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { append(bytes) }
    public mutating func nextValue() throws(HTTPParseError) -> HTTPRequest? { try next() }
}

extension HTTPResponseParser: ChunkedParser {
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { append(bytes) }
    public mutating func nextValue() throws(HTTPParseError) -> HTTPResponse? {
        // Keep answering GETs, so pipelined responses parse instead of stalling on an empty expectation queue.
        let response = try next()
        if response != nil { expectResponse(toMethod: "GET") }
        return response
    }
}

extension WebSocketMessageAssembler: ChunkedParser {
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { append(bytes) }
    public mutating func nextValue() throws(WebSocketProtocolError) -> WebSocketEvent? { try next() }
}

extension WebSocketFrameParser: ChunkedParser {
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { append(bytes) }
    public mutating func nextValue() throws(WebSocketProtocolError) -> WebSocketFrame? { try next() }
}
