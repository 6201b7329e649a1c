extension Sequence<UInt8> {
    /// Calls `body` with the bytes as one buffer: in place when they are contiguous (arrays, slices, buffers), else
    /// copied once. For the generic entry points other modules call: there the generic code runs unspecialized, and
    /// walking the collection would cost a witness call per byte.
    func withContiguousBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try withContiguousStorageIfAvailable(body) { return result }
        return try Array(self).withUnsafeBufferPointer(body)
    }
}
