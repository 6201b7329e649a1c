/// The XOR masking of RFC 6455 §5.3, shared by the encoder (client side) and the parser (server side).
///
/// Masking and unmasking are the same operation. It runs over every payload byte of every client frame, so it works
/// in place on 8 bytes at a time: the 4-byte key repeated twice *in memory order* is XORed with unaligned 64-bit
/// loads, which is independent of the machine's byte order because both operands are read the same way.
public enum WebSocketMask {
    /// XORs `bytes[range]` with `maskingKey`, where `range.lowerBound` corresponds to key byte `keyOffset % 4`.
    ///
    /// `keyOffset` lets a caller unmask a payload in pieces: pass the number of payload bytes already processed.
    /// - Precondition: `maskingKey.count == 4` and `range` lies within `bytes`.
    public static func apply(
        maskingKey: [UInt8],
        to bytes: inout [UInt8],
        in range: Range<Int>,
        keyOffset: Int = 0
    ) {
        precondition(maskingKey.count == 4, "a WebSocket masking key is 4 bytes")
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the buffer")
        let key = Key(maskingKey, offset: keyOffset)
        bytes.withUnsafeMutableBytes { raw in
            key.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[range]))
        }
    }

    /// XORs all of `bytes` with `maskingKey`, starting at key byte `keyOffset % 4`.
    /// - Precondition: `maskingKey.count == 4`.
    public static func apply(maskingKey: [UInt8], to bytes: inout [UInt8], keyOffset: Int = 0) {
        apply(maskingKey: maskingKey, to: &bytes, in: 0..<bytes.count, keyOffset: keyOffset)
    }

    /// The key rotated to its starting offset and widened for the 8-byte loop.
    struct Key {
        let bytes: (UInt8, UInt8, UInt8, UInt8)
        let word: UInt64

        init(_ key: [UInt8], offset: Int = 0) {
            let start = offset & 3
            self.init(key[start & 3], key[(start + 1) & 3], key[(start + 2) & 3], key[(start + 3) & 3])
        }

        init(_ k0: UInt8, _ k1: UInt8, _ k2: UInt8, _ k3: UInt8) {
            bytes = (k0, k1, k2, k3)
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { raw in
                raw[0] = k0
                raw[1] = k1
                raw[2] = k2
                raw[3] = k3
                raw[4] = k0
                raw[5] = k1
                raw[6] = k2
                raw[7] = k3
            }
            self.word = word
        }

        func apply(to buffer: UnsafeMutableRawBufferPointer) {
            let count = buffer.count
            var index = 0
            while index &+ 8 <= count {
                let value = buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                buffer.storeBytes(of: value ^ word, toByteOffset: index, as: UInt64.self)
                index &+= 8
            }
            // Whole 8-byte steps keep the key in phase, so byte `index` takes key byte `index % 4`.
            while index < count {
                let k: UInt8
                switch index & 3 {
                case 0: k = bytes.0
                case 1: k = bytes.1
                case 2: k = bytes.2
                default: k = bytes.3
                }
                buffer[index] ^= k
                index &+= 1
            }
        }
    }
}
