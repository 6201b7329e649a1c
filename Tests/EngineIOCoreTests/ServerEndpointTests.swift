import EngineIOCore
import EngineIOWire
import EngineIOSpec
import EngineIOTesting
import Testing

/// The official engine.io-protocol v4 test suite's cases, played against the endpoint reducer with an echo
/// application and the suite's server settings (ping 300/200 ms, CORS `*`). The socket-level run of the same
/// cases belongs to the server shell; here every answer is checked to the byte.
@Suite("Server endpoint")
struct ServerEndpointTests {
    /// The endpoint plus an echo application, on virtual time.
    struct Harness {
        var endpoint: ServerEndpoint
        var now = Instant.zero
        var nextID: UInt64 = 100
        var sidCounter = 0
        /// Answers by request, WebSocket messages by connection, in order.
        var replies: [RequestID: HTTPReply] = [:]
        var messages: [ConnectionID: [WebSocketPayload]] = [:]
        var accepted: Set<ConnectionID> = []
        var refused: [ConnectionID: HTTPReply] = [:]
        var closed: Set<ConnectionID> = []
        var deadlines: [String: Instant] = [:]
        var delivered: [String] = []
        var echo = true
        var endpointDeadline: Instant?
        var drainedCount = 0
        var notifications: [SessionNotification] = []

