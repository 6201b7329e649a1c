import Foundation

/// A bounded set of threads for blocking handlers (`Server`, `Client`).
///
/// Threads start on demand, up to `maxThreads`, and end after `idleTimeout` seconds without work, so an idle process
/// holds none and a burst (a thousand sessions leaving at once) holds at most `maxThreads`. Work waits in one FIFO;
/// each piece of work is a drain of one session's mailbox, so a handler that blocks holds up its own session, and
/// the others only once every thread is held up. That moment is logged, once per episode.
final class HandlerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var peak = 0
    private var idle = 0
    /// When every thread became busy with work still waiting (loop milliseconds are not at hand here).
    private var saturatedSince: Date?
    private var saturationLogged = false
    let maxThreads: Int
    let name: String
    private let idleTimeout: TimeInterval
    private let log: @Sendable (String) -> Void

    init(maxThreads: Int, name: String, idleTimeout: TimeInterval = 10, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.maxThreads = max(1, maxThreads)
        self.name = name
        self.idleTimeout = idleTimeout
        self.log = log
    }

    /// Runs `body` on one of the pool's threads, after the work already waiting.
    func execute(_ body: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(body)
        var message: String?
        if idle > 0 {
            condition.signal()
        } else if threads < maxThreads {
            threads += 1
            peak = max(peak, threads)
            let thread = Thread { [self] in runWorker() }
            thread.name = "\(name)-\(threads)"
            thread.start()
        } else if let since = saturatedSince {
            if !saturationLogged, Date().timeIntervalSince(since) >= 1 {
                saturationLogged = true
                message = "all \(maxThreads) handler threads have been busy for a second or more; \(work.count - head) "
                    + "sessions wait for one (handlers that block hold up other sessions once the pool is full: raise handlerThreads, or block less)"
            }
        } else {
            saturatedSince = Date()
        }
        condition.unlock()
        if let message { log(message) }
    }

    /// Threads alive now, and the most alive at once so far (for tests and diagnostics).
    var threadCounts: (alive: Int, peak: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (threads, peak)
    }

    private func runWorker() {
        condition.lock()
        while true {
            while head == work.count {
                if saturatedSince != nil {
                    saturatedSince = nil
                    saturationLogged = false
                }
                idle += 1
                let woken = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
                idle -= 1
                if !woken, head == work.count {
                    threads -= 1
                    condition.unlock()
                    return
                }
            }
            let next = work[head]
            head += 1
            if head == work.count {
                work.removeAll(keepingCapacity: work.capacity <= 256)
                head = 0
            } else if head >= 1024, head * 2 >= work.count {
                work.removeFirst(head)
                head = 0
            }
            condition.unlock()
            next()
            condition.lock()
        }
    }
}
