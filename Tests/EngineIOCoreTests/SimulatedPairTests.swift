import EngineIOCore
import EngineIOTesting
import Testing

/// `ClientSession` against `ServerEndpoint` over a simulated network on virtual time.
@Suite("Client and server on virtual time")
struct SimulatedPairTests {
    static let fast = ServerOptions(pingInterval: 1, pingTimeout: 0.5)

    func texts(_ data: [PacketData]) -> [String] {
        data.compactMap { if case .text(let text) = $0 { text } else { nil } }
    }

    @Test("a polling client upgrades and every message comes back once and in order", arguments: [ClientSessionSettings(), ClientSessionSettings(transports: [.websocket]), ClientSessionSettings(transports: [.polling])])
    func echo(settings: ClientSessionSettings) {
        var pair = SimulatedPair(client: settings, server: Self.fast, network: .init(latency: 1...40), seed: 7)
        pair.connect()
        let sent = (1...60).map { "m\($0)" }
        for (index, text) in sent.enumerated() { pair.clientSends(.message(text), at: Int64(index * 37)) }
        pair.run(until: 10_000)
        print("echo over \(settings.transports.map(\.rawValue)): \(pair.steps) deliveries, client saw \(pair.clientNotifications)")
        #expect(texts(pair.clientReceived) == sent)
        #expect(texts(pair.serverReceived) == sent)
        #expect(pair.clientNotifications.first.map { if case .opened = $0 { true } else { false } } == true)
        let upgraded = pair.clientNotifications.contains(.upgraded)
        #expect(upgraded == (settings.transports == [.polling, .websocket]))
        #expect(!pair.clientNotifications.contains { if case .closed = $0 { true } else { false } })
        #expect(pair.client.transport == (settings.transports.contains(.websocket) ? .websocket : .polling))
    }

    /// The shell reports the client's backlog from `outboundBytes` instead of walking the queue after every step.
    @Test("the client's count of queued bytes follows its queue through bursts, POSTs and the upgrade", arguments: [ClientSessionSettings(), ClientSessionSettings(transports: [.polling])])
    func queuedBytesFollowTheQueue(settings: ClientSessionSettings) {
        var pair = SimulatedPair(client: settings, server: Self.fast, network: .init(latency: 1...40), seed: 11)
        pair.connect()
        for burst in 0..<6 {
            for index in 0..<25 { pair.clientSends(.message(String(repeating: "x", count: index + burst)), at: Int64(burst * 300)) }
        }
        var sawAQueue = false
        for time in stride(from: Int64(0), through: 4_000, by: 3) {
            pair.run(until: time)
            let queued = pair.client.outbound.reduce(0) { $0 + $1.dataByteCount }
            sawAQueue = sawAQueue || queued > 0
            #expect(pair.client.outboundBytes == queued, "at \(time) ms")
        }
        #expect(sawAQueue)
        #expect(pair.clientReceived.count == 150)
    }

    @Test("pings keep an idle session alive for ten virtual minutes with python's defaults")
    func idleSessionStaysAlive() {
        var pair = SimulatedPair(server: ServerOptions(), network: .init(latency: 5...200), seed: 3)
        pair.connect()
        pair.run(until: 600_000)
        #expect(pair.client.phase == .open)
        #expect(pair.serverNotifications == [.opened, .upgraded])
        pair.clientSends(.message("still here"), at: 600_001)
        pair.run(until: 601_000)
        #expect(texts(pair.clientReceived) == ["still here"])
    }

    @Test("a frozen server is noticed within pingInterval plus pingTimeout")
    func frozenServer() {
        var pair = SimulatedPair(server: Self.fast, seed: 5)
        pair.connect()
        pair.run(until: 2_000)
        #expect(pair.client.phase == .open)
        pair.serverFrozen = true
        pair.run(until: 2_000 + 1_000 + 500 + 100)
        #expect(pair.client.phase == .closed(.pingTimeout))
        #expect(pair.clientNotifications.last == .closed(.pingTimeout))
    }

    @Test("a client disconnect reaches the server as client disconnect, on either transport", arguments: [[Transport.polling], [.websocket]])
    func clientDisconnect(transports: [Transport]) {
        var pair = SimulatedPair(client: ClientSessionSettings(transports: transports), server: Self.fast, seed: 11)
        pair.connect()
        pair.clientDisconnects(at: 500)
        pair.run(until: 1_000)
        #expect(pair.clientNotifications.last == .closed(.clientDisconnect))
        #expect(pair.serverNotifications.last == .closed(.clientDisconnect))
        #expect(pair.server.sessions.isEmpty)
    }

    @Test("a server that refuses the handshake surfaces as a connect failure with its status and body")
    func refusedHandshake() {
        var pair = SimulatedPair(server: ServerOptions(transports: [.websocket]), seed: 1)
        pair.connect()
        pair.run(until: 1_000)
        #expect(pair.connectFailure == .unexpectedStatus(400, body: Array(#"{"code":0,"message":"Transport unknown"}"#.utf8)))
        #expect(pair.clientNotifications.isEmpty)
    }

    @Test("over random networks, messages arrive at most once and in order, and all of them when nothing fails")
    func randomNetworks() throws {
        let scenario = Gen.zip(Gen.zip(Gen.int(in: 1...150), Gen.int(in: 0...30)), Gen.zip(Gen.int(in: 0...2), Gen.int(in: 0...1_000_000)))
        try Property("echo over random networks", scenario) { parameters in
            let ((maxLatency, failures), (transportChoice, seed)) = parameters
            let transports: [[Transport]] = [[.polling, .websocket], [.websocket], [.polling]]
            var pair = SimulatedPair(
                client: ClientSessionSettings(transports: transports[transportChoice]), server: Self.fast,
                network: .init(latency: 1...maxLatency, requestFailurePerMille: failures), seed: UInt64(seed))
            pair.connect()
            let sent = (1...20).map { "m\($0)" }
            for (index, text) in sent.enumerated() { pair.clientSends(.message(text), at: Int64(index * 50)) }
            pair.run(until: 8_000)
            let received = texts(pair.clientReceived)
            try ensure(Set(received).count == received.count, "duplicates: \(received)")
            try ensure(received == received.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! }, "out of order: \(received)")
            let failed = pair.connectFailure != nil || pair.clientNotifications.contains(.closed(.transportError))
            if !failed { try ensureEqual(received, sent, "lost messages without any failure") }
            try ensure(pair.clientNotifications.filter { if case .closed = $0 { true } else { false } }.count <= 1, "closed twice")
        }.check(cases: 200)
    }
}
