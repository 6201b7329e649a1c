import EngineIO
import EngineIOPlatform
import Foundation
import Glibc
import Synchronization
import EngineIOTestSupport
import Testing

/// `Tests/Interop/hostile_server.py MODE`: a server that misbehaves in one way (see its docstring).
final class HostileServer: @unchecked Sendable {
    static let script = packageRoot.appendingPathComponent("Tests/Interop/hostile_server.py").path
    let process = ChildProcess()
    let port: Int
    private let output = Pipe()
    private let lines = LockedLines()

    init(_ mode: String, _ arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, mode] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        var text = ""
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { throw TestFailure("hostile server \(mode) exited: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let first = text.split(separator: "\n").first, first.hasPrefix("ready "), let port = Int(first.dropFirst(6)) else {
            throw TestFailure("no port from the hostile server: \(text)")
        }
        self.port = port
        // Later lines (ws-close-watch's "tcp-closed SECONDS") are kept; reading them keeps the pipe from filling.
        let lines = self.lines
        Thread { [lines] in
            var rest = ""
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                rest += String(decoding: chunk, as: UTF8.self)
                while let newline = rest.firstIndex(of: "\n") {
                    let line = String(rest[..<newline])
                    rest = String(rest[rest.index(after: newline)...])
                    lines.append(line)
                }
            }
        }.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var reported: [String] { lines.all }

    deinit {
        kill(process.processIdentifier, SIGKILL)  // a fixture: no need to be polite (and SIGTERM may be blocked)
        process.waitUntilExit()
    }
}

/// One `eio connect` run: its exit status, how long it took, its peak RSS and what it said on standard error.
struct ConnectRun: CustomStringConvertible {
    var status: Int32
    var seconds: Double
    var peakBytes: Int
    var errors: String
    var output: String

    var description: String {
        String(format: "exit %d after %.2f s, peak RSS %.0f MB: %@", status, seconds, Double(peakBytes) / 1_048_576,
               errors.trimmingCharacters(in: .whitespacesAndNewlines) as NSString)
    }

    /// Runs `eio connect` with `input` on standard input, which stays open unless `closeInput`; killed after `limit` s.
    static func run(_ arguments: [String], input: String = "", closeInput: Bool = true, limit: Double = 30) throws -> ConnectRun {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: EioServeProcess.binary)
        process.arguments = ["connect"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let started = Date()
        try process.run()
        let pid = process.processIdentifier
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            if closeInput { try? stdin.fileHandleForWriting.close() }
        }
        writer.start()
        let peak = PeakSampler {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
            else { return 0 }
            return (Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0) * 1024
        }
        let outputs = Locked<(Data, Data)>((Data(), Data()))
        let readers = DispatchGroup()
        for (index, pipe) in [stdout, stderr].enumerated() {
            readers.enter()
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                outputs.withLock { if index == 0 { $0.0 = data } else { $0.1 = data } }
                readers.leave()
            }.start()
        }
        while process.isRunning, Date().timeIntervalSince(started) < limit { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        try? stdin.fileHandleForWriting.close()
        _ = readers.wait(timeout: .now() + 5)
        let (out, err) = outputs.withLock { $0 }
        return ConnectRun(
            status: process.terminationStatus, seconds: seconds, peakBytes: peak.stop(), errors: String(decoding: err, as: UTF8.self),
            output: String(decoding: out, as: UTF8.self))
    }
}

extension ClientLoopbackTests {
    /// `eio connect` (our `Client`) against servers that misbehave: every case ends in time, with a clear line, a
    /// non-zero exit and bounded memory. Deadlines: `--request-timeout 1` bounds each connect.
    @Suite("Client against hostile servers")
    struct ClientHostileServerTests {
        static func expectFailure(_ run: ConnectRun, within seconds: Double, saying words: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(run.status != 0, "\(run)", sourceLocation: sourceLocation)
            #expect(run.seconds < seconds, "\(run)", sourceLocation: sourceLocation)
            #expect(run.peakBytes < 100 << 20, "\(run)", sourceLocation: sourceLocation)
            let text = run.errors.lowercased()
            #expect(words.allSatisfy { text.contains($0.lowercased()) }, "\(run)", sourceLocation: sourceLocation)
            #expect(run.errors.split(separator: "\n").count == 1, "\(run)", sourceLocation: sourceLocation)
        }

