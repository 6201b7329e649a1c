import EngineIO
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Synchronization

/// `eio serve`'s settings, from its flags.
struct ServeCommand: Sendable {
    var host = "127.0.0.1"
    var port = 5000
    var options = ServerOptions()
    var staticDirectory: String?
    var certificateFile: String?
    var keyFile: String?
    var echo = false
    var useAsync = false
    var log = false
    var metrics = false

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError(description: "\(flag) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--host": host = try value(argument)
            case "--port":
                let text = try value(argument)
                guard let number = Int(text), (0...65_535).contains(number) else { throw UsageError(description: "--port takes 0...65535, not \(text)") }
                port = number
            case "--max-payload": options.maxHttpBufferSize = try CommandLineValue.int(value(argument), option: "maxHttpBufferSize")
            case "--metrics": metrics = true
            case "--static": staticDirectory = try value(argument)
            case "--certfile": certificateFile = try value(argument)
            case "--keyfile": keyFile = try value(argument)
            case "--echo": echo = true
            case "--async": useAsync = true
            case "--log": log = true
            case "--help", "-h": throw HelpRequested(text: Self.usage)
            default:
                // Every server option, from the spec (ServerOptions.commandLineFlags).
                guard try options.setCommandLineOption(argument, value: { () throws(OptionError) -> String in
                    guard let text = iterator.next() else { throw OptionError(option: argument, message: "needs a value") }
                    return text
                }) else { throw UsageError(description: "unknown option \(argument)\n\(Self.usage)") }
            }
        }
        if (certificateFile == nil) != (keyFile == nil) { throw UsageError(description: "--certfile and --keyfile go together") }
        options = try options.validated()
        do {
            _ = try TrustedProxies(parsing: options.trustedProxies)
        } catch {
            throw UsageError(description: "--trusted-proxies: \(error)")
        }
    }

    static let usage = """
        usage: eio serve [--host 127.0.0.1] [--port 5000] [--echo] [--async] [--log] [--metrics] [--static DIR]
                         [--certfile PEM --keyfile PEM] [server options]

          --echo        send each message back to its sender (otherwise to every session)
          --async       an AsyncServer (handlers as tasks on the event loops) instead of a Server (handler threads)
          --log         one line per connect, message and disconnect on standard error
          --metrics     GET /metrics in the Prometheus text format
          --static DIR  serve DIR's files at / instead of the demo page
          --certfile PEM --keyfile PEM   HTTPS and WSS

          GET /healthz answers 200 "ok", or 503 "draining" after SIGTERM. SIGTERM drains: new sessions are refused
          (503), the others are served for up to --drain-timeout seconds (30), then closed; a second signal, or
          SIGINT, stops at once.

        server options (from the spec; python's names in Generated/API.md; --max-payload is --max-http-buffer-size):
        \(CommandLineFlag.help(ServerOptions.commandLineFlags))
        """

    /// The demo page at `/`, files from `--static` elsewhere.
    var staticFiles: StaticFiles? {
        staticDirectory.map { StaticFiles(rules: ["/": StaticFileRule(filename: $0.hasSuffix("/") ? $0 : $0 + "/")]) }
    }

    func page(_ request: HTTPRequest) -> HTTPResponse? {
        guard request.head.method == "GET", request.head.path == "/" || request.head.path == "/index.html" else { return nil }
        return HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"]), body: Array(DemoPage.html.utf8))
    }

    /// `/healthz`, `/metrics` (with `--metrics`) and the demo page (unless `--static` serves the root).
    func routes(isDraining: @escaping @Sendable () -> Bool, metrics read: @escaping @Sendable () -> ServerMetrics) -> HTTPHandler {
        let command = self
        return { request in
            guard request.head.method == "GET" || request.head.method == "HEAD" else { return nil }
            switch request.head.path {
            case "/healthz":
                let draining = isDraining()
                return HTTPResponse(
                    head: HTTPResponseHead(status: draining ? 503 : 200, headers: ["Content-Type": "text/plain", "Cache-Control": "no-store"]),
                    body: Array((draining ? "draining\n" : "ok\n").utf8))
            case "/metrics" where command.metrics:
                return HTTPResponse(
                    head: HTTPResponseHead(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"]),
                    body: Array(read().prometheusText().utf8))
            default:
                return command.staticDirectory == nil ? command.page(request) : nil
            }
        }
    }

    /// A log line, built only when `--log` is on (messages can be megabytes).
    func say(_ text: @autoclosure () -> String) {
        if log { FileHandle.standardError.write(Data((text() + "\n").utf8)) }
    }

    func run() throws {
        // A server takes the descriptors its hard limit allows: a soft limit of 1,024, common at login, would cap it
        // at about a thousand connections (Go's runtime does the same at start).
        FileLimit.raise()
        let url = "\(certificateFile == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):"
        let app: any ServedApp = useAsync ? try AsyncServedApp(self) : try ServedWSGIApp(self)
        let bound = try app.start(self)
        announce("eio serving on \(url)\(bound)/ (\(app.name); Engine.IO at /engine.io/)")
        let signal = waitForSignal()
        if signal == SIGTERM { announce("eio draining for up to \(options.drainTimeout) s") }
        app.stop(drain: signal == SIGTERM)
        announce("eio stopped")
    }
}

