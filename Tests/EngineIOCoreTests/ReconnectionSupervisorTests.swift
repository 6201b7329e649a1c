import EngineIOCore
import EngineIOTesting
import Testing

/// Step tests of the reconnection supervisor: the whole state (phase, buffer, its byte count, settings) and the whole
/// effect list per step.
@Suite("Reconnection supervisor steps")
struct ReconnectionSupervisorStepTests {
    /// Reconnection on, no jitter, so backoffs are exact: 1000, 2000, 4000, 5000, 5000, ...
    static let retrying = ReconnectionSettings(enabled: true, randomizationFactor: 0)
    static let a = Packet.message("a")
    static let b = Packet.message([1, 2, 3])

    func t(_ ms: Int64) -> Instant { Instant(milliseconds: ms) }

    @discardableResult
    func step(
        _ state: ReconnectionSupervisor, _ event: ReconnectionEvent, effects expectedEffects: [ReconnectionEffect],
        phase expectedPhase: ReconnectionPhase, buffered expectedBuffered: [Packet] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ReconnectionSupervisor {
        let (next, effects) = ReconnectionSupervisor.reduce(state, event)
        #expect(effects == expectedEffects, sourceLocation: sourceLocation)
        #expect(next.phase == expectedPhase, sourceLocation: sourceLocation)
        #expect(next.buffered == expectedBuffered, sourceLocation: sourceLocation)
        #expect(next.bufferedBytes == expectedBuffered.reduce(0) { $0 + $1.queueCost }, sourceLocation: sourceLocation)
        #expect(next.settings == state.settings, sourceLocation: sourceLocation)
        var mutated = state
        #expect(mutated.handle(event) == effects, "handle and reduce disagree", sourceLocation: sourceLocation)
        #expect(mutated == next, "handle and reduce disagree", sourceLocation: sourceLocation)
        return next
    }

    func connecting(_ settings: ReconnectionSettings = retrying) -> ReconnectionSupervisor {
        var supervisor = ReconnectionSupervisor(settings: settings)
        _ = supervisor.handle(.connectRequested(at: t(0)))
        return supervisor
    }

    func connected(_ settings: ReconnectionSettings = retrying) -> ReconnectionSupervisor {
        var supervisor = connecting(settings)
        _ = supervisor.handle(.opened(at: t(10)))
        return supervisor
    }

    /// Lost at t=100, waiting for attempt 1 at t=1100.
    func waiting(_ settings: ReconnectionSettings = retrying) -> ReconnectionSupervisor {
        var supervisor = connected(settings)
        _ = supervisor.handle(.sessionLost(reason: "transport close", at: t(100), random: 0))
        return supervisor
    }

    /// Reconnection attempt 1 under way, started at t=1100.
    func reconnecting(_ settings: ReconnectionSettings = retrying) -> ReconnectionSupervisor {
        var supervisor = waiting(settings)
        _ = supervisor.handle(.timerFired(at: t(1100)))
        return supervisor
    }

    // MARK: Backoff

    @Test("without jitter the backoff doubles from the delay up to the cap")
    func backoffDoublesToTheCap() {
        let settings = ReconnectionSettings(delay: 1000, delayMax: 5000, randomizationFactor: 0)
        let delays = (1...6).map { ReconnectionSupervisor.backoff(attempt: $0, random: 0.7, settings: settings) }
        #expect(delays == [1000, 2000, 4000, 5000, 5000, 5000])
    }

    @Test("jitter subtracts on an even tenth of the draw and adds on an odd one, as socket.io's Backoff")
    func jitterFollowsTheParityOfTheDraw() {
        let settings = ReconnectionSettings(delay: 1000, delayMax: 5000, randomizationFactor: 0.5)
        #expect(ReconnectionSupervisor.backoff(attempt: 1, random: 0.25, settings: settings) == 875)
        #expect(ReconnectionSupervisor.backoff(attempt: 1, random: 0.35, settings: settings) == 1175)
        #expect(ReconnectionSupervisor.backoff(attempt: 3, random: 0.99, settings: settings) == 5000)
        #expect(ReconnectionSupervisor.backoff(attempt: 2, random: 0, settings: settings) == 2000)
    }

    @Test("absurd attempts and settings neither trap nor leave 0...delayMax")
    func backoffIsTotal() {
        let huge = ReconnectionSettings(delay: .max, delayMax: .max, randomizationFactor: 1)
        for attempt in [Int.min, -1, 0, 1, 63, 64, 1_000, .max] {
            for random in [0, 0.5, 0.95, 0.999_999_999, 1, -3, .nan, .infinity] {
                #expect((0...Int.max).contains(ReconnectionSupervisor.backoff(attempt: attempt, random: random, settings: huge)))
            }
        }
        #expect(ReconnectionSupervisor.backoff(attempt: 1, random: 0.5, settings: ReconnectionSettings(delay: 1000, delayMax: -5)) == 0)
        #expect(ReconnectionSupervisor.backoff(attempt: 2, random: 0.5, settings: ReconnectionSettings(delay: -5)) == 0)
        #expect(ReconnectionSupervisor.backoff(attempt: 0, random: 0, settings: Self.retrying) == 1000)
        let wild = ReconnectionSettings(delay: 1000, randomizationFactor: .nan)
        #expect(ReconnectionSupervisor.backoff(attempt: 1, random: 0.3, settings: wild) == 1000)
    }

    // MARK: The first connect

    @Test("a connect request starts attempt 0")
    func aConnectRequestStartsAttemptZero() {
        step(
            ReconnectionSupervisor(settings: Self.retrying), .connectRequested(at: t(0)), effects: [.connect(attempt: 0)],
            phase: .connecting(attempt: 0))
    }

    @Test("the first open flushes what was sent before it, in order, and is no reconnection")
    func theFirstOpenFlushesTheBuffer() {
        var supervisor = step(
            ReconnectionSupervisor(settings: Self.retrying), .sendRequested(Self.a, at: t(0)), effects: [], phase: .idle, buffered: [Self.a])
        supervisor = step(
            supervisor, .connectRequested(at: t(1)), effects: [.connect(attempt: 0)], phase: .connecting(attempt: 0), buffered: [Self.a])
        supervisor = step(supervisor, .sendRequested(Self.b, at: t(2)), effects: [], phase: .connecting(attempt: 0), buffered: [Self.a, Self.b])
        supervisor = step(supervisor, .opened(at: t(3)), effects: [.send(Self.a), .send(Self.b)], phase: .connected(attempt: 0))
        step(supervisor, .sendRequested(Self.a, at: t(4)), effects: [.send(Self.a)], phase: .connected(attempt: 0))
    }

    @Test("a failed first connect is not retried, even when transient: its caller hears of it")
    func aFailedFirstConnectIsNotRetried() {
        var supervisor = connecting()
        _ = supervisor.handle(.sendRequested(Self.a, at: t(1)))
        step(
            supervisor, .connectFailed(.transient, at: t(5), random: 0.5), effects: [.gaveUp(.firstConnectFailed), .discard(Self.a)],
            phase: .stopped(.firstConnectFailed))
        step(
            connecting(), .connectFailed(.refused(status: 400), at: t(5), random: 0.5), effects: [.gaveUp(.firstConnectFailed)],
            phase: .stopped(.firstConnectFailed))
    }

    // MARK: Losing a session

    @Test("a session lost after open waits the backoff, then reconnects")
    func aSessionLostAfterOpenWaitsTheBackoffThenReconnects() {
        var supervisor = step(
            connected(), .sessionLost(reason: "transport close", at: t(100), random: 0.3), effects: [.wake(at: t(1100))],
            phase: .waiting(attempt: 1, until: t(1100)))
        supervisor = step(
            supervisor, .sendRequested(Self.a, at: t(500)), effects: [], phase: .waiting(attempt: 1, until: t(1100)), buffered: [Self.a])
        supervisor = step(
            supervisor, .timerFired(at: t(1100)), effects: [.reconnecting(attempt: 1), .connect(attempt: 1)], phase: .connecting(attempt: 1),
            buffered: [Self.a])
        step(supervisor, .opened(at: t(1150)), effects: [.reconnected(attempt: 1), .send(Self.a)], phase: .connected(attempt: 1))
    }

    @Test("the first backoff is jittered by the loss's own random draw")
    func theFirstBackoffIsJittered() {
        let jittered = ReconnectionSettings(enabled: true, randomizationFactor: 0.5)
        step(
            connected(jittered), .sessionLost(reason: "ping timeout", at: t(100), random: 0.35), effects: [.wake(at: t(1275))],
            phase: .waiting(attempt: 1, until: t(1275)))
    }

    @Test("a transient reconnection failure backs off exponentially before the next attempt")
    func aTransientFailureBacksOffExponentially() {
        var supervisor = step(
            reconnecting(), .connectFailed(.transient, at: t(2000), random: 0), effects: [.wake(at: t(4000))],
            phase: .waiting(attempt: 2, until: t(4000)))
        supervisor = step(
            supervisor, .timerFired(at: t(4001)), effects: [.reconnecting(attempt: 2), .connect(attempt: 2)], phase: .connecting(attempt: 2))
        supervisor = step(
            supervisor, .connectFailed(.transient, at: t(5000), random: 0), effects: [.wake(at: t(9000))],
            phase: .waiting(attempt: 3, until: t(9000)))
        supervisor = step(
            supervisor, .timerFired(at: t(9000)), effects: [.reconnecting(attempt: 3), .connect(attempt: 3)], phase: .connecting(attempt: 3))
        supervisor = step(supervisor, .opened(at: t(9100)), effects: [.reconnected(attempt: 3)], phase: .connected(attempt: 3))
        // A new loss counts from attempt 1 again.
        step(
            supervisor, .sessionLost(reason: "server disconnect", at: t(20_000), random: 0), effects: [.wake(at: t(21_000))],
            phase: .waiting(attempt: 1, until: t(21_000)))
    }

    @Test("a reconnection refused with a 4xx stops for good and discards what was held")
    func aRefusedReconnectionStops() {
        var supervisor = reconnecting()
        _ = supervisor.handle(.sendRequested(Self.a, at: t(1200)))
        _ = supervisor.handle(.sendRequested(Self.b, at: t(1201)))
        step(
            supervisor, .connectFailed(.refused(status: 403), at: t(1300), random: 0.5),
            effects: [.gaveUp(.refused(status: 403)), .discard(Self.a), .discard(Self.b)], phase: .stopped(.refused(status: 403)))
    }

    @Test("the last allowed attempt failing gives up")
    func theLastAllowedAttemptFailingGivesUp() {
        var supervisor = reconnecting(ReconnectionSettings(enabled: true, attempts: 2, randomizationFactor: 0))
        supervisor = step(
            supervisor, .connectFailed(.transient, at: t(1200), random: 0), effects: [.wake(at: t(3200))],
            phase: .waiting(attempt: 2, until: t(3200)))
        supervisor = step(
            supervisor, .timerFired(at: t(3200)), effects: [.reconnecting(attempt: 2), .connect(attempt: 2)], phase: .connecting(attempt: 2))
        step(
            supervisor, .connectFailed(.transient, at: t(3300), random: 0), effects: [.gaveUp(.attemptsExhausted(2))],
            phase: .stopped(.attemptsExhausted(2)))
    }

    @Test("with zero attempts allowed the first loss gives up at once")
    func zeroAttemptsGivesUpOnTheFirstLoss() {
        step(
            connected(ReconnectionSettings(enabled: true, attempts: 0)), .sessionLost(reason: "transport close", at: t(100), random: 0),
            effects: [.gaveUp(.attemptsExhausted(0))], phase: .stopped(.attemptsExhausted(0)))
    }

    @Test("a lost session with reconnection off stops with its reason")
    func aLostSessionWithReconnectionOffStops() {
        step(
            connected(ReconnectionSettings()), .sessionLost(reason: "ping timeout", at: t(100), random: 0),
            effects: [.gaveUp(.reconnectionDisabled(reason: "ping timeout"))], phase: .stopped(.reconnectionDisabled(reason: "ping timeout")))
    }

    @Test("a session the application closed is never reconnected, and nothing gave up")
    func theApplicationsOwnCloseIsNotRetried() {
        for settings in [Self.retrying, ReconnectionSettings()] {
            step(
                connected(settings), .sessionLost(reason: "client disconnect", at: t(100), random: 0), effects: [],
                phase: .stopped(.userDisconnected))
        }
    }

    // MARK: Timers

    @Test("a timer that fires early is re-armed for the same instant")
    func anEarlyTimerIsReArmed() {
        step(waiting(), .timerFired(at: t(1099)), effects: [.wake(at: t(1100))], phase: .waiting(attempt: 1, until: t(1100)))
    }

    @Test("a stale timer outside waiting is ignored")
    func aStaleTimerIsIgnored() {
        step(ReconnectionSupervisor(settings: Self.retrying), .timerFired(at: t(5)), effects: [], phase: .idle)
        step(connecting(), .timerFired(at: t(5_000)), effects: [], phase: .connecting(attempt: 0))
        step(connected(), .timerFired(at: t(5_000)), effects: [], phase: .connected(attempt: 0))
        step(reconnecting(), .timerFired(at: t(5_000)), effects: [], phase: .connecting(attempt: 1))
    }

    // MARK: Disconnecting

    @Test("disconnecting in any live phase stops without giving up, discarding what was held")
    func disconnectingStopsFromEveryPhase() {
        for live in [ReconnectionSupervisor(settings: Self.retrying), connecting(), connected(), waiting(), reconnecting()] {
            var supervisor = live
            _ = supervisor.handle(.sendRequested(Self.a, at: t(1_000)))
            let buffered = supervisor.buffered
            let stopped = step(
                supervisor, .disconnectRequested(at: t(2_000)), effects: buffered.map(ReconnectionEffect.discard), phase: .stopped(.userDisconnected))
            step(stopped, .disconnectRequested(at: t(3_000)), effects: [], phase: .stopped(.userDisconnected))
            step(stopped, .connectRequested(at: t(3_000)), effects: [], phase: .stopped(.userDisconnected))
            step(stopped, .timerFired(at: t(9_000)), effects: [], phase: .stopped(.userDisconnected))
            step(stopped, .sendRequested(Self.b, at: t(3_000)), effects: [.discard(Self.b)], phase: .stopped(.userDisconnected))
        }
    }

    // MARK: Sending

    @Test("packets past the buffer bound are refused while no session is open")
    func theBufferIsBounded() {
        // a costs 2 bytes, b costs 4: a bound of 6 holds both, and nothing more.
        var supervisor = waiting(ReconnectionSettings(enabled: true, randomizationFactor: 0, bufferBytes: 6))
        let until = t(1100)
        supervisor = step(supervisor, .sendRequested(Self.b, at: t(200)), effects: [], phase: .waiting(attempt: 1, until: until), buffered: [Self.b])
        supervisor = step(
            supervisor, .sendRequested(Self.b, at: t(201)), effects: [.sendRefused(limit: 6)],
            phase: .waiting(attempt: 1, until: until), buffered: [Self.b])
        supervisor = step(
            supervisor, .sendRequested(Self.a, at: t(202)), effects: [], phase: .waiting(attempt: 1, until: until), buffered: [Self.b, Self.a])
        step(
            supervisor, .sendRequested(.noop, at: t(203)), effects: [.sendRefused(limit: 6)],
            phase: .waiting(attempt: 1, until: until), buffered: [Self.b, Self.a])
        step(
            ReconnectionSupervisor(settings: ReconnectionSettings(bufferBytes: 0)), .sendRequested(.noop, at: t(0)),
            effects: [.sendRefused(limit: 0)], phase: .idle)
    }

    // MARK: Totality

    @Test("reports that do not fit the phase change nothing")
    func misfitReportsChangeNothing() {
        let idle = ReconnectionSupervisor(settings: Self.retrying)
        step(idle, .opened(at: t(1)), effects: [], phase: .idle)
        step(idle, .connectFailed(.transient, at: t(1), random: 0), effects: [], phase: .idle)
        step(idle, .sessionLost(reason: "transport close", at: t(1), random: 0), effects: [], phase: .idle)
        step(connecting(), .connectRequested(at: t(1)), effects: [], phase: .connecting(attempt: 0))
        step(connecting(), .sessionLost(reason: "transport close", at: t(1), random: 0), effects: [], phase: .connecting(attempt: 0))
        step(connected(), .opened(at: t(20)), effects: [], phase: .connected(attempt: 0))
        step(connected(), .connectFailed(.transient, at: t(20), random: 0), effects: [], phase: .connected(attempt: 0))
        step(connected(), .connectRequested(at: t(20)), effects: [], phase: .connected(attempt: 0))
        let waitingPhase = ReconnectionPhase.waiting(attempt: 1, until: t(1100))
        step(waiting(), .opened(at: t(200)), effects: [], phase: waitingPhase)
        step(waiting(), .connectFailed(.transient, at: t(200), random: 0), effects: [], phase: waitingPhase)
        step(waiting(), .sessionLost(reason: "transport close", at: t(200), random: 0), effects: [], phase: waitingPhase)
        step(waiting(), .connectRequested(at: t(200)), effects: [], phase: waitingPhase)
    }
}

/// Seeded properties of the reconnection supervisor over random settings and event sequences
/// (`EIO_PROPERTY_SEED` reproduces a run).
@Suite("Reconnection supervisor properties")
struct ReconnectionSupervisorPropertyTests {
    static let cases = 500

