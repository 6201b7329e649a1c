import CLinux
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Glibc

/// One accepted TCP connection, as a pump: it reads into the loop's buffer, feeds the connection machines
/// (`HTTPServerConnection`, then `WebSocketConnection` once upgraded), carries out what they decide and writes what
/// they queue. The machines hold every protocol decision and every deadline; this holds the socket, TLS, and the
/// routing of Engine.IO requests to the shard that owns their session (`HTTPConnection+EngineIO.swift`).
/// Loop-thread only.
final class HTTPConnection: LoopHandler, RequestOwner, SocketOwner, @unchecked Sendable {
    /// The shard whose loop serves this connection; it changes only when the connection moves (see `move`).
    unowned var engine: ServerEngine
    let fd: Int32
    var token: UInt64 = 0
    let remoteAddress: String
    /// HTTPS: every byte in and out goes through this session.
    let tls: TLSConnection?
    var http: HTTPServerConnection
    /// The WebSocket, once upgraded: its id for the reducer, and its machine.
    var webSocket: (id: ConnectionID, machine: WebSocketConnection)?
    /// The WebSocket handshake waiting for the reducer's answer (accept or refuse).
    var upgrading: ConnectionID?
    /// The Engine.IO request waiting for the reducer's answer; others wait behind it in the machine.
    var awaiting: (id: RequestID, shard: ServerEngine)?
    /// The shard whose session this connection's WebSocket belongs to.
    var socketShard: ServerEngine?
    /// The reducer has heard that this WebSocket's unread output passed `maxOutboundQueueBytes`.
    var reportedBacklog = false
    /// WebSocket output waits for the flush at the end of the loop's turn (see `writeMessages`).
    var flushScheduled = false
    /// Handed over to another loop: this one must not touch the connection again.
    var moving = false
    private(set) var isClosed = false
    /// A TLS read (or the handshake) needs the socket writable before it can go on.
    private var tlsReadWaitsForWritable = false
    /// The events epoll reports for this connection now.
    private var interest: IOEvents = [.readable, .peerClosed]
    /// At most this many bytes are read per wake-up, so one busy peer cannot starve the others on its loop.
    private static let readBudget = 256 * 1024
    private static let readSize = 65_536

    /// The Engine.IO path this connection serves (`/engine.io/`): the one its listener, or `adoptConnection`, gave.
    let path: String

    init(engine: ServerEngine, fd: Int32, remoteAddress: String, initialBytes: [UInt8] = [], tls: TLSConnection? = nil, path: String? = nil) {
        self.engine = engine
        self.path = path ?? engine.path
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.tls = tls
        http = HTTPServerConnection(configuration: engine.connectionConfiguration, acceptedAt: engine.loop.now)
        if !initialBytes.isEmpty { http.receive(initialBytes, now: engine.loop.now) }
    }

    /// Serves what arrived before the engine took the connection over (see `ServerEngine.adopt`).
    func start() {
        processRequests()
        readAvailable()
    }

    var now: Int64 { engine.loop.now }

    func ready(_ events: IOEvents) {
        if events.contains(.writable) {
            if tlsReadWaitsForWritable {
                tlsReadWaitsForWritable = false
                readAvailable()
            }
            flush()
        }
        if events.contains(.readable) || events.contains(.peerClosed) || events.contains(.hangUp) || events.contains(.error) {
            readAvailable()
        }
    }

    // MARK: reading

    private var wantsToRead: Bool {
        // Read through the optional in place: `if let` would copy the machine (a struct holding buffers) each time.
        if webSocket != nil { return webSocket!.machine.wantsToRead }
        return http.wantsToRead && upgrading == nil
    }

