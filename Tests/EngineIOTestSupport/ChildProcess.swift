import Foundation
import CLinux
import EngineIOPlatform
import Glibc

/// A child process started with `posix_spawn`, with the part of Foundation's `Process` interface the tests use.
///
/// Why not `Process`: on this toolchain its `run()` finds the descriptors to close in the child by reading
/// `/proc/self/fd`, and that code over-reads (swift-corelibs-foundation PR #5472): a test process with many sockets
/// open crashed in `Process.run()` with SIGSEGV in CI. Here the child closes every descriptor above the standard
/// three with `posix_spawn_file_actions_addclosefrom_np` (the `close_range` system call), so nothing is scanned and
/// no test's socket leaks into a child.
///
/// The standard streams take a `Pipe` (the child gets the end it needs, and the parent closes that end once the
/// child runs, so reading the other end sees EOF when the child exits) or a `FileHandle` (`FileHandle.nullDevice`
/// means /dev/null); left `nil`, the child shares ours.
package final class ChildProcess: @unchecked Sendable {
    package var executableURL: URL?
    package var arguments: [String] = []
    /// The child's environment; `nil` passes ours on.
    package var environment: [String: String]?
    package var standardInput: Any?
    package var standardOutput: Any?
    package var standardError: Any?

    package private(set) var processIdentifier: Int32 = 0
    /// The wait status once the child has been reaped.
    private let reaped = Locked<Int32?>(nil)

    package init() {}

    /// Starts the child.
    package func run() throws {
        guard let path = executableURL?.path else { throw TestFailure("ChildProcess: no executable") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            guard let stream else { continue }
            let descriptor =
                switch stream {
                case let pipe as Pipe: target == 0 ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
                case let handle as FileHandle: handle.fileDescriptor
                default: throw TestFailure("ChildProcess: a standard stream must be a Pipe or a FileHandle")
                }
            if descriptor < 0 {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        clinux_spawn_close_from(&actions, 3)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { arguments in
            if let envp {
                return envp.withUnsafeBufferPointer { posix_spawn(&pid, path, &actions, nil, arguments.baseAddress!, $0.baseAddress!) }
            }
            return posix_spawn(&pid, path, &actions, nil, arguments.baseAddress!, environ)
        }
        guard result == 0 else { throw TestFailure("ChildProcess: posix_spawn \(path): \(String(cString: strerror(result)))") }
        processIdentifier = pid
        // The child has its copies; the parent's copies of the child's ends would keep the pipes open past its exit.
        for (target, stream) in [(0, standardInput), (1, standardOutput), (2, standardError)] {
            guard let pipe = stream as? Pipe else { continue }
            try? (target == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting).close()
        }
    }

    /// Whether the child has not exited yet.
    package var isRunning: Bool {
        guard processIdentifier > 0 else { return false }
        return reaped.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = raw
            return false
        }
    }

    /// Blocks until the child exits.
    package func waitUntilExit() {
        guard processIdentifier > 0 else { return }
        while isRunning { usleep(2_000) }
    }

    /// The exit code, or the signal that ended the child (as Foundation reports it).
    package var terminationStatus: Int32 {
        guard let status = reaped.withLock({ $0 }) else { return 0 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }
}
