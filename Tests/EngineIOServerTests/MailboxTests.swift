@testable import EngineIO
import Testing

/// A job for the mailbox alone: its bytes, and whether it is a barrier.
private struct Job: MailboxJob {
    var bytes = 0
    var isBarrier = false
}

@Suite("Mailbox")
struct MailboxTests {
    @Test("a mailbox is idle only with nothing queued, no drainer scheduled and no concurrent job running")
    func idleMeansNothingQueuedScheduledOrRunning() {
        let mailbox = Mailbox<Job>()
        #expect(mailbox.isIdle)
        let posted = mailbox.post(Job())
        #expect(posted.schedule)
        #expect(!mailbox.isIdle)  // queued, and a drainer is due
        let job = mailbox.take()
        #expect(job != nil)
        #expect(!mailbox.isIdle)  // taken and running: the drainer has not come back for more
        mailbox.completed(job!)
        #expect(mailbox.take() == nil)
        #expect(mailbox.isIdle)  // the drainer found nothing more and went idle
        _ = mailbox.startedConcurrently(Job())
        #expect(!mailbox.isIdle)  // a concurrent job is running
        _ = mailbox.completedConcurrently(Job())
        #expect(mailbox.isIdle)
    }
}
