import EngineIO
import EngineIOCore
import EngineIOWire
import Foundation
import EngineIOTestSupport
import Synchronization
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

    @Test("Attaching to an HTTP server: a router that adopts EngineIOHost serves a session's requests, as the article shows")
    func attaching() async throws {
        // sample: attach
        /// Your web framework's router, reduced to what attaching needs.
        final class Router: EngineIOHost {
            private let mounts = Mutex<[String: EngineIOEndpoint]>([:])

            func mount(_ endpoint: EngineIOEndpoint, at path: String) {
                mounts.withLock { $0[path] = endpoint }
            }

            /// How the framework serves a request it has read. A request that asks for a WebSocket
            /// (`EngineIOEndpoint.wantsConnection(request.head)`) would instead hand its socket to `endpoint.adopt`.
            func serve(_ request: HTTPRequest) async -> HTTPResponse {
                let path = request.head.path.hasSuffix("/") ? String(request.head.path) : request.head.path + "/"
                guard let endpoint = mounts.withLock({ $0[path] }) else { return .notFound }
                return await endpoint.respond(to: request, remoteAddress: "203.0.113.7")
            }
        }

        let server = try AsyncServer()
        server.on(.message) { sid, data in await server.send(sid, data) }
        let router = Router()
        server.attach(router)  // python: eio.attach(app)

        func get(_ target: String, body: String? = nil) async -> String {
            let head = HTTPRequestHead(method: body == nil ? "GET" : "POST", target: target, headers: ["Host": "example.com"])
            let response = await router.serve(HTTPRequest(head: head, body: Array((body ?? "").utf8)))
            return String(decoding: response.body, as: UTF8.self)
        }
        let open = await get("/engine.io/?EIO=4&transport=polling")  // 0{"sid":"...",...}
        let sid = try OpenPacket(json: String(open.dropFirst())).sid
        let posted = await get("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "4hello")  // ok
        let echoed = await get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")  // 4hello
        let elsewhere = await get("/elsewhere")  // Not Found: the router's own answer
        await server.shutdown()
        // end sample
        #expect(open.hasPrefix("0{"))
        #expect(posted == "ok" && echoed == "4hello" && elsewhere == "Not Found")
        #expect(try Self.samples(in: "AttachingToAnHTTPServer.md") == [try Self.copy(named: "attach")])
    }
}