    /// What the application, the network and the clock do next; the runner turns it into an event.
    enum Action: Hashable, Sendable {
        case connect
        case open
        case fail(ConnectFailure, random: Double)
        case lose(reason: String, random: Double)
        case disconnect
        /// The timer fires `lateness` ms after the waiting deadline (early when negative), or now when not waiting.
        case fire(lateness: Int)
        /// A message of `padding` extra bytes, named by its place among the sends.
        case send(padding: Int)
    }

    struct Scenario: Hashable, Sendable {
        var settings: ReconnectionSettings
        var actions: [Action]
    }

    /// One step of a run: the state before, the event, the effects and the state after.
    struct Step {
        var before: ReconnectionSupervisor
        var event: ReconnectionEvent
        var effects: [ReconnectionEffect]
        var after: ReconnectionSupervisor
    }

    static let random: Gen<Double> = Gen.int(in: 0...999).map { Double($0) / 1000 }

    static func settings(enabled: Bool?) -> Gen<ReconnectionSettings> {
        Gen { source in
            ReconnectionSettings(
                enabled: enabled ?? (source.draw(upTo: 7) != 0),
                attempts: source.draw(upTo: 1) == 0 ? nil : Int(source.draw(upTo: 4)),
                delay: Int(source.draw(upTo: 2_000)), delayMax: Int(source.draw(upTo: 10_000)),
                randomizationFactor: Double(source.draw(upTo: 10)) / 10, bufferBytes: Int(source.draw(upTo: 48)))
        }
    }

