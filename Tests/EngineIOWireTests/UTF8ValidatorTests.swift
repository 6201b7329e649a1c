import EngineIOWire
import Testing

@Suite("UTF-8 validator")
struct UTF8ValidatorTests {
    @Test("ASCII, and code points at every encoding-length boundary, are valid")
    func boundaries() {
        let texts = ["", "Hello, world", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}",
                     "\u{10000}", "\u{10FFFF}", "κόσμε", "日本語テキスト", "😀 emoji 👍🏽"]
        for text in texts {
            #expect(UTF8Validator.isValid(text.utf8), "\(text)")
        }
    }

    @Test(
        "overlongs, surrogates, values above U+10FFFF, bad lead bytes and stray continuations are invalid",
        arguments: [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80],
            [0xF0, 0x8F, 0xBF, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0x80], [0xBF], [0x61, 0x80, 0x62], [0xC2, 0x41],
            [0xE1, 0x80, 0x41], [0xF1, 0x80, 0x80, 0xC0],
        ] as [[UInt8]]
    )
    func invalidSequences(bytes: [UInt8]) {
        var validator = UTF8Validator()
        #expect(validator.consume(bytes) == false)
        #expect(validator.isComplete == false)
        #expect(validator.hasFailed)
        #expect(UTF8Validator.isValid(bytes) == false)
        #expect(UTF8Validator.string(bytes) == nil)
        #expect(UTF8Validator.string([0x34] + bytes + [0x7A]) == nil)  // in the middle of a text too
    }

    @Test("a text is built from bytes exactly when the standard library's validating initializer accepts them")
    func stringMatchesTheStandardLibrary() {
        var random = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("a".utf8), Array("κ".utf8), Array("€".utf8), Array("😀".utf8), [0x80], [0xC0], [0xED, 0xA0], [0xF4, 0x90]]
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) { bytes += pieces.randomElement(using: &random)! }
            let expected = String(validating: bytes, as: UTF8.self)
            #expect(UTF8Validator.string(bytes) == expected, "\(bytes)")
            #expect(UTF8Validator.string(bytes[...]) == expected, "\(bytes)")
        }
    }

    @Test("a truncated sequence is accepted so far but not complete")
    func truncated() {
        var validator = UTF8Validator()
        #expect(validator.consume([0x61, 0xF0, 0x9F, 0x98]) == true)
        #expect(validator.isComplete == false)
        #expect(validator.consume([0x80]) == true)
        #expect(validator.isComplete)
        #expect(UTF8Validator.isValid([0xE2, 0x82]) == false)
    }

    @Test("splitting a multi-byte text at every position gives the same verdict as validating it whole")
    func splitEverywhere() {
        let bytes = Array("aκόσμε€😀z".utf8)
        for split in 0...bytes.count {
            var validator = UTF8Validator()
            #expect(validator.consume(bytes[..<split]) == true)
            #expect(validator.consume(bytes[split...]) == true)
            #expect(validator.isComplete, "split at \(split)")
        }
    }

    @Test("invalid input is rejected at the first byte that makes it impossible, and stays rejected")
    func failFast() {
        var validator = UTF8Validator()
        #expect(validator.consume([0x61, 0xED]) == true)
        #expect(validator.consume([0xA0]) == false)  // ED A0 can only start a surrogate
        #expect(validator.consume([0x61]) == false)
        #expect(validator.isComplete == false)

        var overLimit = UTF8Validator()
        #expect(overLimit.consume([0xF4]) == true)
        #expect(overLimit.consume([0x90]) == false)
    }

    @Test("an invalid byte is found at any offset inside long ASCII runs that take the 8-byte path")
    func invalidInsideASCIIRuns() {
        for position in 0..<40 {
            var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 40)
            bytes[position] = 0x80
            #expect(UTF8Validator.isValid(bytes) == false, "position \(position)")
            bytes[position] = 0x7F
            #expect(UTF8Validator.isValid(bytes), "position \(position)")
        }
    }

    @Test("every 1- and 2-byte input gets the same verdict as the standard library")
    func exhaustiveTwoBytes() {
        for first in 0...255 {
            let one = [UInt8(first)]
            #expect(UTF8Validator.isValid(one) == (String(validating: one, as: UTF8.self) != nil))
            for second in 0...255 {
                let two = [UInt8(first), UInt8(second)]
                let expected = String(validating: two, as: UTF8.self) != nil
                if UTF8Validator.isValid(two) != expected {
                    Issue.record("mismatch for \(two)")
                }
            }
        }
    }

    @Test("3- and 4-byte inputs around the continuation range get the same verdict as the standard library")
    func threeAndFourBytes() {
        let tails: [UInt8] = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in 0xE0...0xF7 {
            for b1 in tails {
                for b2 in tails {
                    let three = [UInt8(lead), b1, b2]
                    if UTF8Validator.isValid(three) != (String(validating: three, as: UTF8.self) != nil) {
                        Issue.record("mismatch for \(three)")
                    }
                    for b3 in tails {
                        let four = [UInt8(lead), b1, b2, b3]
                        if UTF8Validator.isValid(four) != (String(validating: four, as: UTF8.self) != nil) {
                            Issue.record("mismatch for \(four)")
                        }
                    }
                }
            }
        }
    }
}
