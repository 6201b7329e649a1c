import EngineIOCore
import EngineIOTesting
import Testing

@Suite("Trusted proxies")
struct TrustedProxiesTests {
    @Test("addresses and CIDR ranges parse, IPv4 and IPv6, and contain what they should", arguments: [
        ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.1.7", "192.168.1.7", true),
        ("192.168.1.7", "192.168.1.8", false), ("0.0.0.0/0", "203.0.113.9", true), ("::1", "::1", true), ("::1", "::2", false),
        ("fd00::/8", "fdab:cd::1", true), ("fd00::/8", "fe80::1", false), ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("127.0.0.1", "::ffff:127.0.0.1", true), ("10.0.0.0/8", "::ffff:10.1.2.3", true), ("::ffff:10.0.0.0/104", "::ffff:10.9.9.9", true),
        ("10.0.0.0/8", "not an address", false), ("fe80::/10", "fe80::1%eth0", true), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", true),
    ])
    func rangesContain(_ range: String, _ address: String, _ expected: Bool) throws {
        let parsed = try #require(AddressRange(range))
        #expect(parsed.contains(address) == expected)
    }

    @Test("entries that are not addresses or ranges are refused, naming the entry", arguments: [
        "", "10.0.0", "10.0.0.256", "10.0.0.0/33", "::1/129", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "10.0.0.0/-1", "10.0.0.0/+8",
        "localhost", ":::", "1.2.3.4/8/8",
    ])
    func invalidEntries(_ entry: String) {
        #expect(AddressRange(entry) == nil)
        #expect(throws: TrustedProxyError(entry: entry)) { try TrustedProxies(parsing: ["127.0.0.1", entry]) }
    }

    func request(from peer: String, _ headers: [HeaderField]) -> EngineIORequest {
        EngineIORequest(method: "GET", query: [], headers: headers, remoteAddress: peer)
    }

    @Test("the client is the rightmost X-Forwarded-For hop that is not a trusted proxy, across repeated headers, ports and brackets")
    func rightmostUntrustedHop() throws {
        let proxies = try TrustedProxies(parsing: ["10.0.0.0/8", "::1"])
        let resolved = proxies.resolve(request(from: "::1", [
            HeaderField("X-Forwarded-For", "6.6.6.6, 198.51.100.4:5555"), HeaderField("x-forwarded-for", "[10.1.1.1]:80, 10.2.2.2"),
        ]))
        #expect(resolved.remoteAddress == "198.51.100.4")
        // Every hop trusted: the leftmost is the best there is.
        #expect(proxies.resolve(request(from: "10.0.0.1", [HeaderField("X-Forwarded-For", "10.3.3.3, 10.4.4.4")])).remoteAddress == "10.3.3.3")
        // A proto other than http/https is ignored.
        #expect(proxies.resolve(request(from: "10.0.0.1", [HeaderField("X-Forwarded-Proto", "gopher")])).scheme == "http")
    }

    @Test("whatever forwarding headers an untrusted peer sends, the request is left as it came")
    func untrustedPeersChangeNothing() throws {
        let proxies = try TrustedProxies(parsing: ["10.0.0.0/8"])
        let names = Gen<String>.element(of: ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "x-forwarded-for"])
        let values = Gen<String>.element(of: ["1.2.3.4", "10.0.0.1", "::1", "[::1]:4", "", " , ", "https", "evil.example", "10.9.9.9:80"])
        let field = Gen<(String, String)>.zip(names, values).map { HeaderField($0.0, $0.1) }
        try Property("untrusted peers change nothing", field.array(maxCount: 6)) { fields in
            for peer in ["192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "not an address"] {
                let original = EngineIORequest(method: "GET", query: [], headers: fields, remoteAddress: peer)
                try ensure(proxies.resolve(original) == original, "\(peer) changed the request")
            }
        }.check(cases: 500)
    }
}