    /// Weighted so that most runs lose sessions and reconnect (some refused) before anyone disconnects.
    static let action: Gen<Action> = weighted([
        (1, Gen.just(.connect)),
        (12, Gen.just(.open)),
        (10, random.map { Action.fail(.transient, random: $0) }),
        (3, Gen.zip(Gen.int(in: 400...499), random).map { Action.fail(.refused(status: $0.0), random: $0.1) }),
        (
            10,
            Gen.zip(
                Gen.element(of: ["transport close", "ping timeout", "server disconnect", "transport error", "parse error", "client disconnect"]),
                random
            ).map { Action.lose(reason: $0.0, random: $0.1) }
        ),
        (14, Gen.int(in: -50...200).map { Action.fire(lateness: $0) }),
        (16, Gen.int(in: 0...12).map { Action.send(padding: $0) }),
        (1, Gen.just(.disconnect)),
    ])

    /// One of `choices`, each as likely as its weight, shrinking towards the first.
    static func weighted(_ choices: [(weight: Int, gen: Gen<Action>)]) -> Gen<Action> {
        let total = choices.reduce(0) { $0 + $1.weight }
        return Gen { source in
            var pick = Int(source.draw(upTo: UInt64(total - 1)))
            for choice in choices {
                if pick < choice.weight { return choice.gen.generate(&source) }
                pick -= choice.weight
            }
            return choices[0].gen.generate(&source)
        }
    }

