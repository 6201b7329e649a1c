import EngineIOWire
import Testing

/// Wire bytes of `frames` as a client sends them (masked), for a server-side assembler.
private func clientWire(_ frames: [WebSocketFrame]) -> [UInt8] {
    var wire: [UInt8] = []
    for frame in frames { WebSocketFrameEncoder.encode(frame, maskingKey: [0xDE, 0xAD, 0xBE, 0xEF], into: &wire) }
    return wire
}

/// Every event from `frames`, or the error that stopped assembly.
private func assemble(
    _ frames: [WebSocketFrame],
    limits: WebSocketFrameParser.Limits = .init(),
    maxMessageSize: Int = 1_000_000
) -> (events: [WebSocketEvent], error: WebSocketProtocolError?) {
    var assembler = WebSocketMessageAssembler(role: .server, limits: limits, maxMessageSize: maxMessageSize)
    assembler.append(clientWire(frames))
    var events: [WebSocketEvent] = []
    do throws(WebSocketProtocolError) {
        while let event = try assembler.next() { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

private func text(_ string: String, fin: Bool = true) -> WebSocketFrame {
    WebSocketFrame(fin: fin, opcode: .text, payload: Array(string.utf8))
}

private func continuation(_ payload: [UInt8], fin: Bool = true) -> WebSocketFrame {
    WebSocketFrame(fin: fin, opcode: .continuation, payload: payload)
}

@Suite("WebSocket message assembly")
struct WebSocketAssemblerTests {
    @Test("a single text frame becomes a text event")
    func singleText() {
        let result = assemble([text("Hello")])
        #expect(result.error == nil)
        #expect(result.events == [.text("Hello")])
    }

    @Test("fragments are joined and a ping between them is delivered first")
    func fragmentsWithInterleavedPing() {
        let result = assemble([
            text("Hel", fin: false),
            WebSocketFrame(opcode: .ping, payload: [1, 2]),
            continuation(Array("l".utf8), fin: false),
            WebSocketFrame(opcode: .pong, payload: []),
            continuation(Array("o".utf8)),
        ])
        #expect(result.error == nil)
        #expect(result.events == [.ping([1, 2]), .pong([]), .text("Hello")])
    }

    @Test("a fragmented binary message is delivered whole")
    func fragmentedBinary() {
        let result = assemble([
            WebSocketFrame(fin: false, opcode: .binary, payload: [1]),
            continuation([], fin: false),
            continuation([2, 3]),
        ])
        #expect(result.events == [.binary([1, 2, 3])])
    }

    @Test("a code point split across fragments is valid")
    func utf8SplitValid() {
        let bytes = Array("κόσμε 😀".utf8)
        for split in 1..<bytes.count {
            let result = assemble([
                WebSocketFrame(fin: false, opcode: .text, payload: Array(bytes[..<split])),
                continuation(Array(bytes[split...])),
            ])
            #expect(result.events == [.text("κόσμε 😀")], "split at \(split)")
        }
    }

    @Test("invalid UTF-8 in a middle fragment fails with 1007 before the message ends")
    func utf8SplitInvalidFailsFast() {
        let result = assemble([
            WebSocketFrame(fin: false, opcode: .text, payload: [0x61, 0xED]),
            continuation([0xA0, 0x80], fin: false),  // completes a surrogate
        ])
        #expect(result.events.isEmpty)
        #expect(result.error == .invalidUTF8)
        #expect(result.error?.closeCode == 1007)
    }

    @Test("a text message ending inside a code point fails with 1007")
    func utf8TruncatedAtEnd() {
        let result = assemble([
            WebSocketFrame(fin: false, opcode: .text, payload: [0x61, 0xF0, 0x9F]),
            continuation([0x98]),
        ])
        #expect(result.error == .invalidUTF8)
    }

    @Test("a single-frame text message with invalid UTF-8 fails with 1007")
    func singleFrameInvalidUTF8() {
        let result = assemble([WebSocketFrame(opcode: .text, payload: [0xCE, 0xBA, 0xC0, 0x80])])
        #expect(result.error == .invalidUTF8)
        #expect(result.error?.closeCode == 1007)
    }

    @Test("the message limit counts all fragments and fails with 1009")
    func messageTooLarge() {
        let ok = assemble([WebSocketFrame(fin: false, opcode: .binary, payload: [1, 2]), continuation([3, 4])],
                          maxMessageSize: 4)
        #expect(ok.events == [.binary([1, 2, 3, 4])])

        let tooBig = assemble([WebSocketFrame(fin: false, opcode: .binary, payload: [1, 2]), continuation([3, 4, 5])],
                              maxMessageSize: 4)
        #expect(tooBig.error == .messageTooLarge(limit: 4))
        #expect(tooBig.error?.closeCode == 1009)

        let single = assemble([WebSocketFrame(opcode: .binary, payload: [1, 2, 3, 4, 5])], maxMessageSize: 4)
        #expect(single.error == .messageTooLarge(limit: 4))
    }

    @Test("a continuation frame without a message in progress fails with 1002")
    func continuationWithoutStart() {
        let result = assemble([continuation([1])])
        #expect(result.error == .unexpectedContinuation)
        #expect(result.error?.closeCode == 1002)
    }

    @Test("a new data frame while a fragmented message is in progress fails with 1002")
    func dataFrameDuringFragmentedMessage() {
        let result = assemble([text("a", fin: false), text("b")])
        #expect(result.error == .expectedContinuation)
        #expect(result.error?.closeCode == 1002)
    }

    @Test("a message whose first frame has RSV1 is delivered compressed without UTF-8 validation")
    func compressedMessage() {
        let result = assemble(
            [WebSocketFrame(fin: false, rsv1: true, opcode: .text, payload: [0xF2, 0x48]), continuation([0xFF, 0x00])],
            limits: .init(allowRSV1: true)
        )
        #expect(result.error == nil)
        #expect(result.events == [.compressed(opcode: .text, payload: [0xF2, 0x48, 0xFF, 0x00])])

        let binary = assemble(
            [WebSocketFrame(rsv1: true, opcode: .binary, payload: [1])],
            limits: .init(allowRSV1: true)
        )
        #expect(binary.events == [.compressed(opcode: .binary, payload: [1])])
    }

    @Test("close frames yield their code and reason, and an empty close has no code")
    func closeFrames() {
        let result = assemble([
            WebSocketFrame(opcode: .close, payload: []),
            WebSocketFrame(opcode: .close, payload: [0x03, 0xE8] + Array("bye ✓".utf8)),
            WebSocketFrame(opcode: .close, payload: [0x0F, 0xA0]),
        ])
        #expect(result.error == nil)
        #expect(result.events == [.close(code: nil, reason: ""), .close(code: 1000, reason: "bye ✓"), .close(code: 4000, reason: "")])
    }

    @Test("a 1-byte close payload fails with 1002")
    func closeOneByte() {
        let result = assemble([WebSocketFrame(opcode: .close, payload: [0x03])])
        #expect(result.error == .invalidClosePayload)
        #expect(result.error?.closeCode == 1002)
    }

    @Test(
        "close codes that may not be sent fail with 1002",
        arguments: [0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535] as [UInt16]
    )
    func invalidCloseCodes(code: UInt16) {
        let result = assemble([WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: code))])
        #expect(result.error == .invalidCloseCode(code))
        #expect(result.error?.closeCode == 1002)
    }

    @Test(
        "close codes defined for the wire are accepted",
        arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] as [UInt16]
    )
    func validCloseCodes(code: UInt16) {
        let result = assemble([WebSocketFrame(opcode: .close, payload: WebSocketCloseCode.closeFramePayload(code: code))])
        #expect(result.events == [.close(code: code, reason: "")])
    }

    @Test("a close reason that is not UTF-8 fails with 1007")
    func closeReasonInvalid() {
        let result = assemble([WebSocketFrame(opcode: .close, payload: [0x03, 0xE8, 0xED, 0xA0, 0x80])])
        #expect(result.error == .invalidUTF8)
        #expect(result.error?.closeCode == 1007)
    }

    @Test("the close payload builder truncates a long reason to 123 bytes on a code point boundary")
    func closePayloadTruncation() throws {
        let ascii = WebSocketCloseCode.closeFramePayload(code: 1000, reason: String(repeating: "x", count: 200))
        #expect(ascii.count == 125)
        #expect(Array(ascii.prefix(2)) == [0x03, 0xE8])

        // "é" is 2 bytes, so 123 bytes would end in the middle of the 62nd.
        let accented = WebSocketCloseCode.closeFramePayload(code: WebSocketCloseCode.goingAway,
                                                            reason: String(repeating: "é", count: 100))
        #expect(accented.count == 2 + 122)
        #expect(try WebSocketCloseCode.parseClosePayload(accented).reason == String(repeating: "é", count: 61))

        #expect(WebSocketCloseCode.closeFramePayload(code: 1011, reason: "oops") == [0x03, 0xF3] + Array("oops".utf8))
    }

    @Test("close code constants have their RFC 6455 values")
    func closeCodeConstants() {
        #expect(WebSocketCloseCode.normal == 1000)
        #expect(WebSocketCloseCode.goingAway == 1001)
        #expect(WebSocketCloseCode.protocolError == 1002)
        #expect(WebSocketCloseCode.unsupportedData == 1003)
        #expect(WebSocketCloseCode.invalidPayload == 1007)
        #expect(WebSocketCloseCode.policyViolation == 1008)
        #expect(WebSocketCloseCode.messageTooBig == 1009)
        #expect(WebSocketCloseCode.internalError == 1011)
    }

    @Test("frame parser errors surface through the assembler with their close code, and stay")
    func parserErrorsSurface() {
        var assembler = WebSocketMessageAssembler(role: .server)
        assembler.append([0x81, 0x05] + Array("Hello".utf8))  // unmasked, from a "client"
        #expect(throws: WebSocketProtocolError.maskMismatch(role: .server)) { try assembler.next() }
        #expect(throws: WebSocketProtocolError.maskMismatch(role: .server)) { try assembler.next() }
    }

    @Test("feeding an assembler one byte at a time yields the same events as one chunk")
    func byteByByte() throws {
        let frames = [
            text("Hé", fin: false),
            WebSocketFrame(opcode: .ping, payload: [7]),
            continuation(Array("llo wörld".utf8)),
            WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 1, count: 200)),
            WebSocketFrame(opcode: .close, payload: [0x03, 0xE9]),
        ]
        let expected: [WebSocketEvent] = [
            .ping([7]), .text("Héllo wörld"), .binary([UInt8](repeating: 1, count: 200)), .close(code: 1001, reason: ""),
        ]
        #expect(assemble(frames).events == expected)

        var assembler = WebSocketMessageAssembler(role: .server)
        var events: [WebSocketEvent] = []
        for byte in clientWire(frames) {
            assembler.append([byte])
            while let event = try assembler.next() { events.append(event) }
        }
        #expect(events == expected)
        #expect(assembler.isMessageInProgress == false)
    }

    @Test("frames parsed elsewhere can be fed directly")
    func processFrames() throws {
        var assembler = WebSocketMessageAssembler(role: .client)
        #expect(try assembler.process(text("a", fin: false)) == nil)
        #expect(assembler.isMessageInProgress)
        #expect(try assembler.process(continuation(Array("b".utf8))) == .text("ab"))
        #expect(throws: WebSocketProtocolError.fragmentedControlFrame) {
            try assembler.process(WebSocketFrame(fin: false, opcode: .ping))
        }
    }
}
