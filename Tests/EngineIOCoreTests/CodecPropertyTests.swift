import EngineIOCore
import EngineIOWire
import EngineIOSpec
import EngineIOTesting
import Testing

/// Round trips and robustness of every Engine.IO codec, 1000+ seeded cases each (EIO_PROPERTY_SEED reproduces).
@Suite("Codec properties")
struct CodecPropertyTests {
    static let cases = 1_000

    @Test("every packet survives the text form in both versions")
    func packetTextRoundTrip() throws {
        for codec in [PacketCodec.v4, PacketCodec.v3] {
            try Property("packet text round trip \(codec.version)", Generators.packet()) { packet in
                try ensureEqual(try codec.decodeText(codec.encodeText(packet)), packet)
            }.check(cases: Self.cases)
        }
    }

    @Test("every packet survives the WebSocket form in both versions, with and without b64")
    func packetWebSocketRoundTrip() throws {
        for codec in [PacketCodec.v4, PacketCodec.v3] {
            try Property("packet WebSocket round trip \(codec.version)", Gen.zip(Generators.packet(), Gen.bool)) { packet, base64 in
                let decoded =
                    switch codec.encodeWebSocket(packet, base64: base64) {
                    case .text(let bytes): try codec.decodeWebSocketText(bytes)
                    case .binary(let bytes): try codec.decodeWebSocketBinary(bytes)
                    }
                try ensureEqual(decoded, packet)
            }.check(cases: Self.cases)
        }
    }

    @Test("every packet list survives the v4, v3 text and v3 binary payloads")
    func payloadRoundTrip() throws {
        try Property("v4 payload round trip", Generators.packets()) { packets in
            let codec = PayloadCodec(version: .v4)
            try ensureEqual(try codec.decode(codec.encode(packets)), packets)
        }.check(cases: Self.cases)
        try Property("v3 text payload round trip", Generators.packets()) { packets in
            let codec = PayloadCodec(version: .v3)
            try ensureEqual(try codec.decode(codec.encode(packets)), packets)
        }.check(cases: Self.cases)
        try Property("v3 binary payload round trip", Generators.packets()) { packets in
            let codec = PayloadCodec(version: .v3)
            try ensureEqual(try codec.decodeV3Binary(codec.encodeV3Binary(packets)), packets)
        }.check(cases: Self.cases)
    }

    @Test("random bytes decode to packets or a typed error, and what decodes re-encodes to the same packets")
    func arbitraryBytes() throws {
        try Property("payload decoders on arbitrary bytes", Gen.bytes(maxCount: 64)) { bytes in
            for version in [ProtocolVersion.v4, .v3] {
                let codec = PayloadCodec(version: version)
                if let packets = try? codec.decode(bytes) {
                    try ensureEqual(try codec.decode(codec.encode(packets)), packets, "text payload \(version)")
                }
                if let packets = try? codec.decodeV3Binary(bytes) {
                    try ensureEqual(try codec.decodeV3Binary(codec.encodeV3Binary(packets)), packets, "binary payload")
                }
            }
        }.check(cases: Self.cases * 5)
    }

    @Test("open packets survive encoding")
    func openPacketRoundTrip() throws {
        try Property("open packet round trip", Generators.openPacket) { open in
            try ensureEqual(try OpenPacket(packet: open.packet), open)
        }.check(cases: Self.cases)
    }
}