    /// Random settings, and a story that usually (not always) starts with some sends, a connect and an open, so
    /// most runs get to lose sessions and reconnect; after that, anything in any order.
    static func scenarios(enabled: Bool? = nil) -> Gen<Scenario> {
        Gen { source in
            let settings = Self.settings(enabled: enabled).generate(&source)
            var actions = Gen.int(in: 0...12).map { Action.send(padding: $0) }.array(maxCount: 3).generate(&source)
            if source.draw(upTo: 7) != 0 { actions.append(.connect) }
            if source.draw(upTo: 3) != 0 { actions.append(.open) }
            actions += Self.action.array(maxCount: 100, averageCount: 40).generate(&source)
            return Scenario(settings: settings, actions: actions)
        }
    }

    /// Runs a scenario, checking that `handle` and `reduce` agree and that the buffer stays within its bound.
    static func run(_ scenario: Scenario) throws -> [Step] {
        var state = ReconnectionSupervisor(settings: scenario.settings)
        var now = Instant.zero
        var sends = 0
        var steps: [Step] = []
        for action in scenario.actions {
            now = now + 10
            let event: ReconnectionEvent
            switch action {
            case .connect: event = .connectRequested(at: now)
            case .open: event = .opened(at: now)
            case .fail(let failure, let random): event = .connectFailed(failure, at: now, random: random)
            case .lose(let reason, let random): event = .sessionLost(reason: reason, at: now, random: random)
            case .disconnect: event = .disconnectRequested(at: now)
            case .fire(let lateness):
                if case .waiting(_, let until) = state.phase { now = max(now, until + lateness) }
                event = .timerFired(at: now)
            case .send(let padding):
                event = .sendRequested(.message("#\(sends)" + String(repeating: "x", count: padding)), at: now)
                sends += 1
            }
            let (after, effects) = ReconnectionSupervisor.reduce(state, event)
            var mutated = state
            try ensureEqual(mutated.handle(event), effects, "handle's effects")
            try ensureEqual(mutated, after, "handle's state")
            try ensureEqual(after.settings, state.settings, "settings")
            try ensureEqual(after.bufferedBytes, after.buffered.reduce(0) { $0 + $1.queueCost }, "bufferedBytes")
            try ensure(after.bufferedBytes <= max(0, scenario.settings.bufferBytes), "\(after.bufferedBytes) bytes held, over the bound")
            steps.append(Step(before: state, event: event, effects: effects, after: after))
            state = after
        }
        return steps
    }

