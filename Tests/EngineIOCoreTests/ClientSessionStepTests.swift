@testable import EngineIOCore
import EngineIOWire
import Testing

/// Step tests of the client reducer: whole state and whole effect list per step.
@Suite("Client session steps")
struct ClientSessionStepTests {
    static let openBody = Array(#"0{"sid":"S","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":20}"#.utf8)
    static let open = OpenPacket(sid: "S", upgrades: ["websocket"], pingInterval: 300, pingTimeout: 200, maxPayload: 20)

    func at(_ ms: Int64, _ event: ClientSessionEvent) -> Input<ClientSessionEvent> { Input(at: Instant(milliseconds: ms), event) }

    /// Packets as the v4 WebSocket messages a `write` effect carries.
    func frames(_ packets: [Packet]) -> [WebSocketPayload] { packets.map { PacketCodec.v4.encodeWebSocket($0) } }

    @discardableResult
    func step(
        _ state: ClientSession, _ input: Input<ClientSessionEvent>, effects expectedEffects: [ClientSessionEffect],
        sourceLocation: SourceLocation = #_sourceLocation, expect expected: (inout ClientSession) -> Void
    ) -> ClientSession {
        var expectedState = state
        expected(&expectedState)
        let (next, effects) = ClientSession.step(state, input)
        #expect(next == expectedState, sourceLocation: sourceLocation)
        #expect(effects == expectedEffects, sourceLocation: sourceLocation)
        return next
    }

    /// Connected over polling with the probe opening: request 1 was the handshake, 2 the probe, 3 the first poll.
    func connected(upgrade: Bool = true) -> ClientSession {
        var session = ClientSession(settings: ClientSessionSettings(upgrade: upgrade))
        _ = ClientSession.reduce(&session, at(0, .command(.connect)))
        _ = ClientSession.reduce(&session, at(10, .responseReceived(RequestID(1), status: 200, body: Self.openBody, binary: false)))
        return session
    }

    @Test("connect sends the handshake; the open packet opens the session, starts the probe and the poll")
    func handshake() {
        let start = ClientSession(settings: ClientSessionSettings())
        let connecting = step(start, at(0, .command(.connect)), effects: [.sendRequest(RequestID(1), .handshake()), .wake(at: Instant(milliseconds: 5_000))]) {
            $0.phase = .connecting
            $0.handshakeRequest = RequestID(1)
            $0.connectDeadline = Instant(milliseconds: 5_000)
            $0.nextID = 2
        }
        step(connecting, at(10, .responseReceived(RequestID(1), status: 200, body: Self.openBody + Array("\u{1E}4hi".utf8), binary: false)), effects: [
            .notify(.opened(Self.open)), .deliver(.text("hi")), .openWebSocket(ConnectionID(2), sid: "S"),
            .sendRequest(RequestID(3), .poll(sid: "S")), .wake(at: Instant(milliseconds: 510)),
        ]) {
            $0.phase = .open
            $0.handshakeRequest = nil
            $0.connectDeadline = nil
            $0.handshake = Self.open
            $0.heartbeat = .expectingPing(deadline: Instant(milliseconds: 510))
            $0.probe = ClientSession.Probe(connection: ConnectionID(2), stage: .opening, deadline: Instant(milliseconds: 5_010))
            $0.poll = RequestID(3)
            $0.nextID = 4
        }
    }

    @Test("a refused handshake fails connect with the status and body, as python's ConnectionError")
    func refused() {
        var session = ClientSession(settings: ClientSessionSettings())
        _ = ClientSession.reduce(&session, at(0, .command(.connect)))
        step(session, at(1, .responseReceived(RequestID(1), status: 401, body: Array("\"no\"".utf8), binary: false)), effects: [
            .connectFailed(.unexpectedStatus(401, body: Array("\"no\"".utf8))), .wake(at: nil),
        ]) {
            $0.phase = .failed(.unexpectedStatus(401, body: Array("\"no\"".utf8)))
            $0.handshakeRequest = nil
            $0.connectDeadline = nil
        }
        step(session, at(1, .responseReceived(RequestID(1), status: 200, body: Array("4hello".utf8), binary: false)), effects: [.connectFailed(.noOpenPacket), .wake(at: nil)]) {
            $0.phase = .failed(.noOpenPacket)
            $0.handshakeRequest = nil
            $0.connectDeadline = nil
        }
    }

    @Test("messages wait for the one POST in flight and then go together, within maxPayload")
    func postBatching() {
        var session = connected(upgrade: false)
        _ = ClientSession.reduce(&session, at(11, .command(.send(.message("a")))))
        #expect(session.post == RequestID(3))
        let waiting = step(session, at(12, .command(.send(.message("bbbbbbbbbb")))), effects: []) {
            $0.outbound = [.message("bbbbbbbbbb")]
            $0.outboundBytes = 10
        }
        let more = step(waiting, at(13, .command(.send(.message("cccccccccc")))), effects: []) {
            $0.outbound = [.message("bbbbbbbbbb"), .message("cccccccccc")]
            $0.outboundBytes = 20
        }
        // maxPayload is 20: the two ten-byte messages (12 bytes each with framing) cannot share one POST.
        step(more, at(14, .responseReceived(RequestID(3), status: 200, body: Array("ok".utf8), binary: false)), effects: [
            .sendRequest(RequestID(4), .post(sid: "S", body: Array("4bbbbbbbbbb".utf8)))
        ]) {
            $0.post = RequestID(4)
            $0.postDeadline = Instant(milliseconds: 5_014)
            $0.outbound = [.message("cccccccccc")]
            $0.outboundBytes = 10
            $0.nextID = 5
        }
    }

    @Test("a ping is answered at once and pushes the dead-server deadline out")
    func answersPings() {
        let session = connected(upgrade: false)
        step(session, at(100, .responseReceived(RequestID(2), status: 200, body: Array("2".utf8), binary: false)), effects: [
            .sendRequest(RequestID(3), .post(sid: "S", body: Array("3".utf8))), .sendRequest(RequestID(4), .poll(sid: "S")),
            .wake(at: Instant(milliseconds: 600)),
        ]) {
            $0.heartbeat = .expectingPing(deadline: Instant(milliseconds: 600))
            $0.post = RequestID(3)
            $0.postDeadline = Instant(milliseconds: 5_100)
            $0.poll = RequestID(4)
            $0.nextID = 5
        }
    }

    @Test("silence past pingInterval plus pingTimeout closes with ping timeout")
    func deadServer() {
        let session = connected(upgrade: false)
        step(session, at(510, .timerFired), effects: [.cancelRequest(RequestID(2)), .notify(.closed(.pingTimeout)), .wake(at: nil)]) {
            $0.phase = .closed(.pingTimeout)
            $0.poll = nil
            $0.heartbeat = nil
        }
    }

    @Test("the upgrade probes, pauses polling until the poll returns, then commits and flushes over the WebSocket")
    func upgrade() {
        var session = connected()
        let ws = ConnectionID(2)
        session = step(session, at(20, .webSocketOpened(ws)), effects: [.write(frames([.probePing]), to: ws)]) { $0.probe?.stage = .probing }
        session = step(session, at(30, .frameReceived(ws, .text(Array("3probe".utf8)))), effects: []) { $0.probe?.stage = .pausing }
        session = step(session, at(31, .command(.send(.message("held")))), effects: []) {
            $0.outbound = [.message("held")]
            $0.outboundBytes = 4
        }
        step(session, at(40, .responseReceived(RequestID(3), status: 200, body: Array("6".utf8), binary: false)), effects: [
            .write(frames([.upgrade]), to: ws), .notify(.upgraded), .write(frames([.message("held")]), to: ws),
        ]) {
            $0.poll = nil
            $0.probe = nil
            $0.transport = .websocket
            $0.webSocket = ws
            $0.outbound = []
            $0.outboundBytes = 0
        }
    }

    @Test("a probe that fails leaves the session polling")
    func failedProbe() {
        let session = connected()
        step(session, at(20, .webSocketRefused(ConnectionID(2), status: 400, body: [], failure: nil)), effects: []) { $0.probe = nil }
    }

    @Test("a close packet from the server ends the session with server disconnect")
    func serverClose() {
        let session = connected(upgrade: false)
        step(session, at(20, .responseReceived(RequestID(2), status: 200, body: Array("4bye\u{1E}1".utf8), binary: false)), effects: [
            .deliver(.text("bye")), .notify(.closed(.serverDisconnect)), .wake(at: nil),
        ]) {
            $0.phase = .closed(.serverDisconnect)
            $0.poll = nil
            $0.heartbeat = nil
        }
    }

    @Test("disconnect over polling posts 1 and closes with client disconnect")
    func clientDisconnect() {
        let session = connected(upgrade: false)
        step(session, at(20, .command(.disconnect)), effects: [
            .cancelRequest(RequestID(2)), .sendRequest(RequestID(3), .post(sid: "S", body: Array("1".utf8))),
            .notify(.closed(.clientDisconnect)), .wake(at: nil),
        ]) {
            $0.phase = .closed(.clientDisconnect)
            $0.poll = nil
            $0.heartbeat = nil
            $0.nextID = 4
        }
    }

    @Test("a failed poll is a transport error, and a closed session refuses commands")
    func transportError() {
        var session = connected(upgrade: false)
        _ = ClientSession.reduce(&session, at(20, .requestFailed(RequestID(2), .reset)))
        #expect(session.phase == .closed(.transportError))
        #expect(session.closeCause == .reset)
        step(session, at(21, .command(.send(.message("late")))), effects: [.rejected(.send(.message("late")))]) { _ in }
    }

    @Test("a connect that gets no answer fails at requestTimeout, naming what it waited for, and never before")
    func connectTimeout() {
        var polling = ClientSession(settings: ClientSessionSettings())
        _ = ClientSession.reduce(&polling, at(0, .command(.connect)))
        step(polling, at(4_999, .timerFired), effects: [.wake(at: Instant(milliseconds: 5_000))]) { _ in }
        step(polling, at(5_000, .timerFired), effects: [.cancelRequest(RequestID(1)), .connectFailed(.timedOut(.handshakeResponse)), .wake(at: nil)]) {
            $0.phase = .failed(.timedOut(.handshakeResponse))
            $0.handshakeRequest = nil
            $0.connectDeadline = nil
        }
        var webSocket = ClientSession(settings: ClientSessionSettings(transports: [.websocket]))
        _ = ClientSession.reduce(&webSocket, at(0, .command(.connect)))
        let unanswered = ClientSession.step(webSocket, at(5_000, .timerFired)).0
        #expect(unanswered.phase == .failed(.timedOut(.webSocketHandshake)))
        _ = ClientSession.reduce(&webSocket, at(100, .webSocketOpened(ConnectionID(1))))
        step(webSocket, at(5_000, .timerFired), effects: [.closeWebSocket(ConnectionID(1)), .connectFailed(.timedOut(.openPacket)), .wake(at: nil)]) {
            $0.phase = .failed(.timedOut(.openPacket))
            $0.webSocket = nil
            $0.connectDeadline = nil
        }
    }

    @Test("the handshake follows redirects within the limit, never from https to http nor to another scheme")
    func redirects() {
        var session = ClientSession(settings: ClientSessionSettings(secure: true, maxRedirects: 2))
        _ = ClientSession.reduce(&session, at(0, .command(.connect)))
        session = step(session, at(1, .redirected(RequestID(1), status: 307, location: "https://b.example/eio/")), effects: [
            .sendRequest(RequestID(2), .handshake(redirect: "https://b.example/eio/"))
        ]) {
            $0.handshakeRequest = RequestID(2)
            $0.redirects = 1
            $0.nextID = 3
        }
        let downgraded = ClientSession.step(session, at(2, .redirected(RequestID(2), status: 302, location: "http://c.example/"))).0
        #expect(downgraded.phase == .failed(.badRedirect("from https to http (http://c.example/)")))
        let elsewhere = ClientSession.step(session, at(2, .redirected(RequestID(2), status: 302, location: "javascript:x"))).0
        #expect(elsewhere.phase == .failed(.badRedirect("to javascript:x, which is not http or https")))
        _ = ClientSession.reduce(&session, at(2, .redirected(RequestID(2), status: 302, location: "/again")))
        let third = ClientSession.step(session, at(3, .redirected(RequestID(3), status: 302, location: "/more"))).0
        #expect(third.phase == .failed(.badRedirect("more than 2 redirects")))
    }

    /// Connected with a 100 ms requestTimeout, the probe opening (it expires at 110).
    func connectedQuickly() -> ClientSession {
        var session = ClientSession(settings: ClientSessionSettings(requestTimeout: 100))
        _ = ClientSession.reduce(&session, at(0, .command(.connect)))
        _ = ClientSession.reduce(&session, at(10, .responseReceived(RequestID(1), status: 200, body: Self.openBody, binary: false)))
        return session
    }

    @Test("an upgrade probe that gets no 3probe in time is abandoned; the session stays on polling")
    func probeTimeout() {
        let session = connectedQuickly()
        #expect(session.nextDeadline == Instant(milliseconds: 110))
        step(session, at(109, .timerFired), effects: [.wake(at: Instant(milliseconds: 110))]) { _ in }
        step(session, at(110, .timerFired), effects: [.closeWebSocket(ConnectionID(2)), .wake(at: Instant(milliseconds: 510))]) { $0.probe = nil }
    }

    @Test("a POST without an answer in requestTimeout ends the session with transport error, saying why")
    func postTimeout() {
        var session = connectedQuickly()
        _ = ClientSession.reduce(&session, at(120, .responseReceived(RequestID(3), status: 200, body: Array("2".utf8), binary: false)))
        #expect(session.postDeadline == Instant(milliseconds: 220))
        _ = ClientSession.reduce(&session, at(219, .timerFired))
        #expect(session.phase == .open)
        _ = ClientSession.reduce(&session, at(220, .timerFired))
        #expect(session.phase == .closed(.transportError))
        #expect(session.closeCause == .timedOut("a POST's answer"))
    }

    @Test("a polled packet larger than the server's maxPayload ends the session with transport error")
    func oversizedPacket() {
        var session = connected(upgrade: false)
        _ = ClientSession.reduce(&session, at(20, .responseReceived(RequestID(2), status: 200, body: Array(("4" + String(repeating: "x", count: 21)).utf8), binary: false)))
        #expect(session.phase == .closed(.transportError))
        #expect(session.closeCause == .tooLarge(limit: 20))
    }

    @Test("every phase and event pair leads to a legal phase")
    func totality() {
        var states: [ClientSession] = [ClientSession(settings: ClientSessionSettings())]
        var connecting = ClientSession(settings: ClientSessionSettings())
        _ = ClientSession.reduce(&connecting, at(0, .command(.connect)))
        states += [connecting, connected(), connected(upgrade: false)]
        var failed = connecting
        _ = ClientSession.reduce(&failed, at(1, .requestFailed(RequestID(1), .refused)))
        var closed = connected()
        _ = ClientSession.reduce(&closed, at(1, .command(.disconnect)))
        states += [failed, closed]
        let events: [ClientSessionEvent] = [
            .command(.connect), .command(.send(.message("m"))), .command(.disconnect),
            .responseReceived(RequestID(1), status: 200, body: Self.openBody, binary: false),
            .responseReceived(RequestID(2), status: 500, body: [], binary: false), .responseReceived(RequestID(3), status: 200, body: Array("zz".utf8), binary: false),
            .requestFailed(RequestID(3), .reset), .webSocketOpened(ConnectionID(2)), .webSocketRefused(ConnectionID(2), status: nil, body: [], failure: .closed),
            .frameReceived(ConnectionID(2), .text(Array("3probe".utf8))), .frameReceived(ConnectionID(2), .text(Array("x".utf8))),
            .webSocketClosed(ConnectionID(2), failure: nil), .timerFired, .redirected(RequestID(1), status: 302, location: "/x"),
            .redirected(RequestID(1), status: 302, location: "ftp://x"),
        ]
        let legal: [String: Set<String>] = [
            "idle": ["idle", "connecting"], "connecting": ["connecting", "open", "failed", "closed"], "open": ["open", "closed"],
            "closed": ["closed"], "failed": ["failed"],
        ]
        func name(_ phase: ClientSession.Phase) -> String {
            switch phase {
            case .idle: "idle"
            case .connecting: "connecting"
            case .open: "open"
            case .closed: "closed"
            case .failed: "failed"
            }
        }
        for state in states {
            for event in events {
                for time in [Int64(5), 100_000] {
                    let next = ClientSession.step(state, at(time, event)).0
                    #expect(legal[name(state.phase)]?.contains(name(next.phase)) == true, "\(name(state.phase)) + \(event) → \(name(next.phase))")
                }
            }
        }
    }
}
