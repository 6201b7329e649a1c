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
        // Handshake inputs are ~60 bytes, so copying and padding in one array is simpler than streaming blocks.
        var message: [UInt8] = []
        message.reserveCapacity(bytes.count + 72)
        message.append(contentsOf: bytes)
        let bitLength = UInt64(truncatingIfNeeded: message.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }

        var h0: UInt32 = 0x6745_2301
        var h1: UInt32 = 0xEFCD_AB89
        var h2: UInt32 = 0x98BA_DCFE
        var h3: UInt32 = 0x1032_5476
        var h4: UInt32 = 0xC3D2_E1F0
        var schedule = [UInt32](repeating: 0, count: 80)

        message.withUnsafeBufferPointer { m in
            schedule.withUnsafeMutableBufferPointer { w in
                for block in stride(from: 0, to: m.count, by: 64) {
                    for t in 0..<16 {
                        let i = block + t * 4
                        w[t] = UInt32(m[i]) << 24 | UInt32(m[i + 1]) << 16 | UInt32(m[i + 2]) << 8 | UInt32(m[i + 3])
                    }
                    for t in 16..<80 {
                        w[t] = rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], by: 1)
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4
                    for t in 0..<80 {
                        let f: UInt32
                        let k: UInt32
                        switch t {
                        case 0..<20:
                            f = (b & c) | (~b & d)
                            k = 0x5A82_7999
                        case 20..<40:
                            f = b ^ c ^ d
                            k = 0x6ED9_EBA1
                        case 40..<60:
                            f = (b & c) | (b & d) | (c & d)
                            k = 0x8F1B_BCDC
                        default:
                            f = b ^ c ^ d
                            k = 0xCA62_C1D6
                        }
                        let temp = rotateLeft(a, by: 5) &+ f &+ e &+ k &+ w[t]
                        e = d
                        d = c
                        c = rotateLeft(b, by: 30)
                        b = a
                        a = temp
                    }
                    h0 &+= a
                    h1 &+= b
                    h2 &+= c
                    h3 &+= d
                    h4 &+= e
                }
            }
        }

        var digest: [UInt8] = []
        digest.reserveCapacity(digestLength)
        for word in [h0, h1, h2, h3, h4] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt32, by amount: UInt32) -> UInt32 {
        value << amount | value >> (32 - amount)
    }
}
