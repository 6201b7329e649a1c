
/// The HTTP-level decisions the endpoint makes from the options: origins, CORS headers, compression, error bodies.
public enum HTTPPolicies {
    /// Whether a request's `Origin` may use the server (python's rule; requests without `Origin` always may).
    public static func originAllowed(_ request: EngineIORequest, policy: ServerEndpointSettings.CORSPolicy) -> Bool {
        guard let origin = request.header("Origin") else { return true }
        switch policy {
        case .disabled, .all: return true
        case .origins(let list): return list.contains(origin)
        case .custom: return request.originAllowedByApplication ?? false
        case .sameOrigin:
            // Behind a trusted proxy, scheme and host are the public ones (see TrustedProxies); X-Forwarded-*
            // headers from anyone else count for nothing, since any client can send them.
            guard let host = request.publicHost ?? request.header("Host") else { return false }
            return origin == "\(request.scheme)://\(host)"
        }
    }

    /// The CORS headers for an allowed request: the origin echoed (never `*`, so credentials work), credentials,
    /// and for a preflight the methods and requested headers. None when CORS handling is disabled.
    public static func corsHeaders(_ request: EngineIORequest, settings: ServerEndpointSettings) -> [HeaderField] {
        guard settings.cors != .disabled else { return [] }
        var headers: [HeaderField] = []
        if let origin = request.header("Origin") { headers.append(HeaderField("Access-Control-Allow-Origin", origin)) }
        if settings.corsCredentials { headers.append(HeaderField("Access-Control-Allow-Credentials", "true")) }
        if request.method == "OPTIONS" {
            headers.append(HeaderField("Access-Control-Allow-Methods", "OPTIONS, GET, POST"))
            if let requested = request.header("Access-Control-Request-Headers") {
                headers.append(HeaderField("Access-Control-Allow-Headers", requested))
            }
        }
        return headers
    }

    /// The compression to use for a body of `size` bytes given the client's `Accept-Encoding`: standard
    /// negotiation (q-values, `q=0` excluded, `*`), our preference gzip then deflate on ties, and only at or above
    /// the threshold.
    public static func compression(acceptEncoding: String?, size: Int, settings: ServerEndpointSettings) -> CompressionMethod? {
        guard settings.httpCompression, size >= settings.compressionThreshold, let acceptEncoding else { return nil }
        var weights: [String: Double] = [:]
        for element in acceptEncoding.split(separator: ",") {
            let parts = element.split(separator: ";")
            guard let name = parts.first?.trimmingSpaces().lowercased(), !name.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" {
                    quality = Double(pair[1].trimmingSpaces()) ?? 0
                }
            }
            weights[name] = max(weights[name] ?? 0, quality)
        }
        var best: (CompressionMethod, Double)?
        for method in [CompressionMethod.gzip, .deflate] {
            let quality = weights[method.rawValue] ?? weights["*"] ?? 0
            if quality > 0, quality > (best?.1 ?? 0) { best = (method, quality) }
        }
        return best?.0
    }

    /// The JavaScript reference's error body, `{"code":N,"message":"…"}`.
    public static func errorBody(_ error: HandshakeError) -> [UInt8] {
        var body: [UInt8] = []
        JSONSerializer.serialize(["code": .integer(error.rawValue), "message": .string(error.message)], into: &body)
        return body
    }

    /// The body of a 413 for a POST over `maxPayload`: JS's error shape, with the Bad request code it uses for it.
    public static let payloadTooLargeBody: [UInt8] = {
        var body: [UInt8] = []
        JSONSerializer.serialize(["code": .integer(HandshakeError.badRequest.rawValue), "message": .string("Payload too large")], into: &body)
        return body
    }()

    /// The `Content-Type` of a text polling payload.
    public static let textContentType = HeaderField("Content-Type", "text/plain; charset=UTF-8")
    /// The `Content-Type` of error bodies, and of the 401 body the application chose.
    public static let jsonContentType = HeaderField("Content-Type", "application/json")
    /// The `Content-Type` of a v3 binary payload (sent to v3 clients that did not ask for `b64`).
    public static let binaryContentType = HeaderField("Content-Type", "application/octet-stream")
    /// JS answers POSTs as text/html on purpose: old browsers offered text/plain bodies as downloads.
    public static let okContentType = HeaderField("Content-Type", "text/html")
    /// `Cache-Control: no-store`, on every polling payload, so that no cache keeps one.
    public static let noStore = HeaderField("Cache-Control", "no-store")
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
