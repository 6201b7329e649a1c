public import EngineIOCore
public import EngineIOWire
import EngineIOPlatform
import Foundation
import Synchronization

/// A handler for requests outside the Engine.IO path: python's `wsgi_app` / `other_asgi_app`. It runs on the
/// event loop, so it must answer quickly (serve from memory, or hand work elsewhere).
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse?

/// What both apps do: route the Engine.IO path to the server, then static files, then the other app, then 404.
final class AppRouter: Sendable {
    let staticFiles: StaticFiles?
    let other: HTTPHandler?

    init(staticFiles: StaticFiles?, other: HTTPHandler?) {
        self.staticFiles = staticFiles
        self.other = other
    }

    func respond(_ request: HTTPRequest) -> HTTPResponse? {
        if request.head.method == "GET", let staticFiles, let (filename, contentType) = StaticFileResolver.resolve(String(request.head.path), rules: staticFiles) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: filename, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: filename)
            {
                return HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["Content-Type": contentType]), body: Array(data))
            }
        }
        return other?(request)
    }
}

extension HTTPResponse {
    /// `404 Not Found`, as both apps answer what neither the server, the static files nor the other app serves.
    public static var notFound: HTTPResponse {
        HTTPResponse(head: HTTPResponseHead(status: 404, headers: ["Content-Type": "text/plain"]), body: Array("Not Found".utf8))
    }
}

/// python's deprecated `engineio.Middleware`, renamed `WSGIApp` there too.
@available(*, deprecated, renamed: "WSGIApp", message: "python-engineio renamed Middleware to WSGIApp")
public typealias Middleware = WSGIApp

/// python's `WSGIApp`: serves a `Server` on the embedded HTTP server, with static files and a fallback app.
public final class WSGIApp: Sendable {
    /// The `Server` this app routes Engine.IO requests to (python's `engineio_app`); `stop` shuts it down.
    public let server: Server
    /// The Engine.IO path, normalised as python does to a leading and trailing `/` (`engine.io` → `/engine.io/`):
    /// requests under it go to the server, the others to the static files and `wsgiApp`.
    public let engineioPath: String
    private let router: AppRouter
    private let stopped = DispatchSemaphore(value: 0)

    /// python's `WSGIApp(engineio_app, wsgi_app, static_files, engineio_path)`: Engine.IO requests go to the server, a
    /// GET that `staticFiles` maps to an existing file gets that file, and anything else goes to `wsgiApp` (404 when it
    /// is nil or returns nil). Nothing listens until `start` or `run`.
    public init(_ engineioApp: Server, wsgiApp: HTTPHandler? = nil, staticFiles: StaticFiles? = nil, engineioPath: String = "engine.io") {
        server = engineioApp
        self.engineioPath = normalizedPath(engineioPath)
        router = AppRouter(staticFiles: staticFiles, other: wsgiApp)
    }

    /// Starts serving without blocking; returns the bound port (pass 0 for any free port).
    /// `certificateFile` and `keyFile` (PEM: the certificate chain and its key) serve HTTPS and WSS instead of HTTP.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 5000, certificateFile: String? = nil, keyFile: String? = nil) throws -> Int {
        let router = self.router
        server.core.fallback.withLock { $0 = { router.respond($0) } }
        return try server.core.listen(host: host, port: port, path: engineioPath, tls: serverTLS(certificateFile: certificateFile, keyFile: keyFile))
    }

    /// Serves until `stop()` (python's `run`-style entry point); over HTTPS and WSS with `certificateFile` and `keyFile`.
    public func run(host: String = "127.0.0.1", port: Int = 5000, certificateFile: String? = nil, keyFile: String? = nil) throws {
        try start(host: host, port: port, certificateFile: certificateFile, keyFile: keyFile)
        stopped.wait()
    }

    /// python's `not_found`: the 404 answer, for a fallback app that wants to say it serves nothing here.
    public func notFound() -> HTTPResponse { .notFound }

    /// Closes every session and stops serving; `run` returns. `drain`: as `Server.shutdown(drain:)`.
    public func stop(drain: Bool = false) {
        server.shutdown(drain: drain)
        stopped.signal()
    }
}

