import EngineIOJSON

/// One file the generator writes, relative to the output folder (`Generated/` or the plugin's work folder).
public struct GeneratedFile: Equatable, Sendable {
    public var path: String
    public var contents: String
}

/// Renders the spec as Swift sources and the API table.
///
/// The output is a pure function of the spec: spec order, fixed indentation, no dates or absolute paths, so the
/// committed `Generated/` can be compared byte for byte with a fresh rendering.
public enum SpecRenderer {
    /// The Swift files the build plugin must declare, in the order they are rendered.
    public static let swiftFiles = [
        "EngineIOSpec/Protocol.swift", "EngineIOSpec/Errors.swift", "EngineIOSpec/Enums.swift", "EngineIOSpec/Options.swift",
        "EngineIOSpec/CommandLine.swift", "EngineIO/Initializers.swift",
    ]
    /// The Markdown table of python names → Swift names.
    public static let apiTable = "API.md"

    public static let regenerateCommand = "swift package --allow-writing-to-package-directory regenerate-spec"

    /// Every generated file: the Swift sources, then `API.md`.
    public static func render(_ spec: Spec) -> [GeneratedFile] {
        [
            GeneratedFile(path: swiftFiles[0], contents: renderProtocol(spec)),
            GeneratedFile(path: swiftFiles[1], contents: renderErrors(spec)),
            GeneratedFile(path: swiftFiles[2], contents: renderEnums(spec)),
            GeneratedFile(path: swiftFiles[3], contents: OptionsRenderer(spec: spec).render()),
            GeneratedFile(path: swiftFiles[4], contents: CommandLineRenderer(spec: spec).render()),
            GeneratedFile(path: swiftFiles[5], contents: OptionsRenderer(spec: spec).renderInitializers()),
            GeneratedFile(path: apiTable, contents: APITableRenderer(spec: spec).render()),
        ]
    }

    static func header(_ writer: inout SwiftWriter) {
        writer.line("// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.")
        writer.line("// Regenerate with: \(regenerateCommand)")
        writer.line()
    }

    /// `public var name: Type { switch self { case .a: value … } }`
    static func switchProperty<Item>(
        _ writer: inout SwiftWriter, doc: String, name: String, type: String, items: [Item],
        caseName: (Item) -> String, value: (Item) -> String
    ) {
        writer.line()
        writer.doc(doc)
        writer.block("public var \(name): \(type)") { body in
            body.block("switch self") { cases in
                for item in items { cases.line("case .\(SwiftNames.escaped(caseName(item))): \(value(item))") }
            }
        }
    }

    static func optionalLiteral(_ text: String?) -> String { text.map(SwiftNames.literal) ?? "nil" }

    // MARK: Protocol.swift

    static func renderProtocol(_ spec: Spec) -> String {
        var w = SwiftWriter()
        header(&w)
        w.doc("The Engine.IO protocol revisions this package speaks, by their `EIO` query value.")
        w.block("public enum ProtocolVersion: Int, Sendable, Hashable, Codable, CaseIterable") { body in
            for version in spec.versions {
                body.doc(version.doc)
                body.line("case \(SwiftNames.escaped(version.swift)) = \(version.number)")
            }
        }
        w.line()
        w.doc("The Engine.IO packet types. On the wire a text packet is this digit followed by its data.")
        w.block("public enum PacketType: UInt8, Sendable, Hashable, Codable, CaseIterable") { body in
            for packet in spec.packetTypes {
                body.doc(packet.doc)
                body.line("case \(SwiftNames.escaped(packet.swift)) = \(packet.id)")
            }
            switchProperty(
                &body, doc: "The name the protocol documents use.", name: "name", type: "String", items: spec.packetTypes,
                caseName: \.swift, value: { SwiftNames.literal($0.name) })
            switchProperty(
                &body, doc: "Who sends it.", name: "direction", type: "String", items: spec.packetTypes, caseName: \.swift,
                value: { SwiftNames.literal($0.direction) })
            switchProperty(
                &body, doc: "The protocol revisions that define it.", name: "versions", type: "[ProtocolVersion]",
                items: spec.packetTypes, caseName: \.swift,
                value: { packet in
                    "[" + packet.versions.map { number in
                        ".\(SwiftNames.escaped(spec.versions.first { $0.number == number }!.swift))"
                    }.joined(separator: ", ") + "]"
                })
            body.line()
            body.doc("The ASCII digit that starts the packet's text encoding.")
            body.line("@inlinable public var digit: UInt8 { 0x30 &+ rawValue }")
            body.line()
            body.doc("The packet type an ASCII digit stands for, if any.")
            body.block("@inlinable public init?(digit: UInt8)") { initializer in
                initializer.line("guard digit >= 0x30 else { return nil }")
                initializer.line("self.init(rawValue: digit &- 0x30)")
            }
        }
        w.line()
        w.doc("The transports a session can use.")
        w.block("public enum Transport: String, Sendable, Hashable, Codable, CaseIterable") { body in
            for transport in spec.transports {
                body.doc(transport.doc)
                body.line("case \(SwiftNames.escaped(transport.swift)) = \(SwiftNames.literal(transport.name))")
            }
        }
        w.line()
        w.doc("The keys of the JSON object in the open packet.")
        w.block("public enum OpenPacketField: String, Sendable, Hashable, Codable, CaseIterable") { body in
            for field in spec.openPacketFields {
                body.doc(field.doc)
                body.line("case \(SwiftNames.escaped(field.swift)) = \(SwiftNames.literal(field.key))")
            }
            switchProperty(
                &body, doc: "The JSON type: `string`, `int` or `strings`.", name: "valueType", type: "String",
                items: spec.openPacketFields, caseName: \.swift, value: { SwiftNames.literal($0.type) })
            switchProperty(
                &body, doc: "The unit of a number (`ms`, `bytes`), if any.", name: "unit", type: "String?",
                items: spec.openPacketFields, caseName: \.swift, value: { optionalLiteral($0.unit) })
            switchProperty(
                &body, doc: "Whether a peer must send it.", name: "isRequired", type: "Bool", items: spec.openPacketFields,
                caseName: \.swift, value: { $0.required ? "true" : "false" })
        }
        w.line()
        w.doc("Constants of the wire format.")
        w.block("public enum Framing") { body in
            for (position, constant) in spec.framing.enumerated() {
                if position > 0 { body.line() }
                body.doc(constant.doc)
                let type: String, value: String
                switch constant.value {
                case .integer(let number):
                    type = constant.type == "uint8" ? "UInt8" : "Int"
                    value = String(number)
                case .string(let text):
                    type = "String"
                    value = SwiftNames.literal(text)
                default:
                    preconditionFailure("the loader admits only integers and strings")
                }
                body.line("public static let \(SwiftNames.escaped(constant.swift)): \(type) = \(value)")
            }
        }
        return w.text
    }

