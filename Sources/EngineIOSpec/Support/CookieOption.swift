/// python's `cookie`: the sid cookie set on the polling handshake, for sticky load balancing.
///
/// A string literal names the cookie and gets python's attributes (`path=/; SameSite=Lax`); give `attributes` to
/// spell them yourself, in order, as python's dict form does.
public struct CookieOption: Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    /// One `; name` or `; name=value` part after `name=<sid>`.
    public enum Attribute: Sendable, Hashable, Codable {
        /// A bare attribute such as `Secure` or `HttpOnly` (python: a value of `True`).
        case flag(String)
        /// `name=value`, e.g. `("path", "/")`.
        case value(String, String)
    }

    public var name: String
    public var attributes: [Attribute]

    /// python's attributes for a cookie given by name alone.
    public static let pythonDefaultAttributes: [Attribute] = [.value("path", "/"), .value("SameSite", "Lax")]

    public init(name: String = "io", attributes: [Attribute] = CookieOption.pythonDefaultAttributes) {
        self.name = name
        self.attributes = attributes
    }

    public init(stringLiteral value: String) { self.init(name: value) }

    /// The `Set-Cookie` header value for a session.
    public func headerValue(sid: String) -> String {
        var result = "\(name)=\(sid)"
        for attribute in attributes {
            switch attribute {
            case .flag(let flag): result += "; \(flag)"
            case .value(let key, let value): result += "; \(key)=\(value)"
            }
        }
        return result
    }

    public func validate(option: String) throws(OptionError) {
        guard isToken(name) else { throw OptionError(option: option, message: "cookie name \"\(name)\" is not an HTTP token") }
        for attribute in attributes {
            let parts: [String]
            switch attribute {
            case .flag(let flag): parts = [flag]
            case .value(let key, let value): parts = [key, value]
            }
            for part in parts where part.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ";") }) {
                throw OptionError(option: option, message: "cookie attribute \"\(part)\" contains ';' or a control character")
            }
        }
    }

    private func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
        }
    }
}
