import EngineIO
import EngineIOPlatform
import Foundation
import Glibc
import Synchronization
import EngineIOTestSupport
import Testing

/// Opens `count` WebSocket sessions on `port`.
func openWebSockets(_ count: Int, port: Int) throws -> [TestWebSocket] {
    try (0..<count).map { _ in
        let ws = try TestWebSocket(port: port, target: "/engine.io/?EIO=4&transport=websocket")
        guard try ws.receiveText()?.hasPrefix("0") == true else { throw TestFailure("no open packet") }
        return ws
    }
}

@Suite("Handler threads", .serialized)
struct HandlerThreadTests {
    static let sessions = 1_000

    @Test("when 1,000 sessions leave at once, eio serve's threads stay within handlerThreads plus its event loops")
    func thousandDisconnectsFromEioServe() throws {
        guard FileLimit.raise(to: Self.sessions + 100) >= Self.sessions + 50 else {
            print("skipped: the open-file limit is below \(Self.sessions + 50) and cannot be raised")
            return
        }
        // The process's file limit comes from ours, raised above.
        let server = try EioServeProcess(["--echo"])
        let idle = server.threadCount
        var sockets = try openWebSockets(Self.sessions, port: server.port)
        let open = server.threadCount
        let pid = server.pid
        let sampler = PeakSampler { EioServeProcess.threadCount(of: pid) }
        sockets.removeAll()  // every session leaves at once
        usleep(1_500_000)
        let peak = sampler.stop()
        // handlerThreads defaults to 32; the loops are already counted in `idle`.
        let bound = idle + 32 + 2
        print("eio serve threads: \(idle) idle, \(open) with 1,000 sessions open, peak \(peak) while they left (bound \(bound))")
        #expect(peak <= bound, "peak \(peak), bound \(bound)")
    }

    @Test("handlers that block hold at most handlerThreads threads when 1,000 sessions leave at once")
    func thousandBlockingDisconnects() throws {
        guard FileLimit.raise(to: 2 * Self.sessions + 200) >= 2 * Self.sessions + 100 else {
            print("skipped: the open-file limit is below \(2 * Self.sessions + 100) and cannot be raised")
            return
        }
        let pool = 8
        let server = try Server(options: ServerOptions(pingInterval: 20, pingTimeout: 20, eventLoops: 2, handlerThreads: pool))
        let disconnects = Atomic<Int>(0)
        // Handlers that block a little, as real ones do (a database write, say): unbounded, each blocked one would
        // hold a thread of its own.
        server.on(.disconnect) { _, _ in
            usleep(2_000)
            disconnects.add(1, ordering: .relaxed)
        }
        let app = WSGIApp(server)
        let port = try app.start(host: "127.0.0.1", port: 0)
        defer { app.stop() }
        var sockets = try openWebSockets(Self.sessions, port: port)
        // The open packet reaches the client a moment before the server's loop lists the session.
        let listed = Date().addingTimeInterval(5)
        while server.sids.count < Self.sessions, Date() < listed { usleep(1_000) }
        #expect(server.sids.count == Self.sessions)
        sockets.removeAll()
        let deadline = Date().addingTimeInterval(30)
        while disconnects.load(ordering: .relaxed) < Self.sessions, Date() < deadline { usleep(10_000) }
        #expect(disconnects.load(ordering: .relaxed) == Self.sessions)
        let counts = server.handlerThreadCounts
        print("handler threads: peak \(counts.peak) of \(pool) while 1,000 blocking disconnect handlers ran")
        #expect(counts.peak <= pool)
        #expect(counts.peak >= 2, "the blocked handlers should have used more than one thread")
    }
}
