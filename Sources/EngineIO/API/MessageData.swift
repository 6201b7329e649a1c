public import EngineIOCore

/// A message's content, as python's `send` accepts it and `message` handlers receive it.
///
/// python sends `str` as text, `bytes` as binary, and `dict`/`list` as JSON text; on receipt it turns text that
/// parses as JSON into the decoded value. Swift keeps the received text as text (`.text`); `pythonValue` gives the
/// value python's handler would have seen, for code ported from python.
public enum MessageData: Sendable, Hashable, ExpressibleByStringLiteral {
    case text(String)
    case binary([UInt8])
    /// Sent as compact JSON text (python's `dict`/`list`).
    case json(JSONValue)

    /// A string literal is a text message: `server.send(sid, "hello")` sends `.text("hello")`.
    public init(stringLiteral value: String) { self = .text(value) }

    init(_ data: PacketData) {
        switch data {
        case .none: self = .text("")
        case .text(let text): self = .text(text)
        case .binary(let bytes): self = .binary(bytes)
        }
    }

    func packetData(codec: any JSONCodec) -> PacketData {
        switch self {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(bytes)
        case .json(let value): .text(codec.encode(value))
        }
    }

    /// What python-engineio's handler would receive: text that parses as JSON becomes the decoded value
    /// (`{"a":1}` → an object, `-1` → -1), as python does, unless its first character is a digit (python checks the
    /// packet's second character, the first of the data, to leave Socket.IO payloads such as `31[…]` alone: `123`
    /// and `7` stay text); anything else is unchanged.
    public var pythonValue: MessageData {
        guard case .text(let text) = self else { return self }
        if let first = text.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") { return self }
        guard let value = try? JSONParser.parse(text) else { return self }
        return .json(value)
    }
}

/// python's `connect` handler result: `nil` or `.accept` accepts, anything else refuses with 401.
public typealias ConnectResult = ConnectVerdict?

/// The three server events python's `on()` knows, one type each so `on(.connect) { … }` picks the right handler shape.
public enum ConnectEvent: Sendable { case connect }
/// `on(.message)`: the handler for each message the peer sends (python's `on('message')`).
public enum MessageEvent: Sendable { case message }
/// `on(.disconnect)`: the handler for a session's end, with its `DisconnectReason` (python's `on('disconnect')`).
public enum DisconnectEvent: Sendable { case disconnect }
/// A client's reconnection events (with `reconnection` on): `reconnecting` as attempt N starts, `reconnected` when
/// attempt N opened a session (after the connect handler ran again). Both handlers take the attempt number.
public enum ReconnectEvent: Sendable { case reconnecting, reconnected }

/// Errors of the server API.
public enum ServerError: Error, Hashable, Sendable {
    /// python's `KeyError` for a sid that has no session (unknown, or already disconnected).
    case unknownSession(String)
    /// python's `ValueError('Invalid async_mode specified')`.
    case invalidAsyncMode(String)
}
