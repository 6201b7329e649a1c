public import EngineIOWire

// python's `AsyncServer.attach(app, engineio_path)` adds the Engine.IO routes to an aiohttp application. Swift has
// no one web framework to add routes to, so attaching is defined by a small protocol that any HTTP server (or a thin
// wrapper around one) adopts: somewhere to mount a path. The server hands the host an `EngineIOEndpoint`, which
// answers requests the host has read and takes over the connections that ask for a WebSocket.

/// An HTTP server the application already runs, as far as attaching Engine.IO to it needs: a place to mount a path.
///
/// Adopt it in your framework's router (or a wrapper around it) and call `AsyncServer.attach(_:engineioPath:)`:
/// every request under the path then goes to the endpoint's `respond(to:remoteAddress:)`, and a request that asks
/// for a WebSocket (`EngineIOEndpoint.wantsConnection(_:)`) hands its connection to `adopt(fd:remoteAddress:initialBytes:)`.
public protocol EngineIOHost: AnyObject, Sendable {
    /// Sends every request whose path starts with `path` (`/engine.io/`: with slashes at both ends) to `endpoint`,
    /// for `GET`, `POST` and `OPTIONS`. The request without its last slash (`/engine.io`) belongs there too.
    func mount(_ endpoint: EngineIOEndpoint, at path: String)
}

/// What an attached server offers its host: answers to requests the host has read, and a home for the connections
/// that become WebSockets.
public struct EngineIOEndpoint: Sendable {
    /// The server behind this endpoint.
    public let server: AsyncServer
    /// The Engine.IO path it is mounted at, normalised to `/path/`.
    public let path: String

    /// An endpoint for `server` at `path` (normalised as python does: `engine.io` becomes `/engine.io/`).
    public init(server: AsyncServer, path: String = "engine.io") {
        self.server = server
        self.path = normalizedPath(path)
    }

    /// Answers one request the host has read in full: python's `handle_request`. A long poll's answer comes when
    /// the session has something to send, or after at most `pingInterval`, so await it off the host's I/O thread.
    public func respond(to request: HTTPRequest, remoteAddress: String = "") async -> HTTPResponse {
        await server.handleRequest(request, remoteAddress: remoteAddress, engineioPath: path)
    }

    /// Takes over a connection whose request asks for a WebSocket: from then on the server's event loop reads and
    /// writes it, handshake included. `initialBytes` are the bytes the host already read from it, the request head
    /// first. The host must not touch `fd` afterwards, not even to close it.
    public func adopt(fd: Int32, remoteAddress: String = "", initialBytes: [UInt8]) throws {
        try server.adoptConnection(fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes, engineioPath: path)
    }

    /// Whether the host should hand this request's connection to `adopt` rather than call `respond`: it asks to
    /// upgrade to a WebSocket. The server judges the rest of the handshake itself.
    public static func wantsConnection(_ head: HTTPRequestHead) -> Bool { head.isUpgrade }
}

extension AsyncServer {
    /// python's `attach(app, engineio_path)`: mounts this server on an HTTP server the application already runs.
    /// See `EngineIOHost` for what the host does with the endpoint it is given.
    public func attach(_ app: some EngineIOHost, engineioPath: String = "engine.io") {
        let endpoint = EngineIOEndpoint(server: self, path: engineioPath)
        app.mount(endpoint, at: endpoint.path)
    }
}
