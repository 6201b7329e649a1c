#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a `pthread_mutex_t`, reached only inside `withLock`.
///
/// Used instead of the standard library's `Mutex` because ThreadSanitizer understands pthread mutexes (it intercepts
/// them) but not `Mutex`'s raw futex calls on Linux, which it reports as races: with this, a sanitizer run of the
/// engines reports only real ones.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