        init(options: ServerOptions = ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, corsAllowedOrigins: "*")) {
            endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: options))
        }

        mutating func apply(_ event: ServerEndpointEvent) {
            var queue = [event]
            while !queue.isEmpty {
                let effects = ServerEndpoint.reduce(&endpoint, Input(at: now, queue.removeFirst()))
                for effect in effects {
                    switch effect {
                    case .respond(let id, let reply): replies[id] = reply
                    case .acceptWebSocket(let connection, _): accepted.insert(connection)
                    case .refuseWebSocket(let connection, let reply): refused[connection] = reply
                    case .write(let payloads, let connection): messages[connection, default: []] += payloads
                    case .closeWebSocket(let connection): closed.insert(connection)
                    case .deliver(let sid, let data):
                        if case .text(let text) = data { delivered.append(text) }
                        if echo { queue.append(.command(sid: sid, .send(Packet(.message, data)))) }
                    case .authorize(let sid, _): queue.append(.verdictReceived(sid: sid, .accept))
                    case .wake(let sid, let at): deadlines[sid] = at
                    case .notify(_, let notification): notifications.append(notification)
                    case .wakeEndpoint(let at): endpointDeadline = at
                    case .drained: drainedCount += 1
                    case .rejected, .pauseReading, .resumeReading, .report: break
                    }
                }
            }
        }

        mutating func request(_ method: String, _ query: String, body: [UInt8]? = nil, headers: [HeaderField] = []) -> RequestID {
            nextID += 1
            sidCounter += 1
            let id = RequestID(nextID)
            apply(.requestReceived(id, EngineIORequest(method: method, query: Self.parse(query), headers: headers), freshSID: "sid\(sidCounter)"))
            if let body, replies[id] == nil { apply(.bodyReceived(id, body)) }
            return id
        }

        mutating func webSocket(_ query: String) -> ConnectionID {
            nextID += 1
            sidCounter += 1
            let connection = ConnectionID(nextID)
            apply(.webSocketRequested(connection, .webSocketHandshake(query: Self.parse(query)), freshSID: "sid\(sidCounter)"))
            return connection
        }

        mutating func advance(to milliseconds: Int64) {
            now = Instant(milliseconds: milliseconds)
            for (sid, deadline) in deadlines.sorted(by: { $0.key < $1.key }) where deadline <= now {
                deadlines[sid] = nil
                apply(.timerFired(sid: sid))
            }
            if let deadline = endpointDeadline, deadline <= now {
                endpointDeadline = nil
                apply(.endpointTimerFired)
            }
        }

        /// Advances in steps of `step` ms to `milliseconds`, firing every deadline met on the way.
        mutating func run(to milliseconds: Int64, step: Int64 = 10) {
            var time = now.milliseconds
            while time < milliseconds {
                time = min(milliseconds, time + step)
                advance(to: time)
            }
        }

        /// Opens a polling session the way the suite's `initLongPollingSession` does; returns the sid.
        mutating func pollingSession() throws -> String {
            let reply = try #require(replies[request("GET", "EIO=4&transport=polling")])
            let open = try OpenPacket(packet: try PacketCodec.v4.decodeText(reply.body))
            return open.sid
        }

        static func parse(_ query: String) -> [QueryItem] {
            query.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return QueryItem(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
        }
    }

    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    // MARK: handshake

    @Test("suite 1: a polling handshake opens a session with the suite's exact handshake values")
    func pollingHandshake() throws {
        var harness = Harness()
        let reply = try #require(harness.replies[harness.request("GET", "EIO=4&transport=polling")])
        #expect(reply.status == 200)
        #expect(text(reply.body) == #"0{"sid":"sid1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#)
        #expect(reply.headers.contains(HeaderField("Content-Type", "text/plain; charset=UTF-8")))
    }

    @Test("suite 2 and 3: a bad EIO or transport is refused with the reference's error codes")
    func badHandshakeParameters() throws {
        var harness = Harness()
        for (query, code) in [("transport=polling", 5), ("EIO=abc&transport=polling", 5), ("EIO=3&transport=polling", 5), ("EIO=4", 0), ("EIO=4&transport=abc", 0)] {
            let reply = try #require(harness.replies[harness.request("GET", query)])
            #expect(reply.status == 400, "\(query)")
            #expect(text(reply.body) == #"{"code":\#(code),"message":"\#(HandshakeError(rawValue: code)!.message)"}"#, "\(query)")
        }
    }

    @Test("suite 4: a handshake with POST or PUT is a bad handshake method")
    func badHandshakeMethod() throws {
        var harness = Harness()
        for method in ["POST", "PUT"] {
            let reply = try #require(harness.replies[harness.request(method, "EIO=4&transport=polling")])
            #expect(reply.status == 400)
            #expect(text(reply.body) == #"{"code":2,"message":"Bad handshake method"}"#)
        }
    }

    @Test("suite 5: a WebSocket handshake opens a session whose open packet offers no upgrades")
    func webSocketHandshake() {
        var harness = Harness()
        let ws = harness.webSocket("EIO=4&transport=websocket")
        #expect(harness.accepted.contains(ws))
        #expect(harness.messages[ws] == [.text(Array(#"0{"sid":"sid1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#.utf8))])
    }

    @Test("suite 6 and 7: a WebSocket with a bad EIO or transport is refused before the upgrade")
    func badWebSocketHandshake() {
        var harness = Harness()
        for query in ["transport=websocket", "EIO=abc&transport=websocket", "EIO=4", "EIO=4&transport=abc"] {
            let ws = harness.webSocket(query)
            #expect(harness.refused[ws]?.status == 400, "\(query)")
            #expect(!harness.accepted.contains(ws))
        }
    }

    // MARK: polling messages

    @Test("suite 8 to 10: POSTed packets are answered ok and their echoes come back in one poll")
    func pollingEcho() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        for body in ["4hello", "4test1\u{1E}4test2\u{1E}4test3", "4hello\u{1E}bAQIDBA=="] {
            let post = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array(body.utf8))
            #expect(harness.replies[post]?.status == 200)
            #expect(text(harness.replies[post]?.body) == "ok")
            let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
            #expect(text(harness.replies[poll]?.body) == body)
        }
    }

    @Test("suite 11: an invalid packet closes the session")
    func invalidPacket() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let post = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array("abc".utf8))
        #expect(harness.replies[post]?.status == 400)
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        #expect(harness.replies[poll]?.status == 400)
        #expect(text(harness.replies[poll]?.body) == #"{"code":1,"message":"Session ID unknown"}"#)
    }

    @Test("suite 12: a duplicate poll gets 400, the first gets 1, and the session is gone")
    func duplicatePoll() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let first = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        let second = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)&t=burst")
        #expect(harness.replies[first]?.status == 200)
        #expect(text(harness.replies[first]?.body) == "1")
        #expect(harness.replies[second]?.status == 400)
        #expect(harness.replies[harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")]?.status == 400)
    }

    // MARK: WebSocket messages

    @Test("suite 13 to 15: WebSocket text and binary echo, and an invalid packet closes the socket")
    func webSocketEcho() {
        var harness = Harness()
        let ws = harness.webSocket("EIO=4&transport=websocket")
        harness.apply(.frameReceived(ws, .text(Array("4hello".utf8))))
        harness.apply(.frameReceived(ws, .binary([1, 2, 3, 4])))
        #expect(harness.messages[ws]?.dropFirst() == [.text(Array("4hello".utf8)), .binary([1, 2, 3, 4])])
        harness.apply(.frameReceived(ws, .text(Array("abc".utf8))))
        #expect(harness.closed.contains(ws))
    }

    // MARK: heartbeat

    @Test("suite 16: polling sessions get a 2 every interval and answer with POST 3")
    func pollingHeartbeat() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        var time: Int64 = 0
        for _ in 0..<3 {
            let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
            time += 300
            harness.advance(to: time)
            #expect(text(harness.replies[poll]?.body) == "2")
            let pong = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array("3".utf8))
            #expect(text(harness.replies[pong]?.body) == "ok")
        }
    }

    @Test("suite 17: a polling session whose pings go unanswered is gone 500 ms after the handshake")
    func pollingPingTimeout() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        harness.advance(to: 300)
        harness.advance(to: 500)
        #expect(harness.replies[harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")]?.status == 400)
    }

    @Test("suite 18 and 19: WebSocket pings arrive every interval, and silence closes the socket")
    func webSocketHeartbeat() {
        var harness = Harness()
        let ws = harness.webSocket("EIO=4&transport=websocket")
        harness.advance(to: 300)
        #expect(harness.messages[ws]?.last == .text(Array("2".utf8)))
        harness.apply(.frameReceived(ws, .text(Array("3".utf8))))
        harness.advance(to: 600)
        #expect(harness.messages[ws]?.last == .text(Array("2".utf8)))
        #expect(harness.messages[ws]?.count == 3)
        harness.advance(to: 800)
        #expect(harness.closed.contains(ws))
    }

    // MARK: close

    @Test("suite 20: a client close over polling answers the parked poll with 6, then the sid is unknown")
    func pollingClose() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        let post = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array("1".utf8))
        #expect(text(harness.replies[poll]?.body) == "6")
        #expect(text(harness.replies[post]?.body) == "ok")
        #expect(harness.replies[harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")]?.status == 400)
    }

    @Test("suite 21: a client close over WebSocket closes the socket")
    func webSocketClose() {
        var harness = Harness()
        let ws = harness.webSocket("EIO=4&transport=websocket")
        harness.apply(.frameReceived(ws, .text(Array("1".utf8))))
        #expect(harness.closed.contains(ws))
    }

    // MARK: upgrade

    @Test("suite 22: the upgrade answers 3probe, releases the poll with 6, and the next WebSocket message is the echo")
    func upgrade() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let ws = harness.webSocket("EIO=4&transport=websocket&sid=\(sid)")
        #expect(harness.accepted.contains(ws))
        harness.apply(.frameReceived(ws, .text(Array("2probe".utf8))))
        #expect(harness.messages[ws] == [.text(Array("3probe".utf8))])
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        #expect(text(harness.replies[poll]?.body) == "6")
        harness.apply(.frameReceived(ws, .text(Array("5".utf8))))
        harness.apply(.frameReceived(ws, .text(Array("4hello".utf8))))
        #expect(harness.messages[ws] == [.text(Array("3probe".utf8)), .text(Array("4hello".utf8))])
    }

    @Test("suite 23 and 24: after the upgrade HTTP requests and a second WebSocket for the sid are refused")
    func afterUpgrade() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let ws = harness.webSocket("EIO=4&transport=websocket&sid=\(sid)")
        harness.apply(.frameReceived(ws, .text(Array("2probe".utf8))))
        harness.apply(.frameReceived(ws, .text(Array("5".utf8))))
        #expect(harness.replies[harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")]?.status == 400)
        let second = harness.webSocket("EIO=4&transport=websocket&sid=\(sid)")
        #expect(harness.closed.contains(second))
        harness.apply(.frameReceived(ws, .text(Array("4hello".utf8))))
        #expect(harness.messages[ws]?.last == .text(Array("4hello".utf8)))
        #expect(!harness.closed.contains(ws))
    }

    // MARK: HTTP policies

    @Test("origins outside the allowed list are refused, allowed ones are echoed with credentials")
    func cors() throws {
        var harness = Harness(options: ServerOptions(corsAllowedOrigins: ["https://good.example"]))
        let bad = harness.request("GET", "EIO=4&transport=polling", headers: [HeaderField("Origin", "https://evil.example")])
        #expect(harness.replies[bad]?.status == 403)
        let good = try #require(harness.replies[harness.request("GET", "EIO=4&transport=polling", headers: [HeaderField("Origin", "https://good.example")])])
        #expect(good.status == 200)
        #expect(good.headers.contains(HeaderField("Access-Control-Allow-Origin", "https://good.example")))
        #expect(good.headers.contains(HeaderField("Access-Control-Allow-Credentials", "true")))
        let preflight = try #require(harness.replies[harness.request("OPTIONS", "EIO=4&transport=polling", headers: [
            HeaderField("Origin", "https://good.example"), HeaderField("Access-Control-Request-Headers", "content-type"),
        ])])
        #expect(preflight.status == 204)
        #expect(preflight.headers.contains(HeaderField("Access-Control-Allow-Headers", "content-type")))
    }

    @Test("the default same-origin policy accepts the request's own origin, and not a forwarded form from an untrusted peer")
    func sameOrigin() {
        var harness = Harness(options: ServerOptions())
        let own = harness.request("GET", "EIO=4&transport=polling", headers: [HeaderField("Host", "h:5000"), HeaderField("Origin", "http://h:5000")])
        #expect(harness.replies[own]?.status == 200)
        let forwarded = harness.request("GET", "EIO=4&transport=polling", headers: [
            HeaderField("Host", "internal:5000"), HeaderField("X-Forwarded-Proto", "https"), HeaderField("X-Forwarded-Host", "public.example, proxy"),
            HeaderField("Origin", "https://public.example"),
        ])
        #expect(harness.replies[forwarded]?.status == 403)  // see trustedProxyResolution for a trusted proxy
        let other = harness.request("GET", "EIO=4&transport=polling", headers: [HeaderField("Host", "h:5000"), HeaderField("Origin", "http://x:5000")])
        #expect(harness.replies[other]?.status == 403)
    }

    @Test("the handshake sets the sid cookie when configured")
    func cookie() throws {
        var harness = Harness(options: ServerOptions(cookie: "io"))
        let reply = try #require(harness.replies[harness.request("GET", "EIO=4&transport=polling")])
        #expect(reply.headers.contains(HeaderField("Set-Cookie", "io=sid1; path=/; SameSite=Lax")))
    }

    @Test("compression follows Accept-Encoding with q-values, above the threshold only")
    func compression() {
        let settings = ServerEndpointSettings(options: ServerOptions())
        #expect(HTTPPolicies.compression(acceptEncoding: "gzip, deflate", size: 2000, settings: settings) == .gzip)
        #expect(HTTPPolicies.compression(acceptEncoding: "gzip;q=0.5, deflate", size: 2000, settings: settings) == .deflate)
        #expect(HTTPPolicies.compression(acceptEncoding: "gzip;q=0, deflate;q=0", size: 2000, settings: settings) == nil)
        #expect(HTTPPolicies.compression(acceptEncoding: "br, *;q=0.1", size: 2000, settings: settings) == .gzip)
        #expect(HTTPPolicies.compression(acceptEncoding: "br", size: 2000, settings: settings) == nil)
        #expect(HTTPPolicies.compression(acceptEncoding: "gzip", size: 1023, settings: settings) == nil)
        #expect(HTTPPolicies.compression(acceptEncoding: "gzip", size: 2000, settings: ServerEndpointSettings(options: ServerOptions(httpCompression: false))) == nil)
    }

    @Test("a rejecting connect handler gets python's 401 with the JSON body")
    func rejection() throws {
        var harness = Harness()
        let id = RequestID(1)
        harness.endpoint = ServerEndpoint(settings: harness.endpoint.settings)
        let effects = ServerEndpoint.reduce(&harness.endpoint, Input(at: .zero, .requestReceived(id, EngineIORequest(method: "GET", query: Harness.parse("EIO=4&transport=polling")), freshSID: "x")))
        #expect(effects.count == 1)
        let answer = ServerEndpoint.reduce(&harness.endpoint, Input(at: .zero, .verdictReceived(sid: "x", .unauthorized)))
        #expect(answer == [.respond(id, HTTPReply(status: 401, headers: [HeaderField("Access-Control-Allow-Credentials", "true"), HeaderField("Content-Type", "application/json")], body: Array("\"Unauthorized\"".utf8))), .notify(sid: "x", .refused)])
        #expect(harness.endpoint.sessions.isEmpty)
    }

    @Test("shutdown closes every session with forced close and refuses new ones")
    func shutdown() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        harness.apply(.shutdownRequested)
        #expect(text(harness.replies[poll]?.body) == "1")
        #expect(harness.endpoint.sessions.isEmpty)
        #expect(harness.replies[harness.request("GET", "EIO=4&transport=polling")]?.status == 400)
    }
}

