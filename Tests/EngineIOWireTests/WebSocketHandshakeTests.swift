import EngineIOWire
import Testing

private let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
private let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/// The RFC 6455 §1.3 sample request headers, with the names in odd cases a real client might use.
private func requestHeaders(
    upgrade: String? = "websocket",
    connection: String? = "Upgrade",
    version: String? = "13",
    keys: [String] = [sampleKey]
) -> [(name: String, value: String)] {
    var headers: [(name: String, value: String)] = [("Host", "server.example.com")]
    if let upgrade { headers.append(("upgrade", upgrade)) }
    if let connection { headers.append(("CONNECTION", connection)) }
    for key in keys { headers.append(("Sec-WebSocket-Key", key)) }
    if let version { headers.append(("sec-websocket-version", version)) }
    return headers
}

private func validate(
    method: String = "GET",
    httpVersion: (major: Int, minor: Int) = (1, 1),
    headers: [(name: String, value: String)] = requestHeaders()
) -> Result<String, WebSocketHandshakeError> {
    do throws(WebSocketHandshakeError) {
        return .success(try WebSocketHandshake.validateUpgradeRequest(method: method, httpVersion: httpVersion, headers: headers))
    } catch {
        return .failure(error)
    }
}

private func responseHeaders(accept: String = sampleAccept) -> [(name: String, value: String)] {
    [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)]
}

private func validateResponse(
    status: Int = 101,
    headers: [(name: String, value: String)],
    deflateOffer: WebSocketExtension? = nil
) -> Result<PerMessageDeflateConfiguration?, WebSocketHandshakeError> {
    do throws(WebSocketHandshakeError) {
        return .success(
            try WebSocketHandshake.validateUpgradeResponse(
                status: status, headers: headers, key: sampleKey, deflateOffer: deflateOffer
            )
        )
    } catch {
        return .failure(error)
    }
}

@Suite("WebSocket handshake")
struct WebSocketHandshakeTests {
    @Test("the accept value for the RFC 6455 sample key is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    func rfcAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: sampleKey) == sampleAccept)
        #expect(WebSocketHandshake.acceptValue(forKey: " \(sampleKey)\t") == sampleAccept)
    }

    @Test("a key made from the RFC's sample nonce is its sample key")
    func keyFromNonce() {
        #expect(WebSocketHandshake.key(fromNonce: Array("the sample nonce".utf8)) == sampleKey)
    }

    // MARK: Server

    @Test("a valid upgrade request returns the accept value, whatever the header name case and token lists")
    func validRequest() {
        #expect(validate() == .success(sampleAccept))
        #expect(validate(headers: requestHeaders(upgrade: "WebSocket", connection: "keep-alive, Upgrade")) == .success(sampleAccept))
        #expect(validate(httpVersion: (2, 0)) == .success(sampleAccept))
    }

    @Test("the header-lookup form gives the same result as the header-list form")
    func lookupClosure() throws {
        let accept = try WebSocketHandshake.validateUpgradeRequest(method: "GET", httpVersion: (1, 1)) { name in
            switch name.lowercased() {
            case "upgrade": ["websocket"]
            case "connection": ["upgrade"]
            case "sec-websocket-version": ["13"]
            case "sec-websocket-key": [sampleKey]
            default: []
            }
        }
        #expect(accept == sampleAccept)
    }

    @Test("a request that is not GET is refused with 405 and Allow: GET")
    func notGET() {
        #expect(validate(method: "POST") == .failure(.methodNotGET("POST")))
        let error = WebSocketHandshakeError.methodNotGET("POST")
        #expect(error.httpStatus == 405)
        #expect(error.responseHeaders.map { "\($0.name): \($0.value)" } == ["Allow: GET"])
    }

    @Test("an HTTP/1.0 request is refused with 400")
    func http10() {
        #expect(validate(httpVersion: (1, 0)) == .failure(.unsupportedHTTPVersion(major: 1, minor: 0)))
        #expect(WebSocketHandshakeError.unsupportedHTTPVersion(major: 1, minor: 0).httpStatus == 400)
    }

    @Test("Upgrade without websocket or Connection without upgrade is refused with 400")
    func missingUpgradeTokens() {
        #expect(validate(headers: requestHeaders(upgrade: nil)) == .failure(.missingUpgradeWebSocket))
        #expect(validate(headers: requestHeaders(upgrade: "h2c")) == .failure(.missingUpgradeWebSocket))
        #expect(validate(headers: requestHeaders(connection: nil)) == .failure(.missingConnectionUpgrade))
        #expect(validate(headers: requestHeaders(connection: "keep-alive")) == .failure(.missingConnectionUpgrade))
        #expect(WebSocketHandshakeError.missingUpgradeWebSocket.httpStatus == 400)
    }

    @Test("a version other than 13 asks for 426 with Sec-WebSocket-Version: 13")
    func wrongVersion() {
        #expect(validate(headers: requestHeaders(version: "8")) == .failure(.unsupportedVersion("8")))
        #expect(validate(headers: requestHeaders(version: nil)) == .failure(.unsupportedVersion(nil)))
        let error = WebSocketHandshakeError.unsupportedVersion("8")
        #expect(error.httpStatus == 426)
        #expect(error.responseHeaders.map { "\($0.name): \($0.value)" } == ["Sec-WebSocket-Version: 13"])
    }

