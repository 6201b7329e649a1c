/// Byte writers behind the serialisers.
///
/// Serialisation never fails and never emits bytes that would end a line or a field early, whatever the strings
/// hold, so a value that reached a header from a peer or a user cannot inject a header or a second message:
/// - a method keeps only its token bytes;
/// - a target has spaces, controls and non-ASCII bytes percent-encoded;
/// - a field whose name is not a token is left out entirely (renaming it could change its meaning);
/// - control characters other than HTAB in values and reason phrases (CR, LF, NUL…) become spaces.
/// `validate()` on a head reports all of these instead, for callers that prefer to reject.
enum HTTPWriter {
    static func appendMethod(_ method: String, to output: inout [UInt8]) {
        if HTTPSyntax.isToken(method.utf8) {
            output.append(contentsOf: method.utf8)
        } else {
            for byte in method.utf8 where HTTPSyntax.isTokenByte(byte) { output.append(byte) }
        }
    }

    static func appendTarget(_ target: String, to output: inout [UInt8]) {
        if target.utf8.allSatisfy(HTTPSyntax.isTargetByte) {
            output.append(contentsOf: target.utf8)
            return
        }
        for byte in target.utf8 {
            if HTTPSyntax.isTargetByte(byte) {
                output.append(byte)
            } else {
                HTTPPercentEncoding.appendEscape(byte, to: &output)
            }
        }
    }

    static func appendFieldText(_ text: String, to output: inout [UInt8]) {
        var text = text  // a native string lends its UTF-8 in place: checked and copied as one buffer, not by bytes
        text.withUTF8 { bytes in
            if bytes.allSatisfy(HTTPSyntax.isFieldTextByte) {
                output.append(contentsOf: bytes)
            } else {
                for byte in bytes { output.append(HTTPSyntax.isFieldTextByte(byte) ? byte : HTTPSyntax.space) }
            }
        }
    }

    static func appendVersion(_ version: HTTPVersion, to output: inout [UInt8]) {
        output.append(contentsOf: "HTTP/".utf8)
        appendDecimal(version.major, to: &output)
        output.append(UInt8(ascii: "."))
        appendDecimal(version.minor, to: &output)
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    static func appendField(name: String, value: String, to output: inout [UInt8]) {
        var name = name
        let isToken = name.withUTF8 { bytes in
            guard HTTPSyntax.isToken(bytes) else { return false }
            output.append(contentsOf: bytes)
            return true
        }
        guard isToken else { return }
        output.append(HTTPSyntax.colon)
        output.append(HTTPSyntax.space)
        appendFieldText(value, to: &output)
        output.append(contentsOf: HTTPSyntax.crlf)
    }

    /// The header lines, plus `Content-Length: contentLength` when given, plus the empty line ending the head.
    static func appendHeaderSection(_ headers: HTTPHeaders, contentLength: Int?, to output: inout [UInt8]) {
        for (name, value) in headers { appendField(name: name, value: value, to: &output) }
        if let contentLength {
            output.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(contentLength, to: &output)
            output.append(contentsOf: HTTPSyntax.crlf)
        }
        output.append(contentsOf: HTTPSyntax.crlf)
    }

    /// Room for a head, so appending does not reallocate repeatedly.
    static func estimatedSize(of headers: HTTPHeaders) -> Int {
        headers.reduce(64) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// The body as it goes on the wire: chunk-encoded when the headers say `chunked`, as is otherwise.
    static func appendBody(_ body: [UInt8], headers: HTTPHeaders, to output: inout [UInt8]) {
        if headers.contains(token: "chunked", inHeader: "Transfer-Encoding") {
            ChunkedEncoder.encodeChunk(body, into: &output)
            output.append(contentsOf: ChunkedEncoder.finalChunk)
        } else {
            output.append(contentsOf: body)
        }
    }
}
