/// A parser's input: bytes received and not yet consumed, read front to back by index.
///
/// Consumed bytes are dropped lazily, once they are at least 4 KiB and at least as many as the unconsumed ones, so
/// dropping costs amortised O(1) per byte while storage stays within twice the unconsumed bytes plus 4 KiB.
struct HTTPByteBuffer: Sendable, Equatable {
    private static let compactionThreshold = 4096
    /// Storage grown past this by a large body is released rather than kept for the next message.
    private static let retainedCapacity = 64 * 1024

    private(set) var storage: [UInt8] = []
    private(set) var readIndex = 0
    /// `readIndex..<scanIndex` is known to hold no LF, so a line search resumes where the last one stopped instead
    /// of rescanning a growing partial line (quadratic when input arrives a byte at a time).
    private var scanIndex = 0

    var readableCount: Int { storage.count - readIndex }

    mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex >= Self.compactionThreshold && readIndex >= storage.count - readIndex {
            storage.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    mutating func consume(_ count: Int) {
        readIndex += count
        if scanIndex < readIndex { scanIndex = readIndex }
        if readIndex == storage.count { reset() }
    }

    /// The index of the next LF at or after `readIndex`, or `nil` when the readable bytes hold none.
    mutating func nextLineFeed() -> Int? {
        if let index = storage[scanIndex...].firstIndex(of: HTTPSyntax.lf) { return index }
        scanIndex = storage.count
        return nil
    }

    /// Removes and returns the next `count` readable bytes.
    mutating func take(_ count: Int) -> [UInt8] {
        if readIndex == 0 && count == storage.count {
            // The whole buffer is the body: hand over the storage instead of copying it.
            let bytes = storage
            storage = []
            scanIndex = 0
            return bytes
        }
        let bytes = Array(storage[readIndex..<(readIndex + count)])
        consume(count)
        return bytes
    }

    /// Removes and returns every readable byte.
    mutating func takeAll() -> [UInt8] {
        take(readableCount)
    }

    private mutating func reset() {
        if storage.capacity > Self.retainedCapacity {
            storage = []
        } else {
            storage.removeAll(keepingCapacity: true)
        }
        readIndex = 0
        scanIndex = 0
    }

    /// Buffers are equal when their unread bytes are: where compaction happened to leave them is not state.
    static func == (lhs: HTTPByteBuffer, rhs: HTTPByteBuffer) -> Bool {
        lhs.storage[lhs.readIndex...] == rhs.storage[rhs.readIndex...]
    }
}