    @Test("a missing, repeated or malformed key is refused with 400")
    func badKeys() {
        #expect(validate(headers: requestHeaders(keys: [])) == .failure(.missingKey))
        #expect(validate(headers: requestHeaders(keys: [sampleKey, sampleKey])) == .failure(.invalidKey("\(sampleKey), \(sampleKey)")))
        // 15 bytes, 17 bytes, no padding, URL-safe alphabet, not base64.
        for key in ["dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZTEy", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZ-==", "not a key at all!!!!!!=="] {
            #expect(validate(headers: requestHeaders(keys: [key])) == .failure(.invalidKey(key)), "\(key)")
        }
        #expect(WebSocketHandshakeError.invalidKey("x").httpStatus == 400)
    }

    @Test("the 101 response headers carry the accept value and any accepted extension")
    func serverResponseHeaders() {
        let plain = WebSocketHandshake.responseHeaders(acceptValue: sampleAccept).map { "\($0.name): \($0.value)" }
        #expect(plain == ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: \(sampleAccept)"])
        let deflate = WebSocketHandshake.responseHeaders(acceptValue: sampleAccept, extensions: "permessage-deflate")
        #expect(deflate.last.map { "\($0.name): \($0.value)" } == "Sec-WebSocket-Extensions: permessage-deflate")
    }

    @Test("a request is recognised as an upgrade only when Upgrade contains websocket")
    func isUpgradeRequest() {
        #expect(WebSocketHandshake.isUpgradeRequest(headers: requestHeaders()))
        #expect(WebSocketHandshake.isUpgradeRequest(headers: [("Connection", "upgrade")]) == false)
    }

    // MARK: Client

    @Test("the client request carries Upgrade, Connection, the key, version 13 and an optional offer")
    func clientRequestHeaders() {
        let headers = WebSocketHandshake.requestHeaders(key: sampleKey, extensions: "permessage-deflate; client_max_window_bits")
        #expect(headers.map { "\($0.name): \($0.value)" } == [
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(sampleKey)", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        ])
        #expect(WebSocketHandshake.requestHeaders(key: sampleKey).count == 4)
    }

    @Test("a correct 101 response without extensions is accepted")
    func validResponse() {
        #expect(validateResponse(headers: responseHeaders()) == .success(nil))
    }

    @Test("a response with the wrong status, a missing Upgrade or Connection, or a wrong accept is refused")
    func badResponses() {
        #expect(validateResponse(status: 200, headers: responseHeaders()) == .failure(.unexpectedStatus(200)))
        #expect(validateResponse(headers: [("Connection", "Upgrade"), ("Sec-WebSocket-Accept", sampleAccept)])
            == .failure(.missingUpgradeWebSocket))
        #expect(validateResponse(headers: [("Upgrade", "websocket"), ("Sec-WebSocket-Accept", sampleAccept)])
            == .failure(.missingConnectionUpgrade))
        #expect(validateResponse(headers: responseHeaders(accept: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
            == .failure(.invalidAccept(expected: sampleAccept, received: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")))
        #expect(validateResponse(headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
            == .failure(.invalidAccept(expected: sampleAccept, received: nil)))
    }

    @Test("a response with an extension or subprotocol we did not ask for is refused")
    func unrequestedNegotiation() {
        #expect(validateResponse(headers: responseHeaders() + [("Sec-WebSocket-Extensions", "permessage-deflate")])
            == .failure(.unexpectedExtension("permessage-deflate")))
        #expect(validateResponse(headers: responseHeaders() + [("Sec-WebSocket-Protocol", "chat")])
            == .failure(.unexpectedSubprotocol("chat")))
    }

    @Test("a response accepting our permessage-deflate offer yields the agreed configuration")
    func deflateResponse() {
        let offer = PerMessageDeflate.clientOffer()
        let headers = responseHeaders() + [("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover")]
        #expect(validateResponse(headers: headers, deflateOffer: offer)
            == .success(PerMessageDeflateConfiguration(serverNoContextTakeover: true)))
        #expect(validateResponse(headers: responseHeaders(), deflateOffer: offer) == .success(nil))
    }

    @Test("the Upgrade token is found in any list that holds it, however spaced, cased and split over header lines")
    func upgradeTokenLists() {
        let pieces = ["websocket", "WebSocket", " websocket\t", "websocketx", "web socket", "", ",", " , ", "\t", "h2c", "websocket,", "ws"]
        // What RFC 9110 §5.6.1 says: split on commas, drop optional whitespace, compare the token ignoring ASCII case.
        func reference(_ values: [String]) -> Bool {
            values.contains { value in
                value.split(separator: ",", omittingEmptySubsequences: false).contains { element in
                    element.trimmingPrefix(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
                        .map { $0.lowercased() }.joined() == "websocket"
                }
            }
        }
        for first in pieces {
            for second in pieces {
                for third in pieces {
                    for values in [[first + second + third], [first + "," + second, third], [first, second + third]] {
                        let headers = values.map { (name: "upgrade", value: $0) }
                        #expect(WebSocketHandshake.isUpgradeRequest(headers: headers) == reference(values), "\(values)")
                    }
                }
            }
        }
    }
}
