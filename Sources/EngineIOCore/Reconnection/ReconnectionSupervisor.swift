// Theory of operation
//
// `ReconnectionSupervisor` decides when a client connects, as socket.io-client's `Manager` does, and nothing else:
// it never touches a socket, a clock or a random number generator. The shell runs one `ClientSession` at a time and
// tells the supervisor what became of it; the supervisor answers with effects (`connect`, `wake`, `send`, ...).
//
// Phases: `idle` → `connecting(0)` → `connected(0)`. When a session is lost, `waiting(1, until:)` → (timer)
// `connecting(1)` → `connected(1)`, or on a transient failure `waiting(2, until:)` → `connecting(2)` → ... Each loss
// starts counting again from attempt 1, as socket.io resets its backoff on every open. `stopped` is terminal: a
// client that wants to connect again makes a new supervisor.
//
// Stopping: the application's disconnect (in any phase, or a session closing with `client disconnect`); a lost
// session with reconnection off; a reconnection handshake refused with a 4xx (a refusal is an answer, and asking again
// gets the same one); the last allowed attempt failing. The first connect is never retried, unlike socket.io's: its
// failure throws from `connect()` to its caller, as python-engineio's client does, and a caller who wants retries
// calls again. Every stop but the application's own emits `gaveUp`.
//
// Backoff: socket.io-client's `Backoff`, with the random draw supplied by the shell in the event that schedules the
// attempt (`connectFailed`, `sessionLost`). The delay before attempt n is `delay * 2^(n-1)`, moved by up to
// `randomizationFactor` of itself either way, capped at `delayMax`. The wait is a `wake(at:)`; `reconnecting(n)` is
// emitted when the timer fires and attempt n actually starts (socket.io's `reconnect_attempt`). A timer that fires
// early is answered with the same `wake(at:)` again, so a shell whose one-shot timer fired a little soon re-arms it
// rather than leaving the supervisor waiting forever; a `timerFired` in any other phase is stale and ignored.
//
// Sending: while connected a request is a `send`. Otherwise, until the supervisor stops, packets are held in order
// (bounded by `bufferBytes`, each costing `Packet.queueCost`) and flushed as `send`s, in order, when a session opens.
// A packet over the bound is refused at once (`sendRefused(limit:)`, answering that request); held packets are
// `discard`ed, in order, when the supervisor stops; a request to a stopped supervisor is `discard`ed at once.
// So every requested packet is sent exactly once, in request order, or refused or discarded, exactly once.
//
// Totality: every event in every phase gives an answer, possibly no effects. Reports that do not fit the phase (an
// `opened` while waiting, a `sessionLost` while connecting, a second `connectRequested`) change nothing: only
// `connectFailed` ends an attempt, only `sessionLost` ends a session.

/// A pure reducer that supervises reconnection of an Engine.IO client, with socket.io-client `Manager` semantics.
public struct ReconnectionSupervisor: Hashable, Codable, Sendable {
    /// The close reason that means the application itself ended the session (`DisconnectReason.clientDisconnect`).
    public static let userDisconnectReason = DisconnectReason.clientDisconnect.rawValue

    /// Where the supervisor is.
    public private(set) var phase: ReconnectionPhase = .idle
    /// How to back off and how much to hold.
    public let settings: ReconnectionSettings
    /// The packets requested while no session was open, oldest first, to send when one opens.
    public private(set) var buffered: [Packet] = []
    /// The total `queueCost` of `buffered`; never more than `settings.bufferBytes`.
    public private(set) var bufferedBytes = 0

    /// An idle supervisor.
    public init(settings: ReconnectionSettings) {
        self.settings = settings
    }

    /// The supervisor after `event`, and the effects the shell must perform, in order.
    public static func reduce(_ state: ReconnectionSupervisor, _ event: ReconnectionEvent) -> (ReconnectionSupervisor, [ReconnectionEffect]) {
        var next = state
        let effects = next.handle(event)
        return (next, effects)
    }

