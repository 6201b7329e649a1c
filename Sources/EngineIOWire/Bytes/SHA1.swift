/// SHA-1 (FIPS 180-4), kept only because the WebSocket opening handshake (RFC 6455 §4.2.2) is defined with it.
///
/// SHA-1 is broken for collision resistance; never use this for anything security-relevant. The handshake only
/// needs it to prove the server understood the WebSocket protocol, so a small, allocation-light implementation
/// without a system crypto dependency keeps `EngineIOWire` pure.
public enum SHA1 {
    /// The digest size in bytes.
    public static let digestLength = 20

    /// The 20-byte SHA-1 digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        bytes.withContiguousBytes(hash(buffer:))
    }

    /// `hash(_:)` of bytes in one buffer. The padded message and the schedule live on the stack; the four rounds
    /// are four loops, so none switches on the step. (A handshake hashes about 60 bytes: two blocks.)
    private static func hash(buffer bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let length = (bytes.count + 8) / 64 * 64 + 64
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { message in
            _ = message.initialize(from: bytes)
            message[bytes.count] = 0x80
            for index in (bytes.count + 1)..<length { message[index] = 0 }
            let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
            for index in 0..<8 { message[length - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(index * 8)) }
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
                for block in stride(from: 0, to: length, by: 64) {
                    compress(UnsafeBufferPointer(rebasing: message[block..<block + 64]), schedule: w, state: &state)
                }
            }
        }
        return [UInt8](unsafeUninitializedCapacity: digestLength) { digest, count in
            func put(_ word: UInt32, at index: Int) {
                digest[index * 4] = UInt8(truncatingIfNeeded: word >> 24)
                digest[index * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
                digest[index * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
                digest[index * 4 + 3] = UInt8(truncatingIfNeeded: word)
            }
            put(state.0, at: 0)
            put(state.1, at: 1)
            put(state.2, at: 2)
            put(state.3, at: 3)
            put(state.4, at: 4)
            count = digestLength
        }
    }

    /// One 64-byte block into `state`.
    @inline(__always)
    private static func compress(
        _ m: UnsafeBufferPointer<UInt8>, schedule w: UnsafeMutableBufferPointer<UInt32>, state: inout (UInt32, UInt32, UInt32, UInt32, UInt32)
    ) {
        for t in 0..<16 {
            w[t] = UInt32(m[t * 4]) << 24 | UInt32(m[t * 4 + 1]) << 16 | UInt32(m[t * 4 + 2]) << 8 | UInt32(m[t * 4 + 3])
        }
        for t in 16..<80 {
            w[t] = rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], by: 1)
        }
        var (a, b, c, d, e) = state
        @inline(__always) func step(_ f: UInt32, _ k: UInt32, _ word: UInt32) {
            let temp = rotateLeft(a, by: 5) &+ f &+ e &+ k &+ word
            e = d
            d = c
            c = rotateLeft(b, by: 30)
            b = a
            a = temp
        }
        for t in 0..<20 { step((b & c) | (~b & d), 0x5A82_7999, w[t]) }
        for t in 20..<40 { step(b ^ c ^ d, 0x6ED9_EBA1, w[t]) }
        for t in 40..<60 { step((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, w[t]) }
        for t in 60..<80 { step(b ^ c ^ d, 0xCA62_C1D6, w[t]) }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt32, by amount: UInt32) -> UInt32 {
        value << amount | value >> (32 - amount)
    }
}
