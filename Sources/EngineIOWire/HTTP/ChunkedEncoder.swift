/// Chunked transfer coding (RFC 9112 §7.1) for bodies streamed with `Transfer-Encoding: chunked`.
public enum ChunkedEncoder {
    /// The last chunk with an empty trailer section, which ends a chunked body: `0\r\n\r\n`.
    public static let finalChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Appends `data` as one chunk. Empty data appends nothing, since an empty chunk would end the body.
    public static func encodeChunk(_ data: some Collection<UInt8>, into output: inout [UInt8]) {
        let count = data.count
        guard count > 0 else { return }
        output.reserveCapacity(output.count + count + 20)
        output.append(contentsOf: String(count, radix: 16, uppercase: true).utf8)
        output.append(contentsOf: HTTPSyntax.crlf)
        output.append(contentsOf: data)
        output.append(contentsOf: HTTPSyntax.crlf)
    }

    /// `data` as one chunk; empty for empty data (see `encodeChunk(_:into:)`).
    public static func encodeChunk(_ data: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        encodeChunk(data, into: &output)
        return output
    }
}
