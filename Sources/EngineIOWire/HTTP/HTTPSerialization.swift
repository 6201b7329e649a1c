// Serialisation of heads and whole messages. See `HTTPWriter` for how unsafe strings are neutralised.

extension HTTPRequestHead {
    /// Appends the request line, the header fields and the empty line that ends the head.
    public func serialize(into output: inout [UInt8]) {
        serialize(contentLength: nil, into: &output)
    }

    /// The request line, the header fields and the empty line that ends the head.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        serialize(into: &output)
        return output
    }

    fileprivate func serialize(contentLength: Int?, into output: inout [UInt8]) {
        output.reserveAppending(target.utf8.count + HTTPWriter.estimatedSize(of: headers))
        HTTPWriter.appendMethod(method, to: &output)
        output.append(HTTPSyntax.space)
        HTTPWriter.appendTarget(target, to: &output)
        output.append(HTTPSyntax.space)
        HTTPWriter.appendVersion(version, to: &output)
        output.append(contentsOf: HTTPSyntax.crlf)
        HTTPWriter.appendHeaderSection(headers, contentLength: contentLength, to: &output)
    }
}

extension HTTPRequest {
    /// Appends the whole request. Adds `Content-Length` unless the headers have `Content-Length` or
    /// `Transfer-Encoding`, when the body is non-empty or the method is POST, PUT or PATCH (which define a body,
    /// RFC 9110 §8.6). With `Transfer-Encoding: chunked` the body is sent as one chunk and the final chunk.
    public func serialize(into output: inout [UInt8]) {
        let needsLength =
            !head.headers.contains("Content-Length") && !head.headers.contains("Transfer-Encoding")
            && (!body.isEmpty || head.method == "POST" || head.method == "PUT" || head.method == "PATCH")
        output.reserveAppending(body.count)
        head.serialize(contentLength: needsLength ? body.count : nil, into: &output)
        HTTPWriter.appendBody(body, headers: head.headers, to: &output)
    }

    /// The whole request; see `serialize(into:)`.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        serialize(into: &output)
        return output
    }
}

extension HTTPResponseHead {
    /// Appends the status line, the header fields and the empty line that ends the head.
    public func serialize(into output: inout [UInt8]) {
        serialize(contentLength: nil, into: &output)
    }

    /// The status line, the header fields and the empty line that ends the head.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        serialize(into: &output)
        return output
    }

    fileprivate func serialize(contentLength: Int?, into output: inout [UInt8]) {
        output.reserveAppending(reason.utf8.count + HTTPWriter.estimatedSize(of: headers))
        HTTPWriter.appendVersion(version, to: &output)
        output.append(HTTPSyntax.space)
        HTTPWriter.appendDecimal(status, to: &output)
        output.append(HTTPSyntax.space)
        HTTPWriter.appendFieldText(reason, to: &output)
        output.append(contentsOf: HTTPSyntax.crlf)
        HTTPWriter.appendHeaderSection(headers, contentLength: contentLength, to: &output)
    }

    /// 1xx, 204 and 304 responses never carry a body, and must not get a `Content-Length` describing one.
    fileprivate var statusForbidsBody: Bool {
        status < 200 || status == 204 || status == 304
    }
}

extension HTTPResponse {
    /// Appends the whole response. Adds `Content-Length` (even `0`, so a keep-alive client need not wait for the
    /// connection to close) unless the headers have `Content-Length` or `Transfer-Encoding` or the status is 1xx,
    /// 204 or 304. With `Transfer-Encoding: chunked` the body is sent as one chunk and the final chunk.
    public func serialize(into output: inout [UInt8]) {
        let needsLength =
            !head.statusForbidsBody && !head.headers.contains("Content-Length")
            && !head.headers.contains("Transfer-Encoding")
        output.reserveAppending(body.count)
        head.serialize(contentLength: needsLength ? body.count : nil, into: &output)
        HTTPWriter.appendBody(body, headers: head.headers, to: &output)
    }

    /// The whole response; see `serialize(into:)`.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        serialize(into: &output)
        return output
    }
}
