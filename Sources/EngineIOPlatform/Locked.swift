#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a `pthread_mutex_t`, reached only inside `withLock`.
///
/// Used instead of the standard library's `Mutex` because ThreadSanitizer understands pthread mutexes (it intercepts
/// them) but not `Mutex`'s raw futex calls on Linux, which it reports as races: with this, a sanitizer run of the
/// engines reports only real ones.
///
/// `withLock` is inlinable, so callers in other modules get it specialised for their value (no generic call per
/// use), and the value lives in memory of its own, so reaching it needs no dynamic exclusivity check: the mutex
/// already makes the access exclusive. The mutex and the value share that one allocation (a session holds a few of
/// these, and every allocation costs an idle session memory).
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let storage: UnsafeMutablePointer<Value>

    public init(_ value: Value) {
        let alignment = max(MemoryLayout<pthread_mutex_t>.alignment, MemoryLayout<Value>.alignment)
        let valueOffset = (MemoryLayout<pthread_mutex_t>.stride + MemoryLayout<Value>.alignment - 1) & ~(MemoryLayout<Value>.alignment - 1)
        let block = UnsafeMutableRawPointer.allocate(byteCount: valueOffset + max(1, MemoryLayout<Value>.size), alignment: alignment)
        mutex = block.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        pthread_mutex_init(mutex, nil)
        storage = (block + valueOffset).bindMemory(to: Value.self, capacity: 1)
        storage.initialize(to: value)
    }

    deinit {
        storage.deinitialize(count: 1)
        pthread_mutex_destroy(mutex)
        UnsafeMutableRawPointer(mutex).deallocate()
    }

    /// Runs `body` with the value, the lock held.
    @inlinable
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&storage.pointee)
    }
}
