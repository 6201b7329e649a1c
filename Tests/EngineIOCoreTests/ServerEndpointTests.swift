import EngineIOCore
import EngineIOWire
import EngineIOSpec
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
                    case .acceptWebSocket(let connection): accepted.insert(connection)
                    case .refuseWebSocket(let connection, let reply): refused[connection] = reply
                    case .write(let payloads, let connection): messages[connection, default: []] += payloads
                    case .closeWebSocket(let connection): closed.insert(connection)
                    case .deliver(let sid, let data):
                        if case .text(let text) = data { delivered.append(text) }
                        if echo { queue.append(.command(sid: sid, .send(Packet(.message, data)))) }
                    case .authorize(let sid, _): queue.append(.verdictReceived(sid: sid, .accept))
                    case .wake(let sid, let at): deadlines[sid] = at
                    case .notify, .rejected, .pauseReading, .resumeReading: break
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
            apply(.webSocketRequested(connection, EngineIORequest(method: "GET", query: Self.parse(query), isWebSocketUpgrade: true), freshSID: "sid\(sidCounter)"))
            return connection
        }

        mutating func advance(to milliseconds: Int64) {
            now = Instant(milliseconds: milliseconds)
            for (sid, deadline) in deadlines.sorted(by: { $0.key < $1.key }) where deadline <= now {
                deadlines[sid] = nil
                apply(.timerFired(sid: sid))
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

    @Test("the default same-origin policy accepts the request's own origin and its forwarded form")
    func sameOrigin() {
        var harness = Harness(options: ServerOptions())
        let own = harness.request("GET", "EIO=4&transport=polling", headers: [HeaderField("Host", "h:5000"), HeaderField("Origin", "http://h:5000")])
        #expect(harness.replies[own]?.status == 200)
        let forwarded = harness.request("GET", "EIO=4&transport=polling", headers: [
            HeaderField("Host", "internal:5000"), HeaderField("X-Forwarded-Proto", "https"), HeaderField("X-Forwarded-Host", "public.example, proxy"),
            HeaderField("Origin", "https://public.example"),
        ])
        #expect(harness.replies[forwarded]?.status == 200)
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
