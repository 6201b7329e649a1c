/// ASCII helpers for the few HTTP header rules the handshake needs, kept here so the WebSocket code compiles without
/// the HTTP module.
enum WebSocketHeaderText {
    /// RFC 7230 §3.2.6 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

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
        lhs.utf8.elementsEqual(rhs.utf8) { lowercased($0) == lowercased($1) }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// The non-empty, trimmed elements of comma-separated list header values (RFC 7230 §7 allows empty elements).
    static func listElements(_ values: [String]) -> [Substring] {
        values.flatMap { value in
            value.split(separator: ",", omittingEmptySubsequences: false).map { trimmed($0) }.filter { !$0.isEmpty }
        }
    }

    /// Whether a comma-separated list header contains `token`, compared ignoring ASCII case.
    static func listContains(_ values: [String], token: String) -> Bool {
        listElements(values).contains { equalsIgnoringCase($0, token) }
    }

    /// The values of every header named `name` (ignoring case), in order.
    static func values(named name: String, in headers: [(name: String, value: String)]) -> [String] {
        headers.compactMap { equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }
}
