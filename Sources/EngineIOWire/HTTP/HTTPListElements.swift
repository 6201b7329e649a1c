/// The comma-separated elements of a field value (RFC 9110 §5.6.1), each without surrounding whitespace.
///
/// Empty elements are produced too (`"a,,b"` gives `a`, ``, `b`; `""` gives one empty element): list fields such as
/// `Connection` skip them, while `Content-Length` must reject them.
struct HTTPListElements: Sequence, IteratorProtocol {
    private let utf8: String.UTF8View
    private var position: String.Index
    private var finished = false

    init(_ value: String) {
        utf8 = value.utf8
        position = utf8.startIndex
    }

    mutating func next() -> Substring.UTF8View? {
        guard !finished else { return nil }
        let end = utf8[position...].firstIndex(of: HTTPSyntax.comma) ?? utf8.endIndex
        var start = position
        var stop = end
        while start < stop, HTTPSyntax.isWhitespace(utf8[start]) { start = utf8.index(after: start) }
        while stop > start, HTTPSyntax.isWhitespace(utf8[utf8.index(before: stop)]) { stop = utf8.index(before: stop) }
        if end == utf8.endIndex {
            finished = true
        } else {
            position = utf8.index(after: end)
        }
        return utf8[start..<stop]
    }
}
