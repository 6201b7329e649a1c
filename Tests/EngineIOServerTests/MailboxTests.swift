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

    @Test("completing a job and taking the next under one lock releases its bytes and goes idle when nothing is left")
    func completedThenTakeIsCompletedFollowedByTake() {
        let mailbox = Mailbox<Job>(highWater: 10, lowWater: 5)
        _ = mailbox.post(Job(bytes: 8))
        #expect(mailbox.post(Job(bytes: 4)).crossedHighWater)  // 12 held: reading pauses
        let first = mailbox.take()!
        let (resume, second) = mailbox.completedThenTake(first)
        #expect(resume)  // 4 held, at or below the low-water mark
        #expect(second?.bytes == 4)
        #expect(mailbox.bytesHeld == 4)
        #expect(!mailbox.isIdle)  // the second job is running
        let (_, third) = mailbox.completedThenTake(second!)
        #expect(third == nil)
        #expect(mailbox.bytesHeld == 0)
        #expect(mailbox.isIdle)  // nothing left: the drainer went idle, and the next post schedules one again
        #expect(mailbox.post(Job()).schedule)
    }
}
