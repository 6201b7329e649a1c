/// Renders the command-line face of the option sets marked `"commandLine": true`: for each, the list of flags
/// (kebab case of the Swift name, with the spec's doc as help) and `setCommandLineOption`, which parses a flag's text
/// into the option and lets `validated()` apply the spec's ranges. `eio serve` and `eio connect` are built on it, so
/// an option added to the spec is a flag without a line of CLI code.
struct CommandLineRenderer {
    let spec: Spec

    func render() -> String {
        var w = SwiftWriter()
        SpecRenderer.header(&w)
        var first = true
        for set in spec.optionSets where set.commandLine {
            let options = set.options.filter(\.commandLine)
            if !first { w.line() }
            first = false
            w.block("extension \(set.swift)") { body in
                body.doc("The flags `eio` takes for these options, generated from the spec: `--name VALUE`, or `--name` and")
                body.doc("`--no-name` for a switch.")
                body.line("public static let commandLineFlags: [CommandLineFlag] = [")
                for option in options {
                    let value = valueName(option).map(SwiftNames.literal) ?? "nil"
                    body.line(
                        "    CommandLineFlag(flag: \(SwiftNames.literal("--" + Self.kebab(option.swift))), option: \(SwiftNames.literal(option.swift)), "
                            + "valueName: \(value), doc: \(SwiftNames.literal(Self.summary(option.doc)))),")
                }
                body.line("]")
                body.line()
                body.doc("Sets the option `flag` names from `value()` (asked only when the flag takes a value). Returns false when")
                body.doc("no option has this flag. Throws `OptionError` for text that is not a value of the option's type;")
                body.doc("ranges are `validated()`'s to check.")
                body.line("public mutating func setCommandLineOption(_ flag: String, value: () throws(OptionError) -> String) throws(OptionError) -> Bool {")
                body.line("    switch flag {")
                for option in options {
                    let name = SwiftNames.escaped(option.swift)
                    let flag = "--" + Self.kebab(option.swift)
                    let literal = SwiftNames.literal(option.swift)
                    switch option.type {
                    case .bool:
                        body.line("    case \(SwiftNames.literal(flag)): \(name) = true")
                        body.line("    case \(SwiftNames.literal("--no-" + Self.kebab(option.swift))): \(name) = false")
                    case .int: body.line("    case \(SwiftNames.literal(flag)): \(name) = try CommandLineValue.int(value(), option: \(literal))")
                    case .double: body.line("    case \(SwiftNames.literal(flag)): \(name) = try CommandLineValue.double(value(), option: \(literal))")
                    case .string: body.line("    case \(SwiftNames.literal(flag)): \(name) = try value()")
                    case .strings: body.line("    case \(SwiftNames.literal(flag)): \(name) = CommandLineValue.list(try value())")
                    case .stringMap:
                        let target = option.optional ? "\(name), default: [:]" : name
                        body.line("    case \(SwiftNames.literal(flag)): try CommandLineValue.header(value(), into: &\(target), option: \(literal))")
                    case .transports: body.line("    case \(SwiftNames.literal(flag)): \(name) = try CommandLineValue.transports(value(), option: \(literal))")
                    case .enumeration(let type):
                        body.line("    case \(SwiftNames.literal(flag)): \(name) = try CommandLineValue.enumeration(\(type).self, value(), option: \(literal))")
                    case .custom(let type):
                        body.line("    case \(SwiftNames.literal(flag)): \(name) = try \(type)(commandLineArgument: value(), option: \(literal))")
                    }
                }
                body.line("    default: return false")
                body.line("    }")
                body.line("    return true")
                body.line("}")
            }
        }
        return w.text
    }

    /// What a flag's value is called in the help, from the option's type and unit; nil for a switch.
    private func valueName(_ option: Spec.Option) -> String? {
        switch option.type {
        case .bool: return nil
        case .transports: return "polling,websocket"
        case .strings: return "A,B,…"
        case .stringMap: return "\"NAME: VALUE\""
        case .enumeration: return "NAME"
        case .string: return "TEXT"
        case .int, .double, .custom:
            switch option.unit {
            case "s": return "SECONDS"
            case "bytes": return "BYTES"
            default: return option.type == .int ? "N" : option.type == .double ? "NUMBER" : "VALUE"
            }
        }
    }

    /// `allowEIO3` → `allow-eio3`, `maxHttpBufferSize` → `max-http-buffer-size`: a hyphen before each capital that
    /// follows a lowercase letter or digit, or starts a word after a run of capitals.
    static func kebab(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && (next?.isLowercase ?? false)) { result += "-" }
            }
            result += character.lowercased()
        }
        return result
    }

    /// The doc's first sentence, for a help line.
    static func summary(_ doc: String) -> String {
        let characters = Array(doc)
        var end = characters.count
        for index in characters.indices.dropLast() where characters[index] == "." && characters[index + 1] == " " {
            end = index
            break
        }
        var text = String(characters[..<end])
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
