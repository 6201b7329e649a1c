import EngineIOPlatform
import Foundation
import Glibc
import Testing

@Suite("epoll, eventfd and timerfd")
struct EpollTests {
    @Test("epoll reports a readable socket with its token, and nothing once drained")
    func readableSocket() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let epoll = try Epoll()
        try epoll.add(fds[0], events: [.readable, .peerClosed], token: 42)
        var seen: [(UInt64, IOEvents)] = []
        #expect(try epoll.wait(timeoutMilliseconds: 0) { seen.append(($0, $1)) } == 0)
        #expect(write(fds[1], "ping", 4) == 4)
        #expect(try epoll.wait(timeoutMilliseconds: 1000) { seen.append(($0, $1)) } == 1)
        #expect(seen.first?.0 == 42)
        #expect(seen.first?.1.contains(.readable) == true)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(fds[0], &buffer, 16) == 4)
        close(fds[1])
        fds[1] = -1
        seen.removeAll()
        #expect(try epoll.wait(timeoutMilliseconds: 1000) { seen.append(($0, $1)) } == 1)
        #expect(seen.first?.1.contains(.peerClosed) == true)
    }

    @Test("an eventfd signalled from another thread wakes the loop, and signals coalesce")
    func eventfdWakes() throws {
        let epoll = try Epoll()
        let wake = try EventFD()
        try epoll.add(wake.descriptor, events: .readable, token: 1)
        let signaller = Thread { wake.signal(); wake.signal() }
        signaller.start()
        var tokens: [UInt64] = []
        try epoll.wait(timeoutMilliseconds: 2000) { token, _ in tokens.append(token) }
        #expect(tokens == [1])
        usleep(10_000)
        #expect(wake.drain() == 2)
        #expect(wake.drain() == 0)
    }

    @Test("a timerfd fires once after its delay and can be cancelled")
    func timerfdFires() throws {
        let epoll = try Epoll()
        let timer = try TimerFD()
        try epoll.add(timer.descriptor, events: .readable, token: 7)
        let start = monotonicNanoseconds()
        try timer.schedule(afterNanoseconds: 20_000_000)
        var fired = 0
        try epoll.wait(timeoutMilliseconds: 2000) { _, _ in fired += 1 }
        #expect(fired == 1)
        #expect(monotonicNanoseconds() - start >= 20_000_000)
        #expect(timer.acknowledge() == 1)
        try timer.schedule(afterNanoseconds: 20_000_000)
        try timer.cancel()
        #expect(try epoll.wait(timeoutMilliseconds: 60) { _, _ in } == 0)
    }

    @Test("a bad descriptor is a typed system error")
    func badDescriptor() throws {
        let epoll = try Epoll()
        #expect(throws: SystemError("epoll_ctl", errno: EBADF)) { try epoll.add(-1, events: .readable, token: 0) }
    }
}
