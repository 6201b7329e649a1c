// Theory of operation
//
// A client-side cookie store for one client, after RFC 6265 but deliberately small: every cookie is host-only (kept
// for the host that set it; a `Domain` attribute does not widen it), scoped by `Path` (the request path's
// directory by default), and dropped by `Max-Age` ≤ 0. `Expires` dates are not read: such a cookie lives as long as
// the client, which is what the session cookies Engine.IO deployments use (HAProxy's `SERVERID`, the server's `io`)
// need. `Secure` cookies go over https/wss only. Pure: no clock, no I/O; the shell feeds it every `Set-Cookie` it
// receives and asks it for the `Cookie` header of every request.

/// The cookies servers set, replayed on later requests to them (load balancers pin a session to a backend so).
public struct CookieJar: Hashable, Sendable {
    /// One cookie as the jar keeps it.
    public struct Cookie: Hashable, Sendable {
        /// The name and value, as the server set them.
        public var name: String
        /// The value, sent back as it came.
        public var value: String
        /// The host that set it, lowercased; the cookie goes back to that host only.
        public var host: String
        /// The cookie goes with requests for this path and those below it.
        public var path: String
        /// Sent over TLS only.
        public var secure: Bool
    }

    /// Most cookies kept; the oldest goes first beyond it (a server cannot grow the jar without bound).
    public static let capacity = 64
    /// Longest `name=value` kept (RFC 6265 asks clients for at least 4096 bytes).
    public static let maxCookieBytes = 4_096

    /// The cookies kept, oldest first.
    public private(set) var cookies: [Cookie] = []

    /// An empty jar.
    public init() {}

    /// Takes one `Set-Cookie` header value from a response to a request for `host` and `requestPath`.
    public mutating func receive(_ setCookie: String, host: String, requestPath: String) {
        let parts = setCookie.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = parts.first, let equals = pair.firstIndex(of: "="), pair.utf8.count <= Self.maxCookieBytes else { return }
        let name = Self.trim(pair[..<equals])
        let value = Self.trim(pair[pair.index(after: equals)...])
        guard !name.isEmpty else { return }
        var path = Self.defaultPath(requestPath)
        var secure = false
        var expired = false
        for attribute in parts.dropFirst() {
            let (key, argument) = Self.attribute(attribute)
            switch key {
            case "path" where argument.hasPrefix("/"): path = argument
            case "secure": secure = true
            case "max-age": if let seconds = Int(argument), seconds <= 0 { expired = true }
            default: break
            }
        }
        let host = host.lowercased()
        cookies.removeAll { $0.name == name && $0.host == host && $0.path == path }
        guard !expired else { return }
        cookies.append(Cookie(name: name, value: value, host: host, path: path, secure: secure))
        if cookies.count > Self.capacity { cookies.removeFirst(cookies.count - Self.capacity) }
    }

    /// The `Cookie` header value for a request to `host` and `path`, or nil when no cookie applies. Longer paths
    /// first, as RFC 6265 orders them.
    public func header(host: String, path: String, secure: Bool) -> String? {
        let host = host.lowercased()
        let matching = cookies.filter { $0.host == host && Self.pathMatches(path, $0.path) && (secure || !$0.secure) }
        guard !matching.isEmpty else { return nil }
        return matching.sorted { $0.path.utf8.count > $1.path.utf8.count }.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    static func pathMatches(_ requestPath: String, _ cookiePath: String) -> Bool {
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return requestPath.utf8.count == cookiePath.utf8.count || cookiePath.hasSuffix("/")
            || requestPath.utf8.dropFirst(cookiePath.utf8.count).first == UInt8(ascii: "/")
    }

    /// RFC 6265 §5.1.4: the request path up to its last `/`, or `/`.
    static func defaultPath(_ requestPath: String) -> String {
        let path = requestPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// HTTP's optional whitespace off both ends.
    private static func trim(_ text: Substring) -> String { String(WebSocketHeaderText.trimmed(text)) }

    private static func attribute(_ text: Substring) -> (key: String, argument: String) {
        guard let equals = text.firstIndex(of: "=") else { return (trim(text).lowercased(), "") }
        return (trim(text[..<equals]).lowercased(), trim(text[text.index(after: equals)...]))
    }
}
