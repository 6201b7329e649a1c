/// A generator of test values that draws its decisions from a `ChoiceSource`, and therefore shrinks.
///
/// Generators are values: build them from the primitives here with `map`, `flatMap`, `array`, `oneOf`. Write them so
/// that choice 0 gives the simplest value (the first alternative, the lower bound, the empty array); shrinking then
/// finds small counterexamples.
public struct Gen<Value>: Sendable {
    private let body: @Sendable (inout ChoiceSource) -> Value

    public init(_ body: @escaping @Sendable (inout ChoiceSource) -> Value) { self.body = body }

    /// One value.
    public func generate(_ source: inout ChoiceSource) -> Value { body(&source) }

    public func map<Other>(_ transform: @escaping @Sendable (Value) -> Other) -> Gen<Other> {
        Gen<Other> { source in transform(self.generate(&source)) }
    }

    public func flatMap<Other>(_ transform: @escaping @Sendable (Value) -> Gen<Other>) -> Gen<Other> {
        Gen<Other> { source in transform(self.generate(&source)).generate(&source) }
    }

    /// An array whose length comes from `count`.
    public func array(count: Gen<Int>) -> Gen<[Value]> {
        Gen<[Value]> { source in
            let length = count.generate(&source)
            var result: [Value] = []
            result.reserveCapacity(length)
            for _ in 0..<length { result.append(self.generate(&source)) }
            return result
        }
    }

    /// An array of up to `maxCount` elements, built element by element with a "one more?" choice before each, so
    /// shrinking can delete any element (a length drawn up front cannot lose a middle element). Lengths are
    /// geometric with mean about `averageCount` (default: a quarter of `maxCount`, at least 1).
    public func array(maxCount: Int, averageCount: Int? = nil) -> Gen<[Value]> {
        // "One more" is any non-zero draw, so the shrinker's favourite value, 0, ends the array.
        let odds = UInt64(max(1, averageCount ?? maxCount / 4))
        return Gen<[Value]> { source in
            var result: [Value] = []
            while result.count < maxCount, source.draw(upTo: odds) != 0 { result.append(self.generate(&source)) }
            return result
        }
    }

    /// `nil` (the simplest) or a value.
    public var optional: Gen<Value?> {
        Gen<Value?> { source in source.draw(upTo: 1) == 0 ? nil : self.generate(&source) }
    }
}

extension Gen where Value == Int {
    /// An integer in `range`, shrinking towards its lower bound.
    public static func int(in range: ClosedRange<Int>) -> Gen<Int> {
        Gen { source in
            let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound))
            return Int(truncatingIfNeeded: Int64(range.lowerBound) &+ Int64(bitPattern: source.draw(upTo: span)))
        }
    }
}

extension Gen where Value == Bool {
    public static let bool = Gen { source in source.draw(upTo: 1) == 1 }
}

extension Gen where Value == UInt8 {
    /// Any byte, shrinking towards 0.
    public static let byte = Gen { source in UInt8(source.draw(upTo: 255)) }

    /// One of `bytes`, shrinking towards the first.
    public static func byte(from bytes: [UInt8]) -> Gen<UInt8> { element(of: bytes) }
}

extension Gen where Value == [UInt8] {
    /// Up to `maxCount` arbitrary bytes.
    public static func bytes(maxCount: Int) -> Gen<[UInt8]> { Gen<UInt8>.byte.array(maxCount: maxCount) }
}

extension Gen where Value == Unicode.Scalar {
    /// Any Unicode scalar, biased to ASCII, then the BMP, then astral planes (where UTF-16 needs surrogate pairs).
    public static let scalar: Gen<Unicode.Scalar> = Gen { source in
        let value: UInt32 =
            switch source.draw(upTo: 3) {
            case 0: UInt32(source.draw(upTo: 0x7F))
            case 1: UInt32(0x80 + source.draw(upTo: 0x7FF - 0x80))
            case 2: UInt32(0x800 + source.draw(upTo: 0xFFFD - 0x800))
            default: UInt32(0x10000 + source.draw(upTo: 0x10FFFF - 0x10000))
            }
        return Unicode.Scalar(value) ?? "\u{FFFD}"  // surrogate code points are not scalars
    }
}

extension Gen where Value == String {
    /// A string of up to `maxCount` scalars drawn from `scalars`.
    public static func string(maxCount: Int, of scalars: Gen<Unicode.Scalar> = .scalar) -> Gen<String> {
        scalars.array(maxCount: maxCount).map { list in
            var text = String.UnicodeScalarView()
            text.append(contentsOf: list)
            return String(text)
        }
    }
}

extension Gen {
    /// A constant.
    public static func just(_ value: Value) -> Gen<Value> where Value: Sendable { Gen { _ in value } }

    /// One of `values`, shrinking towards the first.
    public static func element(of values: [Value]) -> Gen<Value> where Value: Sendable {
        precondition(!values.isEmpty, "element(of:) needs at least one value")
        return Gen { source in values[Int(source.draw(upTo: UInt64(values.count - 1)))] }
    }

    /// A value from one of `generators`, shrinking towards the first.
    public static func oneOf(_ generators: [Gen<Value>]) -> Gen<Value> {
        precondition(!generators.isEmpty, "oneOf needs at least one generator")
        return Gen { source in generators[Int(source.draw(upTo: UInt64(generators.count - 1)))].generate(&source) }
    }

    /// Pairs from two generators.
    public static func zip<A, B>(_ a: Gen<A>, _ b: Gen<B>) -> Gen<(A, B)> where Value == (A, B) {
        Gen { source in (a.generate(&source), b.generate(&source)) }
    }
}
