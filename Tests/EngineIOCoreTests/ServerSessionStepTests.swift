@testable import EngineIOCore
import EngineIOWire
import EngineIOSpec
import Testing

/// Exhaustive step tests: each compares the whole next state and the whole effect list.
@Suite("Server session steps")
struct ServerSessionStepTests {
    static let settings = ServerSessionSettings(
        version: .v4, pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000, upgrades: [.websocket], upgradeTimeout: 1_000,
        closeTimeout: 5_000, maxOutboundQueueBytes: 100)
    static let handshake = RequestID(1)
    static let openJSON = #"{"sid":"S","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#
    static let openPacket = Packet(.open, .text(openJSON))

    /// An open polling session at t=0 whose first ping is due at t=300.
    static func openPolling() -> ServerSession {
        var session = ServerSession.start(sid: "S", settings: settings, handshake: .polling(handshake)).0
        _ = ServerSession.reduce(&session, Input(at: .zero, .verdictReceived(.accept)))
        return session
    }

    func at(_ ms: Int64, _ event: ServerSessionEvent) -> Input<ServerSessionEvent> { Input(at: Instant(milliseconds: ms), event) }

    @discardableResult
    func step(
        _ state: ServerSession, _ input: Input<ServerSessionEvent>, effects expectedEffects: [ServerSessionEffect],
        sourceLocation: SourceLocation = #_sourceLocation, expect expected: (inout ServerSession) -> Void
    ) -> ServerSession {
        var expectedState = state
        expected(&expectedState)
        let (next, effects) = ServerSession.step(state, input)
        #expect(next == expectedState, sourceLocation: sourceLocation)
        #expect(effects == expectedEffects, sourceLocation: sourceLocation)
        return next
    }

    @Test("a polling handshake asks the application, then answers the open packet with what connect sent")
    func pollingHandshake() throws {
        let (start, startEffects) = ServerSession.start(sid: "S", settings: Self.settings, handshake: .polling(Self.handshake))
        #expect(startEffects == [.authorize])
        #expect(start.phase == .authorizing(.polling(Self.handshake)))
        let queued = step(start, at(0, .command(.send(.message("hi")))), effects: []) {
            $0.outbound = [.message("hi")]
            $0.outboundBytes = 3
        }
        _ = step(queued, at(5, .verdictReceived(.accept)), effects: [
            .respond(Self.handshake, .payload([Self.openPacket, .message("hi")])), .notify(.opened),
            .wake(at: Instant(milliseconds: 305)),
        ]) {
            $0.phase = .open
            $0.outbound = []
            $0.outboundBytes = 0
            $0.heartbeat = .pingDue(Instant(milliseconds: 305))
        }
    }

