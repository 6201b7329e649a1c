/// An incremental, fail-fast UTF-8 validator (RFC 3629).
///
/// WebSocket text messages arrive in fragments that may split a code point anywhere, and RFC 6455 §8.1 asks an
/// endpoint to fail the connection as soon as the bytes *cannot* become valid UTF-8 rather than after buffering the
/// whole message. The validator therefore keeps only the state of the sequence in progress between calls.
///
/// Rejected: stray continuation bytes, `C0`/`C1`/`F5`–`FF`, overlong encodings, surrogates (U+D800–U+DFFF) and code
/// points above U+10FFFF. Each of these is caught at the first byte that makes it impossible, because the allowed
/// range of the *next* byte is narrowed after a lead byte (the table in RFC 3629 §4).
public struct UTF8Validator: Sendable, Equatable, Hashable {
    /// Continuation bytes still expected for the sequence in progress.
    private var pending: UInt8 = 0
    /// The allowed range of the next continuation byte; narrower than `80...BF` only right after
    /// `E0`, `ED`, `F0` and `F4`, which is where overlongs, surrogates and values above U+10FFFF are excluded.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Whether some input has already been rejected; once set, every later `consume` returns `false`.
    public private(set) var hasFailed = false

    /// A validator at the start of a text.
    public init() {}

    /// Whether everything consumed so far is valid and ends on a code point boundary.
    ///
    /// A message is valid UTF-8 when every `consume` returned `true` and this is `true` after the last fragment.
    public var isComplete: Bool { pending == 0 && !hasFailed }

    /// Feeds the next bytes; `false` as soon as they cannot be part of valid UTF-8.
    @discardableResult
    public mutating func consume(_ bytes: some Collection<UInt8>) -> Bool {
        if hasFailed { return false }
        let valid = bytes.withContiguousBytes { consume(buffer: $0) }
        if !valid { hasFailed = true }
        return valid
    }

    /// Whether `bytes` is a complete, valid UTF-8 text.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var validator = UTF8Validator()
        return validator.consume(bytes) && validator.isComplete
    }

    /// `bytes` as a string if they are a complete, valid UTF-8 text; `nil` otherwise. The standard library's
    /// `String(validating:as:)` is generic over the encoding, and from another module it looks up type metadata on
    /// every call (about a tenth of a message's trip through the reducers); this checks the bytes in one buffer and
    /// builds the string from it.
    ///
    /// Generic code in another module runs unspecialized; there, lend the bytes as a buffer first (in a function
    /// specialized for the caller's collection) and call `string(buffer:)`.
    public static func string(_ bytes: some Collection<UInt8>) -> String? {
        bytes.withContiguousBytes(string(buffer:))
    }

    /// `string(_:)` for bytes already in one buffer.
    public static func string(buffer: UnsafeBufferPointer<UInt8>) -> String? {
        var validator = UTF8Validator()
        guard validator.consume(buffer: buffer), validator.isComplete else { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }

    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        // Work on locals so the loop does not write through `self` on every byte.
        var pending = self.pending
        var lower = self.lower
        var upper = self.upper
        defer {
            self.pending = pending
            self.lower = lower
            self.upper = upper
        }
        let raw = UnsafeRawBufferPointer(buffer)
        let count = buffer.count
        var index = 0
        while index < count {
            if pending == 0 {
                // Most payloads are ASCII: skip 8 bytes at a time while none has its high bit set.
                while index &+ 8 <= count,
                    raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index &+= 8
                }
                if index == count { break }
                let byte = buffer[index]
                index &+= 1
                switch byte {
                case 0x00...0x7F:
                    continue
                case 0xC2...0xDF:
                    pending = 1
                case 0xE0:
                    pending = 2
                    lower = 0xA0  // below would be an overlong 2-byte value
                case 0xE1...0xEC, 0xEE...0xEF:
                    pending = 2
                case 0xED:
                    pending = 2
                    upper = 0x9F  // above would be a surrogate
                case 0xF0:
                    pending = 3
                    lower = 0x90  // below would be an overlong 3-byte value
                case 0xF1...0xF3:
                    pending = 3
                case 0xF4:
                    pending = 3
                    upper = 0x8F  // above would exceed U+10FFFF
                default:
                    return false
                }
            } else {
                let byte = buffer[index]
                index &+= 1
                guard byte >= lower, byte <= upper else { return false }
                lower = 0x80
                upper = 0xBF
                pending &-= 1
            }
        }
        return true
    }
}
