import CLinux
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Glibc

/// Whoever waits for the answer to a request: a connection of ours, or another server's callback.
protocol RequestOwner: AnyObject, Sendable {
    func send(_ reply: HTTPReply, for id: RequestID)
}

/// Whoever holds a WebSocket a shard's reducer talks to.
protocol SocketOwner: AnyObject, Sendable {
    func acceptWebSocket(_ acceptance: WebSocketAcceptance)
    func refuseWebSocket(_ reply: HTTPReply)
    func writeMessages(_ payloads: [WebSocketPayload])
    func closeWebSocket(code: UInt16)
    /// Stops (or resumes) reading from the WebSocket, for flow control.
    func pauseReading(_ paused: Bool)
}

/// A connection that lives on another loop than the shard that owns its session: every call goes to the
/// connection's own loop.
final class LoopBound: RequestOwner, SocketOwner, @unchecked Sendable {
    let connection: HTTPConnection

    init(_ connection: HTTPConnection) { self.connection = connection }

    private func onConnectionLoop(_ body: @escaping @Sendable (HTTPConnection) -> Void) {
        let connection = self.connection
        connection.engine.perform { _ in body(connection) }
    }

    func send(_ reply: HTTPReply, for id: RequestID) { onConnectionLoop { $0.send(reply, for: id) } }
    func acceptWebSocket(_ acceptance: WebSocketAcceptance) { onConnectionLoop { $0.acceptWebSocket(acceptance) } }
    func refuseWebSocket(_ reply: HTTPReply) { onConnectionLoop { $0.refuseWebSocket(reply) } }
    func writeMessages(_ payloads: [WebSocketPayload]) { onConnectionLoop { $0.writeMessages(payloads) } }
    func closeWebSocket(code: UInt16) { onConnectionLoop { $0.closeWebSocket(code: code) } }
    func pauseReading(_ paused: Bool) { onConnectionLoop { $0.pauseReading(paused) } }
}

/// A request handed in through `ServerEngine.handle`.
final class CallbackRequest: RequestOwner, @unchecked Sendable {
    let completion: @Sendable (HTTPResponse) -> Void

    init(completion: @escaping @Sendable (HTTPResponse) -> Void) { self.completion = completion }

    func send(_ reply: HTTPReply, for id: RequestID) { completion(reply.response()) }
}

extension HTTPReply {
    /// The HTTP response, compressed as the reducer decided.
    func response() -> HTTPResponse {
        var headers = HTTPHeaders(self.headers.map { (name: $0.name, value: $0.value) })
        var body = self.body
        if let method = compression {
            let format: ZlibFormat = method == .gzip ? .gzip : .zlib
            if let compressed = try? Deflater(format: format).compress(body) {
                body = compressed
                headers.add(name: "Content-Encoding", value: method.rawValue)
            }
        }
        return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
    }
}
