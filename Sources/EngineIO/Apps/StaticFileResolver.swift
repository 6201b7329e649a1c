public import EngineIOCore

/// python-engineio's `static_files` mapping (PROTOCOL.md §11.5), as a pure function from a request path to a file
/// and its content type.
public enum StaticFileResolver {
    /// The file `path` maps to under `rules`, and its content type; `nil` when no rule matches or the path climbs
    /// out with `../`.
    public static func resolve(_ path: String, rules: StaticFiles) -> (filename: String, contentType: String)? {
        var current = path
        var extra = ""
        var rule = rules.rules[current]
        while rule == nil, !current.isEmpty {
            // Cut the last "/segment" off and try the prefix, then the prefix with a trailing slash.
            let cut = current.lastIndex(of: "/") ?? current.startIndex
            extra = String(current[cut...]) + extra
            current = String(current[..<cut])
            rule = rules.rules[current] ?? rules.rules[current + "/"]
        }
        guard let rule, !extra.contains("../") else { return nil }
        var filename = rule.filename
        if filename.hasSuffix("/"), extra.hasPrefix("/") { extra.removeFirst() }
        filename += extra
        var contentType = rule.contentType
        if filename.hasSuffix("/") {
            if let fallback = rules.rules[""] {
                filename += fallback.filename
                contentType = fallback.contentType ?? contentType
            } else {
                filename += "index.html"
            }
        }
        return (filename, contentType ?? Self.contentType(for: filename))
    }

    /// python's table: the text after the last `.`, case-sensitive; anything else is `application/octet-stream`.
    public static func contentType(for filename: String) -> String {
        guard let dot = filename.lastIndex(of: ".") else { return "application/octet-stream" }
        switch filename[filename.index(after: dot)...] {
        case "css": return "text/css"
        case "gif": return "image/gif"
        case "html": return "text/html"
        case "jpg": return "image/jpeg"
        case "js": return "application/javascript"
        case "json": return "application/json"
        case "png": return "image/png"
        case "txt": return "text/plain"
        default: return "application/octet-stream"
        }
    }
}
