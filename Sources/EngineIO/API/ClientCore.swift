import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Synchronization

/// What both client façades share: one connection's engine, its state, and its handler mailbox.
final class ClientCore: Sendable {
    struct State {
        var engine: ClientEngine?
        var connected = false
        var sid: String?
        var transport: Transport = .polling
        var handshake: OpenPacket?
        var outcome: Result<Void, ClientError>?
        var reason: DisconnectReason?
        /// python's `disconnect(reason=…)`: what the application's own disconnect should report.
        var requestedReason: DisconnectReason?
        /// Why the session ended with `transport error`, when known.
        var cause: ClientError?
        /// Bytes sent that had not reached the server when the session ended.
        var undelivered = 0
        /// Between a lost session and the reconnection supervisor's last word: waiting or trying again.
        var reconnecting = false
    }

    /// What opening the session again needs (the reconnection supervisor reconnects with it).
    struct Plan: @unchecked Sendable {
        var url: String
        var parsed: ClientURL
        var headers: [String: String]
        /// The session's settings; its `transports` are the ones the application allowed.
        var settings: ClientSessionSettings
    }

    let options: ClientOptions
    let state = Locked(State())
    private let changed = NSCondition()
    /// The handler calls, in the order the connection produced them; the façade's runtime runs them.
    let mailbox = Mailbox<ClientJob>()
    private let runtimeBox = Locked<(any ClientHandlerRuntime)?>(nil)
    /// The cookies servers set, kept for the client's life (and across reconnections).
    let cookies = Locked(CookieJar())
    /// The last connect's plan, for reconnecting.
    let plan = Locked<Plan?>(nil)
    /// The reconnection reducer (with `reconnection` on). Its effects are carried out while its lock is held, so
    /// buffered messages go out before any sent after them.
    let supervisor: Locked<ReconnectionSupervisor>
    /// Tells the supervisor's timers apart: a timer armed before the latest `wake` does nothing.
    let timerGeneration = Atomic<Int>(0)

    init(options: ClientOptions) throws {
        self.options = try options.validated()
        supervisor = Locked(ReconnectionSupervisor(settings: Self.reconnectionSettings(self.options)))
    }

    /// A client dropped while connected closes its session (without waiting), rather than leave it running.
    deinit { state.withLock { $0.engine }?.submit(.command(.disconnect)) }

    func attach(_ runtime: any ClientHandlerRuntime) { runtimeBox.withLock { $0 = runtime } }

    func post(_ job: ClientJob) {
        if mailbox.post(job).schedule { runtimeBox.withLock { $0 }?.drain(mailbox) }
    }

    /// Starts connecting; returns once connected or failed.
    func connect(_ url: String, headers: [String: String], transports: [Transport]?, engineioPath: String) throws(ClientError) {
        let busy = state.withLock { $0.engine != nil || $0.reconnecting }
        if busy { throw .notDisconnected }
        let allowed = (transports ?? [.polling, .websocket])
        guard !allowed.isEmpty else { throw .noValidTransports }
        guard let parsed = ClientURL(url, engineioPath: engineioPath) else { throw .invalidURL(url) }
        let route = try makeRoute(to: parsed)
        let settings = ClientSessionSettings(
            transports: allowed, maxPacketsPerPost: options.maxPacketsPerPost, requestTimeout: Int((options.requestTimeout * 1000).rounded()),
            secure: parsed.secure, maxRedirects: options.maxRedirects)
        let plan = Plan(url: url, parsed: parsed, headers: headers, settings: settings)
        self.plan.withLock { $0 = plan }
        if options.reconnection {
            supervisor.withLock { supervisor in
                supervisor = ReconnectionSupervisor(settings: Self.reconnectionSettings(options))
                _ = supervisor.handle(.connectRequested(at: Self.clock()))  // connect(attempt: 0): below, on this thread
            }
        }
        let engine = try makeEngine(plan, route: route, attempt: 0)
        state.withLock {
            $0 = State()
            $0.engine = engine
        }
        engine.start()
        changed.lock()
        while state.withLock({ $0.outcome }) == nil { changed.wait() }
        changed.unlock()
        if case .failure(let error) = state.withLock({ $0.outcome }) { throw error }
    }

