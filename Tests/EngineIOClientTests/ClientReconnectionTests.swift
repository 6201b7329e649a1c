import EngineIO
import EngineIOCore
import Foundation
import Glibc
import EngineIOTestSupport
import Testing

extension ClientLoopbackTests {
    /// `reconnection` on our clients against a real server that goes away and comes back on the same port.
    @Suite("Client reconnection", .serialized)
    struct ClientReconnectionTests {
        /// What a client's handlers saw, in order: `connect`, `disconnect:reason`, `reconnecting:N`,
        /// `reconnected:N`, `message:text`.
        final class Journal: @unchecked Sendable {
            private let lock = NSLock()
            private var entries: [String] = []
            let changed = NSCondition()

            func add(_ entry: String) {
                changed.lock()
                lock.lock()
                entries.append(entry)
                lock.unlock()
                changed.broadcast()
                changed.unlock()
            }

            var all: [String] {
                lock.lock()
                defer { lock.unlock() }
                return entries
            }

            /// Waits (at most `timeout` s) until `condition` holds for the entries.
            @discardableResult
            func wait(_ timeout: Double = 10, until condition: ([String]) -> Bool) -> Bool {
                let deadline = Date().addingTimeInterval(timeout)
                changed.lock()
                defer { changed.unlock() }
                while !condition(all) {
                    if !changed.wait(until: deadline) { return condition(all) }
                }
                return true
            }
        }

        /// An echo `Server` on `port` (0: any); `refuse` makes its connect handler refuse every session (401).
        static func server(port: Int, refuse: Bool = false) throws -> (app: WSGIApp, port: Int) {
            let server = try Server(options: ServerOptions(pingInterval: 1, pingTimeout: 1))
            server.on(.message) { sid, data in server.send(sid, data) }
            if refuse { server.on(.connect) { _, _ in .unauthorized } }
            let app = WSGIApp(server)
            return (app, try app.start(host: "127.0.0.1", port: port))
        }

        static func client(_ journal: Journal, bufferBytes: Int = 1_000_000, attempts: Int? = nil) throws -> Client {
            var options = ClientOptions()
            options.reconnection = true
            options.reconnectionDelay = 0.05
            options.reconnectionDelayMax = 0.2
            options.reconnectionAttempts = attempts
            options.reconnectionBufferBytes = bufferBytes
            let client = try Client(options: options)
            client.on(.connect) { journal.add("connect") }
            client.on(.disconnect) { journal.add("disconnect:\($0.rawValue)") }
            client.on(.message) { data in if case .text(let text) = data { journal.add("message:\(text)") } }
            client.on(.reconnecting) { journal.add("reconnecting:\($0)") }
            client.on(.reconnected) { journal.add("reconnected:\($0)") }
            return client
        }

        @Test("a client with reconnection comes back when its server restarts, and what it sent meanwhile arrives in order", arguments: [Transport.polling, .websocket])
        func reconnectsAfterARestart(_ transport: Transport) throws {
            var first = try Self.server(port: 0)
            let port = first.port
            let journal = Journal()
            let client = try Self.client(journal)
            try client.connect("http://127.0.0.1:\(port)", transports: transport == .polling ? [.polling] : [.websocket])
            try client.send(.text("before"))
            #expect(journal.wait { $0.contains("message:before") })
            first.app.stop()
            #expect(journal.wait { $0.contains { $0.hasPrefix("disconnect:") } })
            for index in 0..<20 { try client.send(.text("meanwhile \(index)")) }
            #expect(journal.wait { $0.contains { $0.hasPrefix("reconnecting:") } })
            first = try Self.server(port: port)
            let expected = (0..<20).map { "message:meanwhile \($0)" }
            #expect(journal.wait { $0.filter { $0.hasPrefix("message:meanwhile") } == expected })
            let entries = journal.all
            print("\(transport): \(entries.filter { !$0.hasPrefix("message:") })")
            // connect, disconnect, reconnecting 1…N, connect, reconnected N: each once, in that order.
            let events = entries.filter { !$0.hasPrefix("message:") }
            let attempts = events.filter { $0.hasPrefix("reconnecting:") }
            #expect(attempts == (1...attempts.count).map { "reconnecting:\($0)" })
            #expect(events == ["connect", events[1]] + attempts + ["connect", "reconnected:\(attempts.count)"])
            #expect(client.sid != nil)
            client.disconnect()
            client.wait()
            first.app.stop()
        }

        @Test("messages sent from the disconnect handler itself, as the session is lost, wait for the new session", arguments: [Transport.polling, .websocket])
        func sendsFromTheDisconnectHandlerAreKept(_ transport: Transport) throws {
            var first = try Self.server(port: 0)
            let port = first.port
            let journal = Journal()
            let client = try Self.client(journal)
            let sent = Journal()
            client.on(.disconnect) { reason in
                journal.add("disconnect:\(reason.rawValue)")
                do {
                    for index in 0..<50 { try client.send(.text("from the handler \(index)")) }
                    sent.add("all")
                } catch {
                    sent.add("\(error)")
                }
            }
            try client.connect("http://127.0.0.1:\(port)", transports: [transport])
            first.app.stop()
            #expect(sent.wait { !$0.isEmpty })
            #expect(sent.all == ["all"])
            first = try Self.server(port: port)
            let expected = (0..<50).map { "message:from the handler \($0)" }
            #expect(journal.wait { $0.filter { $0.hasPrefix("message:from") } == expected }, "\(journal.all.filter { $0.hasPrefix("message:from") }.count) of 50")
            client.disconnect()
            client.wait()
            first.app.stop()
        }

