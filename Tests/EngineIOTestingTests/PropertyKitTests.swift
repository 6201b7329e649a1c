import EngineIOTesting
import Testing

/// The property runner must find failures and shrink them; a kit that cannot fail would make every property vacuous.
@Suite("Property kit")
struct PropertyKitTests {
    @Test("a false property is found and shrunk to the smallest counterexample")
    func shrinksIntegers() throws {
        let property = Property("no integer reaches 1000", Gen.int(in: 0...1_000_000)) { value in
            try ensure(value < 1000, "too big")
        }
        do {
            try property.check(cases: 1_000, seed: 42)
            Issue.record("the runner missed an obvious failure")
        } catch {
            #expect(error.counterexample == "1000")
            #expect(error.seed == 42)
            #expect(error.description.contains("EIO_PROPERTY_SEED=42"))
        }
    }

    @Test("arrays shrink by deleting elements and lowering the rest")
    func shrinksArrays() throws {
        let property = Property("no array sums past 100", Gen.int(in: 0...90).array(maxCount: 20)) { values in
            try ensure(values.reduce(0, +) <= 100)
        }
        do {
            try property.check(cases: 2_000, seed: 7)
            Issue.record("the runner missed an obvious failure")
        } catch {
            // Two elements are needed to exceed 100 with values ≤ 90; the minimal pair is [11, 90] or [90, 11].
            let values = try #require(parse(error.counterexample))
            #expect(values.count == 2)
            #expect(values.reduce(0, +) == 101)
            // Replaying the printed choices reproduces the failure.
            #expect(throws: PropertyViolation.self) { try property.replay(choices: error.choices) }
        }
    }

    @Test("the same seed generates the same values")
    func deterministic() throws {
        var first = ChoiceSource(seed: 99)
        var second = ChoiceSource(seed: 99)
        let generator = Gen.bytes(maxCount: 32)
        #expect(generator.generate(&first) == generator.generate(&second))
        #expect(first.recorded == second.recorded)
    }

    @Test("replaying past the end of the choices yields the simplest values")
    func replayDefaults() throws {
        var source = ChoiceSource(replaying: [])
        #expect(Gen.int(in: 5...9).generate(&source) == 5)
        #expect(Gen.bytes(maxCount: 10).generate(&source) == [])
    }

    @Test("chunking keeps every byte in order")
    func chunking() throws {
        let bytes = Array(0..<10).map(UInt8.init)
        #expect(bytes.chunked(by: [3, 0, 4]).map(Array.init) == [[0, 1, 2], [3], [4, 5, 6, 7], [8, 9]])
    }

    private func parse(_ text: String) -> [Int]? {
        let inner = text.dropFirst().dropLast()
        return inner.isEmpty ? [] : inner.split(separator: ",").map { Int($0.trimmingCharacters(in: " ")) ?? -1 }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var slice = self
        while slice.first == set { slice = slice.dropFirst() }
        while slice.last == set { slice = slice.dropLast() }
        return slice
    }
}
