/// Why an HTTP/1.1 message could not be parsed; `suggestedStatus` is the response a server would answer with.
///
/// Once a parser has thrown, it keeps throwing the same error: the byte stream has lost its framing and the
/// connection should be closed after any error response.
public enum HTTPParseError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The request method is empty or not a token. (400)
    case invalidMethod
    /// The request-target is empty or holds spaces, control characters or non-ASCII bytes. (400)
    case invalidRequestTarget
    /// The request line is not `method SP target SP version`. (400)
    case invalidRequestLine
    /// The status line is not `version SP 3DIGIT [SP reason]`, or its code is below 100. Raised only by the response
    /// parser. (502)
    case invalidStatusLine
    /// The protocol version is not `HTTP/<digit>.<digit>`. (400)
    case invalidVersion
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1. (505)
    case unsupportedVersion(HTTPVersion)
    /// A line ended with LF alone. Lines must end with CRLF: accepting a bare LF where a proxy in front would not
    /// (or the reverse) lets the two disagree on where a message ends. (400)
    case bareLineFeed
    /// More empty lines before the start line than `HTTPParserLimits.maxLeadingEmptyLines`. (400)
    case tooManyLeadingEmptyLines
    /// A field name is empty or not a token (whitespace before the colon included). (400)
    case invalidHeaderName
    /// A field value holds a control character other than HTAB (CR, LF and NUL included). (400)
    case invalidHeaderValue
    /// A field line starts with whitespace (obsolete line folding). (400)
    case obsoleteLineFolding
    /// A field line has no colon. (400)
    case missingHeaderColon
    /// The start line and header section exceed `HTTPParserLimits.maxHeadBytes`. (431)
    case headTooLarge
    /// More field lines than `HTTPParserLimits.maxHeaderCount`. (431)
    case tooManyHeaders
    /// A `Content-Length` value is not a decimal number that fits in `Int`. (400)
    case invalidContentLength
    /// Several `Content-Length` values that differ. (400)
    case conflictingContentLength
    /// Both `Content-Length` and `Transfer-Encoding`: the classic request-smuggling ambiguity. (400)
    case contentLengthWithTransferEncoding
    /// `Transfer-Encoding` in an HTTP/1.0 message, whose framing RFC 9112 §6.1 says to treat as faulty. (400)
    case transferEncodingInHTTP10
    /// A `Transfer-Encoding` other than exactly `chunked`. (501)
    case unsupportedTransferEncoding
    /// The request's body is, or declares itself, larger than `HTTPParserLimits.maxBodyBytes`. Thrown as soon as
    /// the head or a chunk size says so, before the body arrives; `head` lets the server route its 413. (413)
    case bodyTooLarge(head: HTTPRequestHead)
    /// The response's body exceeds `HTTPParserLimits.maxBodyBytes`. Raised only by the response parser. (502)
    case responseBodyTooLarge(head: HTTPResponseHead)
    /// A chunk-size line is not hexadecimal, overflows `Int`, or has a malformed extension. (400)
    case invalidChunkSize
    /// A chunk-size line, extensions included, exceeds `HTTPParserLimits.maxChunkLineBytes`. (400)
    case chunkLineTooLarge
    /// Chunk data is not followed by CRLF. (400)
    case missingChunkDataTerminator
    /// The trailer section exceeds `HTTPParserLimits.maxTrailerBytes`. (431)
    case trailersTooLarge
    /// The input ended inside a message. (400)
    case unexpectedEnd

    /// The status a server should answer with; errors only a response parser raises map to 502, what a gateway
    /// would send.
    public var suggestedStatus: Int {
        switch self {
        case .unsupportedVersion: 505
        case .headTooLarge, .tooManyHeaders, .trailersTooLarge: 431
        case .bodyTooLarge: 413
        case .unsupportedTransferEncoding: 501
        case .invalidStatusLine, .responseBodyTooLarge: 502
        case .invalidMethod, .invalidRequestTarget, .invalidRequestLine, .invalidVersion, .bareLineFeed,
            .tooManyLeadingEmptyLines, .invalidHeaderName, .invalidHeaderValue, .obsoleteLineFolding,
            .missingHeaderColon, .invalidContentLength, .conflictingContentLength,
            .contentLengthWithTransferEncoding, .transferEncodingInHTTP10, .invalidChunkSize, .chunkLineTooLarge,
            .missingChunkDataTerminator, .unexpectedEnd:
            400
        }
    }

    /// A short English description for logs.
    public var description: String {
        switch self {
        case .invalidMethod: "invalid request method"
        case .invalidRequestTarget: "invalid request target"
        case .invalidRequestLine: "malformed request line"
        case .invalidStatusLine: "malformed status line"
        case .invalidVersion: "malformed HTTP version"
        case .unsupportedVersion(let version): "unsupported version \(version)"
        case .bareLineFeed: "line ended with LF instead of CRLF"
        case .tooManyLeadingEmptyLines: "too many empty lines before the start line"
        case .invalidHeaderName: "invalid header field name"
        case .invalidHeaderValue: "control character in header field value"
        case .obsoleteLineFolding: "obsolete line folding in header section"
        case .missingHeaderColon: "header field line without colon"
        case .headTooLarge: "message head too large"
        case .tooManyHeaders: "too many header fields"
        case .invalidContentLength: "invalid Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 message"
        case .unsupportedTransferEncoding: "unsupported Transfer-Encoding"
        case .bodyTooLarge(let head): "request body too large (\(head.method) \(head.target))"
        case .responseBodyTooLarge(let head): "response body too large (status \(head.status))"
        case .invalidChunkSize: "invalid chunk size line"
        case .chunkLineTooLarge: "chunk size line too long"
        case .missingChunkDataTerminator: "chunk data not followed by CRLF"
        case .trailersTooLarge: "trailer section too large"
        case .unexpectedEnd: "input ended inside a message"
        }
    }
}
