import CLinux
import EngineIOCore
import EngineIOPlatform
import EngineIOWire
import Foundation
import Glibc

/// Accepts connections for the engine, and rides out running out of file descriptors.
///
/// Out of descriptors (EMFILE, ENFILE), a level-triggered listener would report the waiting connection again at
/// once and spin a core. So the listener gives up a reserve descriptor to accept that connection and close it (the
/// client learns at once instead of waiting in the backlog), stops listening for a moment on a timer, and logs once
/// per episode. The idle deadlines reclaim what idle peers hold meanwhile.
final class Listener: LoopHandler {
    unowned let engine: ServerEngine
    let fd: Int32
    let tls: TLSServerContext?
    /// The Engine.IO path of the connections it accepts.
    let path: String
    var token: UInt64 = 0
    /// A descriptor held in reserve for the moment the process runs out.
    private var reserve: Int32 = open("/dev/null", O_RDONLY | O_CLOEXEC)
    private var exhausted = false
    /// How long the listener rests when out of descriptors (milliseconds).
    static let pause: Int64 = 100

    init(engine: ServerEngine, fd: Int32, tls: TLSServerContext?, path: String) {
        self.engine = engine
        self.fd = fd
        self.tls = tls
        self.path = path
    }

    deinit { if reserve >= 0 { close(reserve) } }

    func ready(_ events: IOEvents) {
        // A bounded batch: the rest wait for the next turn, after the connections already here.
        for _ in 0..<256 {
            switch Socket.accept(fd) {
            case .accepted(let client, let address):
                if exhausted {
                    exhausted = false
                    engine.log(.warning, "file descriptors are available again; accepting connections")
                }
                hand(client, from: address)
            case .wouldBlock:
                return
            case .failed(let code) where code == EMFILE || code == ENFILE:
                return outOfDescriptors()
            case .failed:
                continue  // the peer gave up before we took it (ECONNABORTED), and the like
            }
        }
    }

    private func outOfDescriptors() {
        if !exhausted {
            exhausted = true
            engine.log(.error, "out of file descriptors: refusing new connections until some close (raise the limit with ulimit -n)")
        }
        // Take the connection at the head of the queue with the reserve, so its client hears no at once.
        if reserve >= 0 {
            close(reserve)
            if case .accepted(let client, _) = Socket.accept(fd) { close(client) }
            reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }
        engine.loop.modify(fd, token: token, events: [])
        engine.loop.schedule(at: engine.loop.now + Self.pause) { [weak self] in
            guard let self else { return }
            engine.loop.modify(fd, token: token, events: .readable)
        }
    }

    private func hand(_ client: Int32, from address: String) {
        let session: TLSConnection?
        if let tls {
            guard let made = try? TLSConnection(context: tls, acceptedFD: client) else {
                close(client)
                return
            }
            session = made
        } else {
            session = nil
        }
        let path = self.path
        engine.group.nextShard().perform { shard in
            let connection = HTTPConnection(engine: shard, fd: client, remoteAddress: address, tls: session, path: path)
            do {
                connection.token = try shard.loop.register(client, events: [.readable, .peerClosed], handler: connection)
                shard.add(connection)
            } catch {
                close(client)
            }
        }
    }
}
