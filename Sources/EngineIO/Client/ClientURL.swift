import EngineIOCore
import EngineIOWire
import Foundation

/// Where a client connects: python keeps the URL's scheme, host, port and query, and replaces its path with the
/// Engine.IO path (`http://h/some/path?x=1` → `http://h/engine.io/?x=1&transport=polling&EIO=4`).
struct ClientURL: Sendable, Hashable {
    var secure: Bool
    var host: String
    var port: Int
    var path: String
    /// The user's own query items, kept on every request.
    var query: [(name: String, value: String)]

    static func == (lhs: ClientURL, rhs: ClientURL) -> Bool {
        lhs.secure == rhs.secure && lhs.host == rhs.host && lhs.port == rhs.port && lhs.path == rhs.path
            && lhs.query.map(\.name) == rhs.query.map(\.name) && lhs.query.map(\.value) == rhs.query.map(\.value)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
    }

    /// Parses `http(s)://` and `ws(s)://` URLs; `nil` for anything else.
    init?(_ text: String, engineioPath: String) {
        let schemeEnd = text.range(of: "://")
        guard let schemeEnd else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "http", "ws": secure = false
        case "https", "wss": secure = true
        default: return nil
        }
        var rest = text[schemeEnd.upperBound...]
        var queryText = ""
        if let mark = rest.firstIndex(of: "?") {
            queryText = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        if let hash = queryText.firstIndex(of: "#") { queryText = String(queryText[..<hash]) }
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !authority.isEmpty else { return nil }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if hostPart.hasPrefix("[") {  // [::1]:5000
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        host = String(hostPart)
        if let portPart {
            guard let number = Int(portPart), (1...65_535).contains(number) else { return nil }
            port = number
        } else {
            port = secure ? 443 : 80
        }
        var normalized = engineioPath
        if !normalized.hasPrefix("/") { normalized = "/" + normalized }
        if !normalized.hasSuffix("/") { normalized += "/" }
        path = normalized
        query = HTTPQuery.parse(queryText)
    }

    /// The request target for `transport` (and `sid` once there is one).
    func target(transport: Transport, sid: String?, timestamp: String?) -> String {
        var items = query
        items.append((name: "transport", value: transport.rawValue))
        items.append((name: "EIO", value: "4"))
        if let sid { items.append((name: "sid", value: sid)) }
        if let timestamp { items.append((name: "t", value: timestamp)) }
        return path + "?" + items.map { "\(HTTPPercentEncoding.encode($0.name))=\(HTTPPercentEncoding.encode($0.value))" }.joined(separator: "&")
    }

    /// The server's URL after a redirect to `location` (absolute, or a path on this server): its path becomes the
    /// Engine.IO path, and its query keeps the items that are not Engine.IO's own.
    func redirected(to location: String) -> ClientURL? {
        var next: ClientURL
        var rest = Substring(location)
        if location.hasPrefix("/") {
            next = self
        } else {
            guard let parsed = ClientURL(location, engineioPath: "/") else { return nil }
            next = parsed
            guard let authority = location.range(of: "://") else { return nil }
            rest = location[authority.upperBound...].drop { $0 != "/" }
        }
        var path = rest.prefix { $0 != "?" && $0 != "#" }
        if path.isEmpty { path = "/" }
        next.path = path.hasSuffix("/") ? String(path) : String(path) + "/"
        let queryText = rest.drop { $0 != "?" }.dropFirst().prefix { $0 != "#" }
        next.query = HTTPQuery.parse(String(queryText)).filter { !["transport", "EIO", "sid", "t"].contains($0.name) }
        return next
    }

    /// `Host` header value.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return (secure && port == 443) || (!secure && port == 80) ? bracketed : "\(bracketed):\(port)"
    }
}
