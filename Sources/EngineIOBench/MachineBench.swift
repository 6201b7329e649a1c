import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation

// `eio-bench --only machines`: the pure machines timed in this process, with no socket, thread or timer: what one
// WebSocket handshake and one echoed message cost in the reducers and the wire codecs alone. On a shared machine
// these are the steady figures (nanoseconds of one thread's work), and they separate the machines' share of the
// server's CPU from the shells' and the kernel's.

/// Runs `body` (which does `perIteration` operations) for about `seconds`, three times, and returns the best
/// nanoseconds per operation (the least disturbed run).
private func nanosecondsPerOperation(seconds: Double, perIteration: Int = 1, _ body: (Int) -> Void) -> Double {
    var best = Double.infinity
    var iteration = 0
    for _ in 0..<3 {
        let start = monotonicNanoseconds()
        let end = start + Int64(seconds * 1e9 / 3)
        var operations = 0
        var now = start
        while now < end {
            for _ in 0..<64 {
                body(iteration)
                iteration += 1
            }
            operations += 64 * perIteration
            now = monotonicNanoseconds()
        }
        best = min(best, Double(now - start) / Double(operations))
    }
    return best
}

/// The headers a browser's WebSocket handshake carries, as the endpoint receives them.
private let handshakeHeaders: [HeaderField] = [
    HeaderField("Host", "127.0.0.1:5000"),
    HeaderField("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"),
    HeaderField("Upgrade", "websocket"),
    HeaderField("Connection", "Upgrade"),
    HeaderField("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    HeaderField("Sec-WebSocket-Version", "13"),
    HeaderField("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
    HeaderField("Accept-Encoding", "gzip, deflate, br"),
]

private let handshakeRequestBytes: [UInt8] = Array(
    ("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        + handshakeHeaders.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n").utf8)

/// A sid for iteration `index`: 20 characters, as the server draws them.
private func sid(_ index: Int) -> String {
    let digits = String(index, radix: 36)
    return String(repeating: "s", count: max(0, 20 - digits.count)) + digits
}

/// The WebSocket handshake through `ServerEndpoint`: admitted, accepted (the shell's verdict, as without a connect
/// handler), closed by the client, let go by the application.
private func endpointHandshake(seconds: Double) -> Double {
    let options = ServerOptions()
    var endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: options))
    var effects: [ServerEndpointEffect] = []
    let query = [QueryItem("EIO", "4"), QueryItem("transport", "websocket")]
    let request = EngineIORequest(method: "GET", query: query, headers: handshakeHeaders, isWebSocketUpgrade: true, remoteAddress: "127.0.0.1")
    return nanosecondsPerOperation(seconds: seconds) { index in
        let now = Instant(milliseconds: Int64(index))
        let connection = ConnectionID(UInt64(index))
        let fresh = sid(index)
        ServerEndpoint.reduce(&endpoint, Input(at: now, .webSocketRequested(connection, request, freshSID: fresh)), into: &effects)
        if effects.contains(where: { if case .authorize = $0 { true } else { false } }) {
            ServerEndpoint.reduce(&endpoint, Input(at: now, .verdictReceived(sid: fresh, .accept)), into: &effects)
        }
        ServerEndpoint.reduce(&endpoint, Input(at: now, .webSocketClosed(connection)), into: &effects)
        ServerEndpoint.reduce(&endpoint, Input(at: now, .applicationReleased(sid: fresh)), into: &effects)
        effects.removeAll(keepingCapacity: true)
    }
}

