import Foundation
import Glibc
import Synchronization
import EngineIOPlatform

/// The package's root directory (where `Package.swift` is), for the tests' scripts and the built binaries.
package let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Lines appended from any thread, read back in order.
package final class LockedLines: @unchecked Sendable {
    package init() {}
    private let lock = NSLock()
    private var lines: [String] = []

    package func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    package var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

/// Samples a count every millisecond on a thread of its own until stopped; keeps the peak.
package final class PeakSampler: Sendable {
    private let state = Locked((peak: 0, running: true))
    private let done = DispatchSemaphore(value: 0)

    package init(_ sample: @escaping @Sendable () -> Int) {
        Thread { [self] in
            while state.withLock({ $0.running }) {
                let count = sample()
                state.withLock { $0.peak = max($0.peak, count) }
                usleep(1_000)
            }
            done.signal()
        }.start()
    }

    package func stop() -> Int {
        state.withLock { $0.running = false }
        done.wait()
        return state.withLock { $0.peak }
    }
}

/// A self-signed certificate for `names` (e.g. `DNS:localhost,IP:127.0.0.1`), made with the openssl tool.
package func selfSignedCertificate(names: String) throws -> (cert: String, key: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eio-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=test", "-addext", "subjectAltName=\(names)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("openssl req failed") }
    return (cert, key)
}
