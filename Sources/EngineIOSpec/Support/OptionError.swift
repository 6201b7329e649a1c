/// An option outside what the spec allows, named as the Swift property.
public struct OptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The Swift name of the option, e.g. `pingTimeout`.
    public var option: String
    /// What is wrong, e.g. `must be > 0, got -1`.
    public var message: String

    public init(option: String, message: String) {
        self.option = option
        self.message = message
    }

    public var description: String { "invalid option \(option): \(message)" }

    /// Throws unless `value` lies in the range; used by the generated `validated()`.
    public static func require<Value: BinaryInteger>(
        _ value: Value, option: String, min: Value?, max: Value?, minExclusive: Bool
    ) throws(OptionError) {
        if let min, minExclusive ? value <= min : value < min {
            throw OptionError(option: option, message: "must be \(minExclusive ? ">" : "≥") \(min), got \(value)")
        }
        if let max, value > max { throw OptionError(option: option, message: "must be ≤ \(max), got \(value)") }
    }

    /// Throws unless `value` is finite and lies in the range.
    public static func require(_ value: Double, option: String, min: Double?, max: Double?, minExclusive: Bool) throws(OptionError) {
        try requireFinite(value, option: option)
        if let min, minExclusive ? value <= min : value < min {
            throw OptionError(option: option, message: "must be \(minExclusive ? ">" : "≥") \(min), got \(value)")
        }
        if let max, value > max { throw OptionError(option: option, message: "must be ≤ \(max), got \(value)") }
    }

    public static func requireFinite(_ value: Double, option: String) throws(OptionError) {
        guard value.isFinite else { throw OptionError(option: option, message: "must be a finite number, got \(value)") }
    }

    /// python raises `ValueError('No valid transports provided')` for an empty list; duplicates are a mistake too.
    public static func requireTransports(_ transports: [Transport], option: String) throws(OptionError) {
        guard !transports.isEmpty else { throw OptionError(option: option, message: "No valid transports provided") }
        guard Set(transports).count == transports.count else {
            throw OptionError(option: option, message: "lists a transport twice: \(transports.map(\.rawValue))")
        }
    }
}

/// One option as the spec describes it: for help texts, tools and the API table.
public struct OptionDescriptor: Sendable, Hashable {
    public var swiftName: String
    /// python-engineio's parameter name; `nil` for our additions.
    public var pythonName: String?
    public var swiftType: String
    /// `s`, `ms` or `bytes`.
    public var unit: String?
    /// The default as a Swift expression; `nil` for a required argument.
    public var swiftDefault: String?
    public var pythonDefault: String?
    /// The allowed range in words, e.g. `> 0`.
    public var allowed: String?
    /// A constructor argument (an app or a handler) rather than a stored option.
    public var isArgument: Bool
    public var doc: String

    public init(
        swiftName: String, pythonName: String?, swiftType: String, unit: String?, swiftDefault: String?,
        pythonDefault: String?, allowed: String?, isArgument: Bool, doc: String
    ) {
        self.swiftName = swiftName
        self.pythonName = pythonName
        self.swiftType = swiftType
        self.unit = unit
        self.swiftDefault = swiftDefault
        self.pythonDefault = pythonDefault
        self.allowed = allowed
        self.isArgument = isArgument
        self.doc = doc
    }
}
