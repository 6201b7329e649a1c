/// python's `cors_allowed_origins`: which `Origin`s may use the server, checked on every HTTP request and WebSocket.
///
/// | python | Swift |
/// |---|---|
/// | `None` | `.sameOrigin` |
/// | `'*'`, or a list containing `'*'` | `.all` (or `"*"`) |
/// | `'https://a'` / `['https://a', …]` | `.origins([...])` (or a string / array literal) |
/// | a callable | `.custom(OriginCheck { origin in … })` |
/// | `[]` | `.disabled` (or `[]`): no origin check and no CORS headers |
public enum CORSAllowedOrigins: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    /// Only `scheme://Host` of the request itself (and the `X-Forwarded-Proto`/`-Host` form of it).
    case sameOrigin
    /// Every origin.
    case all
    /// Exactly these origins.
    case origins([String])
    /// The application decides.
    case custom(OriginCheck)
    /// No origin validation and no CORS headers at all.
    case disabled

    public init(stringLiteral value: String) { self = value == "*" ? .all : .origins([value]) }

    public init(arrayLiteral elements: String...) {
        if elements.isEmpty {
            self = .disabled
        } else if elements.contains("*") {
            self = .all
        } else {
            self = .origins(elements)
        }
    }

    public func validate(option: String) throws(OptionError) {
        if case .origins(let list) = self, list.contains(where: { $0.utf8.contains { $0 < 0x20 || $0 == 0x7F } }) {
            throw OptionError(option: option, message: "an origin contains a control character")
        }
    }
}

/// An application's origin policy. Two checks are equal only if they are the same instance.
public struct OriginCheck: Sendable, Hashable {
    private let id: ObjectIdentifier
    private let box: Box

    private final class Box: Sendable {
        let check: @Sendable (_ origin: String) -> Bool
        init(_ check: @escaping @Sendable (String) -> Bool) { self.check = check }
    }

    public init(_ check: @escaping @Sendable (_ origin: String) -> Bool) {
        box = Box(check)
        id = ObjectIdentifier(box)
    }

    /// Whether `origin` may connect.
    public func allows(_ origin: String) -> Bool { box.check(origin) }

    public static func == (lhs: OriginCheck, rhs: OriginCheck) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
