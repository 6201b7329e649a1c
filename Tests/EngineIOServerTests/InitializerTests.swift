import EngineIO
import EngineIOTestSupport
import Testing

/// The initialisers generated from the spec: python's `Server(ping_interval=…)` in Swift spelling.
@Suite("Generated initialisers")
struct InitializerTests {
    @Test("Server and AsyncServer take each option as a parameter; the rest keep python's defaults")
    func serverParameters() throws {
        let server = try Server(pingInterval: 0.3, corsAllowedOrigins: "*", asyncHandlers: false)
        #expect(server.options.pingInterval == PingInterval(0.3))
        #expect(server.options.corsAllowedOrigins == .all)
        #expect(server.options.asyncHandlers == false)
        #expect(server.options.pingTimeout == 20)
        #expect(server.options.maxHttpBufferSize == 1_000_000)
        let asyncServer = try AsyncServer(maxHttpBufferSize: 5_000, transports: [.websocket])
        #expect(asyncServer.options.maxHttpBufferSize == 5_000)
        #expect(asyncServer.options.transports == [.websocket])
        #expect(asyncServer.options.allowUpgrades)
    }

    @Test("a value outside its range or a foreign asyncMode is refused as with init(options:)")
    func refusals() {
        #expect(throws: OptionError.self) { try Server(pingTimeout: 0) }
        #expect(throws: ServerError.invalidAsyncMode("threading")) { try AsyncServer(asyncMode: .threading) }
        #expect(throws: OptionError.self) { try Client(requestTimeout: -1) }
    }

    @Test("Client and AsyncClient take each option as a parameter")
    func clientParameters() throws {
        let client = try Client(requestTimeout: 2, sslVerify: false)
        #expect(client.options.requestTimeout == 2)
        #expect(client.options.sslVerify == false)
        #expect(client.options.timestampRequests)
        let asyncClient = try AsyncClient(timestampRequests: false)
        #expect(asyncClient.options.timestampRequests == false)
        #expect(asyncClient.options.requestTimeout == 5)
        #expect(try Client().options.sslVerify)
    }
}
