import EngineIOJSON

/// Renders each option set as a struct: stored options with python's defaults, a memberwise initialiser,
/// `validated()` enforcing the spec's ranges, and `descriptors` for tools and help texts.
struct OptionsRenderer {
    let spec: Spec

    func render() -> String {
        var w = SwiftWriter()
        SpecRenderer.header(&w)
        for (position, set) in spec.optionSets.enumerated() {
            if position > 0 { w.line() }
            renderSet(set, &w)
        }
        return w.text
    }

    /// The `EngineIO` module's side: for each class an option set names in `swiftInitializers`, a convenience
    /// initialiser with every option as a labelled parameter at its default, python's constructor in Swift spelling.
    func renderInitializers() -> String {
        var w = SwiftWriter()
        SpecRenderer.header(&w)
        w.line("public import EngineIOSpec")
        for set in spec.optionSets {
            let fields = set.options.filter { !$0.isArgument }
            for type in set.initializers {
                w.line()
                w.block("extension \(type)") { body in
                    body.doc("python's `\(type)(**options)`: every option of `\(set.swift)` as a parameter, at its default unless")
                    body.doc("given. Throws `OptionError` for a value outside its allowed range, as `init(options:)` does.")
                    body.line("public convenience init(")
                    for (position, option) in fields.enumerated() {
                        let comma = position == fields.count - 1 ? "" : ","
                        body.line("    \(SwiftNames.escaped(option.swift)): \(swiftType(option)) = \(swiftDefault(option))\(comma)")
                    }
                    body.block(") throws") { initializer in
                        initializer.line("try self.init(")
                        initializer.line("    options: \(set.swift)(")
                        for (position, option) in fields.enumerated() {
                            let comma = position == fields.count - 1 ? "" : ","
                            let name = SwiftNames.escaped(option.swift)
                            initializer.line("        \(SwiftNames.escaped(option.swift)): \(name)\(comma)")
                        }
                        initializer.line("    ))")
                    }
                }
            }
        }
        return w.text
    }

    private func renderSet(_ set: Spec.OptionSet, _ w: inout SwiftWriter) {
        let fields = set.options.filter { !$0.isArgument }
        w.doc(set.doc)
        w.doc("")
        w.doc("python-engineio: " + set.python.map { "`\($0)`" }.joined(separator: ", ") + ".")
        w.block("public struct \(set.swift): Sendable") { body in
            for option in fields {
                body.doc(option.doc)
                body.doc("")
                body.doc(provenance(option))
                body.line("public var \(SwiftNames.escaped(option.swift)): \(swiftType(option))")
                body.line()
            }
            body.doc("Every option at its default unless given.")
            if fields.isEmpty {
                body.line("public init() {}")
            } else {
                body.line("public init(")
                for (position, option) in fields.enumerated() {
                    let comma = position == fields.count - 1 ? "" : ","
                    body.line("    \(SwiftNames.escaped(option.swift)): \(swiftType(option)) = \(swiftDefault(option))\(comma)")
                }
                body.block(")") { initializer in
                    for option in fields {
                        let name = SwiftNames.escaped(option.swift)
                        initializer.line("self.\(name) = \(name)")
                    }
                }
            }
            body.line()
            body.doc("These options, or the first one outside the range the spec allows.")
            body.block("public func validated() throws(OptionError) -> \(set.swift)") { function in
                for option in fields { renderCheck(option, &function) }
                function.line("return self")
            }
            body.line()
            body.doc("Every parameter of the python class(es), in python's order, then our additions.")
            body.line("public static let descriptors: [OptionDescriptor] = [")
            for option in set.options { renderDescriptor(option, &body) }
            body.line("]")
        }
    }

    private func provenance(_ option: Spec.Option) -> String {
        var parts: [String] = []
        if let python = option.python {
            parts.append("python-engineio: `\(python)`, default `\(option.pythonDefault ?? "")`.")
        } else {
            parts.append("An addition: python-engineio has no such option.")
        }
        if let unit = option.unit { parts.append("Unit: \(unitName(unit)).") }
        if let range = option.range { parts.append("Allowed: \(describe(range)).") }
        return parts.joined(separator: " ")
    }

