/// Percent-encoding (RFC 3986 §2.1) for query components and request targets.
public enum HTTPPercentEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `text` with every byte of its UTF-8 except the unreserved characters (`A-Z a-z 0-9 - . _ ~`) written as
    /// `%XX`, so it is safe as a query name or value, or a path segment. Space becomes `%20`.
    public static func encode(_ text: some StringProtocol) -> String {
        let utf8 = text.utf8
        if utf8.allSatisfy(isUnreserved) { return String(text) }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                appendEscape(byte, to: &output)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` with each `%XX` (two hex digits) replaced by its byte, and `+` by a space when `plusAsSpace`
    /// (form encoding, as in query strings). A `%` not followed by two hex digits is kept as is; byte sequences
    /// that are not UTF-8 become U+FFFD.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        var scratch: [UInt8] = []
        return decode(text.utf8, plusAsSpace: plusAsSpace, scratch: &scratch)
    }

    /// Decodes `bytes` using `scratch` as working storage, so a caller decoding many components allocates once.
    static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool, scratch: inout [UInt8]) -> String {
        let needsWork = bytes.contains { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }
        guard needsWork else { return String(decoding: bytes, as: UTF8.self) }
        scratch.removeAll(keepingCapacity: true)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            if byte == UInt8(ascii: "%"), index != bytes.endIndex, let high = HTTPSyntax.hexValue(bytes[index]) {
                let second = bytes.index(after: index)
                if second != bytes.endIndex, let low = HTTPSyntax.hexValue(bytes[second]) {
                    scratch.append(UInt8(high << 4 | low))
                    index = bytes.index(after: second)
                    continue
                }
            }
            scratch.append(plusAsSpace && byte == UInt8(ascii: "+") ? HTTPSyntax.space : byte)
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    static func appendEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "%"))
        output.append(hexDigits[Int(byte >> 4)])
        output.append(hexDigits[Int(byte & 0x0F)])
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
