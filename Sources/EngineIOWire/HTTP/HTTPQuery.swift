/// An `application/x-www-form-urlencoded` query string as name–value pairs in order, e.g. the Engine.IO
/// endpoint's `EIO=4&transport=polling&sid=…`.
///
/// Parsing follows the WHATWG URL rules closely enough for that use: pairs split on `&` (empty ones skipped), name
/// and value on the first `=` (a missing `=` gives an empty value), `+` decodes to a space and `%XX` to its byte;
/// invalid escapes are kept verbatim and invalid UTF-8 becomes U+FFFD. Names are compared exactly.
public struct HTTPQuery: Sendable, Equatable, Hashable {
    // Tuples cannot be Hashable, so storage holds a struct and `items` hands out tuples.
    private struct Item: Sendable, Hashable {
        var name: String
        var value: String
    }

    private var storage: [Item]

    /// A query with the given decoded pairs, in order.
    public init(_ items: [(name: String, value: String)] = []) {
        storage = items.map { Item(name: $0.name, value: $0.value) }
    }

    /// The query `raw` encodes; a single leading `?` is ignored.
    public init(parsing raw: some StringProtocol) {
        var items: [Item] = []
        Self.forEachPair(in: raw) { items.append(Item(name: $0, value: $1)) }
        storage = items
    }

    /// The decoded pairs of `raw`, in order; a single leading `?` is ignored.
    public static func parse(_ raw: some StringProtocol) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        forEachPair(in: raw) { pairs.append(($0, $1)) }
        return pairs
    }

    /// The decoded pairs, in order.
    public var items: [(name: String, value: String)] {
        storage.map { ($0.name, $0.value) }
    }

    /// The value of the first pair called `name`, or `nil`.
    public func first(named name: String) -> String? {
        storage.first { $0.name == name }?.value
    }

    /// The values of every pair called `name`, in order.
    public func values(named name: String) -> [String] {
        storage.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Appends a pair.
    public mutating func append(name: String, value: String) {
        storage.append(Item(name: name, value: value))
    }

    /// The query string, without a leading `?`: names and values percent-encoded (`HTTPPercentEncoding.encode`),
    /// joined with `=` and `&`. Parsing it gives back these pairs.
    public func encoded() -> String {
        var output = ""
        for (offset, item) in storage.enumerated() {
            if offset > 0 { output += "&" }
            output += HTTPPercentEncoding.encode(item.name)
            output += "="
            output += HTTPPercentEncoding.encode(item.value)
        }
        return output
    }

    /// Calls `body` with each decoded pair of `raw`, in order; a single leading `?` is ignored. Public for callers
    /// that keep the pairs in a type of their own, without an array of tuples in between.
    ///
    /// Every request's query goes through here: the bytes are walked as one contiguous buffer, so the loop below is
    /// specialized code whatever string type the caller had (a generic walk costs a witness call per byte).
    public static func forEachPair(in raw: some StringProtocol, _ body: (_ name: String, _ value: String) -> Void) {
        var text = String(raw)
        text.withUTF8 { forEachPair(in: $0, body) }
    }

    private static func forEachPair(in raw: UnsafeBufferPointer<UInt8>, _ body: (String, String) -> Void) {
        var start = raw.startIndex
        if start != raw.endIndex && raw[start] == UInt8(ascii: "?") { raw.formIndex(after: &start) }
        var scratch: [UInt8] = []
        while start != raw.endIndex {
            let end = raw[start...].firstIndex(of: UInt8(ascii: "&")) ?? raw.endIndex
            let pair = raw[start..<end]
            if !pair.isEmpty {
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                let name = HTTPPercentEncoding.decode(pair[..<equals], plusAsSpace: true, scratch: &scratch)
                let value =
                    equals == pair.endIndex
                    ? ""
                    : HTTPPercentEncoding.decode(pair[pair.index(after: equals)...], plusAsSpace: true, scratch: &scratch)
                body(name, value)
            }
            start = end == raw.endIndex ? end : raw.index(after: end)
        }
    }
}
