import EngineIOCore
import EngineIOWire
import EngineIOSpec
import Testing

@Suite("Packet codec")
struct PacketCodecTests {
    private func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    @Test("a text message encodes as its digit followed by the text")
    func textMessage() throws {
        #expect(PacketCodec.v4.encodeText(.message("hello")) == text("4hello"))
        #expect(PacketCodec.v4.encodeText(.probePing) == text("2probe"))
        #expect(PacketCodec.v4.encodeText(.noop) == text("6"))
    }

    @Test("v4 binary data in text is b and base64, v3 puts the type digit after the b")
    func binaryInText() throws {
        #expect(PacketCodec.v4.encodeText(.message([1, 2, 3, 4])) == text("bAQIDBA=="))
        #expect(PacketCodec.v3.encodeText(.message([1, 2, 3, 4])) == text("b4AQIDBA=="))
        #expect(try PacketCodec.v4.decodeText(text("bAQIDBA==")) == .message([1, 2, 3, 4]))
        #expect(try PacketCodec.v3.decodeText(text("b4AQIDBA==")) == .message([1, 2, 3, 4]))
    }

    @Test("a v4 base64 record that starts with 4 is not mistaken for v3")
    func v4Base64StartingWithFour() throws {
        // base64 of [0xE3, 0x80, 0x80] is "44CA": v4 must read all of it as base64.
        #expect(try PacketCodec.v4.decodeText(text("b44CA")) == .message([0xE3, 0x80, 0x80]))
    }

    @Test("a bare message digit is the empty text message and other bare digits carry no data")
    func bareDigits() throws {
        #expect(try PacketCodec.v4.decodeText(text("4")) == .message(""))
        #expect(try PacketCodec.v4.decodeText(text("2")) == .ping)
        #expect(try PacketCodec.v4.decodeText(text("3probe")) == .probePong)
    }

    @Test("data is opaque: whitespace, newlines and JSON are kept as they are")
    func opaqueData() throws {
        #expect(try PacketCodec.v4.decodeText(text("4 a\nb ")) == .message(" a\nb "))
        #expect(try PacketCodec.v4.decodeText(text("4{\"a\":1}")) == .message("{\"a\":1}"))
        #expect(try PacketCodec.v4.decodeText(text("52")) == Packet(.upgrade, .text("2")))
    }

    @Test("bad packets are refused with the reason")
    func badPackets() throws {
        #expect(throws: PacketDecodingError.emptyPacket) { try PacketCodec.v4.decodeText([]) }
        #expect(throws: PacketDecodingError.unknownType(UInt8(ascii: "a"))) { try PacketCodec.v4.decodeText(text("abc")) }
        #expect(throws: PacketDecodingError.unknownType(UInt8(ascii: "7"))) { try PacketCodec.v4.decodeText(text("7")) }
        #expect(throws: PacketDecodingError.invalidUTF8) { try PacketCodec.v4.decodeText([0x34, 0xFF]) }
        #expect(throws: PacketDecodingError.invalidBase64) { try PacketCodec.v4.decodeText(text("b!!")) }
        #expect(throws: PacketDecodingError.unknownType(UInt8(ascii: "x"))) { try PacketCodec.v3.decodeText(text("bxAQ==")) }
    }

    @Test("WebSocket binary frames carry raw bytes in v4 and a leading type byte in v3")
    func webSocketBinary() throws {
        #expect(PacketCodec.v4.encodeWebSocket(.message([1, 2, 3, 4])) == .binary([1, 2, 3, 4]))
        #expect(PacketCodec.v3.encodeWebSocket(.message([1, 2, 3, 4])) == .binary([4, 1, 2, 3, 4]))
        #expect(PacketCodec.v4.encodeWebSocket(.message([1, 2, 3, 4]), base64: true) == .text(text("bAQIDBA==")))
        #expect(PacketCodec.v4.encodeWebSocket(.message("hi")) == .text(text("4hi")))
        #expect(try PacketCodec.v4.decodeWebSocketBinary([4, 1, 2]) == .message([4, 1, 2]))
        #expect(try PacketCodec.v3.decodeWebSocketBinary([4, 1, 2]) == .message([1, 2]))
        #expect(throws: PacketDecodingError.emptyPacket) { try PacketCodec.v3.decodeWebSocketBinary([]) }
        #expect(throws: PacketDecodingError.unknownType(9)) { try PacketCodec.v3.decodeWebSocketBinary([9, 1]) }
    }
}