    /// An engine for `plan`, whose events reach this client; `attempt` 0 is the application's connect, later ones
    /// are the reconnection supervisor's.
    func makeEngine(_ plan: Plan, route: ClientRoute, attempt: Int) throws(ClientError) -> ClientEngine {
        let url = plan.url
        let allowed = plan.settings.transports
        let delegate = ClientDelegate(
            deliver: { [weak self] data in self?.post(.message(MessageData(data))) },
            notify: { [weak self] notification, cause in
                guard let self else { return }
                switch notification {
                case .opened(let open):
                    self.log(.info, "connected to \(url) as \(open.sid)")
                    self.update {
                        $0.connected = true
                        $0.sid = open.sid
                        $0.handshake = open
                        $0.transport = allowed.first ?? .polling
                        $0.outcome = .success(())
                    }
                    self.post(.connect)
                    if self.options.reconnection { self.superviseOpened(attempt: attempt) }
                case .upgraded:
                    self.log(.info, "upgraded to websocket")
                    self.update { $0.transport = .websocket }
                case .closed(let closedReason):
                    // With reconnection, the session is let go and the supervisor told in one step (under its lock):
                    // a send from another thread then finds the session or the supervisor's buffer, never neither.
                    let engine =
                        self.options.reconnection
                        ? self.superviseLost(closedReason) { self.detach(closedReason, cause: cause) } : self.detach(closedReason, cause: cause)
                    engine?.finish()  // its sockets close once any closing handshake is over
                }
            },
            connectFailed: { [weak self] error in
                guard let self else { return }
                let failure = ClientError(error, seconds: options.requestTimeout)
                let engine = self.state.withLock { state -> ClientEngine? in
                    if attempt == 0 { state.outcome = .failure(failure) } else { state.cause = failure }
                    defer { state.engine = nil }
                    return state.engine
                }
                self.update { _ in }
                engine?.finish()
                if self.options.reconnection { self.superviseFailed(failure, attempt: attempt) }
            })
        do {
            return try ClientEngine(
                route: route, reroute: { [weak self] current, location in
                    guard let self, let next = current.url.redirected(to: location) else { throw ClientError.badRedirect(location) }
                    return try self.makeRoute(to: next)
                }, headers: plan.headers, settings: plan.settings, options: options, delegate: delegate, cookies: cookies)
        } catch {
            throw .unreachable("\(error)")
        }
    }

    /// Forgets the session that ended, records why, and queues the disconnect handler; returns its engine.
    private func detach(_ closedReason: DisconnectReason, cause: TransportFailure?) -> ClientEngine? {
        let (engine, reason) = state.withLock { state -> (ClientEngine?, DisconnectReason) in
            state.connected = false
            // Until the supervisor has decided, a lost session counts as reconnecting, so wait() holds.
            if options.reconnection, closedReason != .clientDisconnect { state.reconnecting = true }
            let reason = closedReason == .clientDisconnect ? state.requestedReason ?? closedReason : closedReason
            state.reason = reason
            defer { state.engine = nil }
            return (state.engine, reason)
        }
        let left = engine?.backlog.load(ordering: .relaxed) ?? 0
        state.withLock { state in
            if let cause { state.cause = ClientError(cause) }
            state.undelivered = max(state.undelivered, left)
        }
        update { _ in }
        log(.info, "disconnected (\(reason.rawValue))" + (cause.map { ": \($0)" } ?? ""))
        post(.disconnect(reason))
        return engine
    }

