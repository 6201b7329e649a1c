import EngineIOJSON

extension Spec {
    /// Parses and validates the spec. `file` names it in diagnostics.
    public init(json: [UInt8], file: String) throws(SpecError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw SpecError(file: file, path: "", message: error.description)
        }
        var root = try SpecNode(file: file, path: "", value: document)
        var loader = SpecLoader()
        try loader.load(&root)
        try root.finish()
        self = loader.spec
    }
}

/// Reads each section, then checks what spans sections (references, uniqueness).
private struct SpecLoader {
    var spec = Spec(
        versions: [], packetTypes: [], transports: [], openPacketFields: [], handshakeErrors: [],
        disconnectReasons: [], framing: [], enums: [], optionSets: []
    )

    mutating func load(_ root: inout SpecNode) throws(SpecError) {
        // "$comment" lets the spec explain itself; it is the one key with no meaning.
        _ = root.raw("$comment")
        try loadVersions(&root)
        try loadPacketTypes(&root)
        try loadTransports(&root)
        try loadOpenPacketFields(&root)
        try loadHandshakeErrors(&root)
        try loadDisconnectReasons(&root)
        try loadFraming(&root)
        try loadEnums(&root)
        try loadOptionSets(&root)
    }

    // MARK: sections

    mutating func loadVersions(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), numbers = UniqueNames()
        for var node in try root.objects("versions") {
            let version = Spec.Version(number: try node.int("number"), swift: try memberName(&node), doc: try node.doc())
            try names.insert(version.swift, node, "swift")
            try numbers.insert(String(version.number), node, "number")
            try node.finish()
            spec.versions.append(version)
        }
    }

    mutating func loadPacketTypes(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), ids = UniqueNames()
        let known = Set(spec.versions.map(\.number))
        for var node in try root.objects("packetTypes") {
            let id = try node.int("id")
            guard (0...9).contains(id) else { throw node.error("id", "a packet type is one decimal digit (0...9)") }
            var versions: [Int] = []
            for element in try node.array("versions") {
                guard case .integer(let number) = element.value, known.contains(number) else {
                    throw SpecError(file: node.file, path: element.path, message: "not a version listed in `versions`")
                }
                versions.append(number)
            }
            let packet = Spec.PacketKind(
                id: id, name: try node.string("name"), swift: try memberName(&node), versions: versions,
                direction: try node.string("direction"), doc: try node.doc())
            try names.insert(packet.swift, node, "swift")
            try ids.insert(String(id), node, "id")
            try node.finish()
            spec.packetTypes.append(packet)
        }
    }

    mutating func loadTransports(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), wire = UniqueNames()
        for var node in try root.objects("transports") {
            let transport = Spec.TransportKind(name: try node.string("name"), swift: try memberName(&node), doc: try node.doc())
            try names.insert(transport.swift, node, "swift")
            try wire.insert(transport.name, node, "name")
            try node.finish()
            spec.transports.append(transport)
        }
    }

    mutating func loadOpenPacketFields(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), keys = UniqueNames()
        for var node in try root.objects("openPacketFields") {
            let type = try node.string("type")
            guard ["string", "int", "strings"].contains(type) else { throw node.error("type", "expected string, int or strings") }
            let unit = try node.optionalString("unit")
            try checkUnit(unit, node)
            let field = Spec.OpenPacketField(
                key: try node.string("key"), swift: try memberName(&node), type: type, unit: unit,
                required: try node.bool("required", default: true), doc: try node.doc())
            try names.insert(field.swift, node, "swift")
            try keys.insert(field.key, node, "key")
            try node.finish()
            spec.openPacketFields.append(field)
        }
    }

    mutating func loadHandshakeErrors(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), codes = UniqueNames()
        for var node in try root.objects("handshakeErrors") {
            let status = try node.int("httpStatus")
            guard (400...599).contains(status) else { throw node.error("httpStatus", "an error status is 400...599") }
            var pythonMessage: String?, pythonStatus: Int?
            if var python = try node.object("python") {
                pythonMessage = try python.string("message")
                let code = try python.int("httpStatus")
                guard (400...599).contains(code) else { throw python.error("httpStatus", "an error status is 400...599") }
                pythonStatus = code
                try python.finish()
            }
            let error = Spec.HandshakeError(
                swift: try memberName(&node), code: try node.int("code"), message: try node.string("message"),
                httpStatus: status, pythonMessage: pythonMessage, pythonHTTPStatus: pythonStatus, doc: try node.doc())
            try names.insert(error.swift, node, "swift")
            try codes.insert(String(error.code), node, "code")
            try node.finish()
            spec.handshakeErrors.append(error)
        }
    }

    mutating func loadDisconnectReasons(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames(), reasons = UniqueNames()
        for var node in try root.objects("disconnectReasons") {
            var sides: Set<String> = []
            for element in try node.array("raisedBy") {
                guard case .string(let side) = element.value, side == "server" || side == "client" else {
                    throw SpecError(file: node.file, path: element.path, message: "expected \"server\" or \"client\"")
                }
                sides.insert(side)
            }
            guard !sides.isEmpty else { throw node.error("raisedBy", "name at least one side") }
            let reason = Spec.DisconnectReason(
                swift: try memberName(&node), reason: try node.string("reason"), python: try node.optionalString("python"),
                raisedByServer: sides.contains("server"), raisedByClient: sides.contains("client"), doc: try node.doc())
            try names.insert(reason.swift, node, "swift")
            try reasons.insert(reason.reason, node, "reason")
            try node.finish()
            spec.disconnectReasons.append(reason)
        }
    }

    mutating func loadFraming(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames()
        for var node in try root.objects("framing") {
            let type = try node.string("type")
            let value = try node.required("value")
            switch (type, value) {
            case ("uint8", .integer(let number)) where (0...255).contains(number): break
            case ("int", .integer): break
            case ("string", .string): break
            case ("uint8", _), ("int", _), ("string", _):
                throw node.error("value", "does not fit the type \(type)")
            default:
                throw node.error("type", "expected uint8, int or string")
            }
            let constant = Spec.Constant(swift: try memberName(&node), type: type, value: value, doc: try node.doc())
            try names.insert(constant.swift, node, "swift")
            try node.finish()
            spec.framing.append(constant)
        }
    }

    mutating func loadEnums(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames()
        for var node in try root.objects("enums") {
            let name = try typeName(&node)
            var caseNames = UniqueNames(), values = UniqueNames()
            var cases: [Spec.EnumCase] = []
            for var caseNode in try node.objects("cases") {
                let item = Spec.EnumCase(swift: try memberName(&caseNode), value: try caseNode.string("value"), doc: try caseNode.doc())
                try caseNames.insert(item.swift, caseNode, "swift")
                try values.insert(item.value, caseNode, "value")
                try caseNode.finish()
                cases.append(item)
            }
            guard !cases.isEmpty else { throw node.error("cases", "an enum needs at least one case") }
            try names.insert(name, node, "swift")
            spec.enums.append(Spec.Enumeration(swift: name, doc: try node.doc(), cases: cases))
            try node.finish()
        }
    }

    mutating func loadOptionSets(_ root: inout SpecNode) throws(SpecError) {
        var names = UniqueNames()
        for var node in try root.objects("optionSets") {
            let name = try typeName(&node)
            var classes: [String] = []
            for element in try node.array("python") {
                guard case .string(let text) = element.value, !text.isEmpty else {
                    throw SpecError(file: node.file, path: element.path, message: "expected a python class name")
                }
                classes.append(text)
            }
            var swiftNames = UniqueNames(), pythonNames = UniqueNames()
            var options: [Spec.Option] = []
            for var optionNode in try node.objects("options") {
                let option = try loadOption(&optionNode)
                try swiftNames.insert(option.swift, optionNode, "swift")
                if let python = option.python { try pythonNames.insert(python, optionNode, "python") }
                try optionNode.finish()
                options.append(option)
            }
            var initializers: [String] = []
            if node.has("swiftInitializers") {
                var seen = Set<String>()
                for element in try node.array("swiftInitializers") {
                    guard case .string(let text) = element.value, SwiftNames.isTypeName(text), seen.insert(text).inserted else {
                        throw SpecError(file: node.file, path: element.path, message: "expected a distinct UpperCamelCase Swift class name")
                    }
                    initializers.append(text)
                }
            }
            try names.insert(name, node, "swift")
            var set = Spec.OptionSet(swift: name, python: classes, doc: try node.doc(), options: options, initializers: initializers)
            set.commandLine = try node.bool("commandLine", default: false)
            spec.optionSets.append(set)
            try node.finish()
        }
    }

    // MARK: options

    func loadOption(_ node: inout SpecNode) throws(SpecError) -> Spec.Option {
        let swift = try memberName(&node)
        let python = try node.optionalString("python")
        let pythonDefault = try node.optionalString("pythonDefault")
        if python != nil, pythonDefault == nil { throw node.error("pythonDefault", "required when `python` is set") }
        if python == nil, pythonDefault != nil { throw node.error("pythonDefault", "only options python has can have a python default") }
        let type = try optionType(try node.string("type"), node)
        let optional = try node.bool("optional", default: false)
        let unit = try node.optionalString("unit")
        try checkUnit(unit, node)
        if unit != nil, !type.isNumeric, type != .custom("PingInterval") {
            throw node.error("unit", "only numbers have units")
        }
        let role = try node.optionalString("role") ?? "field"
        guard role == "field" || role == "argument" else { throw node.error("role", "expected \"field\" or \"argument\"") }
        let isRequired = try node.bool("required", default: false)
        if isRequired, role != "argument" { throw node.error("required", "only an argument can be required") }

        var range: Spec.Range?
        if var rangeNode = try node.object("range") {
            guard type.isNumeric else { throw rangeNode.error(nil, "only int and double options have a range") }
            range = Spec.Range(
                min: try number(rangeNode.raw("min"), rangeNode, "min", integer: type == .int),
                max: try number(rangeNode.raw("max"), rangeNode, "max", integer: type == .int),
                minExclusive: try rangeNode.bool("minExclusive", default: false))
            if let low = range?.min, let high = range?.max, low > high {
                throw rangeNode.error(nil, "min \(format(low)) is above max \(format(high))")
            }
            try rangeNode.finish()
        }

        var defaultValue: JSONValue?
        var swiftDefault: String?
        if case .custom = type {
            if node.has("default") { throw node.error("default", "a custom type takes `swiftDefault`, a Swift expression") }
            swiftDefault = try node.optionalString("swiftDefault")
            if swiftDefault == nil, !isRequired { throw node.error("swiftDefault", "missing default") }
        } else {
            if node.has("swiftDefault") { throw node.error("swiftDefault", "only custom types take a Swift expression") }
            if let value = node.raw("default") {
                try checkDefault(value, type: type, optional: optional, range: range, node)
                defaultValue = value
            } else if !isRequired {
                throw node.error("default", "missing default")
            }
        }
        if isRequired, defaultValue != nil || swiftDefault != nil {
            throw node.error("required", "a required argument has no default")
        }
        var commandLine = role == "field"
        if case .custom = type { commandLine = false }
        if node.has("commandLine") {
            let given = try node.bool("commandLine", default: commandLine)
            if given, role != "field" { throw node.error("commandLine", "only a field can be a flag") }
            commandLine = given
        }
        var option = Spec.Option(
            swift: swift, python: python, pythonDefault: pythonDefault, type: type, optional: optional, unit: unit,
            defaultValue: defaultValue, swiftDefault: swiftDefault, range: range, isArgument: role == "argument",
            isRequired: isRequired, doc: try node.doc())
        option.commandLine = commandLine
        return option
    }

    func optionType(_ text: String, _ node: SpecNode) throws(SpecError) -> Spec.OptionType {
        switch text {
        case "bool": return .bool
        case "int": return .int
        case "double": return .double
        case "string": return .string
        case "strings": return .strings
        case "stringMap": return .stringMap
        case "transports": return .transports
        default:
            if text.hasPrefix("enum:") {
                let name = String(text.dropFirst(5))
                guard spec.enums.contains(where: { $0.swift == name }) else {
                    throw node.error("type", "unknown enum \(name) (declare it in `enums`)")
                }
                return .enumeration(name)
            }
            if text.hasPrefix("custom:") {
                let name = String(text.dropFirst(7))
                guard SwiftNames.isTypeName(name) else { throw node.error("type", "\(name) is not a Swift type name") }
                return .custom(name)
            }
            throw node.error("type", "unknown type \(text)")
        }
    }

    func checkDefault(_ value: JSONValue, type: Spec.OptionType, optional: Bool, range: Spec.Range?, _ node: SpecNode) throws(SpecError) {
        if value == .null {
            guard optional else { throw node.error("default", "null needs \"optional\": true") }
            return
        }
        switch (type, value) {
        case (.bool, .bool), (.string, .string): return
        case (.int, .integer(let number)): try checkRange(Double(number), range, node)
        case (.double, .integer(let number)): try checkRange(Double(number), range, node)
        case (.double, .double(let number)): try checkRange(number, range, node)
        case (.strings, .array(let items)) where items.allSatisfy({ $0.stringValue != nil }): return
        case (.stringMap, .object(let members)) where members.allSatisfy({ $0.value.stringValue != nil }): return
        case (.transports, .array(let items)):
            for item in items {
                guard let name = item.stringValue, spec.transports.contains(where: { $0.name == name }) else {
                    throw node.error("default", "\(JSONSerializer.string(item)) is not a transport listed in `transports`")
                }
            }
        case (.enumeration(let name), .string(let text)):
            let cases = spec.enums.first { $0.swift == name }?.cases ?? []
            guard cases.contains(where: { $0.value == text }) else {
                throw node.error("default", "\"\(text)\" is not a value of \(name)")
            }
        default:
            throw node.error("default", "\(JSONSerializer.string(value)) does not fit the option's type")
        }
    }

    func checkRange(_ number: Double, _ range: Spec.Range?, _ node: SpecNode) throws(SpecError) {
        guard let range else { return }
        if let low = range.min {
            if range.minExclusive ? number <= low : number < low {
                throw node.error("default", "\(format(number)) is below the minimum \(range.minExclusive ? "(exclusive) " : "")\(format(low))")
            }
        }
        if let high = range.max, number > high {
            throw node.error("default", "\(format(number)) is above the maximum \(format(high))")
        }
    }

    func number(_ value: JSONValue?, _ node: SpecNode, _ key: String, integer: Bool) throws(SpecError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?: return Double(number)
        case .double(let number)? where !integer: return number
        default: throw node.error(key, integer ? "expected an integer" : "expected a number")
        }
    }

    func checkUnit(_ unit: String?, _ node: SpecNode) throws(SpecError) {
        if let unit, !["s", "ms", "bytes"].contains(unit) { throw node.error("unit", "expected s, ms or bytes") }
    }

    func memberName(_ node: inout SpecNode) throws(SpecError) -> String {
        let name = try node.string("swift")
        guard SwiftNames.isMemberName(name) else { throw node.error("swift", "\(name) is not a lowerCamelCase Swift name") }
        return name
    }

    func typeName(_ node: inout SpecNode) throws(SpecError) -> String {
        let name = try node.string("swift")
        guard SwiftNames.isTypeName(name) else { throw node.error("swift", "\(name) is not an UpperCamelCase Swift type name") }
        return name
    }
}

/// Reports the second occurrence of a name in one list.
private struct UniqueNames {
    private var seen: Set<String> = []

    mutating func insert(_ name: String, _ node: SpecNode, _ key: String) throws(SpecError) {
        guard seen.insert(name).inserted else { throw node.error(key, "duplicate \(key) \(name)") }
    }
}

func format(_ number: Double) -> String {
    number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
}