/// python's `ASGIApp`: serves an `AsyncServer`, with static files, a fallback app and startup/shutdown hooks.
public final class ASGIApp: Sendable {
    /// python's `on_startup` / `on_shutdown` callable: `start` awaits the startup hook before it listens, `stop` awaits
    /// the shutdown hook once the server has stopped.
    public typealias LifecycleHook = @Sendable () async -> Void

    /// The `AsyncServer` this app routes Engine.IO requests to (python's `engineio_server`); `stop` shuts it down.
    public let server: AsyncServer
    /// The Engine.IO path, normalised as python does to a leading and trailing `/` (`engine.io` → `/engine.io/`):
    /// requests under it go to the server, the others to the static files and `otherAsgiApp`.
    public let engineioPath: String
    private let router: AppRouter
    private let onStartup: LifecycleHook?
    private let onShutdown: LifecycleHook?
    private let stopped = Locked<CheckedContinuation<Void, Never>?>(nil)

    /// python's `ASGIApp(engineio_server, other_asgi_app, static_files, engineio_path, on_startup, on_shutdown)`:
    /// Engine.IO requests go to the server, a GET that `staticFiles` maps to an existing file gets that file, and
    /// anything else goes to `otherAsgiApp` (404 when it is nil or returns nil). Nothing listens until `start` or
    /// `run`.
    public init(
        _ engineioServer: AsyncServer, otherAsgiApp: HTTPHandler? = nil, staticFiles: StaticFiles? = nil, engineioPath: String = "engine.io",
        onStartup: LifecycleHook? = nil, onShutdown: LifecycleHook? = nil
    ) {
        server = engineioServer
        self.engineioPath = normalizedPath(engineioPath)
        router = AppRouter(staticFiles: staticFiles, other: otherAsgiApp)
        self.onStartup = onStartup
        self.onShutdown = onShutdown
    }

    /// Runs the startup hook and starts serving; returns the bound port.
    /// `certificateFile` and `keyFile` (PEM: the certificate chain and its key) serve HTTPS and WSS instead of HTTP.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 5000, certificateFile: String? = nil, keyFile: String? = nil) async throws -> Int {
        let tls = try serverTLS(certificateFile: certificateFile, keyFile: keyFile)
        await onStartup?()
        let router = self.router
        server.core.fallback.withLock { $0 = { router.respond($0) } }
        return try server.core.listen(host: host, port: port, path: engineioPath, tls: tls)
    }

    /// Serves until `stop()`; over HTTPS and WSS with `certificateFile` and `keyFile`.
    public func run(host: String = "127.0.0.1", port: Int = 5000, certificateFile: String? = nil, keyFile: String? = nil) async throws {
        try await start(host: host, port: port, certificateFile: certificateFile, keyFile: keyFile)
        await withCheckedContinuation { continuation in stopped.withLock { $0 = continuation } }
    }

    /// python's `not_found`: the 404 answer, for a fallback app that wants to say it serves nothing here.
    public func notFound() -> HTTPResponse { .notFound }

    /// Closes every session, stops serving and runs the shutdown hook; `run` returns. `drain`: as
    /// `AsyncServer.shutdown(drain:)`.
    public func stop(drain: Bool = false) async {
        await server.shutdown(drain: drain)
        await onShutdown?()
        stopped.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }
}

/// python normalises `engineio_path` to `/path/`.
func normalizedPath(_ path: String) -> String {
    var result = path
    if !result.hasPrefix("/") { result = "/" + result }
    if !result.hasSuffix("/") { result += "/" }
    return result
}

/// The server's TLS settings, when both files are given; a half-given pair is a mistake worth an error, not plain HTTP.
private func serverTLS(certificateFile: String?, keyFile: String?) throws -> TLSServerContext? {
    switch (certificateFile, keyFile) {
    case (nil, nil): return nil
    case (let certificate?, let key?): return try TLSServerContext(certificateFile: certificate, keyFile: key)
    default: throw TLSError("TLS needs both certificateFile and keyFile")
    }
}