        @Test("a connect that gets no answer, or one a byte at a time, ends at requestTimeout and says what it waited for", arguments: [
            ("ws-no-open", "websocket", "open packet"), ("ws-trickle-open", "websocket", "open packet"),
            ("ws-trickle-101", "websocket", "websocket handshake"), ("polling-silent", "polling", "handshake response"),
            ("polling-trickle", "polling", "handshake response"),
        ])
        func connectDeadlines(mode: String, transports: String, waitedFor: String) throws {
            let server = try HostileServer(mode)
            let run = try ConnectRun.run([server.url, "--transports", transports, "--request-timeout", "1"], closeInput: false)
            print("\(mode): \(run)")
            Self.expectFailure(run, within: 3, saying: ["timed out", waitedFor])
        }

        @Test("when the server dies, eio connect ends with the reason even while its input stays open", arguments: ["polling", "websocket"])
        func serverDies(transports: String) throws {
            let server = try HostileServer("die-after-open")
            let run = try ConnectRun.run([server.url, "--transports", transports], closeInput: false)
            print("die-after-open over \(transports): \(run)")
            Self.expectFailure(run, within: 4, saying: ["ping timeout"])
        }

        @Test("a server that stops taking what is sent: eio connect reports the undelivered input and fails", arguments: [
            ("post-blackhole", "polling"), ("ws-no-read", "websocket"),
        ])
        func undelivered(mode: String, transports: String) throws {
            let server = try HostileServer(mode)
            let line = String(repeating: "z", count: 100_000) + "\n"
            let run = try ConnectRun.run([server.url, "--transports", transports, "--request-timeout", "1"], input: String(repeating: line, count: 60))
            print("\(mode): \(run)")
            Self.expectFailure(run, within: 6, saying: ["never delivered"])
        }

        @Test("answers larger than the client accepts are refused early, in bounded memory", arguments: [
            ("chunked-endless", "polling"), ("gzip-bomb", "polling"), ("big-open", "polling"), ("ws-fragments", "websocket"),
            ("ws-big-message", "websocket"),
        ])
        func oversized(mode: String, transports: String) throws {
            let server = try HostileServer(mode)
            let run = try ConnectRun.run([server.url, "--transports", transports, "--request-timeout", "2"], closeInput: false)
            print("\(mode): \(run)")
            Self.expectFailure(run, within: 4, saying: ["larger than"])
        }

        @Test("broken servers get errors that say what happened", arguments: [
            ("ws-masked", "websocket", "masked frame"), ("ws-reset", "websocket", "reset"), ("reset", "polling", "reset"),
            ("close", "polling", "closed the connection before it answered"), ("redirect-loop", "polling", "more than 5 redirects"),
        ])
        func truthfulErrors(mode: String, transports: String, words: String) throws {
            let server = try HostileServer(mode)
            let run = try ConnectRun.run([server.url, "--transports", transports, "--request-timeout", "2"], closeInput: false)
            print("\(mode): \(run)")
            Self.expectFailure(run, within: 4, saying: [words])
            #expect(!run.errors.contains("refused"), "\(run)")
        }

        @Test("the handshake follows redirects, as python's client does", arguments: ["301", "302", "303", "307", "308"])
        func redirects(code: String) throws {
            let server = try HostileServer("redirect-\(code)")
            let run = try ConnectRun.run([server.url, "--transports", "polling"], input: "one\ntwo\n")
            #expect(run.status == 0, "\(run)")
            #expect(run.output == "one\ntwo\n", "\(run)")
        }