@Suite("Server endpoint: drain, trusted proxies, counters")
struct ServerEndpointOperationsTests {
    typealias Harness = ServerEndpointTests.Harness

    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("a drain refuses new polling and WebSocket sessions with 503 while it keeps serving the existing ones")
    func drainRefusesNewSessionsAndServesOld() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        harness.apply(.drainRequested(timeout: 1_000))
        #expect(harness.endpointDeadline == Instant(milliseconds: 1_000))
        let refused = try #require(harness.replies[harness.request("GET", "EIO=4&transport=polling")])
        #expect(refused.status == 503)
        #expect(text(refused.body) == #"{"code":6,"message":"Server is draining"}"#)
        let socket = harness.webSocket("EIO=4&transport=websocket")
        #expect(harness.refused[socket]?.status == 503)
        // The old session still echoes.
        let post = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array("4still here".utf8))
        #expect(text(harness.replies[post]?.body) == "ok")
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        #expect(text(harness.replies[poll]?.body) == "4still here")
        #expect(harness.endpoint.counters.handshakeErrors[.serverDraining] == 2)
        #expect(harness.drainedCount == 0)
    }

    @Test("at the drain deadline the sessions left are closed with server disconnect and drained is said once")
    func drainDeadlineClosesWithServerDisconnect() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        let socket = harness.webSocket("EIO=4&transport=websocket")
        #expect(harness.accepted.contains(socket))
        harness.apply(.drainRequested(timeout: 100))
        // A parked poll collects the close packet.
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")
        #expect(harness.replies[poll] == nil)
        harness.run(to: 100)
        #expect(text(harness.replies[poll]?.body) == "1")
        #expect(harness.closed.contains(socket))
        harness.run(to: 5_000)
        #expect(harness.endpoint.sessions.isEmpty)
        #expect(harness.notifications.filter { $0 == .closed(.serverDisconnect) }.count == 2)
        #expect(harness.drainedCount == 1)
        harness.apply(.drainRequested(timeout: 100))
        #expect(harness.drainedCount == 1)
    }

    @Test("a polling session that never polls again is still closed and drained after its close timeout")
    func drainClosesASilentPollingSession() throws {
        var harness = Harness()
        _ = try harness.pollingSession()
        harness.apply(.drainRequested(timeout: 100))
        harness.run(to: 30_000)
        #expect(harness.endpoint.sessions.count == 1)  // the close packet waits closeTimeout (30 s) for a GET
        #expect(harness.drainedCount == 0)
        harness.run(to: 30_200)
        #expect(harness.endpoint.sessions.isEmpty)
        #expect(harness.drainedCount == 1)
    }

    @Test("a drain of a server with no session is drained at once")
    func drainWithoutSessions() {
        var harness = Harness()
        harness.apply(.drainRequested(timeout: 30_000))
        #expect(harness.drainedCount == 1)
    }

    func proxied(_ harness: inout Harness, from peer: String, _ headers: [HeaderField]) -> EngineIORequest? {
        var captured: EngineIORequest?
        let effects = ServerEndpoint.reduce(
            &harness.endpoint,
            Input(at: harness.now, .requestReceived(RequestID(9_999), EngineIORequest(method: "GET", query: Harness.parse("EIO=4&transport=polling"), headers: headers, remoteAddress: peer), freshSID: "proxied")))
        for case .respond(_, let reply) in effects where reply.status != 200 { return nil }
        let answer = ServerEndpoint.reduce(&harness.endpoint, Input(at: harness.now, .verdictReceived(sid: "proxied", .accept)))
        _ = answer
        for case .authorize(_, let request) in effects { captured = request }
        return captured
    }

    @Test("forwarded headers set the client's address, scheme and host only when the peer is a trusted proxy")
    func trustedProxyResolution() throws {
        let headers = [
            HeaderField("Host", "internal:5000"), HeaderField("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.2"),
            HeaderField("X-Forwarded-Proto", "https"), HeaderField("X-Forwarded-Host", "public.example"),
            HeaderField("Origin", "https://public.example"),
        ]
        var trusting = Harness(options: ServerOptions(trustedProxies: ["10.0.0.0/8"]))
        let resolved = try #require(proxied(&trusting, from: "10.0.0.1", headers))
        // The rightmost untrusted hop: 10.0.0.2 is a trusted proxy, 6.6.6.6 was written by the client.
        #expect(resolved.remoteAddress == "203.0.113.9")
        #expect(resolved.scheme == "https")
        #expect(resolved.publicHost == "public.example")
        // The same headers from a peer outside the list are ignored: same-origin CORS refuses the forged origin.
        var untrusted = Harness(options: ServerOptions(trustedProxies: ["10.0.0.0/8"]))
        #expect(proxied(&untrusted, from: "192.0.2.1", headers) == nil)
        #expect(untrusted.endpoint.counters.handshakeErrors[.forbidden] == 1)
        // And nobody is trusted by default.
        var byDefault = Harness(options: ServerOptions())
        #expect(proxied(&byDefault, from: "10.0.0.1", headers) == nil)
    }

    @Test("a peer that breaks the protocol is reported with the violation, counted by kind, and closed with the usual reason")
    func violationsAreReported() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        var effects: [ServerEndpointEffect] = []
        effects += ServerEndpoint.reduce(&harness.endpoint, Input(at: .zero, .requestReceived(RequestID(500), EngineIORequest(method: "GET", query: Harness.parse("EIO=4&transport=polling&sid=\(sid)")), freshSID: "")))
        effects += ServerEndpoint.reduce(&harness.endpoint, Input(at: .zero, .requestReceived(RequestID(501), EngineIORequest(method: "GET", query: Harness.parse("EIO=4&transport=polling&sid=\(sid)")), freshSID: "")))
        #expect(effects.contains(.report(sid: sid, .overlappingPolls)))
        #expect(effects.contains(.notify(sid: sid, .closed(.transportError))))
        #expect(harness.endpoint.counters.violations == ["overlapping polls": 1])
        #expect(ServerMetrics(counters: harness.endpoint.counters).prometheusText().contains("engineio_protocol_violations_total{kind=\"overlapping polls\"} 1\n"))
    }

    @Test("the endpoint counts handshakes, upgrades, messages and bytes each way, and disconnects by reason")
    func counters() throws {
        var harness = Harness()
        let sid = try harness.pollingSession()
        _ = harness.request("POST", "EIO=4&transport=polling&sid=\(sid)", body: Array("4abc\u{1e}4de".utf8))
        let socket = harness.webSocket("EIO=4&transport=websocket")
        harness.apply(.frameReceived(socket, .text(Array("4hello".utf8))))
        harness.apply(.frameReceived(socket, .text(Array("1".utf8))))
        let counters = harness.endpoint.counters
        #expect(counters.handshakes == 2)
        #expect(counters.messagesIn == 3)
        #expect(counters.bytesIn == 10)
        #expect(counters.messagesOut == 3)
        #expect(counters.bytesOut == 10)
        #expect(counters.disconnects == [.clientDisconnect: 1])
        _ = harness.request("GET", "EIO=4&transport=polling&sid=nope")
        #expect(harness.endpoint.counters.handshakeErrors == [.unknownSessionID: 1])
    }

    @Test("the application sees a session from its opening until it lets go, draining and closed included")
    func applicationView() throws {
        var harness = ServerEndpointTests.Harness()
        let sid = try harness.pollingSession()
        #expect(harness.endpoint.applicationSIDs == [sid] && harness.endpoint.applicationTransport(of: sid) == .polling)
        harness.apply(.command(sid: sid, .disconnect))  // no poll parked: the session drains, and has said `closed`
        #expect(harness.endpoint.sessions[sid] != nil && harness.endpoint.departing == [sid: .polling])
        #expect(harness.endpoint.applicationSIDs == [sid] && harness.endpoint.applicationTransport(of: sid) == .polling)
        harness.apply(.applicationReleased(sid: sid))  // its disconnect handler returned
        #expect(harness.endpoint.applicationSIDs.isEmpty && harness.endpoint.applicationTransport(of: sid) == nil)
        let poll = harness.request("GET", "EIO=4&transport=polling&sid=\(sid)")  // the close packet still reaches the client
        #expect(text(harness.replies[poll]?.body) == "1")
        #expect(harness.endpoint.sessions.isEmpty && harness.endpoint.departing.isEmpty)
        #expect(harness.endpoint.applicationTransport(of: "unknown") == nil)
    }
}

