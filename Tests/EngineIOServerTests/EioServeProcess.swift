import Foundation
import Glibc

/// `eio serve` as users run it: the built binary in a process of its own, on a free port.
final class EioServeProcess {
    static let binary = LoopbackTests.PythonClientInteropTests.root.appendingPathComponent(".build/debug/eio").path

    let process = Process()
    let port: Int
    private let output = Pipe()

    /// Starts `eio serve --port 0` with `arguments` and waits for its "serving on" line.
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { throw TestFailure("eio serve exited before serving: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        // "eio serving on http://127.0.0.1:PORT/ (…)"
        guard let range = text.range(of: #":(\d+)/"#, options: .regularExpression),
            let port = Int(text[range].dropFirst().dropLast())
        else { throw TestFailure("no port in \(text)") }
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    var threadCount: Int { Self.threadCount(of: pid) }

    /// A process's thread count, from /proc.
    static func threadCount(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
        else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
