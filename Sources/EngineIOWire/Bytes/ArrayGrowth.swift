extension Array {
    /// Makes room for `extra` more elements before appending them, keeping `append`'s geometric growth.
    ///
    /// `reserveCapacity(count + extra)` allocates exactly that much, so an encoder that calls it before every append
    /// to a growing buffer copies the whole buffer each time: quadratic in the buffer's size (30 MB of WebSocket
    /// frames queued in 10 KB messages took tens of seconds). This reserves only when the room is missing, and then
    /// at least doubles.
    mutating func reserveAppending(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        reserveCapacity(Swift.max(needed, capacity * 2))
    }
}
