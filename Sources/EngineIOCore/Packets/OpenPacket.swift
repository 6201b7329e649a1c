
/// The handshake data of the `open` packet: `0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
public struct OpenPacket: Hashable, Sendable, Codable {
    /// The session ID, which the client names in every later request (`sid=`); decoding requires it non-empty.
    public var sid: String
    /// Transport names the client may upgrade to. Strings, not `Transport`, so a name we do not know (such as
    /// `webtransport`) survives decoding.
    public var upgrades: [String]
    /// Milliseconds.
    public var pingInterval: Int
    /// Milliseconds.
    public var pingTimeout: Int
    /// Bytes; v3 servers may leave it out.
    public var maxPayload: Int?

    /// A handshake with these values, stored as given (intervals in milliseconds, `maxPayload` in bytes).
    public init(sid: String, upgrades: [String], pingInterval: Int, pingTimeout: Int, maxPayload: Int?) {
        self.sid = sid
        self.upgrades = upgrades
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
    }

    /// The upgrades that name transports we know.
    public var upgradeTransports: [Transport] { upgrades.compactMap(Transport.init(rawValue:)) }

    /// The JSON object, with keys in the JavaScript reference's order.
    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember(OpenPacketField.sid.rawValue, .string(sid)),
            JSONMember(OpenPacketField.upgrades.rawValue, .array(upgrades.map(JSONValue.string))),
            JSONMember(OpenPacketField.pingInterval.rawValue, .integer(pingInterval)),
            JSONMember(OpenPacketField.pingTimeout.rawValue, .integer(pingTimeout)),
        ]
        if let maxPayload { members.append(JSONMember(OpenPacketField.maxPayload.rawValue, .integer(maxPayload))) }
        return .object(members)
    }

    /// The `open` packet carrying this handshake.
    public var packet: Packet { Packet(.open, .text(jsonText)) }

    /// `json` as text. A server's sids and transport names are plain ASCII, which JSON writes as it is: then the
    /// text is put together directly (the same bytes, without building the JSON value and walking it, which was
    /// about a tenth of a WebSocket handshake's time in the reducers); anything else goes through the serializer.
    var jsonText: String {
        guard Self.isPlain(sid), upgrades.allSatisfy(Self.isPlain) else { return JSONSerializer.string(json) }
        var text: [UInt8] = []
        text.reserveCapacity(96 + sid.utf8.count + upgrades.count * 16)
        text.append(contentsOf: #"{"sid":""#.utf8)
        text.append(contentsOf: sid.utf8)
        text.append(contentsOf: #"","upgrades":["#.utf8)
        for (index, upgrade) in upgrades.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "\""))
            text.append(contentsOf: upgrade.utf8)
            text.append(UInt8(ascii: "\""))
        }
        text.append(contentsOf: #"],"pingInterval":"#.utf8)
        text.append(contentsOf: String(pingInterval).utf8)
        text.append(contentsOf: #","pingTimeout":"#.utf8)
        text.append(contentsOf: String(pingTimeout).utf8)
        if let maxPayload {
            text.append(contentsOf: #","maxPayload":"#.utf8)
            text.append(contentsOf: String(maxPayload).utf8)
        }
        text.append(UInt8(ascii: "}"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Printable ASCII that JSON needs no escape for (no quote, no backslash).
    private static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// Reads the handshake leniently, as clients must: numbers may arrive as integers, floats or numeric strings
    /// (some servers send strings), and keys may come in any order; unknown keys are ignored.
    public init(json text: String) throws(OpenPacketError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw .notJSON
        }
        guard case .object = value else { throw .notAnObject }
        guard case .string(let sid)? = value[OpenPacketField.sid.rawValue], !sid.isEmpty else {
            throw .invalidField(OpenPacketField.sid.rawValue)
        }
        var upgrades: [String] = []
        switch value[OpenPacketField.upgrades.rawValue] {
        case .array(let items)?:
            for item in items {
                guard let name = item.stringValue else { throw .invalidField(OpenPacketField.upgrades.rawValue) }
                upgrades.append(name)
            }
        case nil, .null?:
            break  // lenient: treat as no upgrades
        default:
            throw .invalidField(OpenPacketField.upgrades.rawValue)
        }
        self.sid = sid
        self.upgrades = upgrades
        self.pingInterval = try Self.number(value, .pingInterval)
        self.pingTimeout = try Self.number(value, .pingTimeout)
        self.maxPayload = value[OpenPacketField.maxPayload.rawValue] == nil ? nil : try Self.number(value, .maxPayload)
    }

    /// Reads the handshake from an `open` packet.
    public init(packet: Packet) throws(OpenPacketError) {
        guard packet.type == .open else { throw .notAnOpenPacket }
        guard case .text(let text) = packet.data else { throw .notJSON }
        try self.init(json: text)
    }

    private static func number(_ object: JSONValue, _ field: OpenPacketField) throws(OpenPacketError) -> Int {
        let number: Double? =
            switch object[field.rawValue] {
            case .integer(let value)?: Double(value)
            case .double(let value)?: value
            case .string(let text)?: Double(text.trimmingASCIIWhitespace())
            default: nil
            }
        guard let number, number.isFinite, number >= 0, number < 1e15 else { throw .invalidField(field.rawValue) }
        return Int(number.rounded())
    }
}

/// Why an open packet could not be read.
public enum OpenPacketError: Error, Hashable, Sendable {
    /// The packet's type is not `open`.
    case notAnOpenPacket
    /// The packet's data is not text, or the text is not JSON.
    case notJSON
    /// The JSON is not an object.
    case notAnObject
    /// A required field is missing or has a value of the wrong kind.
    case invalidField(String)
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