    struct BackoffCase: Hashable, Sendable {
        var attempt: Int
        var random: Double
        var settings: ReconnectionSettings
    }

    @Test("the backoff stays within 0...delayMax, exact without jitter and within ms*(1±f) with it")
    func backoffIsBoundedAndExact() throws {
        let cases = Gen<BackoffCase> { source in
            BackoffCase(
                attempt: 1 + Int(source.draw(upTo: 29)), random: Double(source.draw(upTo: 9_999)) / 10_000,
                settings: ReconnectionSettings(
                    delay: Int(source.draw(upTo: 100_000)), delayMax: Int(source.draw(upTo: 1_000_000)),
                    randomizationFactor: Double(source.draw(upTo: 10)) / 10))
        }
        try Property("backoff bounds", cases) { sample in
            let settings = sample.settings
            let cap = settings.delayMax
            let backoff = ReconnectionSupervisor.backoff(attempt: sample.attempt, random: sample.random, settings: settings)
            try ensure((0...cap).contains(backoff), "\(backoff) outside 0...\(cap)")
            let factor = settings.randomizationFactor
            if factor == 0 {
                var ms = settings.delay
                for _ in 1..<sample.attempt where ms < cap { ms *= 2 }
                try ensureEqual(backoff, min(ms, cap), "unjittered backoff")
            } else {
                let ms = Double(settings.delay) * Double(sign: .plus, exponent: sample.attempt - 1, significand: 1)
                let low = Int((ms * (1 - factor)).rounded(.down)) - 1
                let high = Int((ms * (1 + factor)).rounded(.up)) + 1
                try ensure(backoff >= min(low, cap) && backoff <= min(high, cap), "\(backoff) outside \(low)...\(high) capped at \(cap)")
            }
        }.check(cases: Self.cases)
    }

