import EngineIOPlatform
import Foundation
import Synchronization

/// Something the loop reports readiness to.
protocol LoopHandler: AnyObject {
    func ready(_ events: IOEvents)
}

/// One epoll thread. Everything it owns (its handlers, the server engine's state) is touched only on this thread;
/// other threads hand it work with `execute`, which wakes it through an eventfd.
///
/// Time for the reducers comes from here too (`now`), and timers are a small heap consulted for the epoll timeout,
/// so the loop needs no timerfd per deadline.
final class EventLoop: @unchecked Sendable {
    private let epoll: Epoll
    private let wakeup: EventFD
    /// Tasks handed in by `execute`; `closed` once the loop has run its last ones.
    private let queue = Locked<(tasks: [@Sendable () -> Void], closed: Bool)>(([], false))
    private var handlers: [UInt64: any LoopHandler] = [:]
    private var nextToken: UInt64 = 1
    private var timers = TimerHeap()
    /// A read buffer the loop's sockets share (loop thread only): each read is consumed before the next.
    var readBuffer = [UInt8](repeating: 0, count: 65_536)
    private let started = monotonicNanoseconds()
    private let stopping = Atomic<Bool>(false)
    /// The thread was started (`stop` then waits for it). The `Thread` itself is not kept: it holds its closure,
    /// which holds the loop, and a stopped loop must be freed.
    private let threadStarted = Atomic<Bool>(false)
    /// The loop thread's id, for `isCurrent`.
    private let threadID = Atomic<UInt>(0)
    private let finished = DispatchSemaphore(value: 0)
    let name: String

    init(name: String) throws {
        self.name = name
        epoll = try Epoll(maxEventsPerWait: 512)
        wakeup = try EventFD()
        try epoll.add(wakeup.descriptor, events: .readable, token: 0)
    }

    /// Milliseconds since the loop was made: the reducers' clock.
    var now: Int64 { (monotonicNanoseconds() - started) / 1_000_000 }

    func start() {
        let thread = Thread { [self] in
            // OpenSSL writes to sockets with write(2), not send(MSG_NOSIGNAL): a peer gone mid-write would raise
            // SIGPIPE and kill the process. Blocked on this thread, the signal stays pending and EPIPE comes back.
            var pipe = sigset_t()
            sigemptyset(&pipe)
            sigaddset(&pipe, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipe, nil)
            // Named from inside and straight through the kernel (see `nameCurrentThread`): otherwise the thread can
            // keep the name of whichever thread started it (in top, perf, /proc), a Dispatch worker's, say.
            nameCurrentThread(self.name)
            self.threadID.store(UInt(pthread_self()), ordering: .sequentiallyConsistent)
            self.run()
            self.finished.signal()
        }
        thread.name = name
        threadStarted.store(true, ordering: .sequentiallyConsistent)
        thread.start()
    }

    /// Whether the caller is on this loop's thread.
    var isCurrent: Bool { threadID.load(ordering: .sequentiallyConsistent) == UInt(pthread_self()) }

