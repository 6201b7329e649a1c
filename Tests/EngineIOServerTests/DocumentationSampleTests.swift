import EngineIO
import EngineIOCore
import Foundation
import EngineIOTestSupport
import Testing

/// The Swift samples of EngineIO.docc, compiled and run. Each test holds its article's sample verbatim between
/// `// sample` markers, and checks that the article still says exactly that, so the documentation cannot rot.
@Suite("EngineIO documentation samples", .serialized)
struct DocumentationSampleTests {
    static let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/EngineIO/EngineIO.docc")

    /// The ```swift blocks of an article.
    static func samples(in article: String) throws -> [String] {
        try DocumentationSamples.codeBlocks(in: catalog.appendingPathComponent(article))
    }

    /// The sample `name` of this file.
    static func copy(named name: String) throws -> String { try DocumentationSamples.sample(named: name, in: #filePath) }

    @Test("Getting started: the echo server and client run, and the article shows this very code")
    func gettingStarted() throws {
        // sample: getting-started
        let server = try Server(pingInterval: 25)
        server.on(.message) { sid, data in
            server.send(sid, data)  // echo
        }
        let app = WSGIApp(server)
        let port = try app.start(host: "127.0.0.1", port: 0)

        let client = try Client(requestTimeout: 5)
        let echoed = client.createQueue(of: MessageData.self)
        client.on(.message) { data in echoed.put(data) }
        try client.connect("http://127.0.0.1:\(port)")
        try client.send("hello")
        let reply = try echoed.get(timeout: 5)  // .text("hello")
        client.disconnect()
        app.stop()
        // end sample
        #expect(reply == .text("hello"))
        #expect(try Self.samples(in: "GettingStarted.md") == [try Self.copy(named: "getting-started")])
    }

    @Test("Ordering and concurrency: an awaiting handler still answers a session's messages in order, as the article shows")
    func orderingAndConcurrency() async throws {
        // sample: ordering
        let server = try AsyncServer()
        server.on(.message) { sid, data in
            await server.sleep(0.001)  // a handler that awaits...
            await server.send(sid, data)  // ...still answers its session's messages in order
        }
        let app = ASGIApp(server)
        let port = try await app.start(host: "127.0.0.1", port: 0)

        let client = try AsyncClient()
        let replies = client.createQueue(of: MessageData.self)
        client.on(.message) { data in replies.put(data) }
        try await client.connect("http://127.0.0.1:\(port)")
        for index in 0..<20 { try await client.send(.text("\(index)")) }
        var order: [MessageData] = []
        for _ in 0..<20 { order.append(try await replies.get(timeout: 5)) }  // "0", "1", … "19"
        await client.disconnect()
        await app.stop()
        // end sample
        #expect(order == (0..<20).map { .text("\($0)") })
        #expect(try Self.samples(in: "OrderingAndConcurrency.md") == [try Self.copy(named: "ordering")])
    }

    @Test("TLS: an HTTPS and WSS server, and a client that trusts its certificate by caFile, as the article shows")
    func tls() throws {
        let (certificate, key) = try selfSignedCertificate(names: "IP:127.0.0.1")
        // sample: tls
        let server = try Server()
        server.on(.message) { sid, data in server.send(sid, data) }
        let app = WSGIApp(server)
        let port = try app.start(host: "127.0.0.1", port: 0, certificateFile: certificate, keyFile: key)

        var options = ClientOptions()
        options.caFile = certificate  // trust this self-signed certificate; nil trusts the system's CAs
        let client = try Client(options: options)
        let echoed = client.createQueue(of: MessageData.self)
        client.on(.message) { data in echoed.put(data) }
        try client.connect("https://127.0.0.1:\(port)")  // HTTPS, then WSS once upgraded
        try client.send("over TLS")
        let reply = try echoed.get(timeout: 5)  // .text("over TLS")
        client.disconnect()
        app.stop()
        // end sample
        #expect(reply == .text("over TLS"))
        #expect(try Self.samples(in: "TLS.md") == [try Self.copy(named: "tls")])
    }

    @Test("Running several processes: trusted proxies, metrics, reconnection and a drain run, as the article shows")
    func runningSeveralProcesses() throws {
        // sample: several-processes
        var options = ServerOptions()
        options.trustedProxies = ["127.0.0.1", "10.0.0.0/8"]
        options.drainTimeout = 10
        let server = try Server(options: options)
        server.on(.message) { sid, data in server.send(sid, data) }
        let app = WSGIApp(server)
        let port = try app.start(host: "127.0.0.1", port: 0)

        var clientOptions = ClientOptions()
        clientOptions.reconnection = true
        clientOptions.reconnectionDelayMax = 2
        let client = try Client(options: clientOptions)
        client.on(.reconnecting) { attempt in print("reconnecting, attempt \(attempt)") }
        client.on(.reconnected) { attempt in print("back after \(attempt) attempts") }
        try client.connect("http://127.0.0.1:\(port)", transports: [.websocket])

        let metrics = server.metrics
        let webSocketSessions = metrics.sessions[.websocket] ?? 0  // 1
        let page = metrics.prometheusText()  // what `eio serve --metrics` serves at /metrics

        client.disconnect()
        app.stop(drain: true)  // new sessions get 503; the others close after drainTimeout
        // end sample
        #expect(webSocketSessions == 1)
        #expect(page.contains("engineio_sessions{transport=\"websocket\"} 1\n"))
        #expect(try Self.samples(in: "RunningSeveralProcesses.md") == [try Self.copy(named: "several-processes")])
    }
}
