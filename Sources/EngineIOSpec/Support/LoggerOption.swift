/// python's `logger`: `False` logs errors only, `True` logs informational messages too, or a logger of your own.
public enum LoggerOption: Sendable, Hashable, ExpressibleByBooleanLiteral {
    case disabled
    case enabled
    case custom(LogSink)

    public init(booleanLiteral value: Bool) { self = value ? .enabled : .disabled }

    public func validate(option: String) throws(OptionError) {}
}

/// How serious a log line is.
public enum LogLevel: Int, Sendable, Hashable, Codable, Comparable {
    case debug, info, warning, error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where log lines go when `logger` is `.custom`. Two sinks are equal only if they are the same instance.
public struct LogSink: Sendable, Hashable {
    private final class Box: Sendable {
        let write: @Sendable (LogLevel, String) -> Void
        init(_ write: @escaping @Sendable (LogLevel, String) -> Void) { self.write = write }
    }

    private let box: Box

    public init(_ write: @escaping @Sendable (_ level: LogLevel, _ message: String) -> Void) { box = Box(write) }

    public func log(_ level: LogLevel, _ message: String) { box.write(level, message) }

    public static func == (lhs: LogSink, rhs: LogSink) -> Bool { lhs.box === rhs.box }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(box)) }
}
