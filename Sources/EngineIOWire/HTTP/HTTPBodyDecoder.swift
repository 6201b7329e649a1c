/// Decodes one message body from a parser's buffer, resumably.
struct HTTPBodyDecoder: Sendable, Equatable {
    /// How the body is delimited (RFC 9112 §6.3).
    enum Framing: Sendable, Equatable {
        case contentLength(Int)
        case chunked
        /// The body runs to the end of the connection (responses only).
        case untilClose
    }

    enum Step: Sendable, Equatable {
        case needMore
        case complete([UInt8])
        /// The body passed `maxBodyBytes`; the caller attaches the head to the error.
        case tooLarge
    }

    private enum ChunkStage: Sendable, Equatable {
        case sizeLine
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailers(bytes: Int)
    }

    private var framing: Framing
    private var stage = ChunkStage.sizeLine
    /// Chunked data decoded so far; the other framings leave the body in the buffer until it is complete.
    private var body: [UInt8] = []

    init(framing: Framing) {
        self.framing = framing
    }

    /// Consumes what it can of the body; `atEnd` says the input has ended, which completes an `untilClose` body.
    mutating func decode(
        from buffer: inout HTTPByteBuffer,
        limits: HTTPParserLimits,
        atEnd: Bool
    ) throws(HTTPParseError) -> Step {
        switch framing {
        case .contentLength(let length):
            // The caller has checked `length` against the limit already.
            return buffer.readableCount >= length ? .complete(buffer.take(length)) : .needMore
        case .untilClose:
            if buffer.readableCount > limits.maxBodyBytes { return .tooLarge }
            return atEnd ? .complete(buffer.takeAll()) : .needMore
        case .chunked:
            return try decodeChunked(from: &buffer, limits: limits)
        }
    }

    private mutating func decodeChunked(
        from buffer: inout HTTPByteBuffer,
        limits: HTTPParserLimits
    ) throws(HTTPParseError) -> Step {
        while true {
            switch stage {
            case .sizeLine:
                guard let lineFeed = buffer.nextLineFeed() else {
                    if buffer.readableCount > limits.maxChunkLineBytes { throw .chunkLineTooLarge }
                    return .needMore
                }
                let length = lineFeed + 1 - buffer.readIndex
                if length > limits.maxChunkLineBytes { throw .chunkLineTooLarge }
                guard lineFeed > buffer.readIndex, buffer.storage[lineFeed - 1] == HTTPSyntax.cr else {
                    throw .bareLineFeed
                }
                let size = try HTTPSyntax.parseChunkSize(buffer.storage[buffer.readIndex..<(lineFeed - 1)])
                buffer.consume(length)
                if size == 0 {
                    stage = .trailers(bytes: 0)
                } else if size > limits.maxBodyBytes - body.count {
                    // Judged from the size line alone, so the peer cannot make us buffer the chunk first.
                    return .tooLarge
                } else {
                    stage = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.readableCount)
                guard available > 0 else { return .needMore }
                body.append(contentsOf: buffer.storage[buffer.readIndex..<(buffer.readIndex + available)])
                buffer.consume(available)
                stage = available == remaining ? .dataCR : .data(remaining: remaining - available)
            case .dataCR, .dataLF:
                // Checked a byte at a time so the outcome does not depend on whether CR and LF arrive together.
                guard buffer.readableCount > 0 else { return .needMore }
                let expected = stage == .dataCR ? HTTPSyntax.cr : HTTPSyntax.lf
                guard buffer.storage[buffer.readIndex] == expected else { throw .missingChunkDataTerminator }
                buffer.consume(1)
                stage = stage == .dataCR ? .dataLF : .sizeLine
            case .trailers(let used):
                guard let lineFeed = buffer.nextLineFeed() else {
                    if buffer.readableCount > limits.maxTrailerBytes - used { throw .trailersTooLarge }
                    return .needMore
                }
                let length = lineFeed + 1 - buffer.readIndex
                if length > limits.maxTrailerBytes - used { throw .trailersTooLarge }
                guard lineFeed > buffer.readIndex, buffer.storage[lineFeed - 1] == HTTPSyntax.cr else {
                    throw .bareLineFeed
                }
                let lineRange = buffer.readIndex..<(lineFeed - 1)
                if lineRange.isEmpty {
                    buffer.consume(length)
                    let decoded = body
                    self = HTTPBodyDecoder(framing: .chunked)
                    return .complete(decoded)
                }
                // Trailer fields are discarded (nothing in Engine.IO uses them) but must still be well-formed.
                _ = try HTTPSyntax.parseFieldLine(buffer.storage[lineRange])
                buffer.consume(length)
                stage = .trailers(bytes: used + length)
            }
        }
    }
}

/// The framing a message's own fields declare (RFC 9112 §6.1–6.3).
enum HTTPBodyFraming {
    /// `.chunked` or `.contentLength(n)`, or `nil` when neither field is present.
    static func declared(version: HTTPVersion, headers: HTTPHeaders) throws(HTTPParseError) -> HTTPBodyDecoder.Framing? {
        var hasContentLength = false
        var hasTransferEncoding = false
        for (name, _) in headers {
            if HTTPSyntax.equalsIgnoringASCIICase(name.utf8, "content-length".utf8) {
                hasContentLength = true
            } else if HTTPSyntax.equalsIgnoringASCIICase(name.utf8, "transfer-encoding".utf8) {
                hasTransferEncoding = true
            }
        }
        if hasTransferEncoding {
            // Two framings let a proxy and us pick different ones: request smuggling. Reject rather than prefer one.
            if hasContentLength { throw .contentLengthWithTransferEncoding }
            if !version.isHTTP11OrLater { throw .transferEncodingInHTTP10 }
            var chunkedCount = 0
            for value in headers.values(for: "Transfer-Encoding") {
                for coding in HTTPListElements(value) where !coding.isEmpty {
                    guard HTTPSyntax.equalsIgnoringASCIICase(coding, "chunked".utf8) else {
                        throw .unsupportedTransferEncoding
                    }
                    chunkedCount += 1
                }
            }
            guard chunkedCount == 1 else { throw .unsupportedTransferEncoding }
            return .chunked
        }
        guard hasContentLength else { return nil }
        // RFC 9110 §8.6 lets a recipient accept repeated identical values (`42, 42` or two field lines).
        var length: Int?
        for value in headers.values(for: "Content-Length") {
            for element in HTTPListElements(value) {
                guard let parsed = HTTPSyntax.parseDecimal(element) else { throw .invalidContentLength }
                if let length, length != parsed { throw .conflictingContentLength }
                length = parsed
            }
        }
        guard let length else { throw .invalidContentLength }
        return .contentLength(length)
    }
}