    @Test("reconnection attempts count 1, 2, 3, ... after each loss and never pass the allowed number")
    func attemptsNeverExceedTheLimit() throws {
        var reconnections = 0
        try Property("attempts within limit", Self.scenarios()) { scenario in
            var sinceLoss = 0
            for step in try Self.run(scenario) {
                if case .sessionLost = step.event, case .connected = step.before.phase { sinceLoss = 0 }
                for effect in step.effects {
                    guard case .connect(let attempt) = effect, attempt >= 1 else { continue }
                    sinceLoss += 1
                    reconnections += 1
                    try ensureEqual(attempt, sinceLoss, "attempt number")
                    try ensureEqual(step.effects, [.reconnecting(attempt: attempt), .connect(attempt: attempt)], "an attempt's start")
                    if let limit = scenario.settings.attempts { try ensure(attempt <= limit, "attempt \(attempt) of \(limit)") }
                }
            }
        }.check(cases: Self.cases)
        #expect(reconnections >= 100, "only \(reconnections) reconnection attempts were explored")
    }

    @Test("after a disconnect request no connect or wake is ever emitted")
    func disconnectIsFinal() throws {
        try Property("disconnect is final", Self.scenarios()) { scenario in
            var disconnected = false
            for step in try Self.run(scenario) {
                if disconnected {
                    try ensure(!step.effects.contains { Self.schedules($0) }, "\(step.effects) after a disconnect")
                    try ensureEqual(step.after.phase, step.before.phase, "phase after a disconnect")
                }
                if case .disconnectRequested = step.event {
                    disconnected = true
                    if case .stopped = step.before.phase { continue }
                    try ensureEqual(step.after.phase, .stopped(.userDisconnected))
                    try ensure(!step.effects.contains { if case .gaveUp = $0 { true } else { false } }, "gave up on a disconnect")
                }
            }
        }.check(cases: Self.cases)
    }

