import CLinux
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Glibc

/// A resolved server address, looked up once when `connect` is called (getaddrinfo blocks, so never on the loop).
struct ServerAddress: @unchecked Sendable {
    var storage: sockaddr_storage
    var length: socklen_t
    var family: Int32

    static func resolve(host: String, port: Int) throws(SystemError) -> ServerAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw SystemError("getaddrinfo(\(host))", errno: EHOSTUNREACH)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        return ServerAddress(storage: storage, length: first.pointee.ai_addrlen, family: first.pointee.ai_family)
    }
}

/// One non-blocking client TCP connection on an event loop: connect, write what is queued, hand over what arrives.
/// Loop-thread only.
final class ClientSocket: LoopHandler {
    private let loop: EventLoop
    let fd: Int32
    private var token: UInt64 = 0
    private var connected = false
    private(set) var isClosed = false
    private var output = OutputBuffer()
    /// Bytes queued and not yet taken by the kernel.
    var pendingOutputCount: Int { output.count }
    private var interest: IOEvents = [.readable, .writable, .peerClosed]
    /// `host:port` to ask the proxy for; until the proxy says 200, nothing else flows.
    private var tunnelTarget: String?
    private var tunnelResponse: [UInt8] = []
    /// TLS over the connection, when the URL is `https`/`wss`; bytes flow only once its handshake is done.
    private var tls: TLSConnection?
    private var tlsReady = false
    /// Why the connection failed, when known (refused, reset, TLS, the proxy).
    private(set) var failure: TransportFailure?
    var onBytes: (ArraySlice<UInt8>) -> Void = { _ in }
    /// Called once, when the connection ends for any reason (refused, reset, closed by the peer, or by us).
    var onClose: () -> Void = {}
    /// Called when queued output has all been taken by the kernel after waiting for it.
    var onDrained: () -> Void = {}

    /// `tunnel`: the `host:port` to reach through an HTTP proxy at `address` (a `CONNECT` tunnel), if any.
    init(loop: EventLoop, address: ServerAddress, tls tlsContext: TLSClientContext? = nil, hostname: String = "", tunnel: String? = nil) throws {
        self.loop = loop
        tunnelTarget = tunnel
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        guard result == 0 || errno == EINPROGRESS else {
            let error = SystemError("connect")
            close(fd)
            throw error
        }
        do {
            if let tlsContext { tls = try TLSConnection(context: tlsContext, fd: fd, hostname: hostname) }
            token = try loop.register(fd, events: interest, handler: self)
        } catch {
            close(fd)
            throw error
        }
    }

    func write(_ bytes: some Collection<UInt8>) {
        guard !isClosed else { return }
        output.append(contentsOf: bytes)
        if connected { flush() }
    }

    /// Bytes can flow: TCP is connected, the proxy tunnel (if any) is open and TLS (if any) has finished its handshake.
    private var streaming: Bool { connected && tunnelTarget == nil && (tls == nil || tlsReady) }

