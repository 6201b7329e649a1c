import EngineIOPlatform
import Foundation
import Glibc

/// A bounded set of threads for blocking handlers (`Server`, `Client`).
///
/// Work waits in one FIFO; each piece is a drain of one session's mailbox, so a handler that blocks holds up its own
/// session only. Threads are cheap to keep and dear to wake, so the pool wakes as few as it can:
/// - a new piece of work wakes one idle thread, unless one is already on its way to the queue (it will take it);
/// - a thread that finishes a piece goes straight on to the next, without sleeping;
/// - a monitor looks at the queue every `patience` while it is not empty: when its oldest piece has waited that long
///   (the threads are busy, or blocked in handlers), it wakes or starts one more thread, up to `maxThreads`.
/// So quick handlers run on about as many threads as there are cores and cost no wake-up per message, while
/// handlers that block get more threads after a short wait (other sessions wait at most about `patience` for one).
/// Threads, the monitor's included, end after `idleTimeout` seconds without work.
/// When every thread is busy and work has waited a second, the log says so, once per episode.
final class HandlerPool: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Idle workers wait here.
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The monitor waits here.
    private let monitorWakes = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var work: [(body: @Sendable () -> Void, queuedAt: Int64)] = []
    private var head = 0
    private var threads = 0
    private var peak = 0
    private var idle = 0
    /// A worker was woken and has not reached the queue yet.
    private var waking = false
    private var monitorRunning = false
    /// The monitor sleeps until work it should watch arrives.
    private var monitorIdle = false
    private var saturationLogged = false
    let maxThreads: Int
    let name: String
    private let idleTimeout: Int64
    /// How long (nanoseconds) work may wait before the monitor adds a thread.
    private let patience: Int64
    /// Threads started without waiting: about one per core.
    private let eagerThreads: Int
    private let log: @Sendable (String) -> Void

    init(maxThreads: Int, name: String, idleTimeout: TimeInterval = 10, patience: TimeInterval = 0.002, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.maxThreads = max(1, maxThreads)
        self.name = name
        self.idleTimeout = Int64(idleTimeout * 1e9)
        self.patience = Int64(patience * 1e9)
        eagerThreads = min(self.maxThreads, max(1, ProcessInfo.processInfo.activeProcessorCount))
        self.log = log
        pthread_mutex_init(lock, nil)
        for condition in [workAvailable, monitorWakes] {
            var attributes = pthread_condattr_t()
            pthread_condattr_init(&attributes)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
            pthread_cond_init(condition, &attributes)
            pthread_condattr_destroy(&attributes)
        }
    }

    // The pool lives as long as its owner, whose threads hold it strongly: deinit runs only once all have ended.
    deinit {
        pthread_mutex_destroy(lock)
        pthread_cond_destroy(workAvailable)
        pthread_cond_destroy(monitorWakes)
        lock.deallocate()
        workAvailable.deallocate()
        monitorWakes.deallocate()
    }

    /// Runs `body` on one of the pool's threads, after the work already waiting.
    func execute(_ body: @escaping @Sendable () -> Void) { execute([body]) }

    /// Runs each of `bodies`, in order, after the work already waiting: one lock and at most one wake-up for all.
    func execute(_ bodies: [@Sendable () -> Void]) {
        guard !bodies.isEmpty else { return }
        pthread_mutex_lock(lock)
        let now = monotonicNanoseconds()
        for body in bodies { work.append((body, now)) }
        var taken = false
        if idle > 0 {
            if !waking {
                waking = true
                pthread_cond_signal(workAvailable)
                taken = true
            }
        } else if threads < eagerThreads {
            startThread()
            taken = true
        }
        if taken, work.count - head <= 1 {
            pthread_mutex_unlock(lock)
            return
        }
        // More work than free threads: the monitor watches how long it waits.
        if !monitorRunning {
            monitorRunning = true
            Thread { [self] in runMonitor() }.start()
        } else if monitorIdle {
            pthread_cond_signal(monitorWakes)
        }
        pthread_mutex_unlock(lock)
    }

    /// Threads alive now, and the most alive at once so far (for tests and diagnostics).
    var threadCounts: (alive: Int, peak: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return (threads, peak)
    }

    /// Lock held.
    private func startThread() {
        threads += 1
        peak = max(peak, threads)
        let threadName = "\(name)-\(threads)"
        let thread = Thread { [self] in
            nameCurrentThread(threadName)
            runWorker()
        }
        thread.name = threadName
        thread.start()
    }

    private func runWorker() {
        pthread_mutex_lock(lock)
        while true {
            while head == work.count {
                idle += 1
                let woken = wait(workAvailable, nanoseconds: idleTimeout)
                idle -= 1
                if head == work.count, waking { waking = false }
                if !woken, head == work.count {
                    threads -= 1
                    pthread_mutex_unlock(lock)
                    return
                }
            }
            waking = false
            let next = work[head].body
            head += 1
            compact()
            pthread_mutex_unlock(lock)
            next()
            pthread_mutex_lock(lock)
        }
    }

    /// Adds a thread whenever the oldest waiting piece has waited `patience`.
    private func runMonitor() {
        pthread_mutex_lock(lock)
        while true {
            if head == work.count {
                saturationLogged = false
                // Quiet for a while: the monitor ends too (the next work starts it again).
                monitorIdle = true
                let woken = wait(monitorWakes, nanoseconds: idleTimeout)
                monitorIdle = false
                if !woken, head == work.count {
                    monitorRunning = false
                    pthread_mutex_unlock(lock)
                    return
                }
                continue
            }
            let waited = monotonicNanoseconds() - work[head].queuedAt
            if waited >= patience {
                if idle > 0 {
                    waking = true
                    pthread_cond_signal(workAvailable)
                } else if threads < maxThreads {
                    startThread()
                } else if waited >= 1_000_000_000, !saturationLogged {
                    saturationLogged = true
                    let message = "all \(maxThreads) handler threads have been busy for a second or more; \(work.count - head) sessions wait "
                        + "for one (handlers that block hold up other sessions once the pool is full: raise handlerThreads, or block less)"
                    pthread_mutex_unlock(lock)
                    log(message)
                    pthread_mutex_lock(lock)
                }
            }
            _ = wait(monitorWakes, nanoseconds: patience)
        }
    }

    /// Waits on `condition` (lock held) for at most `nanoseconds`; `false` when the time ran out.
    private func wait(_ condition: UnsafeMutablePointer<pthread_cond_t>, nanoseconds: Int64) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Int64(now.tv_nsec) + nanoseconds
        var deadline = timespec(tv_sec: now.tv_sec + Int(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
        return pthread_cond_timedwait(condition, lock, &deadline) != ETIMEDOUT
    }

    /// Lock held: drops what was taken once it is most of the queue.
    private func compact() {
        if head == work.count {
            work.removeAll(keepingCapacity: work.capacity <= 256)
            head = 0
        } else if head >= 1024, head * 2 >= work.count {
            work.removeFirst(head)
            head = 0
        }
    }
}
