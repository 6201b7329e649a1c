/// The header fields of an HTTP message, in the order received, with names kept as written.
///
/// Lookups compare names ASCII case-insensitively (RFC 9110 §5.1). Equality, however, compares the fields exactly as
/// stored, order and case included, because that is what a round trip through the parser must preserve.
public struct HTTPHeaders: Sendable, Equatable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One field line.
    public typealias Element = (name: String, value: String)
    /// Positions are offsets from the first field.
    public typealias Index = Int

    // Tuples cannot be Hashable, so storage holds a struct and the collection hands out tuples.
    private struct Field: Sendable, Hashable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    /// No fields.
    public init() {
        fields = []
    }

    /// The given fields, in order.
    public init(_ fields: [(name: String, value: String)]) {
        self.fields = fields.map { Field(name: $0.name, value: $0.value) }
    }

    /// The given fields, in order; repeated names are kept as separate field lines.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The position of the first field.
    public var startIndex: Int { 0 }
    /// The position after the last field.
    public var endIndex: Int { fields.count }

    /// The field at `position`.
    public subscript(position: Int) -> (name: String, value: String) {
        let field = fields[position]
        return (field.name, field.value)
    }

    /// The value of the first field called `name` (any case), or `nil`.
    public subscript(_ name: String) -> String? {
        fields.first { HTTPSyntax.sameName($0.name, name) }?.value
    }

    /// The values of every field called `name` (any case), in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { HTTPSyntax.sameName($0.name, name) ? $0.value : nil }
    }

    /// Whether a field called `name` (any case) is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPSyntax.sameName($0.name, name) }
    }

    /// Whether any field called `name` holds `token` as one of its comma-separated elements, compared
    /// case-insensitively and ignoring surrounding whitespace: `Connection: keep-alive, Upgrade` contains `upgrade`.
    public func contains(token: String, inHeader name: String) -> Bool {
        fields.contains { HTTPSyntax.sameName($0.name, name) && HTTPSyntax.list($0.value, containsToken: token) }
    }

    /// Appends a field line, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        // A request's head is read one field at a time: room for a typical head at once, not regrown three times.
        if fields.capacity == 0 { fields.reserveCapacity(16) }
        fields.append(Field(name: name, value: value))
    }

    /// Sets the first field called `name` (any case) to `name: value` in place and removes the others of that name,
    /// or appends the field when there is none.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = fields.firstIndex(where: { HTTPSyntax.sameName($0.name, name) })
        else {
            fields.append(Field(name: name, value: value))
            return
        }
        fields[first] = Field(name: name, value: value)
        var index = first + 1
        while index < fields.count {
            if HTTPSyntax.sameName(fields[index].name, name) {
                fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// Removes every field called `name` (any case).
    public mutating func remove(name: String) {
        fields.removeAll { HTTPSyntax.sameName($0.name, name) }
    }
}