    @Test("after a reconnection is refused no connect is ever emitted")
    func refusalIsFinal() throws {
        var refusals = 0
        try Property("refusal is final", Self.scenarios()) { scenario in
            var refused = false
            for step in try Self.run(scenario) {
                if refused { try ensure(!step.effects.contains { Self.schedules($0) }, "\(step.effects) after a refusal") }
                if case .connectFailed(.refused(let status), _, _) = step.event, case .connecting(let attempt) = step.before.phase, attempt >= 1 {
                    refused = true
                    refusals += 1
                    try ensureEqual(step.after.phase, .stopped(.refused(status: status)))
                    try ensureEqual(step.effects.first, .gaveUp(.refused(status: status)))
                }
            }
        }.check(cases: Self.cases)
        #expect(refusals >= 5, "only \(refusals) refused reconnections were explored")
    }

    @Test("every send is delivered once, in request order, or refused or discarded once")
    func sendsAreNeverReorderedOrDuplicated() throws {
        var delivered = 0
        try Property("sends in order, once", Self.scenarios()) { scenario in
            var ids: [Packet: Int] = [:]
            var outcomes: [Int: String] = [:]
            var lastSent = -1
            func settle(_ packet: Packet, _ outcome: String) throws {
                guard let id = ids[packet] else { throw PropertyViolation("\(outcome) an unrequested \(packet)") }
                try ensure(outcomes[id] == nil, "#\(id) \(outcome) after it was \(outcomes[id] ?? "")")
                outcomes[id] = outcome
            }
            let steps = try Self.run(scenario)
            for step in steps {
                var requested: Packet?
                if case .sendRequested(let packet, _) = step.event {
                    requested = packet
                    ids[packet] = ids.count
                }
                for effect in step.effects {
                    switch effect {
                    case .send(let packet):
                        try settle(packet, "sent")
                        let id = ids[packet] ?? -1
                        try ensure(id > lastSent, "#\(id) sent after #\(lastSent)")
                        lastSent = id
                        delivered += 1
                    case .discard(let packet):
                        try settle(packet, "discarded")
                    case .sendRefused:
                        guard let packet = requested else { throw PropertyViolation("a refusal answering \(step.event)") }
                        try settle(packet, "refused")
                        try ensureEqual(step.after.buffered, step.before.buffered, "the buffer after a refusal")
                    default:
                        break
                    }
                }
                if case .connected = step.after.phase { try ensureEqual(step.after.buffered, [], "held while connected") }
                if case .stopped = step.after.phase { try ensureEqual(step.after.buffered, [], "held while stopped") }
            }
            for packet in steps.last?.after.buffered ?? [] { try settle(packet, "still held") }
            try ensureEqual(outcomes.count, ids.count, "sends with an outcome")
        }.check(cases: Self.cases)
        #expect(delivered >= 400, "only \(delivered) sends were delivered")
    }

