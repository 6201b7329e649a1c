import EngineIOPlatform
import Synchronization

/// Something a mailbox holds: a handler call, with the bytes it keeps alive while it waits or runs.
protocol MailboxJob: Sendable {
    /// Bytes of message data the job holds (for flow control); 0 for jobs that hold none.
    var bytes: Int { get }
    /// Whether the job must wait for every concurrently running job to finish first (a disconnect, say).
    var isBarrier: Bool { get }
}

/// One session's handler calls, run one at a time in the order they were posted.
///
/// Theory of operation. Producers (an event loop, on the session's behalf) `post` jobs; the mailbox is either idle
/// or *scheduled*: exactly one drainer at a time takes jobs out with `take` and reports each one `completed` after
/// running it. `post` returns `.schedule` only on the idle → scheduled edge, so a burst of messages costs one hand-off
/// to whatever runs the drainer (a pool thread, a task), not one per message. A drainer that stops early (to let
/// other sessions run) keeps the mailbox scheduled and must be started again; `take` returning `nil` makes the mailbox
/// idle, atomically with the check for more work, so no job is ever left behind without a drainer.
///
/// Jobs that opt out of ordering (python's unordered `async_handlers`) run `concurrently`: they are counted while
/// they run, and a barrier job (the disconnect) is not taken until the count is back to zero.
///
/// The mailbox counts the bytes its jobs hold from `post` until `completed`, and reports when the count crosses
/// `highWater` upwards and `lowWater` downwards, so the session's transport can stop reading while its handlers
/// fall behind.
///
/// A mailbox is a handle: copies of it are the same mailbox (its state sits behind one lock). It is a struct so a
/// session's handlers hold it inline, one allocation fewer for every session.
struct Mailbox<Job: MailboxJob>: Sendable {
    /// What a producer must do after posting.
    struct Posted: Equatable {
        /// The mailbox was idle: start a drainer.
        var schedule: Bool
        /// The bytes held went above the high-water mark with this job.
        var crossedHighWater: Bool
    }

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var scheduled = false
        var concurrent = 0
        var bytes = 0
        var paused = false

        /// The next job, or nil, which makes the mailbox idle (see `take`).
        mutating func takeNext() -> Job? {
            guard head < jobs.count, !(jobs[head].isBarrier && concurrent > 0) else {
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: jobs.capacity <= 16)
                    head = 0
                }
                scheduled = false
                return nil
            }
            defer { head += 1 }
            // Compact now and then, so a mailbox that never goes idle does not keep every job it ever held.
            if head >= 64, head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return jobs[head]
        }

        /// Lets go of `count` bytes; true when that brought a paused mailbox down to `lowWater`.
        mutating func release(_ count: Int, lowWater: Int) -> Bool {
            bytes -= count
            guard paused, bytes <= lowWater else { return false }
            paused = false
            return true
        }
    }

    private let state = Locked(State())
    let highWater: Int
    let lowWater: Int

    /// `highWater`: bytes held above which `post` reports `crossedHighWater` (reading should pause); `lowWater`:
    /// bytes held at or below which `completed` reports that reading may resume.
    init(highWater: Int = .max, lowWater: Int = 0) {
        self.highWater = highWater
        self.lowWater = min(lowWater, highWater)
    }

    /// Queues `job` behind the others.
    func post(_ job: Job) -> Posted {
        state.withLock { state in
            state.jobs.append(job)
            state.bytes += job.bytes
            var crossed = false
            if !state.paused, state.bytes > highWater {
                state.paused = true
                crossed = true
            }
            guard !state.scheduled else { return Posted(schedule: false, crossedHighWater: crossed) }
            state.scheduled = true
            return Posted(schedule: true, crossedHighWater: crossed)
        }
    }

    /// The next job for the drainer, or `nil`, which ends the drain (the mailbox is idle again until the next post,
    /// or until the concurrent jobs a barrier waits for are done).
    func take() -> Job? {
        state.withLock { $0.takeNext() }
    }

    /// A job taken with `take` has run: its bytes are released. Returns `true` when that brought the mailbox down
    /// to its low-water mark after a `crossedHighWater` (reading may resume).
    @discardableResult
    func completed(_ job: Job) -> Bool {
        release(job.bytes)
    }

    /// `completed(job)` then `take()`, under one lock: what a drainer does between two jobs.
    func completedThenTake(_ job: Job) -> (resume: Bool, next: Job?) {
        state.withLock { state in
            let resume = state.release(job.bytes, lowWater: lowWater)
            return (resume, state.takeNext())
        }
    }

    /// Counts a job that runs outside the order (see `completedConcurrently`).
    func startedConcurrently(_ job: Job) -> Posted {
        state.withLock { state in
            state.concurrent += 1
            state.bytes += job.bytes
            var crossed = false
            if !state.paused, state.bytes > highWater {
                state.paused = true
                crossed = true
            }
            return Posted(schedule: false, crossedHighWater: crossed)
        }
    }

    /// A concurrent job has finished. Returns whether a drainer must be started (a barrier was waiting for it) and
    /// whether reading may resume.
    func completedConcurrently(_ job: Job) -> (schedule: Bool, resume: Bool) {
        let resume = release(job.bytes)
        let schedule = state.withLock { state -> Bool in
            state.concurrent -= 1
            guard state.concurrent == 0, !state.scheduled, state.head < state.jobs.count else { return false }
            state.scheduled = true
            return true
        }
        return (schedule, resume)
    }

    private func release(_ bytes: Int) -> Bool {
        state.withLock { $0.release(bytes, lowWater: lowWater) }
    }

    /// Whether nothing is queued, running or about to run: no drainer scheduled and no concurrent job. Only the
    /// producer posts, so from the producer's thread the answer holds until its next `post`.
    var isIdle: Bool { state.withLock { !$0.scheduled && $0.head == $0.jobs.count && $0.concurrent == 0 } }

    /// Jobs waiting (not yet taken), for tests and diagnostics.
    var waiting: Int { state.withLock { $0.jobs.count - $0.head } }

    /// Bytes held by jobs waiting or running.
    var bytesHeld: Int { state.withLock { $0.bytes } }
}
