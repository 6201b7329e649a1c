/// Standard base64 (RFC 4648 §4, `+` and `/`, padded), as Engine.IO uses for binary data in text payloads.
///
/// Decoding is lenient in the same ways as the JavaScript reference (Node's decoder): padding may be missing and
/// `-`/`_` are read as `+`/`/`. Any other character outside the alphabet is an error rather than silently skipped,
/// because a polling payload record that is not base64 is a protocol violation we want to report.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0xFF marks bytes outside the alphabet; 0xFE marks `=`.
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()

    /// The number of base64 characters `count` bytes encode to, padding included.
    public static func encodedLength(of count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the padded base64 encoding of `bytes` to `output`.
    ///
    /// The bytes are walked as one buffer (see `withContiguousBytes`): called from another module this runs
    /// unspecialized, and a generic iterator there cost a heap allocation every few bytes (a 15-byte sid took 4).
    public static func encode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        bytes.withContiguousBytes { encode(buffer: $0, into: &output) }
    }

    private static func encode(buffer bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.reserveAppending(encodedLength(of: bytes.count))
        alphabet.withUnsafeBufferPointer { table in
            var iterator = bytes.makeIterator()
            while let b0 = iterator.next() {
                let b1 = iterator.next()
                let b2 = iterator.next()
                output.append(table[Int(b0 >> 2)])
                output.append(table[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
                if let b1 {
                    output.append(table[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
                if let b2 {
                    output.append(table[Int(b2 & 0x3F)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
            }
        }
    }

    /// The padded base64 encoding of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        encode(bytes, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64 text; `nil` when a character is outside the alphabet, padding is misplaced, or the length
    /// leaves a lone 6-bit group (which cannot encode a whole byte).
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        text.withContiguousBytes { decode(buffer: $0) }
    }

    private static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var groupCount = 0
        var paddingSeen = 0
        let ok: Bool = reverse.withUnsafeBufferPointer { table in
            for byte in text {
                let value = table[Int(byte)]
                if value == 0xFF { return false }
                if value == 0xFE {
                    paddingSeen += 1
                    if paddingSeen > 2 { return false }
                    continue
                }
                if paddingSeen > 0 { return false }  // data after padding
                accumulator = accumulator << 6 | UInt32(value)
                groupCount += 1
                if groupCount == 4 {
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    output.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator = 0
                    groupCount = 0
                }
            }
            return true
        }
        guard ok else { return nil }
        switch groupCount {
        case 0:
            return paddingSeen == 0 ? output : nil
        case 2:
            guard paddingSeen == 0 || paddingSeen == 2 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            guard paddingSeen <= 1 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            return nil
        }
        return output
    }

    /// Decodes base64 given as a string.
    public static func decode(_ text: String) -> [UInt8]? { decode(text.utf8) }
}
