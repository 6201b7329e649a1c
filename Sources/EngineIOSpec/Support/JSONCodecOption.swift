public import EngineIOJSON

/// Encodes and decodes the JSON that messages carry when the application sends or receives structured values.
public protocol JSONCodec: Sendable {
    func encode(_ value: JSONValue) -> String
    /// The value of `text`, or `nil` when it is not JSON.
    func decode(_ text: String) -> JSONValue?
}

/// python's `json`: the codec for structured message values. python swaps the module process-wide; here it is per
/// server or client.
public enum JSONCodecOption: Sendable {
    /// Compact JSON with non-ASCII characters escaped, as python's `json.dumps` writes it.
    case standard
    case custom(any JSONCodec)

    public var codec: any JSONCodec {
        switch self {
        case .standard: StandardJSONCodec()
        case .custom(let codec): codec
        }
    }

    public func validate(option: String) throws(OptionError) {}
}

/// The built-in codec: `EngineIOJSON`, ASCII-escaped output like python's default.
public struct StandardJSONCodec: JSONCodec {
    public init() {}

    public func encode(_ value: JSONValue) -> String { JSONSerializer.string(value, asciiOnly: true) }

    public func decode(_ text: String) -> JSONValue? { try? JSONParser.parse(text) }
}
