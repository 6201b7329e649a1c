// Checks that a head serialises to exactly what it says, reported with the error the parser would raise on the
// bytes serialisation would otherwise have had to alter.

extension HTTPHeaders {
    /// Throws `.invalidHeaderName` for a name that is not a token and `.invalidHeaderValue` for a value holding a
    /// control character other than HTAB; such fields would be dropped or altered by serialisation.
    public func validate() throws(HTTPParseError) {
        for (name, value) in self {
            guard HTTPSyntax.isToken(name.utf8) else { throw .invalidHeaderName }
            guard value.utf8.allSatisfy(HTTPSyntax.isFieldTextByte) else { throw .invalidHeaderValue }
        }
    }
}

extension HTTPVersion {
    fileprivate func validate() throws(HTTPParseError) {
        guard (0...9).contains(major), (0...9).contains(minor) else { throw .invalidVersion }
        guard self == .http1_0 || self == .http1_1 else { throw .unsupportedVersion(self) }
    }
}

extension HTTPRequestHead {
    /// Throws what `HTTPRequestParser` would throw for this head: a method that is not a token, an empty target or
    /// one with spaces, controls or non-ASCII bytes, a version other than 1.0 or 1.1, or an invalid header field.
    public func validate() throws(HTTPParseError) {
        guard HTTPSyntax.isToken(method.utf8) else { throw .invalidMethod }
        guard !target.isEmpty, target.utf8.allSatisfy(HTTPSyntax.isTargetByte) else { throw .invalidRequestTarget }
        try version.validate()
        try headers.validate()
    }
}

extension HTTPResponseHead {
    /// Throws what `HTTPResponseParser` would throw for this head: `.invalidStatusLine` for a status outside
    /// 100...999 or a reason phrase with controls other than HTAB, a version other than 1.0 or 1.1, or an invalid
    /// header field.
    public func validate() throws(HTTPParseError) {
        try version.validate()
        guard (100...999).contains(status), reason.utf8.allSatisfy(HTTPSyntax.isFieldTextByte) else {
            throw .invalidStatusLine
        }
        try headers.validate()
    }
}
