public import EngineIOWire
import EngineIOPlatform
import Foundation
import Synchronization

extension Server {
    /// python's `handle_request`: serves one Engine.IO request that another HTTP server received (mount it at the
    /// Engine.IO path). Blocks until the answer is ready, which for a long-poll can take up to `pingInterval`, so call
    /// it from a thread that may wait.
    public func handleRequest(_ request: HTTPRequest, remoteAddress: String = "", engineioPath: String = "engine.io") -> HTTPResponse {
        let answer = Locked<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        core.handle(request, remoteAddress: remoteAddress, path: normalizedPath(engineioPath)) { response in
            answer.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0! }
    }

    /// Takes over a connection another server accepted, WebSocket upgrades included: from then on this server's
    /// event loop reads and writes the socket. `initialBytes` are bytes already read from it (e.g. the request head).
    public func adoptConnection(fd: Int32, remoteAddress: String = "", initialBytes: [UInt8] = [], engineioPath: String = "engine.io") throws {
        try core.adopt(fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes, path: normalizedPath(engineioPath))
    }
}

extension AsyncServer {
    /// python's `handle_request` for the async server: the answer arrives when the reducer gives it.
    public func handleRequest(_ request: HTTPRequest, remoteAddress: String = "", engineioPath: String = "engine.io") async -> HTTPResponse {
        await withCheckedContinuation { continuation in
            core.handle(request, remoteAddress: remoteAddress, path: normalizedPath(engineioPath)) { continuation.resume(returning: $0) }
        }
    }

    /// See `Server.adoptConnection`.
    public func adoptConnection(fd: Int32, remoteAddress: String = "", initialBytes: [UInt8] = [], engineioPath: String = "engine.io") throws {
        try core.adopt(fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes, path: normalizedPath(engineioPath))
    }
}
