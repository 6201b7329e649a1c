
/// Encodes and decodes polling payloads (HTTP bodies holding several packets).
///
/// v4: the text forms joined by the record separator `\x1e`, nothing else.
/// v3 text: `<length>:<packet>` repeated, where the length counts UTF-16 code units of the packet's text (what a
/// JavaScript string's `length` says). v3 binary (for clients that did not ask for `b64`): per packet a marker byte
/// (0 string, 1 binary), the decimal digits of the byte length as byte values 0...9, `0xFF`, then the bytes.
public struct PayloadCodec: Sendable, Hashable {
    /// The protocol version whose payload format the codec reads and writes: v4 records, or v3 length prefixes.
    public var version: ProtocolVersion
    /// Payloads with more packets are refused, so one request cannot queue unbounded work. python-engineio's hidden
    /// limit of 16 silently lost bursts; our default has no practical limit and callers may lower it.
    public var maxPackets: Int

    /// The codec for `version`, whose decoders refuse payloads of more than `maxPackets` packets (no limit by
    /// default); encoding is never limited.
    public init(version: ProtocolVersion, maxPackets: Int = Int.max) {
        self.version = version
        self.maxPackets = maxPackets
    }

    private var packets: PacketCodec { PacketCodec(version: version) }

    /// Longest v3 length prefix accepted (the JavaScript parser's own bound is 310 digits; a body can never be
    /// that long, so 20 is plenty).
    static let maxLengthDigits = 20

    // MARK: text payloads

    /// The text payload for `packets` (v4 records, or v3 length-prefixed packets).
    public func encode(_ list: [Packet]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(list.reduce(0) { $0 + $1.dataByteCount + 2 })
        switch version {
        case .v4:
            for (index, packet) in list.enumerated() {
                if index > 0 { output.append(Framing.recordSeparator) }
                packets.encodeText(packet, into: &output)
            }
        case .v3:
            if list.isEmpty { output.append(contentsOf: "0:".utf8) }
            for packet in list {
                let text = packets.encodeText(packet)
                let units = utf16Count(text)
                output.append(contentsOf: String(units).utf8)
                output.append(Framing.v3LengthSeparator)
                output.append(contentsOf: text)
            }
        }
        return output
    }

    /// Decodes a text payload. An empty body is an empty list (python-engineio accepts it too).
    public func decode(_ body: [UInt8]) throws(PacketDecodingError) -> [Packet] {
        switch version {
        case .v4: try decodeV4(body)
        case .v3: try decodeV3Text(body)
        }
    }

    private func decodeV4(_ body: [UInt8]) throws(PacketDecodingError) -> [Packet] {
        guard !body.isEmpty else { return [] }
        var result: [Packet] = []
        var start = body.startIndex
        // 0x1E never occurs inside a multi-byte UTF-8 sequence, so splitting bytes is splitting characters.
        while true {
            let end = body[start...].firstIndex(of: Framing.recordSeparator) ?? body.endIndex
            guard result.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
            result.append(try packets.decodeText(body[start..<end]))
            guard end < body.endIndex else { return result }
            start = end + 1
        }
    }

    private func decodeV3Text(_ body: [UInt8]) throws(PacketDecodingError) -> [Packet] {
        var result: [Packet] = []
        var index = body.startIndex
        while index < body.endIndex {
            var length = 0
            var digits = 0
            while true {
                guard index < body.endIndex else { throw .unexpectedEnd }
                let byte = body[index]
                index += 1
                if byte == Framing.v3LengthSeparator { break }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < Self.maxLengthDigits else {
                    throw .invalidLength
                }
                length = length &* 10 &+ Int(byte - UInt8(ascii: "0"))
                digits += 1
            }
            guard digits > 0 else { throw .invalidLength }
            let end = try endOfUTF16Units(length, in: body, from: index)
            if end > index {
                guard result.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
                result.append(try packets.decodeText(body[index..<end]))
            } else if !(result.isEmpty && end == body.endIndex) {
                throw .emptyPacket  // only the whole payload `0:` may be empty
            }
            index = end
        }
        return result
    }

    /// The byte index where `units` UTF-16 code units of UTF-8 text starting at `start` end.
    private func endOfUTF16Units(_ units: Int, in body: [UInt8], from start: Int) throws(PacketDecodingError) -> Int {
        var remaining = units
        var index = start
        while remaining > 0 {
            guard index < body.endIndex else { throw .unexpectedEnd }
            let lead = body[index]
            let (width, weight): (Int, Int) =
                switch lead {
                case 0x00..<0x80: (1, 1)
                case 0xC2..<0xE0: (2, 1)
                case 0xE0..<0xF0: (3, 1)
                case 0xF0..<0xF5: (4, 2)
                default: throw .invalidUTF8
                }
            guard weight <= remaining else { throw .lengthMismatch }  // the prefix splits a surrogate pair
            guard index + width <= body.endIndex else { throw .unexpectedEnd }
            index += width
            remaining -= weight
        }
        return index
    }

    private func utf16Count(_ utf8: [UInt8]) -> Int {
        var count = 0
        for byte in utf8 {
            if byte & 0xC0 != 0x80 { count += byte >= 0xF0 ? 2 : 1 }
        }
        return count
    }

    // MARK: v3 binary payloads

    /// The v3 binary payload for `packets`: strings as UTF-8, binary messages as their type byte then data.
    public func encodeV3Binary(_ list: [Packet]) -> [UInt8] {
        var output: [UInt8] = []
        for packet in list {
            let isBinary: Bool
            let bytes: [UInt8]
            if case .binary(let data) = packet.data {
                isBinary = true
                bytes = [packet.type.rawValue] + data
            } else {
                isBinary = false
                bytes = packets.encodeText(packet)
            }
            output.append(isBinary ? Framing.v3BinaryMarker : Framing.v3StringMarker)
            for digit in String(bytes.count).utf8 { output.append(digit - UInt8(ascii: "0")) }
            output.append(Framing.v3BinaryLengthTerminator)
            output.append(contentsOf: bytes)
        }
        return output
    }

    /// Decodes a v3 binary payload (a v3 client's POST with `Content-Type: application/octet-stream`).
    public func decodeV3Binary(_ body: [UInt8]) throws(PacketDecodingError) -> [Packet] {
        var result: [Packet] = []
        var index = body.startIndex
        while index < body.endIndex {
            let marker = body[index]
            guard marker == Framing.v3StringMarker || marker == Framing.v3BinaryMarker else { throw .invalidMarker(marker) }
            index += 1
            var length = 0
            var digits = 0
            while true {
                guard index < body.endIndex else { throw .unexpectedEnd }
                let byte = body[index]
                index += 1
                if byte == Framing.v3BinaryLengthTerminator { break }
                guard byte <= 9, digits < Self.maxLengthDigits else { throw .invalidLength }
                length = length &* 10 &+ Int(byte)
                digits += 1
            }
            guard digits > 0, length > 0 else { throw .invalidLength }
            guard length <= body.endIndex - index else { throw .unexpectedEnd }
            let bytes = body[index..<(index + length)]
            index += length
            guard result.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
            if marker == Framing.v3StringMarker {
                result.append(try packets.decodeText(bytes))
            } else {
                guard let type = PacketType(rawValue: bytes[bytes.startIndex]) else { throw .unknownType(bytes[bytes.startIndex]) }
                result.append(Packet(type, .binary(Array(bytes.dropFirst()))))
            }
        }
        return result
    }
}
