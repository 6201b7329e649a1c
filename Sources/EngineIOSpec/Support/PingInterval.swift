/// python's `ping_interval`: a number of seconds, or `(interval, grace)`.
///
/// The server pings every `interval` seconds but tells clients `interval + grace`, so a busy server whose pings run
/// late is not declared dead by its clients. Write `25` or `PingInterval(25, grace: 5)`.
public struct PingInterval: Sendable, Hashable, Codable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// Seconds between pings the server sends.
    public var interval: Double
    /// Seconds added to the interval the clients are told.
    public var grace: Double

    public init(_ interval: Double, grace: Double = 0) {
        self.interval = interval
        self.grace = grace
    }

    public init(integerLiteral value: Int) { self.init(Double(value)) }
    public init(floatLiteral value: Double) { self.init(value) }

    /// What the open packet advertises: exact milliseconds, never truncated to whole seconds as python does.
    public var advertisedMilliseconds: Int { Int(((interval + grace) * 1000).rounded()) }

    /// The period of the server's pings in milliseconds.
    public var intervalMilliseconds: Int { Int((interval * 1000).rounded()) }

    public func validate(option: String) throws(OptionError) {
        try OptionError.require(interval, option: option, min: 0, max: nil, minExclusive: true)
        try OptionError.require(grace, option: option + ".grace", min: 0, max: nil, minExclusive: false)
    }
}