/// What `eio serve` needs of a façade and its app, so the command is written once for both.
protocol ServedApp {
    var name: String { get }
    /// Starts serving; the bound port.
    func start(_ command: ServeCommand) throws -> Int
    func stop(drain: Bool)
}

/// `eio serve`: a `Server` (blocking handlers on threads) behind a `WSGIApp`.
struct ServedWSGIApp: ServedApp {
    let app: WSGIApp
    var name: String { "Server" }

    init(_ command: ServeCommand) throws {
        let server = try Server(options: command.options)
        if command.log { server.on(.connect) { sid, environ in command.logConnect(sid, environ) } }
        server.on(.message) { sid, data in for target in command.targets(of: data, from: sid, sids: server.sids) { server.send(target, data) } }
        if command.log { server.on(.disconnect) { sid, reason in command.logDisconnect(sid, reason) } }
        app = WSGIApp(server, wsgiApp: command.routes(isDraining: { server.isDraining }, metrics: { server.metrics }), staticFiles: command.staticFiles)
    }

    func start(_ command: ServeCommand) throws -> Int {
        try app.start(host: command.host, port: command.port, certificateFile: command.certificateFile, keyFile: command.keyFile)
    }

    func stop(drain: Bool) { app.stop(drain: drain) }
}

/// `eio serve --async`: an `AsyncServer` (handlers as tasks on the event loops) behind an `ASGIApp`.
struct AsyncServedApp: ServedApp {
    let app: ASGIApp
    var name: String { "AsyncServer" }

    init(_ command: ServeCommand) throws {
        let server = try AsyncServer(options: command.options)
        if command.log { server.on(.connect) { sid, environ in command.logConnect(sid, environ) } }
        server.on(.message) { sid, data in for target in command.targets(of: data, from: sid, sids: server.sids) { await server.send(target, data) } }
        if command.log { server.on(.disconnect) { sid, reason in command.logDisconnect(sid, reason) } }
        app = ASGIApp(server, otherAsgiApp: command.routes(isDraining: { server.isDraining }, metrics: { server.metrics }), staticFiles: command.staticFiles)
    }

    func start(_ command: ServeCommand) throws -> Int {
        let app = self.app
        return try runBlocking { try await app.start(host: command.host, port: command.port, certificateFile: command.certificateFile, keyFile: command.keyFile) }
    }

    func stop(drain: Bool) {
        let app = self.app
        runBlocking { await app.stop(drain: drain) }
    }
}

extension ServeCommand {
    func logConnect(_ sid: String, _ environ: Environ) -> ConnectResult {
        say("connect \(sid) from \(environ.remoteAddress)")
        return nil
    }

    /// Who gets a message: its sender with `--echo`, else every session.
    func targets(of data: MessageData, from sid: String, sids: @autoclosure () -> [String]) -> [String] {
        say("message from \(sid): \(data)")
        return echo ? [sid] : sids()
    }

    func logDisconnect(_ sid: String, _ reason: DisconnectReason) {
        say("disconnect \(sid): \(reason.rawValue)")
    }
}

