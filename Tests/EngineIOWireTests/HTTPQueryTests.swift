import EngineIOWire
import Testing

@Suite("HTTP query strings")
struct HTTPQueryTests {
    @Test("An Engine.IO query parses into its pairs in order")
    func engineIOQuery() {
        let query = HTTPQuery(parsing: "EIO=4&transport=polling&t=N8hyd6w&sid=lv_VI97HAXpY6yYWAAAC")
        #expect(query.first(named: "EIO") == "4")
        #expect(query.first(named: "transport") == "polling")
        #expect(query.first(named: "sid") == "lv_VI97HAXpY6yYWAAAC")
        #expect(query.first(named: "eio") == nil)
        #expect(query.first(named: "j") == nil)
        #expect(query.items.map(\.name) == ["EIO", "transport", "t", "sid"])
    }

    @Test("A request head's query feeds the parser directly")
    func fromRequestHead() throws {
        let head = HTTPRequestHead(method: "GET", target: "/engine.io/?EIO=3&transport=polling&b64=1")
        let query = HTTPQuery(parsing: try #require(head.query))
        #expect(query.first(named: "b64") == "1")
        #expect(query.first(named: "EIO") == "3")
    }

    @Test("Percent escapes decode to UTF-8 and plus signs to spaces")
    func decoding() {
        let pairs = HTTPQuery.parse("name=J%C3%BCrgen+M%C3%BCller&x=%41%2b%2B&sp%61ce+name=a+b")
        #expect(pairs.map(\.name) == ["name", "x", "space name"])
        #expect(pairs.map(\.value) == ["J\u{FC}rgen M\u{FC}ller", "A++", "a b"])
    }

    @Test("Invalid escapes are kept verbatim and invalid UTF-8 becomes U+FFFD")
    func invalidInput() {
        let query = HTTPQuery(parsing: "a=%zz&b=%4&c=100%&d=%FF&e=%C3")
        #expect(query.first(named: "a") == "%zz")
        #expect(query.first(named: "b") == "%4")
        #expect(query.first(named: "c") == "100%")
        #expect(query.first(named: "d") == "\u{FFFD}")
        #expect(query.first(named: "e") == "\u{FFFD}")
    }

    @Test("Empty pairs are skipped, a missing = gives an empty value and only the first = splits")
    func pairShapes() {
        let pairs = HTTPQuery.parse("?&&flag&b=&=c&d=e=f&")
        #expect(pairs.map(\.name) == ["flag", "b", "", "d"])
        #expect(pairs.map(\.value) == ["", "", "c", "e=f"])
        #expect(HTTPQuery.parse("").isEmpty)
        #expect(HTTPQuery.parse("?").isEmpty)
    }

    @Test("values(named:) returns every value of a repeated name")
    func repeatedNames() {
        let query = HTTPQuery(parsing: "a=1&b=2&a=3")
        #expect(query.values(named: "a") == ["1", "3"])
        #expect(query.first(named: "a") == "1")
    }

    @Test("Percent-encoding keeps only unreserved characters")
    func encoding() {
        #expect(HTTPPercentEncoding.encode("a b&c=d/\u{E9}~-._+%") == "a%20b%26c%3Dd%2F%C3%A9~-._%2B%25")
        #expect(HTTPPercentEncoding.encode("plain-Text_1.2~") == "plain-Text_1.2~")
    }

    @Test("Percent-decoding treats + as a space only when asked")
    func decodeOptions() {
        #expect(HTTPPercentEncoding.decode("a+b%20c") == "a+b c")
        #expect(HTTPPercentEncoding.decode("a+b%20c", plusAsSpace: true) == "a b c")
    }

    @Test("An encoded query parses back to the same pairs")
    func roundTrip() {
        var query = HTTPQuery([("EIO", "4"), ("transport", "websocket")])
        query.append(name: "token", value: "a b+c&d=e/\u{1F600}%")
        query.append(name: "empty", value: "")
        let encoded = query.encoded()
        #expect(encoded == "EIO=4&transport=websocket&token=a%20b%2Bc%26d%3De%2F%F0%9F%98%80%25&empty=")
        #expect(HTTPQuery(parsing: encoded) == query)
    }
}