        @Test("a session that ends closes its WebSocket's TCP connection promptly, while the client lives on", arguments: [false, true])
        func socketClosedAfterTimeout(async useAsync: Bool) async throws {
            let server = try HostileServer("ws-close-watch")
            let started = Date()
            if useAsync {
                let client = try AsyncClient()
                try await client.connect(server.url, transports: [.websocket])
                await client.wait()
                #expect(client.reason == .pingTimeout)
            } else {
                let client = try Client()
                try client.connect(server.url, transports: [.websocket])
                client.wait()
                #expect(client.reason == .pingTimeout)
            }
            // The ping timeout (1 s + 1 s) ends the session; the close handshake then takes a moment.
            while server.reported.isEmpty, Date().timeIntervalSince(started) < 6 { try await Task.sleep(for: .milliseconds(20)) }
            let closedAt = server.reported.first.flatMap { Double($0.split(separator: " ").last ?? "") }
            print("ws-close-watch (\(useAsync ? "AsyncClient" : "Client")): the server saw the TCP connection end at \(closedAt.map { String($0) } ?? "never") s")
            #expect((closedAt ?? 99) < 3.5)
        }

        /// The race a SIGSEGV once came from: the handshake's deadline firing while the 101 is still arriving. 500
        /// connects, 50 at a time, against a 101 trickled at 10 ms a byte (about 1.3 s) with deadlines around it.
        @Test("500 connects whose deadline races a trickled 101 each end cleanly, one way or the other")
        func deadlineRacesTrickle() throws {
            let server = try HostileServer("ws-trickle-101", ["--delay", "0.01"])
            let outcomes = Locked<[String: Int]>([:])
            let workers = DispatchGroup()
            for worker in 0..<50 {
                workers.enter()
                Thread {
                defer { workers.leave() }
                for round in 0..<10 {
                    let timeout = 1.0 + Double((worker + round) % 7) * 0.1  // 1.0 … 1.6 s
                    let outcome: String
                    do {
                        let client = try Client(options: ClientOptions(requestTimeout: timeout, handleSigint: false))
                        try client.connect(server.url, transports: [.websocket])
                        client.disconnect(abort: true)
                        outcome = "connected"
                    } catch let error as ClientError {
                        if case .timedOut = error { outcome = "timed out" } else { outcome = "\(error)" }
                    } catch {
                        outcome = "\(error)"
                    }
                    outcomes.withLock { $0[outcome, default: 0] += 1 }
                }
                }.start()
            }
            workers.wait()
            let counts = outcomes.withLock { $0 }
            print("500 racing connects: \(counts)")
            #expect(counts.values.reduce(0, +) == 500)
            #expect(Set(counts.keys).isSubset(of: ["connected", "timed out"]), "\(counts)")
        }

        @Test("1,000 connects against servers that die, close or reset leave no descriptor behind")
        func noDescriptorLeaks() throws {
            let kinds = ProcessInfo.processInfo.environment["EIO_LEAK_MODES"]?.split(separator: ",").map(String.init) ?? ["close", "reset", "die-after-open", "echo"]
            let servers = try kinds.map { try HostileServer($0, ["--ping-interval", "300", "--ping-timeout", "300"]) }
            func openDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0 }
            let before = openDescriptors()
            var failures = 0
            for index in 0..<1_000 {
                let server = servers[index % servers.count]
                let client = try Client(options: ClientOptions(requestTimeout: 1, handleSigint: false))
                do {
                    try client.connect(server.url, transports: index % 2 == 0 ? [.polling] : [.websocket])
                    client.disconnect(abort: true)
                } catch {
                    failures += 1
                }
            }
            // Engines finish on their own loops a moment after the session ends.
            var after = openDescriptors()
            for _ in 0..<200 where after > before + 4 {
                usleep(20_000)
                after = openDescriptors()
            }
            let descriptorKinds = Dictionary(grouping: (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []) { fd in
                ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "?").split(separator: ":").first.map(String.init) ?? "?"
            }.mapValues(\.count)
            print("1,000 connects (\(failures) refused by the hostile servers): \(before) descriptors before, \(after) after \(descriptorKinds); threads \(EioServeProcess.threadCount(of: getpid()))")
            #expect(after <= before + 4)
        }
    }
}
