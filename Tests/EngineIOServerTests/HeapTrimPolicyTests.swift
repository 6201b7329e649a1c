@testable import EngineIO
import Testing

@Suite("Heap trim policy")
struct HeapTrimPolicyTests {
    /// Sweeps every 250 ms from `start` while `step` adds work before each; returns the instants it said to trim.
    private static func trims(_ policy: inout HeapTrimPolicy, from start: Int64, sweeps: Int, _ step: (Int, inout HeapTrimPolicy) -> Void) -> [Int64] {
        var trimmed: [Int64] = []
        for index in 0..<sweeps {
            step(index, &policy)
            let now = start + Int64(index) * 250
            if policy.sweep(now: now) { trimmed.append(now) }
        }
        return trimmed
    }

    @Test("a thousand arrivals trim once they have quieted down, and not while they go on")
    func arrivalsTrimAfterTheStorm() {
        var policy = HeapTrimPolicy()
        // 8 sweeps of 200 arrivals each (a storm), then quiet.
        let trimmed = Self.trims(&policy, from: 10_000, sweeps: 20) { index, policy in
            if index < 8 { policy.arrivals += 200 }
        }
        #expect(trimmed == [10_000 + 8 * 250])  // the first quiet sweep, and only once
    }

    @Test("megabytes read trim once quiet; trickles of work never do")
    func bytesTrimAfterTheBurst() {
        var burst = HeapTrimPolicy()
        let afterBurst = Self.trims(&burst, from: 10_000, sweeps: 10) { index, policy in
            if index < 4 { policy.bytesRead += 4 << 20 }
        }
        #expect(afterBurst == [11_000])
        var trickle = HeapTrimPolicy()
        let fromTrickle = Self.trims(&trickle, from: 10_000, sweeps: 400) { _, policy in
            policy.arrivals += 2
            policy.bytesRead += 1_000
        }
        #expect(fromTrickle.isEmpty)  // 800 arrivals and 400 KB in 100 s: never a burst
    }

    @Test("trims are at least 2 s apart, however many bursts come")
    func trimsAreSpacedOut() {
        var policy = HeapTrimPolicy()
        // A burst of 1,000 arrivals every other sweep: each is followed by a quiet sweep.
        let trimmed = Self.trims(&policy, from: 10_000, sweeps: 40) { index, policy in
            if index % 2 == 0 { policy.arrivals += 1_000 }
        }
        #expect(trimmed.count >= 3)
        for (earlier, later) in zip(trimmed, trimmed.dropFirst()) { #expect(later - earlier >= 2_000) }
    }
}
