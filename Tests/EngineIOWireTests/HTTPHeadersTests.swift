@testable import EngineIOWire
import Testing

@Suite("HTTP headers")
struct HTTPHeadersTests {
    @Test("Lookups ignore case while the stored names keep theirs")
    func caseInsensitiveLookup() {
        let headers: HTTPHeaders = ["Content-Type": "text/plain", "X-Custom": "1"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
        #expect(headers["Content-Typ"] == nil)
        #expect(headers.contains("x-custom"))
        #expect(!headers.contains("x-other"))
        #expect(headers.map(\.name) == ["Content-Type", "X-Custom"])
        #expect(headers[1].value == "1")
        #expect(headers.count == 2)
    }

    @Test("Repeated fields keep their order; the subscript gives the first value")
    func repeatedFields() {
        var headers = HTTPHeaders()
        headers.add(name: "Set-Cookie", value: "a=1")
        headers.add(name: "Host", value: "h")
        headers.add(name: "set-cookie", value: "b=2")
        #expect(headers["SET-COOKIE"] == "a=1")
        #expect(headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.values(for: "Missing") == [])
    }

    @Test("replaceOrAdd replaces the first field in place and drops the others of that name")
    func replaceOrAdd() {
        var headers = HTTPHeaders([("A", "1"), ("x-dup", "2"), ("B", "3"), ("X-Dup", "4")])
        headers.replaceOrAdd(name: "X-Dup", value: "5")
        #expect(headers == HTTPHeaders([("A", "1"), ("X-Dup", "5"), ("B", "3")]))
        headers.replaceOrAdd(name: "C", value: "6")
        #expect(headers == HTTPHeaders([("A", "1"), ("X-Dup", "5"), ("B", "3"), ("C", "6")]))
    }

    @Test("remove drops every field of that name, in any case")
    func remove() {
        var headers = HTTPHeaders([("A", "1"), ("b", "2"), ("B", "3")])
        headers.remove(name: "B")
        #expect(headers == ["A": "1"])
        headers.remove(name: "missing")
        #expect(headers == ["A": "1"])
    }

    @Test("Equality compares fields as written, order and case included")
    func equality() {
        #expect((["A": "1", "B": "2"] as HTTPHeaders) != (["B": "2", "A": "1"] as HTTPHeaders))
        #expect((["A": "1"] as HTTPHeaders) != (["a": "1"] as HTTPHeaders))
        #expect((["A": "1"] as HTTPHeaders) == HTTPHeaders([("A", "1")]))
    }

    @Test("Tokens are found in comma-separated values case-insensitively, across field lines, as whole elements")
    func tokenLists() {
        let headers = HTTPHeaders([("Connection", "keep-alive , Upgrade"), ("connection", "\tTE"), ("Upgrade", "websocket")])
        #expect(headers.contains(token: "upgrade", inHeader: "Connection"))
        #expect(headers.contains(token: "KEEP-ALIVE", inHeader: "connection"))
        #expect(headers.contains(token: "te", inHeader: "Connection"))
        #expect(!headers.contains(token: "close", inHeader: "Connection"))
        #expect(!headers.contains(token: "keep", inHeader: "Connection"))
        #expect(!headers.contains(token: "upgraded", inHeader: "Connection"))
        #expect(!headers.contains(token: "websocket", inHeader: "Connection"))
        #expect((["Connection": ",,close,"] as HTTPHeaders).contains(token: "close", inHeader: "Connection"))
    }

    @Test("The in-place list and name checks answer as HTTPListElements and the byte-wise comparison do, on random text")
    func inPlaceChecksMatchTheElementWalk() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["a", "A", "up", "UP", "grade", ",", " ", "\t", "é", "-", ""]
        func text() -> String { (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
        for _ in 0..<3_000 {
            let value = text(), token = text(), name = text()
            let walked = HTTPListElements(value).contains { HTTPSyntax.equalsIgnoringASCIICase($0, token.utf8) }
            #expect(HTTPSyntax.list(value, containsToken: token) == walked, "\(value) / \(token)")
            #expect(HTTPSyntax.sameName(name, token) == HTTPSyntax.equalsIgnoringASCIICase(name.utf8, token.utf8), "\(name) / \(token)")
        }
    }
}
