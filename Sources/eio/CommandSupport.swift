// What both commands share: their errors, output lines, signals, and a bridge from blocking code to async code.
import EngineIO
import EngineIOWire
import Foundation
import Synchronization

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// `--help`: the usage goes to standard output and the command succeeds.
struct HelpRequested: Error {
    var text: String
}

/// The version `eio --version` prints.
let eioVersion = "0.4.0"

/// A line on standard error, written at once.
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A line on standard output, written at once (print buffers when stdout is a pipe).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Runs async work from synchronous code and waits for it (the main thread is not part of the cooperative pool).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = LockedResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    _ = try? runBlocking { () async throws -> Bool in
        await body()
        return true
    }
}

final class LockedResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        lock.lock()
        value = result
        lock.unlock()
    }

    func get() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try value!.get()
    }
}

/// Blocks until SIGINT or SIGTERM; returns which. A second signal during the drain that follows SIGTERM stops the
/// process at once.
func waitForSignal() -> Int32 {
    let received = DispatchSemaphore(value: 0)
    let first = Atomic<Int32>(0)
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if first.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                received.signal()
            } else {
                announce("eio stopped without draining")
                exit(0)
            }
        }
        source.resume()
        signalSources.append(source)
    }
    received.wait()
    return first.load(ordering: .relaxed)
}

/// The signal sources stay alive for the rest of the process (main thread only).
nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []

