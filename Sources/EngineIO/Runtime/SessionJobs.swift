import EngineIOCore

/// One handler call for one server session, as it waits in the session's mailbox.
enum SessionJob: MailboxJob {
    /// python's `connect(sid, environ)`; its verdict goes back to the reducer.
    case connect(Environ)
    case message(MessageData)
    /// python's `disconnect(sid, reason)`; the session's data is forgotten once it returns.
    case disconnect(DisconnectReason)
    /// The session never opened (refused, or closed before the verdict): no handler runs, the data is forgotten.
    case refused

    var bytes: Int {
        guard case .message(let data) = self else { return 0 }
        return data.byteCount
    }

    /// The session's end waits for message handlers still running out of order (`concurrentMessageHandlers`).
    var isBarrier: Bool {
        switch self {
        case .disconnect, .refused: true
        case .connect, .message: false
        }
    }
}

/// How a façade runs its handlers: `Server` drains mailboxes on a bounded pool of threads, `AsyncServer` as tasks
/// on the event loop that owns the session. Everything else (which jobs exist, their order, what follows each) is
/// `ServerCore`'s.
protocol HandlerRuntime: AnyObject, Sendable {
    /// Whether the application set a connect handler; without one, sessions are accepted on the loop at once.
    var hasConnectHandler: Bool { get }
    /// Whether the application set a disconnect handler; without one, a session whose handlers are idle is let go
    /// on the loop at once, without a job (see `ServerCore.post`).
    var hasDisconnectHandler: Bool { get }
    /// Starts draining `session`'s mailbox, which was idle and now has work: take jobs in order, run each, report
    /// each `completed`.
    func drain(_ session: SessionHandlers)
    /// Runs a message handler outside the session's order (`concurrentMessageHandlers`), then reports it with
    /// `completedConcurrently`.
    func runConcurrently(_ job: SessionJob, of session: SessionHandlers)
}

/// One session as the handler runtime sees it: its sid, its mailbox, and the event loop that owns it.
final class SessionHandlers: Sendable {
    let sid: String
    let mailbox: Mailbox<SessionJob>
    /// The loop that owns the session (where `AsyncServer` runs its handlers).
    let loop: EventLoop?
    private weak let core: ServerCore?

    /// `highWater`/`lowWater`: message bytes waiting for the handlers above which the session's transport stops
    /// reading, and at or below which it reads again.
    init(sid: String, loop: EventLoop?, core: ServerCore, highWater: Int, lowWater: Int) {
        self.sid = sid
        self.loop = loop
        self.core = core
        mailbox = Mailbox(highWater: highWater, lowWater: lowWater)
    }

    /// A job taken from the mailbox has run; `verdict` is the connect handler's answer for a `.connect` job. With
    /// `takingNext`, the next job is taken under the same lock and returned (nil: the mailbox went idle), as a
    /// drainer's `take` would.
    @discardableResult
    func completed(_ job: SessionJob, verdict: ConnectVerdict? = nil, takingNext: Bool = false) -> SessionJob? {
        let (caughtUp, next) = takingNext ? mailbox.completedThenTake(job) : (mailbox.completed(job), nil)
        core?.finished(job, of: self, verdict: verdict, caughtUp: caughtUp)
        return next
    }

    /// A job run by `runConcurrently` has finished.
    func completedConcurrently(_ job: SessionJob, runtime: any HandlerRuntime) {
        let (schedule, caughtUp) = mailbox.completedConcurrently(job)
        if caughtUp { core?.submit(.applicationBacklogChanged(sid: sid, behind: false)) }
        if schedule { runtime.drain(self) }
    }
}

extension MessageData {
    /// The bytes the message holds, for flow control.
    var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        case .json: 0
        }
    }
}

/// One handler call of a client, as it waits in the client's mailbox.
enum ClientJob: MailboxJob {
    case connect
    case message(MessageData)
    case disconnect(DisconnectReason)
    /// The reconnection supervisor starts attempt N, or attempt N opened a session.
    case reconnecting(Int)
    case reconnected(Int)

    var bytes: Int {
        guard case .message(let data) = self else { return 0 }
        return data.byteCount
    }

    var isBarrier: Bool { false }
}

/// How a client façade runs its handlers: `Client` on a thread of its own, `AsyncClient` as a task.
protocol ClientHandlerRuntime: AnyObject, Sendable {
    /// Starts draining the mailbox, which was idle and now has work.
    func drain(_ mailbox: Mailbox<ClientJob>)
}
