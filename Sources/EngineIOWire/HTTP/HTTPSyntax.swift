/// Byte-level HTTP/1.1 grammar shared by the parsers and serialisers (RFC 9110 §5.6, RFC 9112).
///
/// Everything works on UTF-8 code units so the hot loops never build `String`s or `Character`s.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// `tchar` (RFC 9110 §5.6.2).
    @inline(__always)
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

    /// A non-empty run of `tchar`.
    static func isToken(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// Field-value text: every byte except the controls (HTAB aside), so a value can never end or split a line.
    /// Bytes above 0x7F (obs-text) are allowed, as RFC 9110 §5.5 requires recipients to.
    @inline(__always)
    static func isFieldTextByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Request-target bytes. The URI grammar is ASCII-only and has no spaces; keeping to visible ASCII also makes
    /// the target string exactly the bytes received, so it serialises back unchanged.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte &- UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte &- UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive comparison without building lowercased copies.
    static func equalsIgnoringASCIICase(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var right = rhs.makeIterator()
        for byte in lhs {
            guard let other = right.next(), lowercased(byte) == lowercased(other) else { return false }
        }
        return true
    }

    /// `equalsIgnoringASCIICase` for two strings (header names, list tokens), over their UTF-8 buffers in place:
    /// walking `String.UTF8View`s with iterators cost about 4% of a WebSocket handshake's time.
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                for index in 0..<left.count where left[index] != right[index] {
                    guard lowercased(left[index]) == lowercased(right[index]) else { return false }
                }
                return true
            }
        }
    }

    /// Whether the comma-separated list `value` holds `token` as one of its elements, surrounding whitespace aside
    /// and ASCII case ignored (the answer `HTTPListElements` gives, read in place): `keep-alive, Upgrade` holds
    /// `upgrade`.
    static func list(_ value: String, containsToken token: String) -> Bool {
        var value = value, token = token
        return value.withUTF8 { bytes in
            token.withUTF8 { wanted in
                var start = 0
                while start <= bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != comma { end += 1 }
                    var first = start, last = end
                    while first < last, isWhitespace(bytes[first]) { first += 1 }
                    while last > first, isWhitespace(bytes[last - 1]) { last -= 1 }
                    if last - first == wanted.count, (0..<wanted.count).allSatisfy({ lowercased(bytes[first + $0]) == lowercased(wanted[$0]) }) {
                        return true
                    }
                    start = end + 1
                }
                return false
            }
        }
    }

    /// `1*DIGIT` as a non-negative `Int`, or `nil` when empty, not all digits, or too large for `Int`.
    static func parseDecimal(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard isDigit(byte) else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// `HTTP-version` (RFC 9112 §2.3), accepting only the versions this codec speaks: 1.0 and 1.1.
    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let start = bytes.startIndex
        guard bytes.count == 8,
            bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
            bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
            bytes[start + 4] == UInt8(ascii: "/"), isDigit(bytes[start + 5]),
            bytes[start + 6] == UInt8(ascii: "."), isDigit(bytes[start + 7])
        else { throw .invalidVersion }
        let version = HTTPVersion(
            major: Int(bytes[start + 5] &- UInt8(ascii: "0")),
            minor: Int(bytes[start + 7] &- UInt8(ascii: "0"))
        )
        guard version == .http1_0 || version == .http1_1 else { throw .unsupportedVersion(version) }
        return version
    }

    /// Splits a header or trailer field line (its CRLF already removed) into name and value ranges, the value
    /// without surrounding whitespace (RFC 9112 §5).
    static func parseFieldLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: Range<Int>, value: Range<Int>) {
        // A line opening with whitespace continues the previous one (obs-fold, RFC 9112 §5.2). Rejected rather than
        // unfolded: a proxy in front of us might have read it differently.
        if let first = line.first, isWhitespace(first) { throw .obsoleteLineFolding }
        guard let colonIndex = line.firstIndex(of: colon) else { throw .missingHeaderColon }
        let name = line.startIndex..<colonIndex
        // RFC 9112 §5.1 requires rejecting whitespace between name and colon; the token check covers it.
        guard isToken(line[name]) else { throw .invalidHeaderName }
        var start = colonIndex + 1
        var end = line.endIndex
        while start < end, isWhitespace(line[start]) { start += 1 }
        while end > start, isWhitespace(line[end - 1]) { end -= 1 }
        guard line[start..<end].allSatisfy(isFieldTextByte) else { throw .invalidHeaderValue }
        return (name, start..<end)
    }

    /// The size of a `chunk-size [ chunk-ext ]` line (RFC 9112 §7.1), its CRLF already removed. Extensions are
    /// ignored, but must not hold control characters: a stray CR or LF there is a known request-smuggling vector.
    static func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var index = line.startIndex
        var size = 0
        while index < line.endIndex, let digit = hexValue(line[index]) {
            let (shifted, overflow1) = size.multipliedReportingOverflow(by: 16)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw .invalidChunkSize }
            size = sum
            index += 1
        }
        guard index > line.startIndex else { throw .invalidChunkSize }
        guard index < line.endIndex else { return size }
        // Whitespace is allowed only before an extension's `;` (BWS), not trailing on its own.
        while index < line.endIndex, isWhitespace(line[index]) { index += 1 }
        guard index < line.endIndex, line[index] == semicolon,
            line[(index + 1)...].allSatisfy(isFieldTextByte)
        else { throw .invalidChunkSize }
        return size
    }
}
