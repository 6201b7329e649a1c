import EngineIOJSON
import EngineIOTesting
import Testing

@Suite("JSON")
struct JSONTests {
    @Test("a document parses to ordered values with integers kept apart from doubles")
    func parsing() throws {
        let value = try JSONParser.parse(#" {"b":[1,2.5,-0,1e2,true,null],"a":"x\u00e9\ud83d\ude00\n"} "#)
        #expect(value == ["b": [1, 2.5, 0, 100.0, true, nil], "a": "xé😀\n"])
        #expect(value["a"] == "xé😀\n")
        #expect(value["missing"] == nil)
    }

    @Test("duplicate keys resolve to the last value, as in JavaScript")
    func duplicateKeys() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#)["a"] == 2)
    }

    @Test("a lone surrogate escape becomes the replacement character")
    func loneSurrogate() throws {
        #expect(try JSONParser.parse(#""\ud800x""#) == "\u{FFFD}x")
    }

    @Test("invalid documents are refused with the offset of the problem")
    func errors() throws {
        #expect(throws: JSONParseError(reason: .trailingData, offset: 2)) { try JSONParser.parse("1 2") }
        #expect(throws: JSONParseError(reason: .unexpectedEnd, offset: 1)) { try JSONParser.parse("[") }
        #expect(throws: JSONParseError(reason: .unexpectedEnd, offset: 1)) { try JSONParser.parse("-") }
        #expect(throws: JSONParseError(reason: .invalidNumber, offset: 1)) { try JSONParser.parse("-a") }
        #expect(throws: JSONParseError(reason: .invalidNumber, offset: 2)) { try JSONParser.parse("1.") }
        #expect(throws: JSONParseError(reason: .invalidNumber, offset: 0)) { try JSONParser.parse("1e999") }
        #expect(throws: JSONParseError(reason: .controlCharacterInString, offset: 1)) { try JSONParser.parse("\"\n\"") }
        #expect(throws: JSONParseError(reason: .invalidEscape, offset: 2)) { try JSONParser.parse(#""\x""#) }
        #expect(throws: JSONParseError(reason: .invalidUTF8, offset: 1)) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError(reason: .unexpectedEnd, offset: 3)) { try JSONParser.parse("tru") }
        #expect(throws: JSONParseError(reason: .unexpectedByte(UInt8(ascii: "x")), offset: 2)) { try JSONParser.parse("trx") }
        #expect(throws: JSONParseError(reason: .tooDeep, offset: 3)) { try JSONParser.parse("[[[[", maxDepth: 3) }
    }

    @Test("serialisation is compact, and python-style ASCII escaping is available")
    func serialisation() throws {
        let value: JSONValue = ["a": [1, 2.5, nil, true], "é": "😀\"\\\u{01}"]
        #expect(JSONSerializer.string(value) == "{\"a\":[1,2.5,null,true],\"é\":\"😀\\\"\\\\\\u0001\"}")
        #expect(JSONSerializer.string(value, asciiOnly: true) == "{\"a\":[1,2.5,null,true],\"\\u00e9\":\"\\ud83d\\ude00\\\"\\\\\\u0001\"}")
        #expect(JSONSerializer.string(.double(20)) == "20.0")
        #expect(JSONSerializer.string(.double(.infinity)) == "null")
    }

    @Test("every value survives serialisation, with and without ASCII escaping")
    func roundTrip() throws {
        try Property("JSON round trip", Generators.json()) { value in
            try ensureEqual(try JSONParser.parse(JSONSerializer.string(value)), value)
            try ensureEqual(try JSONParser.parse(JSONSerializer.string(value, asciiOnly: true)), value)
        }.check(cases: 1_000)
    }

    @Test("arbitrary bytes parse or fail with a typed error, and what parses re-serialises faithfully")
    func arbitraryBytes() throws {
        let alphabet = Array(#"{}[],:"\ tfnrue0123456789.-+eE"#.utf8) + [0x80, 0xC3, 0xA9]
        try Property("JSON parser on JSON-ish bytes", Gen.byte(from: alphabet).array(maxCount: 40)) { bytes in
            try ensure(FuzzTargets.run("json", bytes) == nil)
        }.check(cases: 5_000)
    }
}
