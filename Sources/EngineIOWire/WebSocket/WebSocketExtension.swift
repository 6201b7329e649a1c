/// One element of a `Sec-WebSocket-Extensions` header (RFC 6455 §9.1): an extension name and its parameters.
///
/// A header may list several elements, and a client may offer the same extension several times with different
/// parameters in order of preference (RFC 7692 §5), so parsing yields an ordered list.
public struct WebSocketExtension: Sendable, Equatable, Hashable {
    /// An extension parameter; `value` is `nil` for a bare name such as `server_no_context_takeover`.
    public struct Parameter: Sendable, Equatable, Hashable {
        /// The parameter name, as sent.
        public var name: String
        /// The value with any quoting removed, or `nil` when there was no `=`.
        public var value: String?

        /// A parameter.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The extension token, as sent.
    public var name: String
    /// The parameters in the order they were sent; duplicates are kept so an extension can reject them.
    public var parameters: [Parameter]

    /// An extension element.
    public init(name: String, parameters: [Parameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// This element as header text, e.g. `permessage-deflate; client_max_window_bits=10`.
    ///
    /// Values that are not tokens are sent as quoted strings.
    public var headerValue: String {
        var text = name
        for parameter in parameters {
            text += "; " + parameter.name
            if let value = parameter.value {
                text += "="
                if WebSocketHeaderText.isToken(value) {
                    text += value
                } else {
                    text += "\""
                    for character in value {
                        if character == "\"" || character == "\\" { text += "\\" }
                        text.append(character)
                    }
                    text += "\""
                }
            }
        }
        return text
    }

    /// Several elements as one header value, separated by `, `.
    public static func headerValue(_ extensions: [WebSocketExtension]) -> String {
        extensions.map(\.headerValue).joined(separator: ", ")
    }

    /// Parses every `Sec-WebSocket-Extensions` header value of a message, in order; `nil` when one is malformed.
    ///
    /// Several header lines mean the same as one line with their values joined by commas (RFC 7230 §3.2.2).
    public static func parse(headerValues: [String]) -> [WebSocketExtension]? {
        var result: [WebSocketExtension] = []
        for value in headerValues {
            guard let extensions = parse(value) else { return nil }
            result.append(contentsOf: extensions)
        }
        return result
    }

    /// Parses one `Sec-WebSocket-Extensions` header value; `nil` when it is malformed.
    ///
    /// Grammar (RFC 6455 §9.1, with HTTP's implied optional whitespace between items):
    /// `extension *( "," extension )`, `extension = token *( ";" token [ "=" ( token / quoted-string ) ] )`.
    /// A quoted value must still be a token once unescaped; empty list elements are skipped (RFC 7230 §7).
    public static func parse(_ headerValue: String) -> [WebSocketExtension]? {
        var scanner = Scanner(Array(headerValue.utf8))
        var result: [WebSocketExtension] = []
        while true {
            scanner.skipWhitespace()
            if scanner.isAtEnd { return result }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard let name = scanner.token() else { return nil }
            var element = WebSocketExtension(name: name)
            while true {
                scanner.skipWhitespace()
                if scanner.isAtEnd || scanner.consume(UInt8(ascii: ",")) { break }
                guard scanner.consume(UInt8(ascii: ";")) else { return nil }
                scanner.skipWhitespace()
                guard let parameterName = scanner.token() else { return nil }
                scanner.skipWhitespace()
                var value: String?
                if scanner.consume(UInt8(ascii: "=")) {
                    scanner.skipWhitespace()
                    if scanner.peek == UInt8(ascii: "\"") {
                        guard let quoted = scanner.quotedString(), WebSocketHeaderText.isToken(quoted) else {
                            return nil
                        }
                        value = quoted
                    } else {
                        guard let token = scanner.token() else { return nil }
                        value = token
                    }
                }
                element.parameters.append(Parameter(name: parameterName, value: value))
            }
            result.append(element)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index >= bytes.count }
        var peek: UInt8? { isAtEnd ? nil : bytes[index] }

        mutating func skipWhitespace() {
            while let byte = peek, WebSocketHeaderText.isWhitespace(byte) { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func token() -> String? {
            let start = index
            while let byte = peek, WebSocketHeaderText.isTokenByte(byte) { index += 1 }
            guard index > start else { return nil }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// A quoted-string with its escapes resolved; `nil` if unterminated or holding a control character.
        mutating func quotedString() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var value: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return nil }
                    index += 1
                    value.append(escaped)
                case 0x00..<0x20 where byte != UInt8(ascii: "\t"), 0x7F:
                    return nil
                default:
                    value.append(byte)
                }
            }
            return nil
        }
    }
}
