// Generated from Spec/engineio.json by engineio-spec-gen. Do not edit.
// Regenerate with: swift package --allow-writing-to-package-directory regenerate-spec

/// Concurrency model a server or client runs its handlers on, replacing python's backend names.
public enum AsyncMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Blocking handlers run on a thread pool; used by Server and Client.
    case threading = "threading"
    /// async/await handlers run on Swift concurrency; used by AsyncServer and AsyncClient.
    case `async` = "async"
}

/// Content encodings the server can apply to polling responses.
public enum CompressionMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// gzip encoding (RFC 1952).
    case gzip = "gzip"
    /// zlib-wrapped deflate encoding (RFC 1950), which is what HTTP `deflate` means.
    case deflate = "deflate"
}
