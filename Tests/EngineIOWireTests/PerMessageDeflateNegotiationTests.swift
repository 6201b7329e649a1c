import EngineIOWire
import Testing

private func negotiate(
    _ headerValues: [String],
    preferences: PerMessageDeflateConfiguration = PerMessageDeflateConfiguration()
) -> PerMessageDeflateAcceptance? {
    PerMessageDeflate.negotiate(headerValues: headerValues, preferences: preferences)
}

private func accept(
    _ response: String,
    offer: WebSocketExtension? = PerMessageDeflate.clientOffer()
) -> Result<PerMessageDeflateConfiguration?, WebSocketHandshakeError> {
    do throws(WebSocketHandshakeError) {
        return .success(try PerMessageDeflate.acceptResponse(headerValues: [response], offer: offer))
    } catch {
        return .failure(error)
    }
}

@Suite("permessage-deflate negotiation")
struct PerMessageDeflateNegotiationTests {
    // MARK: Header parsing

    @Test("an extensions header parses into ordered offers with bare, token and quoted parameters")
    func parseOffers() {
        let parsed = WebSocketExtension.parse(
            #"permessage-deflate; client_max_window_bits, permessage-deflate ; server_max_window_bits = "10" ;client_no_context_takeover, x-webkit-deflate-frame"#
        )
        #expect(parsed == [
            WebSocketExtension(name: "permessage-deflate", parameters: [.init(name: "client_max_window_bits")]),
            WebSocketExtension(name: "permessage-deflate", parameters: [
                .init(name: "server_max_window_bits", value: "10"), .init(name: "client_no_context_takeover"),
            ]),
            WebSocketExtension(name: "x-webkit-deflate-frame"),
        ])
    }

    @Test("several header lines concatenate, and empty list elements are skipped")
    func parseSeveralHeaders() {
        let parsed = WebSocketExtension.parse(headerValues: ["foo, ,", "  ", "permessage-deflate;a=\"b\\c\""])
        #expect(parsed == [
            WebSocketExtension(name: "foo"),
            WebSocketExtension(name: "permessage-deflate", parameters: [.init(name: "a", value: "bc")]),
        ])
    }

    @Test(
        "malformed extension headers are rejected",
        arguments: [
            "permessage-deflate;", "; foo", "permessage-deflate; a=\"unterminated", "permessage-deflate; a=\"has space\"",
            "permessage-deflate;; x", "foo bar", "permessage-deflate; a=", "perm@ssage", "a; b=c d",
        ]
    )
    func malformed(header: String) {
        #expect(WebSocketExtension.parse(header) == nil)
        #expect(negotiate([header]) == nil)
    }

    @Test("serialising an extension quotes values that are not tokens")
    func serialise() {
        let element = WebSocketExtension(name: "x", parameters: [.init(name: "a", value: "b c\""), .init(name: "d")])
        #expect(element.headerValue == #"x; a="b c\""; d"#)
        #expect(WebSocketExtension.headerValue([WebSocketExtension(name: "a"), WebSocketExtension(name: "b")]) == "a, b")
    }

    // MARK: Server (RFC 7692 §5 and §7.1)

    @Test("a bare offer is accepted with a bare response and the default configuration")
    func bareOffer() {
        let result = negotiate(["permessage-deflate"])
        #expect(result == PerMessageDeflateAcceptance(
            configuration: PerMessageDeflateConfiguration(), responseHeaderValue: "permessage-deflate"
        ))
    }

    @Test("the RFC 7692 example offer list is answered by accepting its first offer with server_max_window_bits=10")
    func rfcExampleFirstOffer() {
        let result = negotiate([
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits",
        ])
        #expect(result?.responseHeaderValue == "permessage-deflate; server_max_window_bits=10")
        #expect(result?.configuration == PerMessageDeflateConfiguration(serverMaxWindowBits: 10))
    }

    @Test(
        "an offer with an unknown, duplicate, valueless or out-of-range parameter is skipped for the next one",
        arguments: [
            "permessage-deflate; foo=bar", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16", "permessage-deflate; server_max_window_bits=08",
            "permessage-deflate; client_max_window_bits=+9", "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
        ]
    )
    func declinedOffers(offer: String) {
        #expect(negotiate([offer]) == nil)
        let fallback = negotiate([offer + ", permessage-deflate; client_no_context_takeover"])
        #expect(fallback?.responseHeaderValue == "permessage-deflate; client_no_context_takeover")
        #expect(fallback?.configuration == PerMessageDeflateConfiguration(clientNoContextTakeover: true))
    }

    @Test("other extensions are ignored and an offer list without permessage-deflate is declined")
    func otherExtensions() {
        #expect(negotiate(["x-webkit-deflate-frame"]) == nil)
        #expect(negotiate(["x-webkit-deflate-frame", "permessage-deflate"])?.responseHeaderValue == "permessage-deflate")
        #expect(negotiate([]) == nil)
    }

    @Test("client_max_window_bits without a value lets the server choose, and a quoted value is accepted")
    func clientWindowBits() {
        let preferences = PerMessageDeflateConfiguration(clientMaxWindowBits: 10)
        let chosen = negotiate(["permessage-deflate; client_max_window_bits"], preferences: preferences)
        #expect(chosen?.responseHeaderValue == "permessage-deflate; client_max_window_bits=10")
        #expect(chosen?.configuration.clientMaxWindowBits == 10)

        let quoted = negotiate([#"permessage-deflate; client_max_window_bits="12""#], preferences: preferences)
        #expect(quoted?.configuration.clientMaxWindowBits == 10)
        let smaller = negotiate(["permessage-deflate; client_max_window_bits=9"], preferences: preferences)
        #expect(smaller?.configuration.clientMaxWindowBits == 9)
        #expect(smaller?.responseHeaderValue == "permessage-deflate; client_max_window_bits=9")
    }

    @Test("without client_max_window_bits in the offer the server cannot limit the client's window")
    func clientWindowBitsNotOffered() {
        let result = negotiate(["permessage-deflate"], preferences: PerMessageDeflateConfiguration(clientMaxWindowBits: 10))
        #expect(result?.responseHeaderValue == "permessage-deflate")
        #expect(result?.configuration.clientMaxWindowBits == 15)
    }

    @Test("server preferences add no-context-takeover and a smaller server window to the response")
    func serverPreferences() {
        let preferences = PerMessageDeflateConfiguration(serverNoContextTakeover: true, serverMaxWindowBits: 12)
        let result = negotiate(["permessage-deflate; server_max_window_bits=14"], preferences: preferences)
        #expect(result?.responseHeaderValue == "permessage-deflate; server_no_context_takeover; server_max_window_bits=12")
        #expect(result?.configuration == PerMessageDeflateConfiguration(serverNoContextTakeover: true, serverMaxWindowBits: 12))
    }

    @Test("an offered window of 8 is agreed, and zlib compresses with 9 while the peer inflates with 8")
    func windowBitsEight() throws {
        let result = try #require(negotiate(["permessage-deflate; server_max_window_bits=8; client_max_window_bits=8"]))
        #expect(result.responseHeaderValue == "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8")
        #expect(result.configuration.compressorWindowBits(for: .server) == 9)
        #expect(result.configuration.decompressorWindowBits(for: .client) == 8)
        #expect(result.configuration.compressorWindowBits(for: .client) == 9)
        #expect(result.configuration.decompressorWindowBits(for: .server) == 8)
    }

    @Test("role helpers pick the server or client parameters")
    func roleHelpers() {
        let configuration = PerMessageDeflateConfiguration(
            serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 11, clientMaxWindowBits: 13
        )
        #expect(configuration.resetsCompressor(for: .server))
        #expect(configuration.resetsDecompressor(for: .client))
        #expect(configuration.resetsCompressor(for: .client) == false)
        #expect(configuration.resetsDecompressor(for: .server) == false)
        #expect(configuration.compressorWindowBits(for: .server) == 11)
        #expect(configuration.decompressorWindowBits(for: .server) == 13)
    }

    // MARK: Client

    @Test("the client offer always advertises client_max_window_bits and asks only for what the preferences say")
    func clientOffers() {
        #expect(PerMessageDeflate.clientOffer().headerValue == "permessage-deflate; client_max_window_bits")
        let offer = PerMessageDeflate.clientOffer(
            PerMessageDeflateConfiguration(serverNoContextTakeover: true, clientNoContextTakeover: true,
                                           serverMaxWindowBits: 10, clientMaxWindowBits: 12)
        )
        #expect(offer.headerValue
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12")
    }

    @Test("a valid server response yields the agreed configuration")
    func acceptValidResponses() {
        #expect(accept("permessage-deflate") == .success(PerMessageDeflateConfiguration()))
        #expect(accept("permessage-deflate; server_no_context_takeover; client_max_window_bits=9")
            == .success(PerMessageDeflateConfiguration(serverNoContextTakeover: true, clientMaxWindowBits: 9)))
        let asked = PerMessageDeflate.clientOffer(PerMessageDeflateConfiguration(clientNoContextTakeover: true, serverMaxWindowBits: 10))
        #expect(accept("permessage-deflate; server_max_window_bits=9", offer: asked)
            == .success(PerMessageDeflateConfiguration(clientNoContextTakeover: true, serverMaxWindowBits: 9)))
    }

    @Test("client_max_window_bits in a response requires it in the offer, a value, and no more than offered")
    func clientWindowBitsInResponse() {
        let withoutClientBits = WebSocketExtension(name: "permessage-deflate")
        #expect(accept("permessage-deflate; client_max_window_bits=10", offer: withoutClientBits)
            == .failure(.invalidExtensionResponse("client_max_window_bits was not offered")))
        #expect(accept("permessage-deflate; client_max_window_bits")
            == .failure(.invalidExtensionResponse("client_max_window_bits without a value")))
        let limited = PerMessageDeflate.clientOffer(PerMessageDeflateConfiguration(clientMaxWindowBits: 10))
        #expect(accept("permessage-deflate; client_max_window_bits=11", offer: limited)
            == .failure(.invalidExtensionResponse("client_max_window_bits=11 exceeds the offered 10")))
    }

    @Test("a response with a larger server window than asked, unknown parameters or several elements is refused")
    func invalidResponses() {
        let asked = PerMessageDeflate.clientOffer(PerMessageDeflateConfiguration(serverMaxWindowBits: 10))
        #expect(accept("permessage-deflate; server_max_window_bits=11", offer: asked)
            == .failure(.invalidExtensionResponse("server_max_window_bits=11 exceeds the offered 10")))
        #expect(accept("permessage-deflate; foo") == .failure(.invalidExtensionResponse("unknown parameter foo")))
        #expect(accept("permessage-deflate; server_no_context_takeover; server_no_context_takeover")
            == .failure(.invalidExtensionResponse("duplicate server_no_context_takeover")))
        #expect(accept("permessage-deflate, permessage-deflate") == .failure(.unexpectedExtension("permessage-deflate")))
        #expect(accept("x-webkit-deflate-frame") == .failure(.unexpectedExtension("x-webkit-deflate-frame")))
        #expect(accept("permessage-deflate", offer: nil) == .failure(.unexpectedExtension("permessage-deflate")))
        #expect(accept("permessage-deflate;") == .failure(.invalidExtensionResponse("malformed Sec-WebSocket-Extensions header")))
    }

    @Test("a server answer to our own offer is accepted by the client with the same configuration")
    func serverClientAgreement() throws {
        let clientPreferences = [
            PerMessageDeflateConfiguration(),
            PerMessageDeflateConfiguration(clientNoContextTakeover: true, clientMaxWindowBits: 11),
            PerMessageDeflateConfiguration(serverNoContextTakeover: true, serverMaxWindowBits: 9),
        ]
        let serverPreferences = [
            PerMessageDeflateConfiguration(),
            PerMessageDeflateConfiguration(serverNoContextTakeover: true, clientNoContextTakeover: true,
                                           serverMaxWindowBits: 12, clientMaxWindowBits: 10),
        ]
        for client in clientPreferences {
            for server in serverPreferences {
                let offer = PerMessageDeflate.clientOffer(client)
                let answer = try #require(negotiate([offer.headerValue], preferences: server))
                #expect(accept(answer.responseHeaderValue, offer: offer) == .success(answer.configuration))
            }
        }
    }
}