    private func renderCheck(_ option: Spec.Option, _ w: inout SwiftWriter) {
        let name = SwiftNames.escaped(option.swift)
        let label = SwiftNames.literal(option.swift)
        switch option.type {
        case .int, .double:
            guard let range = option.range else {
                if option.type == .double {
                    w.line("try OptionError.requireFinite(\(name), option: \(label))")
                }
                return
            }
            let min = range.min.map(literal) ?? "nil"
            let max = range.max.map(literal) ?? "nil"
            let exclusive = range.minExclusive ? "true" : "false"
            if option.optional {
                w.line("if let \(name) { try OptionError.require(\(name), option: \(label), min: \(min), max: \(max), minExclusive: \(exclusive)) }")
            } else {
                w.line("try OptionError.require(\(name), option: \(label), min: \(min), max: \(max), minExclusive: \(exclusive))")
            }
        case .transports:
            w.line(option.optional
                ? "if let \(name) { try OptionError.requireTransports(\(name), option: \(label)) }"
                : "try OptionError.requireTransports(\(name), option: \(label))")
        case .custom:
            w.line("try \(name)\(option.optional ? "?" : "").validate(option: \(label))")
        case .bool, .string, .strings, .stringMap, .enumeration:
            return
        }
    }

    private func literal(_ number: Double) -> String { format(number) }

    private func renderDescriptor(_ option: Spec.Option, _ w: inout SwiftWriter) {
        w.line("    OptionDescriptor(")
        w.line("        swiftName: \(SwiftNames.literal(option.swift)),")
        w.line("        pythonName: \(SpecRenderer.optionalLiteral(option.python)),")
        w.line("        swiftType: \(SwiftNames.literal(swiftType(option))),")
        w.line("        unit: \(SpecRenderer.optionalLiteral(option.unit)),")
        w.line("        swiftDefault: \(SpecRenderer.optionalLiteral(option.isRequired ? nil : swiftDefault(option))),")
        w.line("        pythonDefault: \(SpecRenderer.optionalLiteral(option.pythonDefault)),")
        w.line("        allowed: \(SpecRenderer.optionalLiteral(option.range.map(describe))),")
        w.line("        isArgument: \(option.isArgument),")
        w.line("        doc: \(SwiftNames.literal(option.doc))")
        w.line("    ),")
    }

    func swiftType(_ option: Spec.Option) -> String {
        let base: String
        switch option.type {
        case .bool: base = "Bool"
        case .int: base = "Int"
        case .double: base = "Double"
        case .string: base = "String"
        case .strings: base = "[String]"
        case .stringMap: base = "[String: String]"
        case .transports: base = "[Transport]"
        case .enumeration(let name), .custom(let name): base = name
        }
        return option.optional ? base + "?" : base
    }

    func swiftDefault(_ option: Spec.Option) -> String {
        if let expression = option.swiftDefault { return expression }
        guard let value = option.defaultValue else { return "nil" }
        return swiftLiteral(value, type: option.type)
    }

    private func swiftLiteral(_ value: JSONValue, type: Spec.OptionType) -> String {
        switch (type, value) {
        case (_, .null): return "nil"
        case (_, .bool(let flag)): return flag ? "true" : "false"
        case (_, .integer(let number)): return groupedDigits(number)
        case (_, .double(let number)): return String(number)
        case (.transports, .array(let items)):
            return "[" + items.compactMap { item in
                spec.transports.first { $0.name == item.stringValue }.map { ".\(SwiftNames.escaped($0.swift))" }
            }.joined(separator: ", ") + "]"
        case (_, .array(let items)):
            return "[" + items.compactMap { $0.stringValue.map(SwiftNames.literal) }.joined(separator: ", ") + "]"
        case (_, .object(let members)):
            if members.isEmpty { return "[:]" }
            return "[" + members.map { "\(SwiftNames.literal($0.key)): \(SwiftNames.literal($0.value.stringValue ?? ""))" }
                .joined(separator: ", ") + "]"
        case (.enumeration(let name), .string(let text)):
            let item = spec.enums.first { $0.swift == name }?.cases.first { $0.value == text }
            return ".\(SwiftNames.escaped(item?.swift ?? text))"
        case (_, .string(let text)): return SwiftNames.literal(text)
        }
    }

    private func groupedDigits(_ number: Int) -> String {
        let digits = String(number.magnitude)
        guard digits.count > 4 else { return String(number) }
        var grouped = ""
        for (position, digit) in digits.enumerated() {
            if position > 0, (digits.count - position) % 3 == 0 { grouped.append("_") }
            grouped.append(digit)
        }
        return number < 0 ? "-" + grouped : grouped
    }
}

func unitName(_ unit: String) -> String {
    switch unit {
    case "s": "seconds"
    case "ms": "milliseconds"
    default: unit
    }
}

/// `> 0`, `0 ... 15`, `≥ 256`: the range as a reader would write it.
func describe(_ range: Spec.Range) -> String {
    switch (range.min, range.max) {
    case (let low?, let high?): return "\(format(low))\(range.minExclusive ? " <" : " ≤") value ≤ \(format(high))"
    case (let low?, nil): return "\(range.minExclusive ? ">" : "≥") \(format(low))"
    case (nil, let high?): return "≤ \(format(high))"
    case (nil, nil): return "any"
    }
}