    /// How to reach `url`: its address (or the proxy's), and TLS for https. Resolving blocks: this runs on the
    /// caller's thread at connect, and on the client's loop only for a redirect to another host.
    func makeRoute(to url: ClientURL) throws(ClientError) -> ClientRoute {
        var tls: TLSClientContext?
        if url.secure {
            do {
                tls = try TLSClientContext(
                    verify: options.sslVerify, caFile: options.caFile ?? options.httpSession?.caFile,
                    certificateFile: options.httpSession?.clientCertificateFile, keyFile: options.httpSession?.clientKeyFile)
            } catch {
                throw .tls(error.description)
            }
        }
        // Through a proxy, every connection goes to the proxy and asks it for a tunnel to the server.
        var tunnel: String?
        var connectTo = (host: url.host, port: url.port)
        if let proxy = options.httpSession?.proxy {
            guard let proxyURL = ClientURL(proxy, engineioPath: "") else { throw .invalidURL(proxy) }
            tunnel = "\(url.host.contains(":") ? "[\(url.host)]" : url.host):\(url.port)"
            connectTo = (proxyURL.host, proxyURL.port)
        }
        do {
            return ClientRoute(url: url, address: try ServerAddress.resolve(host: connectTo.host, port: connectTo.port), tls: tls, tunnel: tunnel)
        } catch {
            throw .unreachable(error.description)
        }
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) { options.logger.emit(level, message(), as: "engineio.client") }

    func update(_ change: (inout State) -> Void) {
        changed.lock()
        state.withLock { change(&$0) }
        changed.broadcast()
        changed.unlock()
    }

    /// Blocks until the connection ends (with reconnection, until the client stops trying).
    func wait() {
        changed.lock()
        while state.withLock({ $0.connected || $0.reconnecting }) { changed.wait() }
        changed.unlock()
    }

    /// Sends a message; dropped while disconnected, as in python. Throws `sendQueueFull` rather than buffer past
    /// `maxOutboundQueueBytes` of messages the server has not taken.
    func send(_ data: MessageData) throws(ClientError) {
        let packet = Packet(.message, data.packetData(codec: options.json.codec))
        if options.reconnection { return try superviseSend(packet) }
        guard let engine = state.withLock({ $0.engine }) else { return }
        try submit(packet, to: engine)
    }

    /// Hands a message to the engine, within `maxOutboundQueueBytes`.
    func submit(_ packet: Packet, to engine: ClientEngine) throws(ClientError) {
        let size = packet.dataByteCount
        let before = engine.backlog.add(size, ordering: .relaxed).oldValue
        guard before + size <= options.maxOutboundQueueBytes || before == 0 else {
            engine.backlog.subtract(size, ordering: .relaxed)
            throw .sendQueueFull(limit: options.maxOutboundQueueBytes)
        }
        engine.submit(.command(.send(packet)))
    }

    /// Closes the session: first waits (up to `requestTimeout`) for what was sent to reach the server, then tells
    /// it, as python's `disconnect()`. What had still not gone out is counted in `undeliveredBytes`.
    func disconnect(reason: DisconnectReason?, flush: Bool = true) {
        if options.reconnection { superviseDisconnect() }
        guard let engine = state.withLock({ state -> ClientEngine? in
            state.requestedReason = reason
            return state.engine
        }) else { return }
        let deadline = Date().addingTimeInterval(flush ? options.requestTimeout : 0)
        while engine.backlog.load(ordering: .relaxed) > 0, Date() < deadline, state.withLock({ $0.connected }) { usleep(2_000) }
        let left = engine.backlog.load(ordering: .relaxed)
        state.withLock { $0.undelivered = left }
        if left > 0 { log(.warning, "disconnecting with \(left) bytes the server has not taken") }
        engine.submit(.command(.disconnect))
    }

    /// Bytes sent that the server had not taken when the last session ended (or `disconnect` gave up waiting).
    var undeliveredBytes: Int { state.withLock { $0.undelivered } }
}

