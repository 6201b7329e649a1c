/// When a loop hands its freed heap back to the system.
///
/// glibc keeps freed memory for reuse, so a burst of traffic would leave the process at its peak size for good. The
/// loop counts what it reads and what arrives, and asks at every sweep: once a burst has quieted down (at most every
/// 2 s), it trims. A burst is megabytes read, or a thousand arrivals (connections taken on, TLS handshakes finished):
/// a storm of TLS handshakes frees about 30 KB of handshake buffers per connection in between what each connection
/// keeps, and its idle sessions would go on holding twice their size in RSS. Quiet is one sweep period with less
/// than 256 KB read and fewer than 64 arrivals.
struct HeapTrimPolicy {
    /// Bytes the loop's connections have read.
    var bytesRead = 0
    /// Connections the loop has taken on, and TLS handshakes they have finished.
    var arrivals = 0
    private var bytesAtLastSweep = 0
    private var arrivalsAtLastSweep = 0
    private var bytesSinceTrim = 0
    private var arrivalsSinceTrim = 0
    private var lastTrim: Int64 = 0

    /// Called at every sweep (`now` in loop milliseconds); true when the heap should be trimmed now.
    mutating func sweep(now: Int64) -> Bool {
        let recentBytes = bytesRead - bytesAtLastSweep
        let recentArrivals = arrivals - arrivalsAtLastSweep
        bytesAtLastSweep = bytesRead
        arrivalsAtLastSweep = arrivals
        bytesSinceTrim += recentBytes
        arrivalsSinceTrim += recentArrivals
        let burst = bytesSinceTrim >= 8 << 20 || arrivalsSinceTrim >= 1_000
        let quiet = recentBytes < 256 << 10 && recentArrivals < 64
        guard burst, quiet, now - lastTrim >= 2_000 else { return false }
        bytesSinceTrim = 0
        arrivalsSinceTrim = 0
        lastTrim = now
        return true
    }
}
