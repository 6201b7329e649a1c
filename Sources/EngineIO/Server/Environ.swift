public import EngineIOCore
import EngineIOWire

/// What python's `connect(sid, environ)` handler gets: the handshake request, with python's WSGI keys available
/// through the subscript (`environ["REMOTE_ADDR"]`, `environ["HTTP_USER_AGENT"]`, `environ["QUERY_STRING"]`…).
public struct Environ: Sendable, Hashable {
    /// The handshake request's HTTP method (`REQUEST_METHOD`).
    public var method: String
    /// The request's path without its query (`PATH_INFO`), e.g. `/engine.io/`.
    public var path: String
    /// The query's pairs, percent-decoded, in the order sent: `EIO`, `transport` and whatever the client added (a
    /// token, say); `queryString` encodes them again.
    public var query: [QueryItem]
    /// The request's header fields in the order received; `header(_:)` and `environ["HTTP_<NAME>"]` look them up in any
    /// case.
    public var headers: [HeaderField]
    /// The client's IP address (`REMOTE_ADDR`): the TCP peer, or, when that peer is listed in `trustedProxies`, the
    /// client's address from `X-Forwarded-For`. Empty when unknown (`handleRequest` without `remoteAddress`).
    public var remoteAddress: String
    /// `http` or `https`.
    public var scheme: String

    /// The environ the server gives the connect handler for `request`; `path` (the server passes its Engine.IO path)
    /// stands in when the request has none.
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
