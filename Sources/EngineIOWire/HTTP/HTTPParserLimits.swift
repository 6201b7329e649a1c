/// Bounds on everything an HTTP parser buffers, so a peer cannot make it hold unbounded memory.
///
/// With these limits a parser's memory stays below roughly twice the largest of them plus the bytes of one read,
/// provided the owner calls `next()` after every `append(_:)` until it returns `nil`. All values must be ≥ 0.
public struct HTTPParserLimits: Sendable, Equatable, Hashable {
    /// Bytes of the start line plus the header section, CRLFs and the final empty line included.
    public var maxHeadBytes: Int
    /// Header field lines per message.
    public var maxHeaderCount: Int
    /// Bytes of a decoded body (after removing chunked framing).
    public var maxBodyBytes: Int
    /// Bytes of one chunk-size line, extensions and CRLF included.
    public var maxChunkLineBytes: Int
    /// Bytes of a chunked body's trailer section, final empty line included; trailers are checked and discarded.
    public var maxTrailerBytes: Int
    /// Empty lines skipped before a start line (RFC 9112 §2.2 lets a recipient ignore some, e.g. a CRLF a client
    /// sent after a body).
    public var maxLeadingEmptyLines: Int

    /// Limits with the given values; the defaults suit an Engine.IO endpoint.
    public init(
        maxHeadBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1_000_000,
        maxChunkLineBytes: Int = 1024,
        maxTrailerBytes: Int = 4096,
        maxLeadingEmptyLines: Int = 8
    ) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }
}