    @Test("a rejected handshake is answered 401 with the application's JSON and never opens")
    func rejectedHandshake() throws {
        let (start, _) = ServerSession.start(sid: "S", settings: Self.settings, handshake: .polling(Self.handshake))
        _ = step(start, at(0, .verdictReceived(.reject(body: #"{"message":"nope"}"#))), effects: [.respond(Self.handshake, .unauthorized(body: #"{"message":"nope"}"#)), .notify(.refused)]) {
            $0.phase = .rejected
        }
    }

    @Test("a direct WebSocket handshake is accepted, gets the open packet without upgrades, and times its first ping")
    func webSocketHandshake() throws {
        let connection = ConnectionID(9)
        let (start, _) = ServerSession.start(sid: "S", settings: Self.settings, handshake: .websocket(connection))
        let open = Packet(.open, .text(#"{"sid":"S","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#))
        _ = step(start, at(0, .verdictReceived(.accept)), effects: [.acceptWebSocket(connection), .write([open], to: connection), .notify(.opened), .wake(at: Instant(milliseconds: 300))]) {
            $0.phase = .open
            $0.heartbeat = .pingDue(Instant(milliseconds: 300))
        }
    }

    @Test("a poll parks when nothing is queued and takes the next packet at once")
    func parkedPoll() throws {
        let parked = step(Self.openPolling(), at(10, .pollReceived(RequestID(2))), effects: []) { $0.parkedPoll = RequestID(2) }
        _ = step(parked, at(20, .command(.send(.message("a")))), effects: [
            .respond(RequestID(2), .payload([.message("a")]))
        ]) { $0.parkedPoll = nil }
    }

    @Test("packets sent while no poll waits are batched into the next poll")
    func batching() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .command(.send(.message("a")))))
        _ = ServerSession.reduce(&session, at(2, .command(.send(.message([1, 2])))))
        _ = step(session, at(3, .pollReceived(RequestID(2))), effects: [.respond(RequestID(2), .payload([.message("a"), .message([1, 2])]))]) {
            $0.outbound = []
            $0.outboundBytes = 0
        }
    }

    @Test("a POST delivers its messages in order and is answered ok")
    func post() throws {
        let started = step(Self.openPolling(), at(5, .postStarted(RequestID(3))), effects: []) { $0.activePost = RequestID(3) }
        _ = step(started, at(6, .postReceived(RequestID(3), body: Array("4a\u{1E}bAQI=\u{1E}4c".utf8), binary: false)), effects: [.deliver(.text("a")), .deliver(.binary([1, 2])), .deliver(.text("c")), .respond(RequestID(3), .ok)]) {
            $0.activePost = nil
        }
    }

    @Test("a second parked poll gets 400, the first gets 1, and the session closes with transport error")
    func duplicatePoll() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .pollReceived(RequestID(2))))
        _ = step(session, at(6, .pollReceived(RequestID(3))), effects: [
            .respond(RequestID(3), .badRequest), .report(.overlappingPolls), .respond(RequestID(2), .payload([.close])), .notify(.closed(.transportError)),
            .wake(at: nil),
        ]) {
            $0.phase = .closed(.transportError)
            $0.parkedPoll = nil
            $0.heartbeat = nil
        }
    }

    @Test("overlapping POSTs are both refused and the session closes")
    func overlappingPosts() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .postStarted(RequestID(3))))
        _ = step(session, at(2, .postStarted(RequestID(4))), effects: [
            .respond(RequestID(4), .badRequest), .respond(RequestID(3), .badRequest), .report(.overlappingPosts), .notify(.closed(.transportError)), .wake(at: nil),
        ]) {
            $0.phase = .closed(.transportError)
            $0.activePost = nil
            $0.heartbeat = nil
        }
    }

    @Test("a malformed POST is refused and closes the session with parse error")
    func malformedPost() throws {
        _ = step(Self.openPolling(), at(1, .postReceived(RequestID(3), body: Array("abc".utf8), binary: false)), effects: [.respond(RequestID(3), .badRequest), .report(.invalidPayload("unknownType(97)")), .notify(.closed(.parseError)), .wake(at: nil)]) {
            $0.phase = .closed(.parseError)
            $0.heartbeat = nil
        }
    }

    @Test("the client's close over polling releases the parked poll with 6 and the POST still gets ok")
    func clientCloseOverPolling() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .pollReceived(RequestID(2))))
        _ = step(session, at(2, .postReceived(RequestID(3), body: Array("1".utf8), binary: false)), effects: [
            .respond(RequestID(2), .payload([.noop])), .notify(.closed(.clientDisconnect)), .respond(RequestID(3), .ok), .wake(at: nil),
        ]) {
            $0.phase = .closed(.clientDisconnect)
            $0.parkedPoll = nil
            $0.heartbeat = nil
        }
    }

    @Test("the server's close over polling waits for the next poll to deliver the queue and then 1")
    func serverCloseOverPolling() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .command(.send(.message("bye")))))
        let draining = step(session, at(2, .command(.disconnect)), effects: [.notify(.closed(.serverDisconnect)), .wake(at: Instant(milliseconds: 5_002))]) {
            $0.phase = .draining(.serverDisconnect, deadline: Instant(milliseconds: 5_002))
            $0.outbound = [.message("bye"), .close]
            $0.outboundBytes = 5
            $0.heartbeat = nil
        }
        _ = step(draining, at(3, .pollReceived(RequestID(4))), effects: [.respond(RequestID(4), .payload([.message("bye"), .close])), .wake(at: nil)]) {
            $0.phase = .closed(.serverDisconnect)
            $0.outbound = []
            $0.outboundBytes = 0
        }
    }

    @Test("v4 pings go out on time, a pong re-arms them, and a missing pong closes with ping timeout")
    func heartbeat() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(100, .pollReceived(RequestID(2))))
        session = step(session, at(300, .timerFired), effects: [.respond(RequestID(2), .payload([.ping])), .wake(at: Instant(milliseconds: 500))]) {
            $0.parkedPoll = nil
            $0.heartbeat = .awaitingPong(deadline: Instant(milliseconds: 500))
        }
        session = step(session, at(350, .postReceived(RequestID(3), body: Array("3".utf8), binary: false)), effects: [.respond(RequestID(3), .ok), .wake(at: Instant(milliseconds: 650))]) {
            $0.heartbeat = .pingDue(Instant(milliseconds: 650))
        }
        session = step(session, at(650, .timerFired), effects: [.wake(at: Instant(milliseconds: 850))]) {
            $0.outbound = [.ping]
            $0.outboundBytes = 1
            $0.heartbeat = .awaitingPong(deadline: Instant(milliseconds: 850))
        }
        // An early tick changes nothing but re-arms the timer, so the shell is never left without one.
        _ = step(session, at(849, .timerFired), effects: [.wake(at: Instant(milliseconds: 850))]) { _ in }
        _ = step(session, at(850, .timerFired), effects: [.notify(.closed(.pingTimeout)), .wake(at: nil)]) {
            $0.phase = .closed(.pingTimeout)
            $0.outbound = []
            $0.outboundBytes = 0
            $0.heartbeat = nil
        }
    }

    @Test("a v4 client ping is a heartbeat direction error")
    func clientPingOnV4() throws {
        _ = step(Self.openPolling(), at(1, .postReceived(RequestID(3), body: Array("2".utf8), binary: false)), effects: [.report(.pingFromV4Client), .notify(.closed(.transportError)), .respond(RequestID(3), .badRequest), .wake(at: nil)]) {
            $0.phase = .closed(.transportError)
            $0.heartbeat = nil
        }
    }

    @Test("the upgrade answers 3probe, releases the poll with 6, holds packets and flushes them over the WebSocket")
    func upgrade() throws {
        let ws = ConnectionID(7)
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(10, .pollReceived(RequestID(2))))
        session = step(session, at(20, .webSocketOpened(ws, base64: false)), effects: []) {
            $0.probe = ServerSession.Probe(connection: ws, probed: false, deadline: Instant(milliseconds: 1_020), base64: false)
        }
        session = step(session, at(30, .frameReceived(ws, .text(Array("2probe".utf8)))), effects: [.write([.probePong], to: ws), .respond(RequestID(2), .payload([.noop]))]) {
            $0.probe?.probed = true
            $0.parkedPoll = nil
        }
        session = step(session, at(40, .command(.send(.message("held")))), effects: []) {
            $0.outbound = [.message("held")]
            $0.outboundBytes = 5
        }
        session = step(session, at(50, .pollReceived(RequestID(3))), effects: [.respond(RequestID(3), .payload([.noop]))]) { _ in }
        session = step(session, at(60, .frameReceived(ws, .text(Array("5".utf8)))), effects: [.notify(.upgraded), .write([.message("held")], to: ws)]) {
            $0.probe = nil
            $0.transport = .websocket
            $0.webSocket = ws
            $0.outbound = []
            $0.outboundBytes = 0
        }
        _ = step(session, at(70, .pollReceived(RequestID(4))), effects: [.respond(RequestID(4), .error(.badRequest))]) { _ in }
        _ = step(session, at(70, .webSocketOpened(ConnectionID(8), base64: false)), effects: [.closeWebSocket(ConnectionID(8))]) { _ in }
    }

    @Test("an upgrade that is not finished in time is abandoned and polling carries on")
    func upgradeTimeout() throws {
        let ws = ConnectionID(7)
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(0, .webSocketOpened(ws, base64: false)))
        _ = step(session, at(1_000, .timerFired), effects: [.closeWebSocket(ws), .wake(at: Instant(milliseconds: 1_200))]) {
            $0.probe = nil
            $0.heartbeat = .awaitingPong(deadline: Instant(milliseconds: 1_200))
            $0.outbound = [.ping]
            $0.outboundBytes = 1
        }
    }

    @Test("anything but 2probe on a candidate WebSocket closes it and leaves the session on polling")
    func badProbe() throws {
        let ws = ConnectionID(7)
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(0, .webSocketOpened(ws, base64: false)))
        _ = step(session, at(1, .frameReceived(ws, .text(Array("4hello".utf8)))), effects: [
            .closeWebSocket(ws),
        ]) { $0.probe = nil }
    }

    @Test("closing a WebSocket session sends 1 and closes the socket at once")
    func serverCloseOverWebSocket() throws {
        let ws = ConnectionID(9)
        var session = ServerSession.start(sid: "S", settings: Self.settings, handshake: .websocket(ws)).0
        _ = ServerSession.reduce(&session, at(0, .verdictReceived(.accept)))
        _ = step(session, at(1, .command(.disconnect)), effects: [.write([.close], to: ws), .closeWebSocket(ws), .notify(.closed(.serverDisconnect)), .wake(at: nil)]) {
            $0.phase = .closed(.serverDisconnect)
            $0.webSocket = nil
            $0.heartbeat = nil
        }
    }

    @Test("the queue bound closes the session with forced close instead of growing")
    func queueBound() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .command(.send(.message(String(repeating: "x", count: 90))))))
        _ = step(session, at(2, .command(.send(.message(String(repeating: "y", count: 20))))), effects: [.notify(.closed(.forcedClose)), .wake(at: nil)]) {
            $0.phase = .closed(.forcedClose)
            $0.outbound = []
            $0.outboundBytes = 0
            $0.heartbeat = nil
        }
    }

    @Test("v3 sessions answer the client's pings and time out when they stop")
    func v3Heartbeat() throws {
        var settings = Self.settings
        settings.version = .v3
        var session = ServerSession.start(sid: "S", settings: settings, handshake: .polling(Self.handshake)).0
        _ = ServerSession.reduce(&session, at(0, .verdictReceived(.accept)))
        #expect(session.heartbeat == .expectingPing(deadline: Instant(milliseconds: 500)))
        session = step(session, at(100, .postReceived(RequestID(3), body: Array("1:2".utf8), binary: false)), effects: [.respond(RequestID(3), .ok), .wake(at: Instant(milliseconds: 600))]) {
            $0.heartbeat = .expectingPing(deadline: Instant(milliseconds: 600))
            $0.outbound = [.pong]
            $0.outboundBytes = 1
        }
        _ = step(session, at(600, .timerFired), effects: [.notify(.closed(.pingTimeout)), .wake(at: nil)]) {
            $0.phase = .closed(.pingTimeout)
            $0.outbound = []
            $0.outboundBytes = 0
            $0.heartbeat = nil
        }
    }

    @Test("a closed session answers requests with unknown sid and rejects commands, unchanged")
    func closedIsTerminal() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .postReceived(RequestID(3), body: Array("1".utf8), binary: false)))
        _ = step(session, at(2, .pollReceived(RequestID(4))), effects: [.respond(RequestID(4), .error(.unknownSessionID))]) { _ in }
        _ = step(session, at(2, .command(.send(.message("late")))), effects: [.rejected(.send(.message("late")))]) { _ in }
        _ = step(session, at(2, .timerFired), effects: []) { _ in }
    }

    @Test("a server close during a probed upgrade is delivered over the WebSocket when the client commits")
    func closeDuringUpgrade() throws {
        let ws = ConnectionID(7)
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .webSocketOpened(ws, base64: false)))
        _ = ServerSession.reduce(&session, at(2, .frameReceived(ws, .text(Array("2probe".utf8)))))
        _ = ServerSession.reduce(&session, at(3, .command(.send(.message("last")))))
        session = step(session, at(4, .command(.disconnect)), effects: [.notify(.closed(.serverDisconnect)), .wake(at: Instant(milliseconds: 1_001))]) {
            $0.phase = .draining(.serverDisconnect, deadline: Instant(milliseconds: 5_004))
            $0.outbound = [.message("last"), .close]
            $0.outboundBytes = 6
            $0.heartbeat = nil
        }
        session = step(session, at(5, .pollReceived(RequestID(9))), effects: [.respond(RequestID(9), .payload([.noop]))]) { _ in }
        _ = step(session, at(6, .frameReceived(ws, .text(Array("5".utf8)))), effects: [
            .write([.message("last"), .close], to: ws), .closeWebSocket(ws), .wake(at: nil),
        ]) {
            $0.phase = .closed(.serverDisconnect)
            $0.probe = nil
            $0.outbound = []
            $0.outboundBytes = 0
        }
    }

    @Test("a request that arrives after a missed deadline finds the session already timed out")
    func deadlineBeforeRequest() throws {
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(300, .timerFired))
        _ = ServerSession.reduce(&session, at(301, .pollReceived(RequestID(2))))
        // The pong deadline is t=500; a poll at t=501 comes before the shell's tick.
        _ = step(session, at(501, .pollReceived(RequestID(3))), effects: [
            .notify(.closed(.pingTimeout)), .respond(RequestID(3), .error(.unknownSessionID)), .wake(at: nil),
        ]) {
            $0.phase = .closed(.pingTimeout)
            $0.heartbeat = nil
        }
    }

    @Test("an oversized stray POST after the upgrade is refused without harming the WebSocket")
    func strayPostAfterUpgrade() throws {
        let ws = ConnectionID(7)
        var session = Self.openPolling()
        _ = ServerSession.reduce(&session, at(1, .webSocketOpened(ws, base64: false)))
        _ = ServerSession.reduce(&session, at(2, .frameReceived(ws, .text(Array("2probe".utf8)))))
        _ = ServerSession.reduce(&session, at(3, .frameReceived(ws, .text(Array("5".utf8)))))
        _ = step(session, at(4, .postTooLarge(RequestID(5))), effects: [.respond(RequestID(5), .error(.badRequest))]) { _ in }
    }

    @Test("a client that leaves before the verdict still gives an accepting application its disconnect")
    func abandonedHandshake() throws {
        let (start, _) = ServerSession.start(sid: "S", settings: Self.settings, handshake: .polling(Self.handshake))
        let gone = step(start, at(1, .requestAborted(Self.handshake)), effects: []) { $0.phase = .abandoned }
        _ = step(gone, at(2, .verdictReceived(.accept)), effects: [.notify(.opened), .notify(.closed(.transportClose))]) {
            $0.phase = .closed(.transportClose)
        }
    }

    @Test("packets that would break the protocol are refused to the application")
    func unsendablePackets() throws {
        for packet in [Packet.close, .upgrade, Packet(.open, .text("{}")), Packet(.ping, .binary([1]))] {
            _ = step(Self.openPolling(), at(1, .command(.send(packet))), effects: [.rejected(.send(packet))]) { _ in }
        }
    }

}