    /// Runs `task` on the loop thread, soon (never before returning). Safe from any thread. Returns `false`, and
    /// drops the task, once the loop has stopped for good.
    @discardableResult
    func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        // Only the first task of a batch needs a wake-up: the loop drains the whole queue once it runs. The loop
        // itself needs none, since it drains the queue after every batch of events and timers.
        let (accepted, first) = queue.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.tasks.append(task)
            return (true, state.tasks.count == 1)
        }
        if first, !isCurrent { wakeup.signal() }
        return accepted
    }

    /// Stops the loop after the current iteration and waits for its thread (unless called on it).
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeup.signal()
        if !isCurrent, threadStarted.load(ordering: .sequentiallyConsistent) {
            finished.wait()
            finished.signal()  // a second stop returns at once too
        }
    }

    // MARK: loop-thread only

    func register(_ fd: Int32, events: IOEvents, handler: any LoopHandler) throws -> UInt64 {
        let token = nextToken
        nextToken += 1
        try epoll.add(fd, events: events, token: token)
        handlers[token] = handler
        return token
    }

    func modify(_ fd: Int32, token: UInt64, events: IOEvents) {
        try? epoll.modify(fd, events: events, token: token)
    }

    func deregister(_ fd: Int32, token: UInt64) {
        try? epoll.remove(fd)
        handlers[token] = nil
    }

    /// For a descriptor about to be closed (and never duplicated): closing it takes it out of epoll, so only its
    /// handler goes, and a connection's end costs one system call fewer. Events already gathered for it this turn
    /// find no handler and are dropped.
    func forget(closing fd: Int32, token: UInt64) {
        handlers[token] = nil
    }

    /// Calls `action` on the loop once `at` (loop milliseconds) has come. Returns an id for `cancelTimer`.
    @discardableResult
    func schedule(at: Int64, _ action: @escaping () -> Void) -> UInt64 { timers.insert(at: at, action) }

    func cancelTimer(_ id: UInt64) { timers.cancel(id) }

    /// Work for another thread gathered during this turn, handed over in one go at its end (see `atEndOfTurn`).
    var pendingHandoff: [@Sendable () -> Void] = []
    private var endOfTurn: [() -> Void] = []

    /// Runs `task` once the loop has handled this turn's events, tasks and timers, before it waits again. Whatever a
    /// turn produces for other threads can so cross over once, with one wake-up, instead of once per item.
    func atEndOfTurn(_ task: @escaping () -> Void) { endOfTurn.append(task) }

    private func run() {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            // Tasks queued by the loop itself (a yielding handler, say) wait for the next turn, after I/O: so poll
            // without sleeping when there are some.
            let waiting = queue.withLock { !$0.tasks.isEmpty }
            let timeout: Int32 =
                if waiting { 0 } else if let next = timers.nextDeadline() { Int32(clamping: max(0, next - now)) } else { -1 }
            do {
                try epoll.wait(timeoutMilliseconds: timeout) { token, events in
                    if token == 0 {
                        wakeup.drain()
                    } else {
                        handlers[token]?.ready(events)
                    }
                }
            } catch {
                continue
            }
            runTasks()
            // Taken out first: an action may schedule or cancel timers, which must not happen while the heap is
            // being modified.
            for action in timers.popDue(until: now) { action() }
            finishTurn()
        }
        for _ in 0..<64 where !queue.withLock({ $0.tasks.isEmpty }) { runTasks() }
        let late = queue.withLock { state -> [@Sendable () -> Void] in
            state.closed = true
            defer { state.tasks = [] }
            return state.tasks
        }
        for task in late { task() }
        finishTurn()
        // What the loop held (handlers, timers' closures) often holds whoever owns the loop: let go of it, so a
        // stopped loop and its owner are freed, their descriptors with them.
        handlers = [:]
        timers = TimerHeap()
        endOfTurn = []
        pendingHandoff = []
    }

    private func finishTurn() {
        while !endOfTurn.isEmpty {
            let tasks = endOfTurn
            endOfTurn.removeAll(keepingCapacity: true)
            for task in tasks { task() }
        }
    }

    /// The tasks queued when it was called; those they queue run on the next turn, so a task that keeps queueing
    /// more (a busy handler yielding) cannot keep the loop from its sockets and timers.
    private var batch: [@Sendable () -> Void] = []

    private func runTasks() {
        queue.withLock { swap(&$0.tasks, &batch) }
        for task in batch { task() }
        batch.removeAll(keepingCapacity: batch.capacity <= 1024)
    }
}

/// Tasks that prefer the loop (`Task(executorPreference: loop)`) run their jobs on the loop thread, between its
/// batches of I/O events: an `AsyncServer` handler and the engine it calls share one thread, as python's handlers
/// share asyncio's loop.
extension EventLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        guard execute({ job.runSynchronously(on: executor) }) else {
            // The server has stopped and its loop with it: a handler still awaiting something (a disconnect handler
            // saving state, say) finishes on the global executor rather than never.
            DispatchQueue.global().async { job.runSynchronously(on: globalConcurrentExecutor.asUnownedTaskExecutor()) }
            return
        }
    }
}

/// Timers by deadline; cancelled ones are skipped when they come up.
struct TimerHeap {
    private var heap: [(at: Int64, id: UInt64)] = []
    private var actions: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    /// The earliest live deadline, dropping cancelled timers from the top on the way.
    mutating func nextDeadline() -> Int64? {
        while let first = heap.first, actions[first.id] == nil { pop() }
        return heap.first?.at
    }

    mutating func insert(at: Int64, _ action: @escaping () -> Void) -> UInt64 {
        let id = nextID
        nextID += 1
        actions[id] = action
        heap.append((at, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].at < heap[parent].at else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        return id
    }

    mutating func cancel(_ id: UInt64) { actions[id] = nil }

    /// Removes and returns the actions of every timer due by `now`, earliest first.
    mutating func popDue(until now: Int64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let first = heap.first, first.at <= now {
            pop()
            if let action = actions.removeValue(forKey: first.id) { due.append(action) }
        }
        return due
    }

    private mutating func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].at < heap[smallest].at { smallest = left }
            if right < heap.count, heap[right].at < heap[smallest].at { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
