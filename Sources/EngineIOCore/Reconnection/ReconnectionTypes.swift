/// How a client reconnects after losing a session, as socket.io-client's `Manager` options.
///
/// Out-of-range values never trap: negative delays, counts and bounds count as 0, and the randomization factor is
/// clamped to `0...1`.
public struct ReconnectionSettings: Hashable, Codable, Sendable {
    /// Whether a lost session is followed by reconnection attempts (socket.io's `reconnection`).
    public var enabled: Bool
    /// How many reconnection attempts follow one loss before giving up; `nil` is unlimited
    /// (socket.io's `reconnectionAttempts`, whose default is `Infinity`).
    public var attempts: Int?
    /// The backoff before the first reconnection attempt, in milliseconds (socket.io's `reconnectionDelay`).
    public var delay: Int
    /// The longest backoff, in milliseconds (socket.io's `reconnectionDelayMax`).
    public var delayMax: Int
    /// How far, as a fraction, each backoff is randomly moved from `delay * 2^(attempt-1)`, in `0...1`
    /// (socket.io's `randomizationFactor`).
    public var randomizationFactor: Double
    /// A bound on the bytes of the packets held while no session is open (each packet costs `Packet.queueCost`).
    public var bufferBytes: Int

    /// Settings with socket.io-client's defaults, except that reconnection is off unless asked for.
    public init(
        enabled: Bool = false, attempts: Int? = nil, delay: Int = 1000, delayMax: Int = 5000, randomizationFactor: Double = 0.5,
        bufferBytes: Int = 1_000_000
    ) {
        self.enabled = enabled
        self.attempts = attempts
        self.delay = delay
        self.delayMax = delayMax
        self.randomizationFactor = randomizationFactor
        self.bufferBytes = bufferBytes
    }
}

/// Where a reconnection supervisor is. Attempt 0 is the first connect; attempt `n ≥ 1` is the nth reconnection
/// attempt after the latest loss.
public enum ReconnectionPhase: Hashable, Codable, Sendable {
    /// Nothing asked for yet.
    case idle
    /// The shell is connecting, as attempt `attempt`.
    case connecting(attempt: Int)
    /// A session is open; `attempt` is the attempt that opened it.
    case connected(attempt: Int)
    /// Backing off: attempt `attempt` starts when the timer fires at `until`.
    case waiting(attempt: Int, until: Instant)
    /// Terminal: no connect will ever be asked for again.
    case stopped(ReconnectionStopCause)
}

/// Why a reconnection supervisor stopped.
public enum ReconnectionStopCause: Hashable, Codable, Sendable {
    /// The application disconnected (or a session closed with `client disconnect`).
    case userDisconnected
    /// The first connect failed; its caller hears of it, and nothing retries it.
    case firstConnectFailed
    /// The session was lost, with `reason`, and reconnection is off.
    case reconnectionDisabled(reason: String)
    /// A reconnection handshake was refused with the 4xx `status`, which retrying cannot fix.
    case refused(status: Int)
    /// The last allowed reconnection attempt, the given one, failed (0 when `attempts` is 0).
    case attemptsExhausted(Int)
}

/// Why a connect attempt failed, as the shell classifies it.
public enum ConnectFailure: Hashable, Codable, Sendable {
    /// The server answered the handshake with this 4xx status: never retried.
    case refused(status: Int)
    /// A network failure, a timeout, or a 5xx (such as 503 from a draining server): retried.
    case transient
}

/// Something that happened, as the shell reports it to a reconnection supervisor. Times are the shell's clock;
/// `random` values are uniform in `[0, 1)`, drawn by the shell, so the supervisor itself stays deterministic.
public enum ReconnectionEvent: Hashable, Codable, Sendable {
    /// The application asked to connect.
    case connectRequested(at: Instant)
    /// The attempt the supervisor asked for opened a session.
    case opened(at: Instant)
    /// The attempt the supervisor asked for failed; `random` jitters the backoff before the next one.
    case connectFailed(ConnectFailure, at: Instant, random: Double)
    /// An open session closed, with `reason` (a `DisconnectReason` raw value); `random` jitters the first backoff.
    case sessionLost(reason: String, at: Instant, random: Double)
    /// The application asked to disconnect.
    case disconnectRequested(at: Instant)
    /// The timer armed by the latest `wake(at:)` fired.
    case timerFired(at: Instant)
    /// The application asked to send `packet`.
    case sendRequested(Packet, at: Instant)
}

/// Something the shell must do or report, in the order given.
public enum ReconnectionEffect: Hashable, Codable, Sendable {
    /// Start connect attempt `attempt` (0: the first connect); report `opened` or `connectFailed`.
    case connect(attempt: Int)
    /// Arm the one timer to fire at this instant, replacing any earlier one; report `timerFired`.
    case wake(at: Instant)
    /// Tell the application that reconnection attempt `attempt` is starting (socket.io's `reconnect_attempt`).
    case reconnecting(attempt: Int)
    /// Tell the application that reconnection attempt `attempt` opened a session (socket.io's `reconnect`).
    case reconnected(attempt: Int)
    /// Tell the application that the supervisor stopped for `cause` (socket.io's `reconnect_failed`).
    case gaveUp(ReconnectionStopCause)
    /// Send this packet on the open session.
    case send(Packet)
    /// The packet just requested was not taken: holding it would pass the buffer bound `limit`.
    case sendRefused(limit: Int)
    /// A packet requested earlier (or just now, when stopped) will never be sent; fail its sender.
    case discard(Packet)
}
