import EngineIOPlatform
import EngineIOTestSupport
import Foundation
import Glibc
import Testing

extension LoopbackTests {
    /// What idle TLS sessions cost a server once the storm of handshakes that opened them has passed.
    @Suite("TLS memory")
    struct TLSMemoryTests {
        static let sessions = 1_200

        @Test("after a storm of TLS handshakes has passed, the server gives the handshakes' freed buffers back to the system")
        func handshakeStormMemoryIsReturned() throws {
            FileLimit.raise()
            let certificate = try selfSignedCertificate(names: "IP:127.0.0.1")
            let server = try EioServeProcess(["--echo", "--certfile", certificate.cert, "--keyfile", certificate.key])
            Thread.sleep(forTimeInterval: 0.3)
            let baseline = server.residentBytes
            let clients = try Self.storm(port: server.port, count: Self.sessions)
            defer { for client in clients { close(client.fd) } }

            // The sweep trims once arrivals have been quiet for a quarter of a second; give it a few seconds.
            var perSession = Int.max
            let deadline = Date().addingTimeInterval(8)
            while Date() < deadline {
                Thread.sleep(forTimeInterval: 0.25)
                perSession = (server.residentBytes - baseline) / Self.sessions
                if perSession <= 30_000 { break }
            }
            print("TLS memory: \(Self.sessions) idle TLS sessions opened at once hold \(perSession) B of RSS each, baseline \(baseline >> 20) MB")
            // OpenSSL keeps about 15 KB per connection and the session about 2.5 KB; a storm frees about 30 KB of
            // handshake buffers per connection in between, which glibc keeps (about 45 KB per session) until trimmed.
            #expect(perSession <= 30_000, "\(perSession) B per idle TLS session")
        }

        /// Opens `count` TLS connections at once and asks each for a WebSocket session: all their handshakes are
        /// under way together, as when a server restarts under its clients. Returns them open, never read again.
        static func storm(port: Int, count: Int) throws -> [(fd: Int32, tls: TLSConnection)] {
            let context = try TLSClientContext(verify: false)
            var pending: [(fd: Int32, tls: TLSConnection)] = []
            for _ in 0..<count {
                let fd = try connectedLoopbackSocket(port: port)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                pending.append((fd, try TLSConnection(context: context, fd: fd, hostname: "127.0.0.1")))
            }
            let request = Array("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8)
            var open: [(fd: Int32, tls: TLSConnection)] = []
            let deadline = Date().addingTimeInterval(60)
            while !pending.isEmpty, Date() < deadline {
                var waiting: [(fd: Int32, tls: TLSConnection)] = []
                for client in pending {
                    switch client.tls.handshake() {
                    case .done:
                        guard case .done = request.withUnsafeBytes({ client.tls.write($0) }) else { throw TestFailure("the upgrade request was not written") }
                        open.append(client)
                    case .wantRead, .wantWrite:
                        waiting.append(client)
                    case .closed, .failed(_):
                        throw TestFailure("a TLS handshake failed")
                    }
                }
                pending = waiting
                if !pending.isEmpty { Thread.sleep(forTimeInterval: 0.002) }
            }
            guard pending.isEmpty else { throw TestFailure("\(pending.count) TLS handshakes did not finish") }
            return open
        }
    }
}
