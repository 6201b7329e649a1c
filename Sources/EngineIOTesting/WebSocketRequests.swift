import EngineIOCore
import EngineIOWire

extension EngineIORequest {
    /// A WebSocket handshake for the endpoint reducer, as a browser sends it: `GET`, HTTP/1.1, `Upgrade`,
    /// `Connection`, RFC 6455's sample key and version 13, then `headers`.
    public static func webSocketHandshake(query: [QueryItem], headers: [HeaderField] = []) -> EngineIORequest {
        let handshake = WebSocketHandshake.requestHeaders(key: "dGhlIHNhbXBsZSBub25jZQ==").map { HeaderField($0.name, $0.value) }
        return EngineIORequest(method: "GET", query: query, headers: handshake + headers, isWebSocketUpgrade: true)
    }
}
