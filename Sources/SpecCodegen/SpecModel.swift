import EngineIOJSON

/// The validated contents of `Spec/engineio.json`. See `Spec/README.md` for the schema.
public struct Spec: Equatable, Sendable {
    public struct Version: Equatable, Sendable { public var number: Int; public var swift: String; public var doc: String }
    public struct PacketKind: Equatable, Sendable {
        public var id: Int; public var name: String; public var swift: String
        public var versions: [Int]; public var direction: String; public var doc: String
    }
    public struct TransportKind: Equatable, Sendable { public var name: String; public var swift: String; public var doc: String }
    public struct OpenPacketField: Equatable, Sendable {
        public var key: String; public var swift: String; public var type: String
        public var unit: String?; public var required: Bool; public var doc: String
    }
    public struct HandshakeError: Equatable, Sendable {
        public var swift: String; public var code: Int; public var message: String; public var httpStatus: Int
        public var pythonMessage: String?; public var pythonHTTPStatus: Int?; public var doc: String
    }
    public struct DisconnectReason: Equatable, Sendable {
        public var swift: String; public var reason: String; public var python: String?
        public var raisedByServer: Bool; public var raisedByClient: Bool; public var doc: String
    }
    public struct Constant: Equatable, Sendable { public var swift: String; public var type: String; public var value: JSONValue; public var doc: String }
    public struct EnumCase: Equatable, Sendable { public var swift: String; public var value: String; public var doc: String }
    public struct Enumeration: Equatable, Sendable { public var swift: String; public var doc: String; public var cases: [EnumCase] }

    /// The value domain of an option.
    public enum OptionType: Equatable, Sendable {
        case bool, int, double, string, strings, stringMap, transports
        case enumeration(String)
        case custom(String)

        var isNumeric: Bool { self == .int || self == .double }
    }

    public struct Range: Equatable, Sendable {
        public var min: Double?; public var max: Double?; public var minExclusive: Bool
    }

    public struct Option: Equatable, Sendable {
        public var swift: String
        public var python: String?
        public var pythonDefault: String?
        public var type: OptionType
        public var optional: Bool
        public var unit: String?
        /// The default as JSON, for non-custom types (`nil` when the option is a required argument).
        public var defaultValue: JSONValue?
        /// The default as a Swift expression, for custom types.
        public var swiftDefault: String?
        public var range: Range?
        public var isArgument: Bool
        public var isRequired: Bool
        public var doc: String
        /// Whether the set's command-line flags include this option: every plain-typed field unless the spec says
        /// `"commandLine": false`; a custom type only with `"commandLine": true` (its Swift type then parses a flag's
        /// text through `CommandLineArgument`).
        public var commandLine: Bool = false
    }

    public struct OptionSet: Equatable, Sendable {
        public var swift: String; public var python: [String]; public var doc: String; public var options: [Option]
        /// Classes of the `EngineIO` module that get a generated `convenience init` taking every option as a
        /// parameter (python's `Server(ping_interval=…)`); each must have `init(options:)`.
        public var initializers: [String] = []
        /// Whether `eio` takes these options as flags (`"commandLine": true` on the set).
        public var commandLine = false
    }

    public var versions: [Version]
    public var packetTypes: [PacketKind]
    public var transports: [TransportKind]
    public var openPacketFields: [OpenPacketField]
    public var handshakeErrors: [HandshakeError]
    public var disconnectReasons: [DisconnectReason]
    public var framing: [Constant]
    public var enums: [Enumeration]
    public var optionSets: [OptionSet]
}