    @Test("stopping is terminal and gives up at most once")
    func stoppingIsTerminal() throws {
        try Property("stopped is terminal", Self.scenarios()) { scenario in
            var gaveUp = 0
            for step in try Self.run(scenario) {
                gaveUp += step.effects.filter { if case .gaveUp = $0 { true } else { false } }.count
                try ensure(gaveUp <= 1, "gave up twice")
                guard case .stopped = step.before.phase else { continue }
                try ensureEqual(step.after.phase, step.before.phase, "phase after stopping")
                if case .sendRequested(let packet, _) = step.event {
                    try ensureEqual(step.effects, [.discard(packet)])
                } else {
                    try ensureEqual(step.effects, [])
                }
            }
        }.check(cases: Self.cases)
    }

    @Test("with reconnection off nothing is ever reconnected or scheduled")
    func disabledNeverReconnects() throws {
        var losses = 0
        try Property("disabled never reconnects", Self.scenarios(enabled: false)) { scenario in
            for step in try Self.run(scenario) {
                for effect in step.effects {
                    switch effect {
                    case .connect(let attempt): try ensureEqual(attempt, 0, "attempt with reconnection off")
                    case .wake, .reconnecting, .reconnected: throw PropertyViolation("\(effect) with reconnection off")
                    default: break
                    }
                }
                if case .sessionLost(let reason, _, _) = step.event, case .connected = step.before.phase {
                    losses += 1
                    let cause: ReconnectionStopCause = reason == "client disconnect" ? .userDisconnected : .reconnectionDisabled(reason: reason)
                    try ensureEqual(step.after.phase, .stopped(cause))
                }
            }
        }.check(cases: Self.cases)
        #expect(losses >= 100, "only \(losses) lost sessions were explored")
    }

    static func schedules(_ effect: ReconnectionEffect) -> Bool {
        switch effect {
        case .connect, .wake, .reconnecting: true
        default: false
        }
    }
}
