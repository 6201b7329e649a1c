import Testing

/// One loopback test at a time across every test target: several cases depend on 100 ms timing, which a CPU-heavy
/// neighbour (a python peer moving megabytes) would disturb on two cores. `.serialized` orders the tests of one
/// suite; this trait also keeps the client suites and the server suites from running beside each other.
package struct LoopbackGate: SuiteTrait, TestTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Being recursive, the trait is asked for each test case (a suite's own scope gets no gate).
        guard testCase != nil else { return try await function() }
        await Self.gate.enter()
        do {
            try await function()
        } catch {
            await Self.gate.leave()
            throw error
        }
        await Self.gate.leave()
    }

    private static let gate = Gate()

    /// A FIFO mutex for tasks.
    private actor Gate {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            if !busy {
                busy = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }
}

extension Trait where Self == LoopbackGate {
    /// Runs each test alone among every test that carries this trait (see ``LoopbackGate``).
    package static var loopbackGate: Self { LoopbackGate() }
}
