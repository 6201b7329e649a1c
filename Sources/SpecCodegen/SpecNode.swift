import EngineIOJSON

/// A JSON object of the spec being read, with its path for diagnostics.
///
/// Every key read is remembered; `finish()` rejects the keys nobody asked for, so a typo in the spec is an error
/// instead of a silently ignored entry.
struct SpecNode {
    let file: String
    let path: String
    private let members: [JSONMember]
    private var consumed: Set<String> = []

    init(file: String, path: String, value: JSONValue) throws(SpecError) {
        self.file = file
        self.path = path
        guard case .object(let members) = value else {
            throw SpecError(file: file, path: path, message: "expected an object")
        }
        var seen: Set<String> = []
        for member in members where !seen.insert(member.key).inserted {
            throw SpecError(file: file, path: Self.join(path, member.key), message: "duplicate key")
        }
        self.members = members
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String?, _ message: String) -> SpecError {
        SpecError(file: file, path: key.map { Self.join(path, $0) } ?? path, message: message)
    }

    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    mutating func raw(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return members.first { $0.key == key }?.value
    }

    mutating func required(_ key: String) throws(SpecError) -> JSONValue {
        guard let value = raw(key) else { throw error(key, "missing required key") }
        return value
    }

    mutating func string(_ key: String) throws(SpecError) -> String {
        guard case .string(let text) = try required(key) else { throw error(key, "expected a string") }
        return text
    }

    mutating func optionalString(_ key: String) throws(SpecError) -> String? {
        switch raw(key) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw error(key, "expected a string or null")
        }
    }

    mutating func int(_ key: String) throws(SpecError) -> Int {
        guard case .integer(let number) = try required(key) else { throw error(key, "expected an integer") }
        return number
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(SpecError) -> Bool {
        switch raw(key) {
        case nil: return fallback
        case .bool(let flag)?: return flag
        default: throw error(key, "expected true or false")
        }
    }

    /// A non-empty documentation string.
    mutating func doc() throws(SpecError) -> String {
        let text = try string("doc")
        guard text.contains(where: { !$0.isWhitespace }) else { throw error("doc", "documentation must not be empty") }
        return text
    }

    /// The elements of an array, each with its own path.
    mutating func array(_ key: String) throws(SpecError) -> [(path: String, value: JSONValue)] {
        guard case .array(let elements) = try required(key) else { throw error(key, "expected an array") }
        let base = Self.join(path, key)
        return elements.enumerated().map { ("\(base)[\($0.offset)]", $0.element) }
    }

    /// The objects of an array, as nodes.
    mutating func objects(_ key: String) throws(SpecError) -> [SpecNode] {
        var nodes: [SpecNode] = []
        for element in try array(key) {
            nodes.append(try SpecNode(file: file, path: element.path, value: element.value))
        }
        return nodes
    }

    mutating func object(_ key: String) throws(SpecError) -> SpecNode? {
        guard let value = raw(key), value != .null else { return nil }
        return try SpecNode(file: file, path: Self.join(path, key), value: value)
    }

    func finish() throws(SpecError) {
        for member in members where !consumed.contains(member.key) {
            throw error(member.key, "unknown key")
        }
    }
}
