/// One command-line flag of an option, generated from the spec (`ServerOptions.commandLineFlags`, …).
public struct CommandLineFlag: Sendable, Hashable {
    /// `--ping-timeout`; a switch also takes `--no-…`.
    public var flag: String
    /// The option's Swift name.
    public var option: String
    /// What the value is called in the help (`SECONDS`, `BYTES`, …); nil for a switch.
    public var valueName: String?
    /// The first sentence of the option's doc.
    public var doc: String

    /// A flag as the generated lists spell them.
    public init(flag: String, option: String, valueName: String?, doc: String) {
        self.flag = flag
        self.option = option
        self.valueName = valueName
        self.doc = doc
    }

    /// The flag as the help shows it: `--ping-timeout SECONDS`, `--[no-]allow-upgrades`.
    public var usage: String {
        guard let valueName else { return "--[no-]" + flag.dropFirst(2) }
        return "\(flag) \(valueName)"
    }

    /// Help lines for `flags`, the docs in a column.
    public static func help(_ flags: [CommandLineFlag], indent: String = "  ") -> String {
        let width = min(40, flags.map(\.usage.count).max() ?? 0)
        return flags.map { flag in
            let usage = flag.usage
            let padding = String(repeating: " ", count: max(1, width - usage.count + 2))
            return indent + usage + padding + flag.doc
        }.joined(separator: "\n")
    }
}

/// An option type with a custom Swift type that a command-line flag can set from text.
public protocol CommandLineArgument {
    init(commandLineArgument text: String, option: String) throws(OptionError)
}

/// Turns a flag's text into an option's value, for the generated `setCommandLineOption`.
public enum CommandLineValue {
    /// A whole number (`1_000` allowed).
    public static func int(_ text: String, option: String) throws(OptionError) -> Int {
        guard let number = Int(text.replacingUnderscores()) else { throw OptionError(option: option, message: "expected a whole number, got \"\(text)\"") }
        return number
    }

    /// A finite number.
    public static func double(_ text: String, option: String) throws(OptionError) -> Double {
        guard let number = Double(text.replacingUnderscores()), number.isFinite else {
            throw OptionError(option: option, message: "expected a number, got \"\(text)\"")
        }
        return number
    }

    /// A comma-separated list, each item trimmed, empty items dropped.
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// `polling,websocket`, in order of preference.
    public static func transports(_ text: String, option: String) throws(OptionError) -> [Transport] {
        var transports: [Transport] = []
        for name in list(text) {
            guard let transport = Transport(rawValue: name) else { throw OptionError(option: option, message: "unknown transport \"\(name)\"") }
            transports.append(transport)
        }
        return transports
    }

    /// One of the enumeration's raw values.
    public static func enumeration<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, _ text: String, option: String) throws(OptionError) -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw OptionError(option: option, message: "expected one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        return value
    }

    /// `Name: value` into a header map (the flag may repeat).
    public static func header(_ text: String, into map: inout [String: String], option: String) throws(OptionError) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw OptionError(option: option, message: "expected \"Name: value\", got \"\(text)\"")
        }
        map[String(text[..<colon]).trimmingSpaces()] = String(text[text.index(after: colon)...]).trimmingSpaces()
    }
}

extension PingInterval: CommandLineArgument {
    /// `25`, or `25,5` for an interval with a grace period.
    public init(commandLineArgument text: String, option: String) throws(OptionError) {
        let parts = CommandLineValue.list(text)
        guard parts.count == 1 || parts.count == 2 else { throw OptionError(option: option, message: "expected SECONDS or SECONDS,GRACE, got \"\(text)\"") }
        self.init(try CommandLineValue.double(parts[0], option: option), grace: parts.count == 2 ? try CommandLineValue.double(parts[1], option: option) : 0)
    }
}

extension CookieOption: CommandLineArgument {
    /// The cookie's name, with python's attributes.
    public init(commandLineArgument text: String, option: String) throws(OptionError) {
        guard !text.isEmpty, !text.contains(where: { $0 == ";" || $0 == "=" || $0 == " " }) else {
            throw OptionError(option: option, message: "expected a cookie name, got \"\(text)\"")
        }
        self.init(name: text)
    }
}

extension CORSAllowedOrigins: CommandLineArgument {
    /// `*`, a comma-separated list of origins, `same-origin` (the default) or `none` (no CORS handling).
    public init(commandLineArgument text: String, option: String) throws(OptionError) {
        switch text {
        case "same-origin": self = .sameOrigin
        case "none": self = .disabled
        default:
            let origins = CommandLineValue.list(text)
            guard !origins.isEmpty else { throw OptionError(option: option, message: "expected *, origins, same-origin or none") }
            self = origins.contains("*") ? .all : .origins(origins)
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }

    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