/// One 32-byte text message in and its echo out through `ServerEndpoint`, on one open WebSocket session among 100.
private func endpointEcho(seconds: Double) -> Double {
    var endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: ServerOptions()))
    var effects: [ServerEndpointEffect] = []
    let query = [QueryItem("EIO", "4"), QueryItem("transport", "websocket")]
    let request = EngineIORequest(method: "GET", query: query, headers: handshakeHeaders, isWebSocketUpgrade: true, remoteAddress: "127.0.0.1")
    for index in 0..<100 {
        let connection = ConnectionID(UInt64(index))
        ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 0), .webSocketRequested(connection, request, freshSID: sid(index))), into: &effects)
        ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 0), .verdictReceived(sid: sid(index), .accept)), into: &effects)
    }
    effects.removeAll()
    let text = String(repeating: "x", count: 32)
    let frame = WebSocketPayload.text(Array(("4" + text).utf8))
    let connection = ConnectionID(42), echoSID = sid(42)
    return nanosecondsPerOperation(seconds: seconds) { index in
        let now = Instant(milliseconds: 1 + Int64(index / 1_000_000))
        ServerEndpoint.reduce(&endpoint, Input(at: now, .frameReceived(connection, frame)), into: &effects)
        guard case .deliver(_, let data) = effects.first else { fatalError("the message was not delivered") }
        effects.removeAll(keepingCapacity: true)
        ServerEndpoint.reduce(&endpoint, Input(at: now, .command(sid: echoSID, .send(Packet(.message, data)))), into: &effects)
        effects.removeAll(keepingCapacity: true)
    }
}

/// The handshake's request head through `HTTPServerConnection` (parse, then the 101 it answers with).
private func httpHandshakeParse(seconds: Double) -> Double {
    let configuration = HTTPServerConnection.Configuration(limits: HTTPParserLimits(maxHeadBytes: 8192, maxBodyBytes: 1 << 20))
    let response = HTTPResponseHead(status: 101, headers: HTTPHeaders(WebSocketHandshake.responseHeaders(acceptValue: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")))
    return nanosecondsPerOperation(seconds: seconds) { _ in
        var connection = HTTPServerConnection(configuration: configuration, acceptedAt: 0)
        connection.receive(handshakeRequestBytes, now: 0)
        guard case .request = connection.nextEvent(now: 0) else { fatalError("the handshake request did not parse") }
        _ = connection.acceptUpgrade(response: response)
    }
}

/// Eight masked 32-byte text frames (as a client sends them) read by `WebSocketConnection`, and their echoes
/// written.
private func webSocketFrames(seconds: Double) -> Double {
    let configuration = WebSocketConnection.Configuration(role: .server, maxMessageSize: 1_000_000)
    let client = WebSocketConnection.Configuration(role: .client, maxMessageSize: 1_000_000)
    var sender = WebSocketConnection(configuration: client)
    let message = Array(("4" + String(repeating: "x", count: 32)).utf8)
    for _ in 0..<8 { sender.send(.text(message)) }
    let wire = sender.withPendingOutput { Array($0) }
    var connection = WebSocketConnection(configuration: configuration)
    return nanosecondsPerOperation(seconds: seconds, perIteration: 8) { _ in
        connection.receive(wire)
        while let event = connection.nextEvent() {
            if case .message(let payload) = event { connection.send(payload) }
        }
        let written = connection.withPendingOutput { $0.count }
        connection.didWrite(written)
    }
}

/// Prints the machines' figures; `only` (handshake, echo, http or frames) times one of them alone, for a profiler.
func machineBenchmarks(seconds: Double, only: String?) {
    let rows: [(name: String, label: String, run: (Double) -> Double)] = [
        ("handshake", "WebSocket handshake through ServerEndpoint (admit, accept, close, release)", endpointHandshake),
        ("echo", "32 B message in and its echo out through ServerEndpoint", endpointEcho),
        ("http", "handshake request head parsed, 101 written (HTTPServerConnection)", httpHandshakeParse),
        ("frames", "32 B masked frame read and its echo framed (WebSocketConnection)", webSocketFrames),
    ]
    say("machines, in this process (no sockets), best of 3: nanoseconds of one thread's work per operation")
    for row in rows where only == nil || only == row.name {
        let label = (row.label + ":").padding(toLength: 78, withPad: " ", startingAt: 0)
        say(label + String(format: "%8.0f ns", row.run(seconds)))
    }
}
