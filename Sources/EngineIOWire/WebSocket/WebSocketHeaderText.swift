/// ASCII helpers for the few HTTP header rules the handshake needs, over text rather than bytes.
enum WebSocketHeaderText {
    /// RFC 9110 §5.6.2 `tchar`; the HTTP code's definition, since both modules share one grammar.
    static func isTokenByte(_ byte: UInt8) -> Bool { HTTPSyntax.isTokenByte(byte) }

    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// A space or a tab (HTTP's optional whitespace); the HTTP code's definition.
    static func isWhitespace(_ byte: UInt8) -> Bool { HTTPSyntax.isWhitespace(byte) }

    /// `text` without leading and trailing spaces and tabs (HTTP's optional whitespace).
    static func trimmed(_ text: some StringProtocol) -> Substring {
        let text = Substring(text)
        guard let first = text.utf8.firstIndex(where: { !isWhitespace($0) }),
            let last = text.utf8.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return text[first...last]
    }

    /// ASCII case-insensitive equality; non-ASCII bytes must match exactly.
    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        HTTPSyntax.equalsIgnoringASCIICase(lhs.utf8, rhs.utf8)
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { HTTPSyntax.lowercased(byte) }

    /// The non-empty, trimmed elements of comma-separated list header values (RFC 7230 §7 allows empty elements).
    static func listElements(_ values: [String]) -> [Substring] {
        values.flatMap { value in
            value.split(separator: ",", omittingEmptySubsequences: false).map { trimmed($0) }.filter { !$0.isEmpty }
        }
    }

    /// Whether a comma-separated list header contains `token`, compared ignoring ASCII case. Same answer as
    /// searching `listElements(values)`, read over the bytes in place: every WebSocket handshake asks twice.
    static func listContains(_ values: [String], token: String) -> Bool {
        values.contains { HTTPSyntax.list($0, containsToken: token) }
    }

    /// The values of every header named `name` (ignoring case), in order.
    static func values(named name: String, in headers: [(name: String, value: String)]) -> [String] {
        headers.compactMap { equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }
}
