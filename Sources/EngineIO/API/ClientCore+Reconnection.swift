import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

// The shell around `ReconnectionSupervisor`: the client's engine events go in as supervisor events, and the
// supervisor's effects come out as new engines, timers, handler calls and sends. Effects are carried out while the
// supervisor's lock is held, so that messages buffered during a reconnection reach the new session before any
// message sent after it opened.
extension ClientCore {
    static func reconnectionSettings(_ options: ClientOptions) -> ReconnectionSettings {
        ReconnectionSettings(
            enabled: options.reconnection, attempts: options.reconnectionAttempts, delay: Int((options.reconnectionDelay * 1000).rounded()),
            delayMax: Int((options.reconnectionDelayMax * 1000).rounded()), randomizationFactor: options.randomizationFactor,
            bufferBytes: options.reconnectionBufferBytes)
    }

    /// The supervisor's clock: monotonic milliseconds.
    static func clock() -> Instant { Instant(milliseconds: monotonicNanoseconds() / 1_000_000) }

    func superviseOpened(attempt: Int) {
        supervise(.opened(at: Self.clock()))
        // An attempt that opened after the application's disconnect() is closed again.
        let stopped = supervisor.withLock { if case .stopped = $0.phase { true } else { false } }
        if stopped, attempt > 0, let engine = state.withLock({ $0.engine }) { engine.submit(.command(.disconnect)) }
    }

    /// Runs `detach` (the session lets go of its engine) and tells the supervisor the session is lost, under the
    /// supervisor's lock, so no send falls between the two.
    func superviseLost(_ reason: DisconnectReason, detach: () -> ClientEngine?) -> ClientEngine? {
        supervisor.withLock { supervisor in
            let engine = detach()
            feed(.sessionLost(reason: reason.rawValue, at: Self.clock(), random: Double.random(in: 0..<1)), to: &supervisor)
            return engine
        }
    }

    func superviseFailed(_ error: ClientError, attempt: Int) {
        let failure: ConnectFailure
        if case .unexpectedStatus(let status, _) = error, (400..<500).contains(status) {
            failure = .refused(status: status)
        } else {
            failure = .transient
        }
        if attempt > 0 { log(.info, "reconnection attempt \(attempt) failed: \(error)") }
        supervise(.connectFailed(failure, at: Self.clock(), random: Double.random(in: 0..<1)))
    }

    func superviseDisconnect() {
        supervise(.disconnectRequested(at: Self.clock()))
    }

    /// `send` with reconnection on: straight to the engine when connected, buffered (within
    /// `reconnectionBufferBytes`) while reconnecting.
    func superviseSend(_ packet: Packet) throws(ClientError) {
        var refusal: ClientError?
        supervisor.withLock { supervisor in
            for effect in supervisor.handle(.sendRequested(packet, at: Self.clock())) {
                switch effect {
                case .send(let packet):
                    guard let engine = state.withLock({ $0.engine }) else { continue }
                    do throws(ClientError) { try submit(packet, to: engine) } catch { refusal = error }
                case .sendRefused(let limit):
                    refusal = .reconnectBufferFull(limit: limit)
                default:
                    perform(effect)  // discard: dropped, as python drops messages sent while disconnected
                }
            }
        }
        if let refusal { throw refusal }
    }

    /// Feeds the supervisor one event and carries out its effects.
    private func supervise(_ event: ReconnectionEvent) {
        supervisor.withLock { feed(event, to: &$0) }
    }

    /// `supervise` with the supervisor's lock already held.
    private func feed(_ event: ReconnectionEvent, to supervisor: inout ReconnectionSupervisor) {
        for effect in supervisor.handle(event) { perform(effect) }
        let reconnecting: Bool =
            switch supervisor.phase {
            case .waiting: true
            case .connecting(let attempt): attempt > 0
            default: false
            }
        update { $0.reconnecting = reconnecting }
    }

    /// Carries out one effect (with the supervisor's lock held).
    private func perform(_ effect: ReconnectionEffect) {
        switch effect {
        case .connect(let attempt):
            guard attempt > 0 else { return }  // the first connect runs on the caller's thread (`connect`)
            // Resolving the name and opening sockets block: not under the lock.
            DispatchQueue.global().async { [weak self] in self?.reconnect(attempt: attempt) }
        case .wake(let at):
            let generation = timerGeneration.add(1, ordering: .relaxed).newValue
            let delay = max(0, at.milliseconds - Self.clock().milliseconds)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay))) { [weak self] in
                guard let self, timerGeneration.load(ordering: .relaxed) == generation else { return }
                supervise(.timerFired(at: max(at, Self.clock())))
            }
        case .reconnecting(let attempt):
            log(.info, "reconnecting (attempt \(attempt))")
            post(.reconnecting(attempt))
        case .reconnected(let attempt):
            log(.info, "reconnected (attempt \(attempt))")
            post(.reconnected(attempt))
        case .gaveUp(let cause):
            log(.info, "not reconnecting: \(cause)")
        case .send(let packet):
            if let engine = state.withLock({ $0.engine }) { try? submit(packet, to: engine) }
        case .sendRefused:
            break  // only in answer to a send, which throws (superviseSend)
        case .discard(let packet):
            log(.warning, "dropping a \(packet.dataByteCount)-byte message sent while reconnecting: the client stopped trying")
        }
    }

    /// Reconnection attempt `attempt`: a new engine for the last connect's plan.
    private func reconnect(attempt: Int) {
        guard let plan = plan.withLock({ $0 }) else { return }
        do {
            let route = try makeRoute(to: plan.parsed)
            let engine = try makeEngine(plan, route: route, attempt: attempt)
            let started = state.withLock { state -> Bool in
                guard state.engine == nil else { return false }
                state.engine = engine
                return true
            }
            guard started else { return }
            engine.start()
        } catch {
            superviseFailed(error, attempt: attempt)
        }
    }
}
