/// Bytes waiting to be written to a socket, sent from the front as the socket takes them.
///
/// A drained buffer keeps a small capacity only, so one burst does not pin its peak for the rest of the
/// connection's life; a buffer written slowly drops what was sent once that is at least half of it.
public struct OutputBuffer: Sendable, Equatable, Hashable {
    private var bytes: [UInt8] = []
    private var start = 0
    /// Capacity a drained buffer keeps.
    public static let retainedCapacity = 16 * 1024

    public init() {}

    /// Bytes waiting.
    public var count: Int { bytes.count - start }

    public var isEmpty: Bool { start == bytes.count }

    /// Bytes of storage the buffer holds, waiting or not (what it costs a connection in memory).
    public var capacity: Int { bytes.capacity }

    /// Appends through `body` (an encoder writing into an array).
    public mutating func append(_ body: (inout [UInt8]) -> Void) { body(&bytes) }

    /// Appends `more`, as one buffer (see `withContiguousBytes`).
    public mutating func append(contentsOf more: some Collection<UInt8>) {
        more.withContiguousBytes { bytes.append(contentsOf: $0) }
    }

    /// Lends the waiting bytes.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// `written` of the waiting bytes left.
    public mutating func consume(_ written: Int) {
        start += min(written, count)
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= Self.retainedCapacity)
            start = 0
        } else if start >= 64 * 1024, start * 2 >= bytes.count {
            bytes.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Drops everything waiting, and the storage with it.
    public mutating func removeAll() {
        bytes = []
        start = 0
    }

    public static func == (lhs: OutputBuffer, rhs: OutputBuffer) -> Bool { lhs.bytes[lhs.start...] == rhs.bytes[rhs.start...] }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes[start...].count) }
}
