public import EngineIOCore

/// Generators for the package's own values, in canonical form (see `Packet`), for users' properties and ours.
public enum Generators {
    /// Text without the record separator, which v4 payloads cannot carry inside a packet.
    public static func payloadSafeText(maxCount: Int = 24) -> Gen<String> {
        Gen.string(maxCount: maxCount, of: Gen<Unicode.Scalar>.scalar.map { $0 == "\u{1E}" ? "x" : $0 })
    }

    /// Any packet of the protocol, in canonical form.
    public static func packet(maxDataCount: Int = 24) -> Gen<Packet> {
        let text = payloadSafeText(maxCount: maxDataCount)
        let bytes = Gen.bytes(maxCount: maxDataCount)
        let message = Gen.oneOf([text.map(Packet.message), bytes.map(Packet.message)])
        let control = Gen.element(of: PacketType.allCases.filter { $0 != .message }).flatMap { type in
            Gen.oneOf([
                Gen.just(Packet(type)),
                text.map { $0.isEmpty ? Packet(type) : Packet(type, .text($0)) },
            ])
        }
        return Gen.oneOf([message, control])
    }

    /// Up to `maxCount` packets.
    public static func packets(maxCount: Int = 8, maxDataCount: Int = 24) -> Gen<[Packet]> {
        packet(maxDataCount: maxDataCount).array(maxCount: maxCount)
    }

    /// An open packet with plausible values.
    public static let openPacket: Gen<OpenPacket> = Gen { source in
        let sidAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var sid = ""
        for _ in 0..<(1 + Int(source.draw(upTo: 24))) { sid.append(sidAlphabet[Int(source.draw(upTo: 63))]) }
        let upgrades = Gen.element(of: [[], ["websocket"], ["websocket", "webtransport"]]).generate(&source)
        return OpenPacket(
            sid: sid, upgrades: upgrades, pingInterval: Gen.int(in: 0...3_600_000).generate(&source),
            pingTimeout: Gen.int(in: 0...3_600_000).generate(&source),
            maxPayload: Gen.int(in: 1...100_000_000).optional.generate(&source))
    }

    /// JSON values up to `depth` levels deep (only finite numbers, as JSON has no others).
    public static func json(depth: Int = 3) -> Gen<JSONValue> {
        let leaf: Gen<JSONValue> = Gen.oneOf([
            Gen.just(.null),
            Gen.bool.map(JSONValue.bool),
            Gen.int(in: -1_000_000...1_000_000).map(JSONValue.integer),
            Gen.int(in: -1_000_000...1_000_000).map { JSONValue.double(Double($0) / 64) },
            Gen.string(maxCount: 12).map(JSONValue.string),
        ])
        guard depth > 0 else { return leaf }
        let inner = json(depth: depth - 1)
        return Gen.oneOf([
            leaf,
            inner.array(maxCount: 4).map(JSONValue.array),
            Gen.zip(Gen.string(maxCount: 6), inner).array(maxCount: 4).map { pairs in
                JSONValue.object(pairs.map { JSONMember($0.0, $0.1) })
            },
        ])
    }

    /// How to cut a byte stream into chunks: each element is the length of the next chunk (0 means "one byte").
    public static let chunkLengths: Gen<[Int]> = Gen.int(in: 0...64).array(maxCount: 16)
}

extension Array {
    /// `self` cut into consecutive chunks of the given lengths (0 counts as 1), the rest as the last chunk.
    public func chunked(by lengths: [Int]) -> [ArraySlice<Element>] {
        var chunks: [ArraySlice<Element>] = []
        var start = startIndex
        for length in lengths where start < endIndex {
            let end = Swift.min(endIndex, start + Swift.max(1, length))
            chunks.append(self[start..<end])
            start = end
        }
        if start < endIndex { chunks.append(self[start...]) }
        return chunks
    }
}
