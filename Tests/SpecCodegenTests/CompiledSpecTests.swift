import EngineIOSpec
import SpecCodegen
import Testing

/// The library compiles what the build plugin generated; it must agree with the spec it came from.
@Suite("Compiled spec")
struct CompiledSpecTests {
    private let spec: Spec

    init() throws { spec = try Spec(json: try loadSpecBytes(), file: "Spec/engineio.json") }

    @Test("every option of the command-line sets is a flag of eio, but for the excluded ones, and each flag sets its option")
    func compiledFlags() throws {
        for (set, flags) in [("ServerOptions", ServerOptions.commandLineFlags), ("ClientOptions", ClientOptions.commandLineFlags), ("ConnectOptions", ConnectOptions.commandLineFlags)] {
            let options = try #require(spec.optionSets.first { $0.swift == set }).options
            #expect(flags.map(\.option) == options.filter(\.commandLine).map(\.swift), "\(set)")
        }
        let excluded = ["asyncMode", "logger", "json"]
        #expect(ServerOptions.commandLineFlags.count == spec.optionSets[0].options.count - excluded.count)
        #expect(!ServerOptions.commandLineFlags.contains { excluded.contains($0.option) })
        var options = ServerOptions()
        for (flag, text) in [("--ping-interval", "10,2"), ("--cookie", "io"), ("--cors-allowed-origins", "https://a,https://b"), ("--trusted-proxies", "10.0.0.0/8, ::1")] {
            #expect(try options.setCommandLineOption(flag, value: { () throws(OptionError) -> String in text }))
        }
        #expect(try options.setCommandLineOption("--allow-eio3", value: { () throws(OptionError) -> String in "" }))
        #expect(try !options.setCommandLineOption("--no-such-flag", value: { () throws(OptionError) -> String in "" }))
        #expect(options.pingInterval == PingInterval(10, grace: 2))
        #expect(options.cookie == CookieOption(name: "io"))
        #expect(options.corsAllowedOrigins == .origins(["https://a", "https://b"]))
        #expect(options.trustedProxies == ["10.0.0.0/8", "::1"])
        #expect(options.allowEIO3)
        #expect(throws: OptionError(option: "pingTimeout", message: "expected a number, got \"soon\"")) {
            try options.setCommandLineOption("--ping-timeout", value: { () throws(OptionError) -> String in "soon" })
        }
    }

    @Test("the compiled enums have the spec's cases")
    func enums() throws {
        #expect(PacketType.allCases.map(\.rawValue).map(Int.init) == spec.packetTypes.map(\.id))
        #expect(DisconnectReason.allCases.map(\.rawValue) == spec.disconnectReasons.map(\.reason))
        #expect(HandshakeError.allCases.map(\.rawValue) == spec.handshakeErrors.map(\.code))
        #expect(Transport.allCases.map(\.rawValue) == spec.transports.map(\.name))
    }

    @Test("the compiled option structs have python's defaults")
    func defaults() throws {
        let server = ServerOptions()
        #expect(server.pingInterval == 25)
        #expect(server.pingTimeout == 20)
        #expect(server.maxHttpBufferSize == 1_000_000)
        #expect(server.transports == [.polling, .websocket])
        #expect(server.corsAllowedOrigins == .sameOrigin)
        #expect(server.cookie == nil)
        #expect(ClientOptions().requestTimeout == 5)
        #expect(ConnectOptions().engineioPath == "engine.io")
        #expect(ServerOptions.descriptors.count == spec.optionSets.first { $0.swift == "ServerOptions" }?.options.count)
    }

    @Test("validated() enforces the spec's ranges with the option's name")
    func validation() throws {
        #expect(throws: OptionError(option: "pingTimeout", message: "must be > 0.0, got 0.0")) {
            try ServerOptions(pingTimeout: 0).validated()
        }
        #expect(throws: OptionError(option: "transports", message: "No valid transports provided")) {
            try ServerOptions(transports: []).validated()
        }
        #expect(throws: OptionError(option: "pingInterval", message: "must be > 0.0, got -1.0")) {
            try ServerOptions(pingInterval: -1).validated()
        }
        #expect(throws: OptionError.self) { try ServerOptions(cookie: "bad name").validated() }
        _ = try ServerOptions(pingInterval: PingInterval(0.3, grace: 0.1), pingTimeout: 0.2).validated()
    }

    @Test("python's option forms map onto the Swift types")
    func pythonForms() throws {
        #expect(PingInterval(25, grace: 5).advertisedMilliseconds == 30_000)
        #expect(PingInterval(0.3).advertisedMilliseconds == 300)
        #expect(CookieOption("io").headerValue(sid: "abc") == "io=abc; path=/; SameSite=Lax")
        #expect(CORSAllowedOrigins(arrayLiteral: "*", "https://a") == .all)
        let none: CORSAllowedOrigins = []
        #expect(none == .disabled)
        #expect(CORSAllowedOrigins(stringLiteral: "https://a") == .origins(["https://a"]))
        #expect(LoggerOption(booleanLiteral: true) == .enabled)
    }

    @Test("the wire constants are the protocol's")
    func framing() throws {
        #expect(Framing.recordSeparator == 0x1E)
        #expect(Framing.base64Prefix == UInt8(ascii: "b"))
        #expect(PacketType(digit: UInt8(ascii: "4")) == .message)
        #expect(PacketType(digit: UInt8(ascii: "7")) == nil)
        #expect(PacketType.message.digit == UInt8(ascii: "4"))
    }
}
