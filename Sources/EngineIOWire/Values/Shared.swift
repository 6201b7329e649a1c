/// A value kept behind one reference that its copies share; changing a copy gives it a box of its own.
///
/// For configurations and settings that thousands of connections or sessions hold unchanged: each holds a pointer
/// instead of its own copy of the fields, which is what an idle session's memory is mostly made of. Reading costs
/// one indirection; writing allocates a new box, so it suits values set once and read often.
public struct Shared<Value: Hashable & Sendable>: Hashable, Sendable {
    @usableFromInline
    final class Box: Sendable {
        @usableFromInline let value: Value

        @usableFromInline
        init(_ value: Value) { self.value = value }
    }

    @usableFromInline var box: Box

    @inlinable
    public init(_ value: Value) { box = Box(value) }

    /// The value; setting it replaces this copy's box and leaves the other copies as they were.
    @inlinable
    public var value: Value {
        get { box.value }
        set { box = Box(newValue) }
    }

    @inlinable
    public static func == (lhs: Shared, rhs: Shared) -> Bool { lhs.box === rhs.box || lhs.box.value == rhs.box.value }

    public func hash(into hasher: inout Hasher) { box.value.hash(into: &hasher) }
}

/// Encoded exactly as the value itself is.
extension Shared: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws { self.init(try Value(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
