/// A parsed `request-line` (RFC 9112 §3).
struct HTTPRequestLine: Sendable, Equatable {
    var method: String
    var target: String
    var version: HTTPVersion

    /// `method SP request-target SP HTTP-version`, with exactly one space as separator.
    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestLine {
        // The target is everything between the first and the last space, so a target with a space in it is
        // reported as a bad target rather than as a bad version.
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.space),
            let lastSpace = line.lastIndex(of: HTTPSyntax.space), firstSpace != lastSpace
        else { throw .invalidRequestLine }
        let method = line[line.startIndex..<firstSpace]
        guard HTTPSyntax.isToken(method) else { throw .invalidMethod }
        let target = line[(firstSpace + 1)..<lastSpace]
        guard !target.isEmpty, target.allSatisfy(HTTPSyntax.isTargetByte) else { throw .invalidRequestTarget }
        let version = try HTTPSyntax.parseVersion(line[(lastSpace + 1)...])
        return HTTPRequestLine(
            method: String(decoding: method, as: UTF8.self),
            target: String(decoding: target, as: UTF8.self),
            version: version
        )
    }
}

/// A parsed `status-line` (RFC 9112 §4).
struct HTTPStatusLine: Sendable, Equatable {
    var version: HTTPVersion
    var status: Int
    var reason: String

    /// `HTTP-version SP 3DIGIT SP [reason-phrase]`. The space after the code may be missing when the reason is
    /// empty, as some servers send it that way.
    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPStatusLine {
        guard let space = line.firstIndex(of: HTTPSyntax.space) else { throw .invalidStatusLine }
        let version = try HTTPSyntax.parseVersion(line[line.startIndex..<space])
        let codeStart = space + 1
        let codeEnd = codeStart + 3
        guard codeEnd <= line.endIndex, let status = HTTPSyntax.parseDecimal(line[codeStart..<codeEnd]),
            status >= 100
        else { throw .invalidStatusLine }
        var reason = ""
        if codeEnd < line.endIndex {
            let reasonBytes = line[(codeEnd + 1)...]
            guard line[codeEnd] == HTTPSyntax.space, reasonBytes.allSatisfy(HTTPSyntax.isFieldTextByte) else {
                throw .invalidStatusLine
            }
            reason = String(decoding: reasonBytes, as: UTF8.self)
        }
        return HTTPStatusLine(version: version, status: status, reason: reason)
    }
}
