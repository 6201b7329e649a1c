import EngineIO
import EngineIOWire
import Foundation
import Synchronization

/// `eio connect URL`: each line of standard input goes out as a text message; each message that arrives is
/// printed on its own line (binary as `binary:` + base64).
struct ConnectCommand {
    var url = ""
    var options = ClientOptions()
    var connect = ConnectOptions()
    var linger = 1.0
    /// Input lines `binary:BASE64` go out as binary messages (the form binary messages are printed in).
    var binaryLines = false

    static let usage = """
        usage: eio connect URL [--linger SECONDS] [client and connect options]

          Each line of standard input goes out as a text message; each message that arrives is printed on standard
          output (binary as binary:BASE64). The command ends with its input (after --linger seconds for replies)
          or with the session.
          --linger SECONDS   how long replies may still arrive after the end of input (1)
          --binary-lines     input lines binary:BASE64 go out as binary messages, as binary ones are printed
          --insecure         same as --no-ssl-verify
          --header "N: V"    same as --headers
          --reconnect, --reconnect-attempts N, --reconnect-delay S, --reconnect-delay-max S
                             same as --reconnection, --reconnection-attempts, --reconnection-delay, --reconnection-delay-max:
                             reconnect when the session is lost (reconnecting/reconnected lines on standard error)

        client options (from the spec; python's names in Generated/API.md):
        \(CommandLineFlag.help(ClientOptions.commandLineFlags))

        connect options:
        \(CommandLineFlag.help(ConnectOptions.commandLineFlags))
        """

    /// The shorter names `eio connect` had before its flags came from the spec.
    static let aliases = [
        "--header": "--headers", "--insecure": "--no-ssl-verify", "--reconnect": "--reconnection",
        "--reconnect-attempts": "--reconnection-attempts", "--reconnect-delay": "--reconnection-delay",
        "--reconnect-delay-max": "--reconnection-delay-max",
    ]

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let given = iterator.next() {
            let argument = Self.aliases[given] ?? given
            let value = { () throws(OptionError) -> String in
                guard let text = iterator.next() else { throw OptionError(option: given, message: "needs a value") }
                return text
            }
            switch argument {
            case "--linger":
                let text = try value()
                guard let seconds = Double(text), seconds >= 0 else { throw UsageError(description: "--linger takes seconds, not \(text)") }
                linger = seconds
            case "--binary-lines": binaryLines = true
            case "--help", "-h": throw HelpRequested(text: Self.usage)
            default:
                // Every client and connect option, from the spec.
                if try options.setCommandLineOption(argument, value: value) || connect.setCommandLineOption(argument, value: value) { continue }
                guard url.isEmpty, !argument.hasPrefix("-") else { throw UsageError(description: "unknown option \(given)\n\(Self.usage)") }
                url = argument
            }
        }
        guard !url.isEmpty else { throw UsageError(description: Self.usage) }
        options = try options.validated()
    }

    func run() throws {
        let client = try Client(options: options)
        let reconnect = options.reconnection
        let requestTimeout = options.requestTimeout
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
        try client.connect(url, headers: connect.headers, transports: connect.transports, engineioPath: connect.engineioPath)
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
                        try client.send(message(line))
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

    /// What an input line sends: text, or with `--binary-lines` the bytes of a `binary:BASE64` line.
    func message(_ line: String) -> MessageData {
        guard binaryLines, line.hasPrefix("binary:"), let bytes = Base64.decode(line.utf8.dropFirst(7)) else { return .text(line) }
        return .binary(bytes)
    }

    /// The one line that says why the session ended before we ended it.
    static func endLine(_ client: Client) -> String {
        var line = "the session ended: \(client.reason?.rawValue ?? "unknown")"
        if let failure = client.failure { line += " (\(failure))" }
        if client.undeliveredBytes > 0 { line += "; \(client.undeliveredBytes) bytes of input were never delivered" }
        return line
    }
}