    /// Sends the `CONNECT` once connected, then reads the proxy's answer; `true` once the tunnel is open.
    private func advanceTunnel(_ events: IOEvents) -> Bool {
        guard let target = tunnelTarget else { return true }
        if tunnelResponse.isEmpty, events.contains(.writable) {
            let request = Array("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n".utf8)
            guard request.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
                shutdownNow()
                return false
            }
            tunnelResponse = [0]  // marks "asked"; the answer replaces it
            setInterest([.readable, .peerClosed])
            return false
        }
        guard events.contains(.readable) || events.contains(.peerClosed) else { return false }
        var byte: UInt8 = 0
        // Byte by byte, so not one byte of the tunnelled stream is read as part of the proxy's answer.
        while Glibc.read(fd, &byte, 1) == 1 {
            if tunnelResponse == [0] { tunnelResponse = [] }
            tunnelResponse.append(byte)
            if tunnelResponse.count > 8192 { break }
            if tunnelResponse.suffix(4) == [13, 10, 13, 10] {
                let statusLine = String(decoding: tunnelResponse.prefix { $0 != 13 }, as: UTF8.self)
                guard statusLine.split(separator: " ").dropFirst().first == "200" else {
                    failure = .proxy("the proxy refused the tunnel: \(statusLine)")
                    shutdownNow()
                    return false
                }
                tunnelTarget = nil
                setInterest([.readable, .writable, .peerClosed])
                return true
            }
        }
        if errno != EAGAIN, errno != EWOULDBLOCK { shutdownNow() }
        return false
    }

    func ready(_ events: IOEvents) {
        if !connected, events.contains(.writable) || events.contains(.error) || events.contains(.hangUp) {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                failure = TransportFailure(errno: error)
                return shutdownNow()
            }
            connected = true
        }
        if connected, tunnelTarget != nil {
            guard advanceTunnel(events) else { return }
        }
        if connected, let tls, !tlsReady {
            switch tls.handshake() {
            case .done: tlsReady = true
            case .wantRead: return setInterest([.readable, .peerClosed])
            case .wantWrite: return setInterest([.readable, .writable, .peerClosed])
            case .closed: return shutdownNow()
            case .failed(let error):
                failure = .tls(error.description)
                return shutdownNow()
            }
        }
        if streaming, events.contains(.writable) || !output.isEmpty { flush() }
        if streaming || events.contains(.peerClosed) || events.contains(.hangUp) { readAvailable() }
    }

    private func setInterest(_ wanted: IOEvents) {
        guard wanted != interest, !isClosed else { return }
        interest = wanted
        loop.modify(fd, token: token, events: wanted)
    }

    /// One read, through TLS when there is TLS: a byte count, 0 at end of stream, -1 with errno set otherwise.
    private func readOnce(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let tls else { return Glibc.read(fd, buffer.baseAddress, buffer.count) }
        switch tls.read(into: buffer) {
        case .done(let count): return count
        case .wantRead, .wantWrite:
            errno = EAGAIN
            return -1
        case .closed: return 0
        case .failed(let error):
            failure = .tls(error.description)
            errno = EIO
            return -1
        }
    }

    private func writeOnce(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let tls else { return Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        switch tls.write(bytes) {
        case .done(let count): return count
        case .wantRead, .wantWrite:
            errno = EAGAIN
            return -1
        case .closed, .failed:
            errno = EPIPE
            return -1
        }
    }

    private func readAvailable() {
        while !isClosed {
            var asked = 0
            let count = loop.withReadBuffer { buffer in
                asked = buffer.count
                return readOnce(buffer)
            }
            if count > 0 {
                loop.withReadBufferSlice(count) { onBytes($0) }
                // A short plain read emptied the socket; epoll (level-triggered) reports it again when more comes.
                if tls == nil, count < asked { return }
            } else if count == 0 {
                return shutdownNow()
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else if errno != EINTR {
                if failure == nil { failure = TransportFailure(errno: errno) }
                return shutdownNow()
            }
        }
    }

    private func flush() {
        guard streaming else { return }
        while !output.isEmpty, !isClosed {
            let written = output.withUnsafeBytes { writeOnce($0) }
            if written > 0 {
                output.consume(written)
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                if failure == nil { failure = TransportFailure(errno: errno) }
                return shutdownNow()
            }
        }
        let waited = interest.contains(.writable)
        setInterest(output.isEmpty ? [.readable, .peerClosed] : [.readable, .writable, .peerClosed])
        if waited, output.isEmpty { onDrained() }
    }

    /// Closes at once; `onClose` runs (once).
    func shutdownNow() {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(fd, token: token)
        close(fd)
        onClose()
    }
}

extension TransportFailure {
    /// The failure a socket error number means.
    init(errno code: Int32) {
        switch code {
        case ECONNREFUSED: self = .refused
        case ECONNRESET, EPIPE: self = .reset
        case ETIMEDOUT: self = .timedOut("the TCP connection")
        case EHOSTUNREACH, ENETUNREACH: self = .unreachable(String(cString: strerror(code)))
        default: self = .other(String(cString: strerror(code)))
        }
    }
}

extension EventLoop {
    /// Lends the loop's shared read buffer (loop thread only).
    func withReadBuffer<T>(_ body: (UnsafeMutableRawBufferPointer) -> T) -> T {
        readBuffer.withUnsafeMutableBytes(body)
    }

    func withReadBufferSlice<T>(_ count: Int, _ body: (ArraySlice<UInt8>) -> T) -> T {
        body(readBuffer[0..<count])
    }
}