        @Test("after the application's own disconnect the client never reconnects")
        func noReconnectAfterDisconnect() throws {
            let server = try Self.server(port: 0)
            let journal = Journal()
            let client = try Self.client(journal)
            try client.connect("http://127.0.0.1:\(server.port)")
            client.disconnect()
            client.wait()
            usleep(400_000)  // several backoff periods
            #expect(journal.all == ["connect", "disconnect:client disconnect"])
            #expect(client.sid == nil)
            server.app.stop()
        }

        @Test("a reconnection the server refuses with a 4xx is not retried, and wait returns")
        func refusedReconnectionStops() throws {
            let first = try Self.server(port: 0)
            let journal = Journal()
            let client = try Self.client(journal)
            try client.connect("http://127.0.0.1:\(first.port)", transports: [.websocket])
            first.app.stop()
            #expect(journal.wait { $0.contains { $0.hasPrefix("disconnect:") } })
            let refusing = try Self.server(port: first.port, refuse: true)
            let waited = EngineEvent()
            Thread {
                client.wait()
                waited.set()
            }.start()
            #expect(waited.wait(timeout: 10))
            usleep(400_000)
            let attempts = journal.all.filter { $0.hasPrefix("reconnecting:") }
            #expect(!journal.all.contains { $0.hasPrefix("reconnected:") })
            // Attempts made while nothing listened were retried; the first one refused was the last.
            print("attempts before the 401: \(attempts.count)")
            #expect(attempts.count >= 1)
            refusing.app.stop()
        }

        @Test("while reconnecting, send holds at most reconnectionBufferBytes and then throws reconnectBufferFull")
        func reconnectBufferIsBounded() throws {
            let server = try Self.server(port: 0)
            let journal = Journal()
            let client = try Self.client(journal, bufferBytes: 1_000)
            try client.connect("http://127.0.0.1:\(server.port)", transports: [.websocket])
            server.app.stop()
            #expect(journal.wait { $0.contains { $0.hasPrefix("disconnect:") } })
            try client.send(.text(String(repeating: "x", count: 600)))
            #expect(throws: ClientError.reconnectBufferFull(limit: 1_000)) { try client.send(.text(String(repeating: "y", count: 600))) }
            client.disconnect()
            client.wait()
        }

        @Test("with reconnectionAttempts, the client gives up after that many attempts and wait returns")
        func attemptsAreBounded() throws {
            let server = try Self.server(port: 0)
            let journal = Journal()
            let client = try Self.client(journal, attempts: 3)
            try client.connect("http://127.0.0.1:\(server.port)", transports: [.websocket])
            server.app.stop()
            client.wait()
            #expect(journal.all.filter { $0.hasPrefix("reconnecting:") } == ["reconnecting:1", "reconnecting:2", "reconnecting:3"])
        }

        @Test("without reconnection (the default) a lost session stays lost, as in python")
        func offByDefault() throws {
            let server = try Self.server(port: 0)
            let client = try Client(options: ClientOptions())
            let lost = EngineEvent()
            client.on(.disconnect) { _ in lost.set() }
            client.on(.reconnecting) { _ in Issue.record("reconnecting without reconnection") }
            try client.connect("http://127.0.0.1:\(server.port)", transports: [.websocket])
            server.app.stop()
            #expect(lost.wait(timeout: 10))
            client.wait()
            let again = try Self.server(port: server.port)
            usleep(300_000)
            #expect(client.sid == nil)
            again.app.stop()
        }

        @Test("AsyncClient reconnects too, running its async handlers in order")
        func asyncClientReconnects() async throws {
            var first = try Self.server(port: 0)
            let port = first.port
            let journal = Journal()
            var options = ClientOptions()
            options.reconnection = true
            options.reconnectionDelay = 0.05
            options.reconnectionDelayMax = 0.2
            let client = try AsyncClient(options: options)
            client.on(.connect) { journal.add("connect") }
            client.on(.disconnect) { journal.add("disconnect:\($0.rawValue)") }
            client.on(.reconnecting) { journal.add("reconnecting:\($0)") }
            client.on(.reconnected) { journal.add("reconnected:\($0)") }
            client.on(.message) { data in if case .text(let text) = data { journal.add("message:\(text)") } }
            try await client.connect("http://127.0.0.1:\(port)")
            first.app.stop()
            #expect(journal.wait { $0.contains { $0.hasPrefix("reconnecting:") } })
            try await client.send(.text("queued"))
            first = try Self.server(port: port)
            #expect(journal.wait { $0.contains("message:queued") })
            #expect(journal.all.contains { $0.hasPrefix("reconnected:") })
            await client.disconnect()
            first.app.stop()
        }
    }
}
