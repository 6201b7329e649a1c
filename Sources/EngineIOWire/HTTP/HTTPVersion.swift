/// An HTTP protocol version as written in a start line (`HTTP/1.1`).
public struct HTTPVersion: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The major version number.
    public var major: Int
    /// The minor version number.
    public var minor: Int

    /// A version from its two numbers.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// The version as it appears on the wire, e.g. `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }

    /// HTTP/1.1 changed the defaults that matter here: persistent connections, `Upgrade`, `Transfer-Encoding`.
    var isHTTP11OrLater: Bool { major > 1 || (major == 1 && minor >= 1) }
}