    /// Reads what the machines want, up to the budget, and feeds it to them.
    func readAvailable() {
        var budget = Self.readBudget
        while !isClosed, !moving, budget > 0, wantsToRead || !(tls?.isEstablished ?? true) {
            let count: Int
            var drained = false
            if let tls {
                guard let read = readThroughTLS(tls, budget: budget) else { break }
                count = read
            } else {
                let asked = min(Self.readSize, budget)
                count = engine.loop.readBuffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, asked) }
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK { break }
                    return terminate()
                }
                // A short read emptied the socket: epoll (level-triggered) reports it again when more comes, so the
                // read that would only say EAGAIN is saved (one system call in four on a one-message turn).
                drained = count > 0 && count < asked
            }
            if count == 0 { return peerEnded() }
            budget -= count
            engine.heap.bytesRead += count
            consume(engine.loop.readBuffer[0..<count])
            if drained { break }
        }
        // Out of budget with OpenSSL still holding decrypted bytes: epoll will not say so, so come back ourselves.
        if budget <= 0, let tls, tls.hasPendingBytes, !isClosed {
            engine.loop.execute { [self] in if !moving { readAvailable() } }
        }
        afterIO()
    }

    /// One TLS read (or handshake step): a byte count, 0 at the end of the stream, `nil` when it must wait.
    private func readThroughTLS(_ tls: TLSConnection, budget: Int) -> Int? {
        if !tls.isEstablished {
            switch tls.handshake() {
            case .done:
                engine.heap.arrivals += 1
                flush()  // writes were held until the handshake ended
            case .wantRead: return nil
            case .wantWrite:
                tlsReadWaitsForWritable = true
                return nil
            case .closed, .failed:
                terminate()
                return nil
            }
        }
        let progress = engine.loop.readBuffer.withUnsafeMutableBytes {
            tls.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(Self.readSize, budget)]))
        }
        switch progress {
        case .done(let count): return count
        case .wantRead: return nil
        case .wantWrite:
            tlsReadWaitsForWritable = true
            return nil
        case .closed: return 0
        case .failed:
            terminate()
            return nil
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        if webSocket != nil {
            webSocket!.machine.receive(bytes)
            processFrames()
        } else {
            http.receive(bytes, now: now)
            processRequests()
        }
    }

    /// The peer ended its side: whatever still hung on the connection is reported, and it closes.
    private func peerEnded() {
        http.receiveEnd()
        terminate()
    }

    // MARK: writing and closing

    /// Writes what the machines queued (the HTTP side first: the 101 precedes the WebSocket's frames), then acts on
    /// where that leaves them.
    func flush() {
        guard !isClosed, !moving else { return }
        if tls == nil, webSocket != nil, http.pendingOutputCount > 0, webSocket!.machine.pendingOutputCount > 0 {
            guard writeHeadAndFrames() else { return terminate() }
        }
        guard write(from: &http) else { return terminate() }
        // The WebSocket's frames only once the HTTP side (its 101) is all out.
        if webSocket != nil, http.pendingOutputCount == 0, !write(from: &webSocket!.machine) { return terminate() }
        afterIO()
    }

    /// Writes `machine`'s pending output until the socket is full; `false` when the socket failed.
    private func write<Machine: OutputOwner>(from machine: inout Machine) -> Bool {
        while machine.pendingOutputCount > 0 {
            if let tls, !tls.isEstablished { return true }  // output waits for the handshake
            let written: Int = machine.withPendingOutput { bytes in
                if let tls {
                    switch tls.write(bytes) {
                    case .done(let count): return count
                    case .wantRead, .wantWrite: return 0
                    case .closed, .failed: return -1
                    }
                }
                let count = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
                return count
            }
            if written < 0 { return false }
            if written == 0 { return true }
            machine.didWrite(written)
        }
        return true
    }

    /// The 101 and the WebSocket frames queued behind it in one `sendmsg`, so that a WebSocket handshake costs
    /// one send, not two; what does not fit is left to `write(from:)`. `false` when the socket failed.
    private func writeHeadAndFrames() -> Bool {
        let written = http.withPendingOutput { head in
            webSocket!.machine.withPendingOutput { frames in
                var vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: frames.baseAddress), iov_len: frames.count),
                ]
                return vectors.withUnsafeMutableBufferPointer { vectors in
                    var message = msghdr()
                    message.msg_iov = vectors.baseAddress
                    message.msg_iovlen = vectors.count
                    let count = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
                    return count
                }
            }
        }
        if written < 0 { return false }
        let fromHead = min(written, http.pendingOutputCount)
        http.didWrite(fromHead)
        if written > fromHead { webSocket!.machine.didWrite(written - fromHead) }
        return true
    }

    /// Acts on the machines' state after reading or writing: a finished WebSocket lingers, a lingering connection
    /// shuts its write side, a finished one closes; then epoll is told what to wait for.
    func afterIO() {
        guard !isClosed, !moving else { return }
        if webSocket?.machine.isFinished == true, http.phase == .upgraded { http.close(now: now) }
        if http.shouldCloseWrite {
            tls?.shutdown()
            Glibc.shutdown(fd, Int32(SHUT_WR))
            http.didCloseWrite()
        }
        if http.isFinished { return terminate() }
        updateInterest()
    }

    /// Time passing: the machines judge their deadlines (see `ServerEngine`'s sweep).
    func expire(now: Int64) {
        guard !isClosed, !moving else { return }
        http.expire(now: now)
        webSocket?.machine.expire(now: now)
        flush()
    }

    var pendingBytes: Int { http.pendingOutputCount + (webSocket?.machine.pendingOutputCount ?? 0) }

    /// Writable while bytes wait; readable while the machines want input.
    private func updateInterest() {
        var wanted: IOEvents = [.peerClosed]
        // Output waits for the TLS handshake without asking for writability, which would only spin; output whose
        // flush is due at the end of this turn needs no wake-up either.
        if pendingBytes > 0, !flushScheduled, tls?.isEstablished ?? true { wanted.insert(.writable) }
        if tlsReadWaitsForWritable { wanted.insert(.writable) }
        if wantsToRead || !(tls?.isEstablished ?? true) { wanted.insert(.readable) }
        guard wanted != interest else { return }
        interest = wanted
        engine.loop.modify(fd, token: token, events: wanted)
    }

    /// Ends the connection now: tells the reducer about whatever still hung on it, and releases the socket.
    func terminate() {
        guard !isClosed else { return }
        isClosed = true
        http.abort()
        engine.loop.forget(closing: fd, token: token)
        close(fd)
        engine.removed(self)
        if let current = awaiting {
            awaiting = nil
            current.shard.perform { shard in
                shard.disown(current.id)
                shard.apply(.requestAborted(current.id))
            }
        }
        if let upgrading {
            self.upgrading = nil
            report(.webSocketClosed(upgrading), disowning: upgrading)
        } else if let id = webSocket?.id, webSocket?.machine.phase == .open {
            report(.webSocketClosed(id), disowning: id)
        }
        webSocket?.machine.abort()
    }

    /// Stops serving: what is queued is written, then the connection closes (server shutdown).
    func flushThenClose() {
        if webSocket?.machine.phase == .open {
            webSocket!.machine.close(code: WebSocketCloseCode.goingAway, now: now)
        }
        http.close(now: now)
        flush()
    }

    /// Re-registers on another loop (see `move`).
    func reRegister(on loop: EventLoop) throws {
        token = try loop.register(fd, events: interest, handler: self)
    }

    /// Marks the socket closed without telling anyone (a move to a loop that has stopped).
    func abandon() {
        isClosed = true
        close(fd)
    }
}

/// What the pump writes from: both connection machines queue output the same way.
protocol OutputOwner {
    var pendingOutputCount: Int { get }
    func withPendingOutput<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
    mutating func didWrite(_ count: Int)
}

extension HTTPServerConnection: OutputOwner {}

extension WebSocketConnection: OutputOwner {}
