/// Bounds on everything an HTTP parser buffers, so a peer cannot make it hold unbounded memory.
///
/// With these limits a parser's memory stays below roughly twice the largest of them plus the bytes of one read,
/// provided the owner calls `next()` after every `append(_:)` until it returns `nil`. All values must be ≥ 0.
///
/// Copies share one box of values (see `Shared`), so every parser of a server holds a pointer to its limits.
public struct HTTPParserLimits: Sendable, Equatable, Hashable {
    private struct Values: Sendable, Hashable {
        var maxHeadBytes: Int
        var maxHeaderCount: Int
        var maxBodyBytes: Int
        var maxChunkLineBytes: Int
        var maxTrailerBytes: Int
        var maxLeadingEmptyLines: Int
    }

    private var values: Shared<Values>

    /// Bytes of the start line plus the header section, CRLFs and the final empty line included.
    public var maxHeadBytes: Int {
        get { values.value.maxHeadBytes }
        set { values.value.maxHeadBytes = newValue }
    }
    /// Header field lines per message.
    public var maxHeaderCount: Int {
        get { values.value.maxHeaderCount }
        set { values.value.maxHeaderCount = newValue }
    }
    /// Bytes of a decoded body (after removing chunked framing).
    public var maxBodyBytes: Int {
        get { values.value.maxBodyBytes }
        set { values.value.maxBodyBytes = newValue }
    }
    /// Bytes of one chunk-size line, extensions and CRLF included.
    public var maxChunkLineBytes: Int {
        get { values.value.maxChunkLineBytes }
        set { values.value.maxChunkLineBytes = newValue }
    }
    /// Bytes of a chunked body's trailer section, final empty line included; trailers are checked and discarded.
    public var maxTrailerBytes: Int {
        get { values.value.maxTrailerBytes }
        set { values.value.maxTrailerBytes = newValue }
    }
    /// Empty lines skipped before a start line (RFC 9112 §2.2 lets a recipient ignore some, e.g. a CRLF a client
    /// sent after a body).
    public var maxLeadingEmptyLines: Int {
        get { values.value.maxLeadingEmptyLines }
        set { values.value.maxLeadingEmptyLines = newValue }
    }

    /// Limits with the given values; the defaults suit an Engine.IO endpoint.
    public init(
        maxHeadBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1_000_000,
        maxChunkLineBytes: Int = 1024,
        maxTrailerBytes: Int = 4096,
        maxLeadingEmptyLines: Int = 8
    ) {
        values = Shared(
            Values(
                maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes, maxChunkLineBytes: maxChunkLineBytes,
                maxTrailerBytes: maxTrailerBytes, maxLeadingEmptyLines: maxLeadingEmptyLines))
    }
}
