#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thrown by a property body to say the property does not hold for this value.
public struct PropertyViolation: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Fails the current case unless `condition` holds.
public func ensure(
    _ condition: Bool, _ message: @autoclosure () -> String = "condition failed", file: StaticString = #fileID, line: UInt = #line
) throws(PropertyViolation) {
    if !condition { throw PropertyViolation("\(message()) (\(file):\(line))") }
}

/// Fails the current case unless the two values are equal.
public func ensureEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ message: @autoclosure () -> String = "", file: StaticString = #fileID, line: UInt = #line
) throws(PropertyViolation) {
    if actual != expected {
        let note = message()
        throw PropertyViolation("\(note.isEmpty ? "" : note + ": ")\(String(reflecting: actual)) != \(String(reflecting: expected)) (\(file):\(line))")
    }
}

/// A failed property, after shrinking: everything needed to reproduce it, as text a person can paste.
public struct PropertyFailure: Error, CustomStringConvertible {
    public var property: String
    public var seed: UInt64
    public var caseNumber: Int
    /// The shrunk choice sequence; `Property.replay(choices:)` reproduces the failure from it.
    public var choices: [UInt64]
    /// The shrunk counterexample, as Swift.
    public var counterexample: String
    public var message: String
    public var shrinkSteps: Int

    public var description: String {
        """
        Property "\(property)" failed on case \(caseNumber) (seed \(seed)); shrunk in \(shrinkSteps) steps to:
            \(counterexample)
        because: \(message)
        Reproduce the whole run: \(PropertyEnvironment.seedVariable)=\(seed) swift test --filter <this test>
        Replay just this case: try property.replay(choices: \(choices))
        """
    }
}

/// A seeded, shrinking property check.
///
/// ```swift
/// let roundTrip = Property("payloads round trip", Generators.packets(version: .v4)) { packets in
///     try ensureEqual(try codec.decode(codec.encode(packets)), packets)
/// }
/// try roundTrip.check()
/// ```
/// The seed comes from `EIO_PROPERTY_SEED` when set, otherwise from the system's RNG; either way it is printed, and
/// a failure prints the seed, the shrunk value and its choice list.
public struct Property<Value> {
    public var name: String
    public var generator: Gen<Value>
    public var body: (Value) throws -> Void
    /// How many candidate replays shrinking may try.
    public var shrinkBudget = 5_000

    public init(_ name: String, _ generator: Gen<Value>, _ body: @escaping (Value) throws -> Void) {
        self.name = name
        self.generator = generator
        self.body = body
    }

    /// Runs `cases` cases (or `EIO_PROPERTY_CASES`). Returns the seed used.
    @discardableResult
    public func check(cases: Int = 1_000, seed: UInt64? = nil) throws(PropertyFailure) -> UInt64 {
        let seed = seed ?? PropertyEnvironment.seed ?? UInt64.random(in: 0...UInt64.max)
        let count = PropertyEnvironment.cases ?? cases
        // Printed before running, so a case that traps (rather than throws) can still be reproduced from the log.
        print("property \"\(name)\": \(count) cases (\(PropertyEnvironment.seedVariable)=\(seed))")
        var seeds = Xoshiro256(seed: seed)
        for caseNumber in 1...max(1, count) {
            var source = ChoiceSource(seed: seeds.next())
            let value = generator.generate(&source)
            do {
                try body(value)
            } catch {
                throw shrink(source.recorded, seed: seed, caseNumber: caseNumber, firstError: error)
            }
        }
        print("property \"\(name)\": passed")
        return seed
    }

    /// Runs the body once on the value `choices` generate (as printed by a failure).
    public func replay(choices: [UInt64]) throws {
        var source = ChoiceSource(replaying: choices)
        try body(generator.generate(&source))
    }

    /// Whether `choices` still make the property fail, and the choices actually used if so.
    private func fails(_ choices: [UInt64]) -> (used: [UInt64], error: any Error)? {
        var source = ChoiceSource(replaying: choices)
        let value = generator.generate(&source)
        do {
            try body(value)
            return nil
        } catch {
            return (source.recorded, error)
        }
    }

    private func shrink(_ original: [UInt64], seed: UInt64, caseNumber: Int, firstError: any Error) -> PropertyFailure {
        var best = original
        var bestError = firstError
        var attempts = 0
        var steps = 0
        func consider(_ candidate: [UInt64]) -> Bool {
            guard attempts < shrinkBudget, candidate != best else { return false }
            attempts += 1
            guard let (used, error) = fails(candidate), Self.simpler(used, than: best) else { return false }
            best = used
            bestError = error
            steps += 1
            return true
        }
        var improved = true
        while improved && attempts < shrinkBudget {
            improved = false
            // Delete runs of choices, longest first: drops whole elements and sub-structures.
            for length in [8, 4, 2, 1] {
                var start = 0
                while start + length <= best.count {
                    var candidate = best
                    candidate.removeSubrange(start..<(start + length))
                    if consider(candidate) { improved = true } else { start += 1 }
                }
            }
            // Lower each choice: to zero, then by binary search.
            for index in best.indices {
                guard index < best.count, best[index] > 0 else { continue }
                var candidate = best
                candidate[index] = 0
                if consider(candidate) {
                    improved = true
                    continue
                }
                var low: UInt64 = 0
                var high = best[index]
                while low + 1 < high {
                    let middle = low + (high - low) / 2
                    candidate = best
                    candidate[index] = middle
                    if consider(candidate) {
                        improved = true
                        high = middle
                    } else {
                        low = middle
                    }
                }
            }
        }
        var source = ChoiceSource(replaying: best)
        let value = generator.generate(&source)
        return PropertyFailure(
            property: name, seed: seed, caseNumber: caseNumber, choices: best,
            counterexample: String(reflecting: value), message: String(describing: bestError), shrinkSteps: steps)
    }

    /// Shorter is simpler; at equal length, lexicographically smaller.
    private static func simpler(_ a: [UInt64], than b: [UInt64]) -> Bool {
        a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
    }
}

/// The environment variables that steer property runs.
public enum PropertyEnvironment {
    /// Fixes the seed of every property run (printed by each run and each failure).
    public static let seedVariable = "EIO_PROPERTY_SEED"
    /// Overrides the number of cases of every property run.
    public static let casesVariable = "EIO_PROPERTY_CASES"

    static var seed: UInt64? { getenv(seedVariable).flatMap { UInt64(String(cString: $0)) } }
    static var cases: Int? { getenv(casesVariable).flatMap { Int(String(cString: $0)) } }
}
