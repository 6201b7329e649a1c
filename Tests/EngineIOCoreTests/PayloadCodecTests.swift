import EngineIOCore
import EngineIOSpec
import Testing

@Suite("Payload codec")
struct PayloadCodecTests {
    private func text(_ string: String) -> [UInt8] { Array(string.utf8) }
    private let v4 = PayloadCodec(version: .v4)
    private let v3 = PayloadCodec(version: .v3)

    @Test("v4 payloads join packets with the record separator, as in the compliance suite")
    func v4SuiteExamples() throws {
        let three: [Packet] = [.message("test1"), .message("test2"), .message("test3")]
        #expect(v4.encode(three) == text("4test1\u{1E}4test2\u{1E}4test3"))
        #expect(try v4.decode(text("4test1\u{1E}4test2\u{1E}4test3")) == three)
        let mixed: [Packet] = [.message("hello"), .message([1, 2, 3, 4])]
        #expect(v4.encode(mixed) == text("4hello\u{1E}bAQIDBA=="))
        #expect(try v4.decode(text("4hello\u{1E}bAQIDBA==")) == mixed)
    }

    @Test("an empty v4 body is no packets, but an empty record between separators is an error")
    func v4Empty() throws {
        #expect(try v4.decode([]) == [])
        #expect(throws: PacketDecodingError.emptyPacket) { try v4.decode(text("4a\u{1E}\u{1E}4b")) }
        #expect(throws: PacketDecodingError.emptyPacket) { try v4.decode(text("4a\u{1E}")) }
    }

    @Test("a payload over the packet limit is refused instead of silently dropped")
    func packetLimit() throws {
        let limited = PayloadCodec(version: .v4, maxPackets: 2)
        #expect(try limited.decode(text("2\u{1E}3")) == [.ping, .pong])
        #expect(throws: PacketDecodingError.tooManyPackets(limit: 2)) { try limited.decode(text("2\u{1E}3\u{1E}6")) }
        #expect(throws: PacketDecodingError.tooManyPackets(limit: 2)) {
            try PayloadCodec(version: .v3, maxPackets: 2).decode(text("1:21:31:6"))
        }
    }

    @Test("v3 lengths count UTF-16 code units, so an emoji counts two")
    func v3Lengths() throws {
        #expect(v3.encode([.message("hello"), .message("€")]) == text("6:4hello2:4€"))
        #expect(v3.encode([.message("😀")]) == text("3:4😀"))
        #expect(try v3.decode(text("6:4hello2:4€")) == [.message("hello"), .message("€")])
        #expect(try v3.decode(text("3:4😀")) == [.message("😀")])
        #expect(try v3.decode(text("6:4hello10:b4AQIDBA==")) == [.message("hello"), .message([1, 2, 3, 4])])
        #expect(try v3.decode(text("1:21:31:6")) == [.ping, .pong, .noop])
    }

    @Test("the empty v3 payload is 0:")
    func v3EmptyPayload() throws {
        #expect(v3.encode([]) == text("0:"))
        #expect(try v3.decode(text("0:")) == [])
        #expect(throws: PacketDecodingError.emptyPacket) { try v3.decode(text("1:20:")) }
    }

    @Test("malformed v3 text payloads are refused with the reason")
    func v3Errors() throws {
        #expect(throws: PacketDecodingError.unexpectedEnd) { try v3.decode(text("5:4hi")) }
        #expect(throws: PacketDecodingError.invalidLength) { try v3.decode(text("x:4")) }
        #expect(throws: PacketDecodingError.invalidLength) { try v3.decode(text(":4")) }
        #expect(throws: PacketDecodingError.unexpectedEnd) { try v3.decode(text("12")) }
        #expect(throws: PacketDecodingError.lengthMismatch) { try v3.decode(text("2:4😀")) }
        #expect(throws: PacketDecodingError.invalidLength) { try v3.decode(text("123456789012345678901:4")) }
    }

    @Test("the v3 binary payload matches the compliance suite's bytes")
    func v3Binary() throws {
        let bytes: [UInt8] = [0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]
        let packets: [Packet] = [.message("hello"), .message([1, 2, 3, 4])]
        #expect(v3.encodeV3Binary(packets) == bytes)
        #expect(try v3.decodeV3Binary(bytes) == packets)
    }

    @Test("malformed v3 binary payloads are refused with the reason")
    func v3BinaryErrors() throws {
        #expect(throws: PacketDecodingError.invalidMarker(2)) { try v3.decodeV3Binary([2, 1, 255, 52]) }
        #expect(throws: PacketDecodingError.invalidLength) { try v3.decodeV3Binary([0, 255, 52]) }
        #expect(throws: PacketDecodingError.invalidLength) { try v3.decodeV3Binary([0, 10, 255, 52]) }
        #expect(throws: PacketDecodingError.unexpectedEnd) { try v3.decodeV3Binary([0, 5, 255, 52]) }
        #expect(throws: PacketDecodingError.unexpectedEnd) { try v3.decodeV3Binary([0, 5]) }
        #expect(throws: PacketDecodingError.unknownType(9)) { try v3.decodeV3Binary([1, 2, 255, 9, 1]) }
    }
}
