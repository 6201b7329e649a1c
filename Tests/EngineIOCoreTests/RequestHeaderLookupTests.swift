import EngineIOCore
import Testing

@Suite("Request header lookups")
struct RequestHeaderLookupTests {
    static let request = EngineIORequest(
        method: "POST", query: [],
        headers: [
            HeaderField("Content-TYPE", "Application/Octet-Stream; x=1"), HeaderField("X-Thing[", "bracket"),
            HeaderField("x-forwarded-for", "10.0.0.1"), HeaderField("X-Forwarded-For", "10.0.0.2"),
        ])

    @Test("header names match in any case of their letters, and only their letters")
    func headerNamesIgnoreCase() {
        #expect(Self.request.header("content-type") == "Application/Octet-Stream; x=1")
        #expect(Self.request.header("CONTENT-type") == "Application/Octet-Stream; x=1")
        // '[' and '{' differ by the same bit as a letter's two cases, but are not letters.
        #expect(Self.request.header("x-thing{") == nil)
        #expect(Self.request.header("x-thing[") == "bracket")
        #expect(Self.request.header("content-typ") == nil)
        #expect(Self.request.header("content-types") == nil)
        #expect(Self.request.headerLines("X-FORWARDED-FOR") == ["10.0.0.1", "10.0.0.2"])
    }

    /// A v4 server refuses binary (`application/octet-stream`) polling bodies; anything else is read as text.
    @Test("a POST body is binary when its Content-Type starts with application/octet-stream, in any case")
    func binaryBodiesByContentType() {
        let cases = [("APPLICATION/octet-stream", true), ("application/OCTET-STREAM; charset=x", true), ("text/plain", false), ("application/octet", false)]
        for (contentType, binary) in cases {
            var endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: ServerOptions()))
            let open = EngineIORequest(method: "GET", query: [QueryItem("EIO", "4"), QueryItem("transport", "polling")])
            _ = ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 0), .requestReceived(RequestID(1), open, freshSID: "S")))
            _ = ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 1), .verdictReceived(sid: "S", .accept)))
            let query = [QueryItem("EIO", "4"), QueryItem("transport", "polling"), QueryItem("sid", "S")]
            let post = EngineIORequest(method: "POST", query: query, headers: [HeaderField("content-type", contentType)])
            _ = ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 2), .requestReceived(RequestID(2), post, freshSID: "")))
            let effects = ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: 2), .bodyReceived(RequestID(2), Array("4hi".utf8))))
            #expect(effects.contains(.report(sid: "S", .binaryPollingBody)) == binary, "\(contentType)")
            #expect(effects.contains(.deliver(sid: "S", .text("hi"))) == !binary, "\(contentType)")
        }
    }
}
