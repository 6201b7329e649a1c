import Foundation
import Glibc

/// `eio serve` as users run it: the built binary in a process of its own, on a free port.
package final class EioServeProcess: @unchecked Sendable {
    package static let binary = packageRoot.appendingPathComponent(".build/debug/eio").path

    package let process = ChildProcess()
    package let port: Int
    private let output = Pipe()

    /// Starts `eio serve --port 0` with `arguments` and waits for its "serving on" line. `fileLimit`: the
    /// process's open-file limit (`ulimit -n`, soft and hard), when it should be lower than ours; `softFileLimit`:
    /// its soft limit alone (`ulimit -S -n`).
    package init(_ arguments: [String], fileLimit: Int? = nil, softFileLimit: Int? = nil) throws {
        if fileLimit != nil || softFileLimit != nil {
            let limit = fileLimit.map { "ulimit -n \($0)" } ?? "ulimit -S -n \(softFileLimit!)"
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(limit) && exec \"$0\" \"$@\"", Self.binary, "serve", "--port", "0"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["serve", "--port", "0"] + arguments
        }
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

    package var pid: Int32 { process.processIdentifier }

    package var threadCount: Int { Self.threadCount(of: pid) }

    /// A process's thread count, from /proc.
    package static func threadCount(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
        else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// Resident memory, from /proc.
    package var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.dropFirst("VmRSS:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0) * 1024
    }

    /// CPU time used so far (user + system), from /proc.
    package var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based, counting pid and comm).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The soft and hard limits on open descriptors, from /proc ("Max open files").
    package var fileLimits: (soft: Int, hard: Int) {
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") } ?? ""
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        return numbers.count >= 2 ? (numbers[0], numbers[1]) : (0, 0)
    }

    /// Open descriptors, from /proc.
    package var openFiles: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0 }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
