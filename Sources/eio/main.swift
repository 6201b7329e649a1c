// eio: the command-line face of swift-engineio.
//
//   eio serve [--host H] [--port P] [--ping-interval S] [--ping-timeout S] [--max-payload BYTES]
//             [--transports polling,websocket] [--cors-allowed-origins ORIGIN[,ORIGIN]] [--static DIR]
//             [--trusted-proxies CIDR[,...]] [--drain-timeout S] [--metrics]
//             [--certfile PEM --keyfile PEM] [--echo] [--async] [--log]
import EngineIO
import EngineIOWire
import Foundation
import Synchronization

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// `--help`: the usage goes to standard output and the command succeeds.
struct HelpRequested: Error {
    var text: String
}

/// The version `eio --version` prints.
let eioVersion = "0.4.0"

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
        func number(_ flag: String) throws -> Double {
            let text = try value(flag)
            guard let number = Double(text), number.isFinite else { throw UsageError(description: "\(flag) takes a number, not \(text)") }
            return number
        }
        while let argument = iterator.next() {
            switch argument {
            case "--host": host = try value(argument)
            case "--port":
                let text = try value(argument)
                guard let number = Int(text), (0...65_535).contains(number) else { throw UsageError(description: "--port takes 0...65535, not \(text)") }
                port = number
            case "--ping-interval": options.pingInterval = PingInterval(try number(argument))
            case "--ping-timeout": options.pingTimeout = try number(argument)
            case "--max-payload": options.maxHttpBufferSize = Int(try number(argument))
            case "--headers-timeout": options.headersTimeout = try number(argument)
            case "--keep-alive-timeout": options.keepAliveTimeout = try number(argument)
            case "--drain-timeout": options.drainTimeout = try number(argument)
            case "--trusted-proxies":
                options.trustedProxies = try value(argument).split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                do {
                    _ = try TrustedProxies(parsing: options.trustedProxies)
                } catch {
                    throw UsageError(description: "--trusted-proxies: \(error)")
                }
            case "--metrics": metrics = true
            case "--transports":
                let names = try value(argument).split(separator: ",").map(String.init)
                options.transports = try names.map { name in
                    guard let transport = Transport(rawValue: name) else { throw UsageError(description: "unknown transport \(name)") }
                    return transport
                }
            case "--cors-allowed-origins":
                let origins = try value(argument).split(separator: ",").map(String.init)
                options.corsAllowedOrigins = origins.contains("*") ? .all : .origins(origins)
            case "--static": staticDirectory = try value(argument)
            case "--certfile": certificateFile = try value(argument)
            case "--keyfile": keyFile = try value(argument)
            case "--echo": echo = true
            case "--async": useAsync = true
            case "--log": log = true
            case "--help", "-h": throw HelpRequested(text: Self.usage)
            default: throw UsageError(description: "unknown option \(argument)\n\(Self.usage)")
            }
        }
        if (certificateFile == nil) != (keyFile == nil) { throw UsageError(description: "--certfile and --keyfile go together") }
        options = try options.validated()
    }

    static let usage = """
        usage: eio serve [--host 127.0.0.1] [--port 5000] [--ping-interval SECONDS] [--ping-timeout SECONDS]
                         [--max-payload BYTES] [--headers-timeout SECONDS] [--keep-alive-timeout SECONDS]
                         [--transports polling,websocket] [--cors-allowed-origins ORIGIN[,ORIGIN]]
                         [--trusted-proxies ADDRESS|CIDR[,...]] [--drain-timeout SECONDS] [--metrics]
                         [--static DIR] [--certfile PEM --keyfile PEM] [--echo] [--async] [--log]

          GET /healthz answers 200 "ok", or 503 "draining" after SIGTERM. SIGTERM drains: new sessions are refused
          (503), the others are served for up to --drain-timeout seconds (30), then closed; SIGINT stops at once.
          --metrics serves GET /metrics in the Prometheus text format.
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
        let url = "\(certificateFile == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):"
        if useAsync {
            let server = try AsyncServer(options: options)
            if log {
                server.on(.connect) { sid, environ in
                    self.say("connect \(sid) from \(environ.remoteAddress)")
                    return nil
                }
            }
            server.on(.message) { sid, data in
                self.say("message from \(sid): \(data)")
                if echo { await server.send(sid, data) } else { for other in server.sids { await server.send(other, data) } }
            }
            server.on(.disconnect) { sid, reason in self.say("disconnect \(sid): \(reason.rawValue)") }
            let app = ASGIApp(server, otherAsgiApp: routes(isDraining: { server.isDraining }, metrics: { server.metrics }), staticFiles: staticFiles)
            let bound = try runBlocking { try await app.start(host: host, port: port, certificateFile: certificateFile, keyFile: keyFile) }
            announce("eio serving on \(url)\(bound)/ (AsyncServer; Engine.IO at /engine.io/)")
            let signal = waitForSignal()
            if signal == SIGTERM { announce("eio draining for up to \(options.drainTimeout) s") }
            runBlocking { await app.stop(drain: signal == SIGTERM) }
        } else {
            let server = try Server(options: options)
            if log {
                server.on(.connect) { sid, environ in
                    self.say("connect \(sid) from \(environ.remoteAddress)")
                    return nil
                }
            }
            server.on(.message) { sid, data in
                self.say("message from \(sid): \(data)")
                if echo { server.send(sid, data) } else { for other in server.sids { server.send(other, data) } }
            }
            server.on(.disconnect) { sid, reason in self.say("disconnect \(sid): \(reason.rawValue)") }
            let app = WSGIApp(server, wsgiApp: routes(isDraining: { server.isDraining }, metrics: { server.metrics }), staticFiles: staticFiles)
            let bound = try app.start(host: host, port: port, certificateFile: certificateFile, keyFile: keyFile)
            announce("eio serving on \(url)\(bound)/ (Server; Engine.IO at /engine.io/)")
            let signal = waitForSignal()
            if signal == SIGTERM { announce("eio draining for up to \(options.drainTimeout) s") }
            app.stop(drain: signal == SIGTERM)
        }
        announce("eio stopped")
    }
}

/// A line on standard error, written at once.
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A line on standard output, written at once (print buffers when stdout is a pipe).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Runs async work from synchronous code and waits for it (the main thread is not part of the cooperative pool).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = LockedResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    _ = try? runBlocking { () async throws -> Bool in
        await body()
        return true
    }
}

final class LockedResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        lock.lock()
        value = result
        lock.unlock()
    }

    func get() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try value!.get()
    }
}

/// Blocks until SIGINT or SIGTERM; returns which. A second signal during the drain that follows SIGTERM stops the
/// process at once.
func waitForSignal() -> Int32 {
    let received = DispatchSemaphore(value: 0)
    let first = Atomic<Int32>(0)
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if first.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                received.signal()
            } else {
                announce("eio stopped without draining")
                exit(0)
            }
        }
        source.resume()
        signalSources.append(source)
    }
    received.wait()
    return first.load(ordering: .relaxed)
}

/// The signal sources stay alive for the rest of the process (main thread only).
nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []

/// `eio connect URL`: each line of standard input goes out as a text message; each message that arrives is
/// printed on its own line (binary as `binary:` + base64).
struct ConnectCommand {
    var url = ""
    var transports: [Transport]?
    var headers: [String: String] = [:]
    var engineioPath = "engine.io"
    var insecure = false
    var caFile: String?
    var linger = 1.0
    var requestTimeout = 5.0
    var reconnect = false
    var reconnectAttempts: Int?
    var reconnectDelay: Double?
    var reconnectDelayMax: Double?

    static let usage = """
        usage: eio connect URL [--transports polling,websocket] [--header "Name: value"]... [--engineio-path PATH]
                               [--insecure] [--ca-file FILE] [--linger SECONDS] [--request-timeout SECONDS]
                               [--reconnect [--reconnect-attempts N] [--reconnect-delay S] [--reconnect-delay-max S]]

          --reconnect: when the session is lost, reconnect with backoff (reconnecting/reconnected lines on stderr);
          lines read meanwhile are sent once the new session opens.
        """

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError(description: "\(flag) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--transports":
                transports = try value(argument).split(separator: ",").map { name in
                    guard let transport = Transport(rawValue: String(name)) else { throw UsageError(description: "unknown transport \(name)") }
                    return transport
                }
            case "--header":
                let header = try value(argument)
                guard let colon = header.firstIndex(of: ":") else { throw UsageError(description: "--header takes \"Name: value\"") }
                headers[String(header[..<colon])] = String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            case "--engineio-path": engineioPath = try value(argument)
            case "--insecure": insecure = true
            case "--ca-file": caFile = try value(argument)
            case "--linger":
                let text = try value(argument)
                guard let seconds = Double(text), seconds >= 0 else { throw UsageError(description: "--linger takes seconds, not \(text)") }
                linger = seconds
            case "--request-timeout":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0 else { throw UsageError(description: "--request-timeout takes seconds, not \(text)") }
                requestTimeout = seconds
            case "--reconnect": reconnect = true
            case "--reconnect-attempts":
                let text = try value(argument)
                guard let count = Int(text), count >= 1 else { throw UsageError(description: "--reconnect-attempts takes a count ≥ 1, not \(text)") }
                reconnectAttempts = count
            case "--reconnect-delay", "--reconnect-delay-max":
                let text = try value(argument)
                guard let seconds = Double(text), seconds >= 0 else { throw UsageError(description: "\(argument) takes seconds, not \(text)") }
                if argument == "--reconnect-delay" { reconnectDelay = seconds } else { reconnectDelayMax = seconds }
            case "--help", "-h": throw HelpRequested(text: Self.usage)
            default:
                guard url.isEmpty, !argument.hasPrefix("-") else { throw UsageError(description: "unknown option \(argument)\n\(Self.usage)") }
                url = argument
            }
        }
        guard !url.isEmpty else { throw UsageError(description: Self.usage) }
    }

    func run() throws {
        var options = ClientOptions(requestTimeout: requestTimeout, sslVerify: !insecure, caFile: caFile)
        options.reconnection = reconnect
        options.reconnectionAttempts = reconnectAttempts
        if let reconnectDelay { options.reconnectionDelay = reconnectDelay }
        if let reconnectDelayMax { options.reconnectionDelayMax = reconnectDelayMax }
        let client = try Client(options: options)
        let output = DispatchQueue(label: "eio.connect.output")
        let ended = DispatchSemaphore(value: 0)
        client.on(.message) { data in
            output.async {
                let line: String =
                    switch data {
                    case .text(let text): text
                    case .binary(let bytes): "binary:" + Base64.encode(bytes)
                    case .json(let value): JSONSerializer.string(value)
                    }
                announce(line)
            }
        }
        let sessionOver = Atomic<Bool>(false)
        if reconnect {
            // The session's end is not the command's: it ends when the client stops trying.
            client.on(.disconnect) { reason in say("disconnected (\(reason.rawValue))") }
            client.on(.reconnecting) { attempt in say("reconnecting (attempt \(attempt))") }
            client.on(.reconnected) { attempt in say("reconnected (attempt \(attempt))") }
        } else {
            client.on(.disconnect) { _ in
                sessionOver.store(true, ordering: .relaxed)
                ended.signal()
            }
        }
        try client.connect(url, headers: headers, transports: transports, engineioPath: engineioPath)
        if reconnect {
            Thread {
                client.wait()
                sessionOver.store(true, ordering: .relaxed)
                ended.signal()
            }.start()
        }
        // Standard input is read on a thread of its own, so the end of the session ends the command even while
        // input stays open (a terminal, say).
        let inputDone = Atomic<Bool>(false)
        let stalled = Atomic<Bool>(false)
        Thread {
            while let line = readLine(strippingNewline: true) {
                // A server that does not take what we send holds us back here rather than filling memory, for a
                // request timeout at most.
                let giveUp = Date().addingTimeInterval(requestTimeout)
                while true {
                    do throws(ClientError) {
                        try client.send(.text(line))
                        break
                    } catch .sendQueueFull where Date() < giveUp {
                        if sessionOver.load(ordering: .relaxed) { return }
                        usleep(10_000)
                    } catch .reconnectBufferFull where Date() < giveUp {
                        if sessionOver.load(ordering: .relaxed) { return }
                        usleep(10_000)
                    } catch {
                        stalled.store(true, ordering: .relaxed)
                        ended.signal()
                        return
                    }
                }
            }
            inputDone.store(true, ordering: .relaxed)
            ended.signal()
        }.start()
        ended.wait()
        if stalled.load(ordering: .relaxed) {
            client.disconnect(abort: true)
            throw UsageError(description: "the server has not taken what was sent for \(requestTimeout) s (send queue full); gave up")
        }
        if sessionOver.load(ordering: .relaxed) {
            output.sync {}
            throw UsageError(description: Self.endLine(client))
        }
        // Replies still in flight get `--linger` seconds, unless the server closes first.
        if ended.wait(timeout: .now() + linger) == .success, sessionOver.load(ordering: .relaxed) {
            output.sync {}
            throw UsageError(description: Self.endLine(client))
        }
        client.disconnect()  // waits (up to requestTimeout) for what was sent to reach the server
        output.sync {}
        if client.undeliveredBytes > 0 {
            throw UsageError(description: "\(client.undeliveredBytes) bytes of input were never delivered to the server")
        }
    }

    /// The one line that says why the session ended before we ended it.
    static func endLine(_ client: Client) -> String {
        var line = "the session ended: \(client.reason?.rawValue ?? "unknown")"
        if let failure = client.failure { line += " (\(failure))" }
        if client.undeliveredBytes > 0 { line += "; \(client.undeliveredBytes) bytes of input were never delivered" }
        return line
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "serve":
        try ServeCommand(Array(arguments.dropFirst())).run()
    case "connect":
        try ConnectCommand(Array(arguments.dropFirst())).run()
    case "--version", "version":
        announce("eio \(eioVersion) (swift-engineio; Engine.IO protocol 4, and 3 with allowEIO3)")
    case "--help", "-h", "help":
        throw HelpRequested(text: "usage: eio serve [options] | eio connect URL [options] | eio --version\n\n\(ServeCommand.usage)\n\n\(ConnectCommand.usage)")
    default:
        throw UsageError(description: "usage: eio serve [options] | eio connect URL [options]    (--help lists the options)")
    }
} catch let help as HelpRequested {
    announce(help.text)
    exit(0)
} catch {
    FileHandle.standardError.write(Data("eio: \(error)\n".utf8))
    exit(2)
}