    /// The backoff before reconnection attempt `attempt` (from 1), in milliseconds, as socket.io-client's `Backoff`
    /// computes it with `Math.random()` returning `random`.
    ///
    /// `delay * 2^(attempt-1)`; when the randomization factor `f` is positive, `deviation = floor(random * f * ms)`
    /// is subtracted if `floor(random * 10)` is even and added if odd; the result is capped at `delayMax`. It is
    /// always in `0...max(0, delayMax)`. Attempts below 1 count as 1, `random` is clamped to `[0, 1)`, and the
    /// exponential saturates at 2^53 ms (past any sane `delayMax`) rather than overflowing.
    public static func backoff(attempt: Int, random: Double, settings: ReconnectionSettings) -> Int {
        let cap = max(0, settings.delayMax)
        let delay = max(0, settings.delay)
        let saturation = 9_007_199_254_740_992.0  // 2^53: every integer below is exact in a Double
        let exponent = attempt <= 1 ? 0 : min(attempt - 1, 60)
        var ms = min(Double(delay) * Double(sign: .plus, exponent: exponent, significand: 1), saturation)
        let factor = settings.randomizationFactor.isNaN ? 0 : min(max(settings.randomizationFactor, 0), 1)
        if factor > 0 {
            let draw = random.isNaN ? 0 : min(max(random, 0), 1.0.nextDown)
            let deviation = (draw * factor * ms).rounded(.down)
            ms = Int((draw * 10).rounded(.down)) & 1 == 0 ? ms - deviation : ms + deviation
        }
        return Int(min(max(ms, 0), Double(cap)).rounded(.down))
    }

    /// Applies `event`, returning the effects the shell must perform, in order.
    public mutating func handle(_ event: ReconnectionEvent) -> [ReconnectionEffect] {
        switch event {
        case .connectRequested:
            guard phase == .idle else { return [] }
            phase = .connecting(attempt: 0)
            return [.connect(attempt: 0)]
        case .opened:
            return opened()
        case .connectFailed(let failure, let now, let random):
            return connectFailed(failure, now: now, random: random)
        case .sessionLost(let reason, let now, let random):
            return sessionLost(reason: reason, now: now, random: random)
        case .disconnectRequested:
            if case .stopped = phase { return [] }
            return stop(.userDisconnected, notify: false)
        case .timerFired(let now):
            guard case .waiting(let attempt, let until) = phase else { return [] }
            guard now >= until else { return [.wake(at: until)] }
            phase = .connecting(attempt: attempt)
            return [.reconnecting(attempt: attempt), .connect(attempt: attempt)]
        case .sendRequested(let packet, _):
            return send(packet)
        }
    }

    // MARK: Transitions

    private mutating func opened() -> [ReconnectionEffect] {
        guard case .connecting(let attempt) = phase else { return [] }
        phase = .connected(attempt: attempt)
        var effects: [ReconnectionEffect] = attempt >= 1 ? [.reconnected(attempt: attempt)] : []
        effects.append(contentsOf: buffered.map(ReconnectionEffect.send))
        buffered = []
        bufferedBytes = 0
        return effects
    }

    private mutating func connectFailed(_ failure: ConnectFailure, now: Instant, random: Double) -> [ReconnectionEffect] {
        guard case .connecting(let attempt) = phase else { return [] }
        if attempt == 0 { return stop(.firstConnectFailed) }
        switch failure {
        case .refused(let status):
            return stop(.refused(status: status))
        case .transient:
            return schedule(attempt: attempt + 1, now: now, random: random) ?? stop(.attemptsExhausted(attempt))
        }
    }

    private mutating func sessionLost(reason: String, now: Instant, random: Double) -> [ReconnectionEffect] {
        guard case .connected = phase else { return [] }
        // The application's own disconnect is checked first: it is never "giving up", even with reconnection off.
        if reason == Self.userDisconnectReason { return stop(.userDisconnected, notify: false) }
        guard settings.enabled else { return stop(.reconnectionDisabled(reason: reason)) }
        return schedule(attempt: 1, now: now, random: random) ?? stop(.attemptsExhausted(0))
    }

    /// Waits before `attempt`, or nil when `settings.attempts` does not allow it.
    private mutating func schedule(attempt: Int, now: Instant, random: Double) -> [ReconnectionEffect]? {
        if let limit = settings.attempts, attempt > limit { return nil }
        let until = now + Self.backoff(attempt: attempt, random: random, settings: settings)
        phase = .waiting(attempt: attempt, until: until)
        return [.wake(at: until)]
    }

    /// Stops for good: `gaveUp` (unless the application asked), then every held packet is discarded, in order.
    private mutating func stop(_ cause: ReconnectionStopCause, notify: Bool = true) -> [ReconnectionEffect] {
        phase = .stopped(cause)
        var effects: [ReconnectionEffect] = notify ? [.gaveUp(cause)] : []
        effects.append(contentsOf: buffered.map(ReconnectionEffect.discard))
        buffered = []
        bufferedBytes = 0
        return effects
    }

    private mutating func send(_ packet: Packet) -> [ReconnectionEffect] {
        switch phase {
        case .connected:
            return [.send(packet)]
        case .stopped:
            return [.discard(packet)]
        case .idle, .connecting, .waiting:
            let limit = max(0, settings.bufferBytes)
            let cost = packet.queueCost
            guard cost <= limit - bufferedBytes else { return [.sendRefused(limit: limit)] }
            buffered.append(packet)
            bufferedBytes += cost
            return []
        }
    }
}
