/// Reads a message head (start line and header section) line by line.
///
/// Each line is validated once, as soon as its CRLF arrives, and its bytes are consumed then. Errors therefore
/// depend only on the bytes received, never on how the input was split: a line is judged when complete, or reported
/// too large as soon as its partial bytes already exceed the limit (which its complete form would too).
struct HTTPHeadReader<StartLine: Sendable & Equatable>: Sendable, Equatable {
    private var startLine: StartLine?
    private var headers = HTTPHeaders()
    /// Bytes of the current head consumed so far; leading empty lines are not part of it.
    private var headBytes = 0
    private var emptyLinesSkipped = 0

    /// Whether part of a head (its start line at least) has been consumed.
    var hasStarted: Bool { startLine != nil }

    /// Whether any line of a head, leading empty lines included, has been consumed.
    var hasProgress: Bool { startLine != nil || emptyLinesSkipped > 0 }

    /// Consumes lines until the head is complete and returns it, or returns `nil` when more bytes are needed.
    mutating func read(
        from buffer: inout HTTPByteBuffer,
        limits: HTTPParserLimits,
        parseStartLine: (ArraySlice<UInt8>) throws(HTTPParseError) -> StartLine
    ) throws(HTTPParseError) -> (startLine: StartLine, headers: HTTPHeaders)? {
        while true {
            guard let lineFeed = buffer.nextLineFeed() else {
                if buffer.readableCount > limits.maxHeadBytes - headBytes { throw .headTooLarge }
                return nil
            }
            let length = lineFeed + 1 - buffer.readIndex
            if length > limits.maxHeadBytes - headBytes { throw .headTooLarge }
            guard lineFeed > buffer.readIndex, buffer.storage[lineFeed - 1] == HTTPSyntax.cr else {
                throw .bareLineFeed
            }
            // The line is sliced inline rather than bound to a name, so no slice still shares the storage when
            // `consume` empties it (which would force a copy).
            let lineRange = buffer.readIndex..<(lineFeed - 1)
            if let startLine {
                if lineRange.isEmpty {
                    buffer.consume(length)
                    let head = (startLine, headers)
                    self = HTTPHeadReader()
                    return head
                }
                guard headers.count < limits.maxHeaderCount else { throw .tooManyHeaders }
                let field = try HTTPSyntax.parseFieldLine(buffer.storage[lineRange])
                headers.add(
                    name: String(decoding: buffer.storage[field.name], as: UTF8.self),
                    value: String(decoding: buffer.storage[field.value], as: UTF8.self)
                )
            } else if lineRange.isEmpty {
                emptyLinesSkipped += 1
                guard emptyLinesSkipped <= limits.maxLeadingEmptyLines else { throw .tooManyLeadingEmptyLines }
                buffer.consume(length)
                continue
            } else {
                startLine = try parseStartLine(buffer.storage[lineRange])
            }
            headBytes += length
            buffer.consume(length)
        }
    }
}