    // MARK: Errors.swift

    static func renderErrors(_ spec: Spec) -> String {
        var w = SwiftWriter()
        header(&w)
        w.doc("Why the server refused an HTTP request or WebSocket before (or instead of) serving a session.")
        w.doc("")
        w.doc("The raw value is the JavaScript reference's error code, which its clients surface to applications.")
        w.block("public enum HandshakeError: Int, Error, Sendable, Hashable, Codable, CaseIterable") { body in
            for error in spec.handshakeErrors {
                body.doc(error.doc)
                body.line("case \(SwiftNames.escaped(error.swift)) = \(error.code)")
            }
            switchProperty(
                &body, doc: "The message of the JSON error body.", name: "message", type: "String",
                items: spec.handshakeErrors, caseName: \.swift, value: { SwiftNames.literal($0.message) })
            switchProperty(
                &body, doc: "The HTTP status of the response.", name: "httpStatus", type: "Int", items: spec.handshakeErrors,
                caseName: \.swift, value: { String($0.httpStatus) })
            switchProperty(
                &body, doc: "What python-engineio says in the same situation, if it has such an error.", name: "pythonMessage",
                type: "String?", items: spec.handshakeErrors, caseName: \.swift, value: { optionalLiteral($0.pythonMessage) })
            switchProperty(
                &body, doc: "The status python-engineio answers with, if it has such an error.", name: "pythonHTTPStatus",
                type: "Int?", items: spec.handshakeErrors, caseName: \.swift,
                value: { $0.pythonHTTPStatus.map(String.init) ?? "nil" })
        }
        w.line()
        w.doc("Why a session ended, as given to `disconnect` handlers. The raw value is the reason string.")
        w.block("public enum DisconnectReason: String, Error, Sendable, Hashable, Codable, CaseIterable") { body in
            for reason in spec.disconnectReasons {
                body.doc(reason.doc)
                body.line("case \(SwiftNames.escaped(reason.swift)) = \(SwiftNames.literal(reason.reason))")
            }
            switchProperty(
                &body, doc: "The constant's name in python-engineio's `reason` class, if python has it.", name: "pythonName",
                type: "String?", items: spec.disconnectReasons, caseName: \.swift, value: { optionalLiteral($0.python) })
            switchProperty(
                &body, doc: "Whether a server raises it.", name: "isRaisedByServer", type: "Bool", items: spec.disconnectReasons,
                caseName: \.swift, value: { $0.raisedByServer ? "true" : "false" })
            switchProperty(
                &body, doc: "Whether a client raises it.", name: "isRaisedByClient", type: "Bool", items: spec.disconnectReasons,
                caseName: \.swift, value: { $0.raisedByClient ? "true" : "false" })
        }
        return w.text
    }

    // MARK: Enums.swift

    static func renderEnums(_ spec: Spec) -> String {
        var w = SwiftWriter()
        header(&w)
        for (position, enumeration) in spec.enums.enumerated() {
            if position > 0 { w.line() }
            w.doc(enumeration.doc)
            w.block("public enum \(enumeration.swift): String, Sendable, Hashable, Codable, CaseIterable") { body in
                for item in enumeration.cases {
                    body.doc(item.doc)
                    body.line("case \(SwiftNames.escaped(item.swift)) = \(SwiftNames.literal(item.value))")
                }
            }
        }
        return w.text
    }
}
