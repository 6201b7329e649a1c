import Foundation
import Glibc

/// Whether standard input has reached its end (the parent closed the pipe); does not wait.
func standardInputEnded() -> Bool {
    var entry = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, 0) > 0 else { return false }
    var byte: UInt8 = 0
    return read(0, &byte, 1) <= 0
}

/// One idle load in a child `eio-bench` (`--attach PORT --load idle --idle N --until-stdin-closes`): a process may
/// hold only so many descriptors, and every session takes one on each side, so a count past the limit is spread
/// over several server processes, each loaded by a child of its own. The child opens its sessions, answers their
/// pings, and lets them go when its standard input closes.
final class IdleLoadProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var text = ""

    init(port: Int, count: Int) throws {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--attach", String(port), "--load", "idle", "--idle", String(count), "--until-stdin-closes"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let handle = output.fileHandleForReading
        try process.run()
        // Read the child's lines as they come (a thread per child: a handful of children, for one measurement).
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                lock.withLock { text += String(decoding: chunk, as: UTF8.self) }
            }
        }.start()
    }

    /// Whether the child has opened its sessions (or given up opening them after its minute).
    var hasOpened: Bool { lock.withLock { text.contains("idle sessions open") } }

    /// Lets the sessions go; returns how many were still open then and the pings they answered.
    func finish() -> (open: Int, pings: Int) {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        // The reader thread gets the last line once the child's end of the pipe closes.
        for _ in 0..<50 where !lock.withLock({ text.contains("still open") }) { Thread.sleep(forTimeInterval: 0.02) }
        let line = lock.withLock { text }.split(separator: "\n").first { $0.contains("still open") } ?? ""
        let numbers = line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
        return (numbers.first ?? 0, numbers.count > 1 ? numbers[1] : 0)
    }

    deinit { if process.isRunning { process.terminate() } }
}