@Suite("Server endpoint: WebSocket admission")
struct WebSocketAdmissionTests {
    typealias Harness = ServerEndpointTests.Harness

    static let query = Harness.parse("EIO=4&transport=websocket")

    func admit(_ request: EngineIORequest, options: ServerOptions = ServerOptions(corsAllowedOrigins: ["https://good.example"])) -> [ServerEndpointEffect] {
        var endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: options))
        var effects = ServerEndpoint.reduce(&endpoint, Input(at: .zero, .webSocketRequested(ConnectionID(1), request, freshSID: "S")))
        // The connect verdict, for a session that opened.
        if endpoint.sessions["S"] != nil { effects += ServerEndpoint.reduce(&endpoint, Input(at: .zero, .verdictReceived(sid: "S", .accept))) }
        return effects
    }

    func refusal(_ effects: [ServerEndpointEffect]) -> HTTPReply? {
        for case .refuseWebSocket(_, let reply) in effects { return reply }
        return nil
    }

    @Test("the 101 carries RFC 6455's accept value, computed by the reducer")
    func acceptValue() {
        let effects = admit(.webSocketHandshake(query: Self.query, headers: [HeaderField("Origin", "https://good.example")]))
        #expect(effects.contains(.acceptWebSocket(ConnectionID(1), WebSocketAcceptance(acceptValue: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))))
    }

    @Test("a bad key or version is refused with its status, a reason and the CORS headers; 426 names version 13")
    func badHandshakes() throws {
        var badKey = EngineIORequest.webSocketHandshake(query: Self.query, headers: [HeaderField("Origin", "https://good.example")])
        badKey.headers = badKey.headers.map { $0.name == "Sec-WebSocket-Key" ? HeaderField($0.name, "short") : $0 }
        let keyReply = try #require(refusal(admit(badKey)))
        #expect(keyReply.status == 400)
        #expect(keyReply.headers.contains(HeaderField("Access-Control-Allow-Origin", "https://good.example")))
        #expect(!keyReply.body.isEmpty)

        var oldVersion = EngineIORequest.webSocketHandshake(query: Self.query, headers: [HeaderField("Origin", "https://good.example")])
        oldVersion.headers = oldVersion.headers.map { $0.name == "Sec-WebSocket-Version" ? HeaderField($0.name, "8") : $0 }
        let versionReply = try #require(refusal(admit(oldVersion)))
        #expect(versionReply.status == 426)
        #expect(versionReply.headers.contains(HeaderField("Sec-WebSocket-Version", "13")))
        #expect(versionReply.headers.contains(HeaderField("Access-Control-Allow-Origin", "https://good.example")))

        var http10 = EngineIORequest.webSocketHandshake(query: Self.query)
        http10.httpVersion = HTTPVersionNumber(major: 1, minor: 0)
        #expect(refusal(admit(http10, options: ServerOptions()))?.status == 400)
    }

    @Test("the origin is judged before the handshake: a forbidden origin with a bad key gets 403 Forbidden")
    func originFirst() throws {
        var request = EngineIORequest.webSocketHandshake(query: Self.query, headers: [HeaderField("Origin", "https://evil.example")])
        request.headers = request.headers.filter { $0.name != "Sec-WebSocket-Key" }
        let reply = try #require(refusal(admit(request)))
        #expect(reply.status == 403)
        #expect(String(decoding: reply.body, as: UTF8.self) == #"{"code":4,"message":"Forbidden"}"#)
    }

    @Test("permessage-deflate is agreed only when the option is on and the client offers it")
    func deflate() {
        let offer = HeaderField("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
        func acceptance(_ effects: [ServerEndpointEffect]) -> WebSocketAcceptance? {
            for case .acceptWebSocket(_, let acceptance) in effects { return acceptance }
            return nil
        }
        #expect(acceptance(admit(.webSocketHandshake(query: Self.query, headers: [offer]), options: ServerOptions()))?.deflate == nil)
        let on = acceptance(admit(.webSocketHandshake(query: Self.query, headers: [offer]), options: ServerOptions(perMessageDeflate: true)))
        #expect(on?.deflate?.responseHeaderValue.hasPrefix("permessage-deflate") == true)
        #expect(acceptance(admit(.webSocketHandshake(query: Self.query), options: ServerOptions(perMessageDeflate: true)))?.deflate == nil)
    }
}
