import EngineIOWire
import Testing

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}

@Suite("SHA-1")
struct SHA1Tests {
    @Test("the digest of the empty message is the FIPS 180 value")
    func empty() {
        #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test("the digest of abc is the FIPS 180 value")
    func abc() {
        #expect(hex(SHA1.hash("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test("a 56-byte message whose padding needs a second block hashes to the FIPS 180 value")
    func twoBlocks() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(hex(SHA1.hash(message.utf8)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test("the digest of a million 'a' characters is the FIPS 180 value")
    func millionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA1.hash(message)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("messages of 55 to 65 bytes, around the padding boundary, give 20-byte digests that differ from each other")
    func paddingBoundary() {
        let digests = (55...65).map { SHA1.hash([UInt8](repeating: 0x61, count: $0)) }
        #expect(digests.allSatisfy { $0.count == SHA1.digestLength })
        #expect(Set(digests.map(hex)).count == digests.count)
        // 64 'a's is a published vector for the exactly-one-block case.
        #expect(hex(digests[64 - 55]) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }
}
