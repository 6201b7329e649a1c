import EngineIOCore
import EngineIOJSON
import EngineIOSpec
import EngineIOWire

/// The invariants each parser must keep on arbitrary input, shared by the libFuzzer binaries
/// (`Tests/Fuzz/run.sh`) and the regression test that replays saved crashers.
///
/// A target returns `nil` when the invariant holds and a description when it does not; the fuzzer entry point traps
/// on a description so libFuzzer saves the input. Every target also relies on the parser never trapping by itself.
public enum FuzzTargets {
    public typealias Target = @Sendable ([UInt8]) -> String?

    /// Every target by name, as the fuzz script and the crasher folders name them.
    public static let all: [String: Target] = {
        var targets: [String: Target] = [
            "packet-v4": { packetText($0, .v4) },
            "packet-v3": { packetText($0, .v3) },
            "payload-v4": { payloadText($0, .v4) },
            "payload-v3": { payloadText($0, .v3) },
            "payload-v3-binary": payloadV3Binary,
            "open-packet": openPacket,
            "json": json,
            "base64": base64,
        ]
        for (name, target) in wireTargets { targets[name] = target }
        return targets
    }()

    /// Runs a target by name; `nil` when the name is unknown too, so check `all` first.
    public static func run(_ name: String, _ bytes: [UInt8]) -> String? { all[name]?(bytes) }

    static func packetText(_ bytes: [UInt8], _ version: ProtocolVersion) -> String? {
        let codec = PacketCodec(version: version)
        guard let packet = try? codec.decodeText(bytes) else { return nil }
        let again = try? codec.decodeText(codec.encodeText(packet))
        return again == packet ? nil : "packet \(packet) re-decoded as \(String(describing: again))"
    }

    static func payloadText(_ bytes: [UInt8], _ version: ProtocolVersion) -> String? {
        let codec = PayloadCodec(version: version)
        guard let packets = try? codec.decode(bytes) else { return nil }
        let again = try? codec.decode(codec.encode(packets))
        return again == packets ? nil : "payload \(packets) re-decoded as \(String(describing: again))"
    }

    static func payloadV3Binary(_ bytes: [UInt8]) -> String? {
        let codec = PayloadCodec(version: .v3)
        guard let packets = try? codec.decodeV3Binary(bytes) else { return nil }
        let again = try? codec.decodeV3Binary(codec.encodeV3Binary(packets))
        return again == packets ? nil : "binary payload \(packets) re-decoded as \(String(describing: again))"
    }

    static func openPacket(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self), let open = try? OpenPacket(json: text) else { return nil }
        let again = try? OpenPacket(packet: open.packet)
        return again == open ? nil : "open packet \(open) re-decoded as \(String(describing: again))"
    }

    static func json(_ bytes: [UInt8]) -> String? {
        guard let value = try? JSONParser.parse(bytes) else { return nil }
        for asciiOnly in [false, true] {
            var text: [UInt8] = []
            JSONSerializer.serialize(value, asciiOnly: asciiOnly, into: &text)
            let again = try? JSONParser.parse(text)
            if again != value { return "JSON \(value) re-parsed as \(String(describing: again))" }
        }
        return nil
    }

    static func base64(_ bytes: [UInt8]) -> String? {
        guard let decoded = Base64.decode(bytes) else { return nil }
        let again = Base64.decode(Base64.encode(decoded).utf8)
        return again == decoded ? nil : "base64 \(decoded) re-decoded as \(String(describing: again))"
    }
}
