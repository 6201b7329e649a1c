public import EngineIOCore
import EngineIOWire

/// What python's `connect(sid, environ)` handler gets: the handshake request, with python's WSGI keys available
/// through the subscript (`environ["REMOTE_ADDR"]`, `environ["HTTP_USER_AGENT"]`, `environ["QUERY_STRING"]`…).
public struct Environ: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [QueryItem]
    public var headers: [HeaderField]
    public var remoteAddress: String
    /// `http` or `https`.
    public var scheme: String

    public init(request: EngineIORequest, path: String) {
        method = request.method
        self.path = request.path.isEmpty ? path : request.path
        query = request.query
        headers = request.headers
        remoteAddress = request.remoteAddress ?? ""
        scheme = request.scheme
    }

    /// The query string, percent-encoded again from its items.
    public var queryString: String {
        query.map { "\(HTTPPercentEncoding.encode($0.name))=\(HTTPPercentEncoding.encode($0.value))" }.joined(separator: "&")
    }

    /// The first value of a header, any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// A WSGI environ key: `REQUEST_METHOD`, `PATH_INFO`, `QUERY_STRING`, `REMOTE_ADDR`, `wsgi.url_scheme`,
    /// `CONTENT_TYPE`, `CONTENT_LENGTH`, or `HTTP_<NAME>` for any header (repeated headers joined with `,`).
    public subscript(key: String) -> String? {
        switch key {
        case "REQUEST_METHOD": return method
        case "PATH_INFO": return path
        case "QUERY_STRING": return queryString
        case "REMOTE_ADDR": return remoteAddress
        case "wsgi.url_scheme": return scheme
        case "SERVER_PROTOCOL": return "HTTP/1.1"
        case "CONTENT_TYPE": return header("Content-Type")
        case "CONTENT_LENGTH": return header("Content-Length")
        default:
            guard key.hasPrefix("HTTP_") else { return nil }
            let name = key.dropFirst(5).lowercased().replacingUnderscores()
            let values = headers.filter { $0.name.lowercased() == name }.map(\.value)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
