import EngineIOWire
import Testing

/// Bytes from space-separated hex pairs, as RFC 6455 §5.7 writes them.
private func bytes(_ hex: String) -> [UInt8] {
    hex.split(separator: " ").map { UInt8($0, radix: 16)! }
}

private let sampleKey: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

/// Every frame in `input`, or the error that stopped parsing.
private func parseAll(
    _ input: [UInt8],
    role: WebSocketRole,
    limits: WebSocketFrameParser.Limits = .init()
) -> (frames: [WebSocketFrame], error: WebSocketProtocolError?) {
    var parser = WebSocketFrameParser(role: role, limits: limits)
    parser.append(input)
    var frames: [WebSocketFrame] = []
    do throws(WebSocketProtocolError) {
        while let frame = try parser.next() { frames.append(frame) }
        return (frames, nil)
    } catch {
        return (frames, error)
    }
}

@Suite("WebSocket frames")
struct WebSocketFrameTests {
    // MARK: RFC 6455 §5.7

    @Test("a client parses the RFC's single-frame unmasked Hello")
    func unmaskedHello() throws {
        let result = parseAll(bytes("81 05 48 65 6c 6c 6f"), role: .client)
        #expect(result.error == nil)
        #expect(result.frames == [WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))])
    }

    @Test("a server parses and unmasks the RFC's single-frame masked Hello")
    func maskedHello() throws {
        let result = parseAll(bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), role: .server)
        #expect(result.error == nil)
        #expect(result.frames == [WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))])
    }

    @Test("the RFC's fragmented unmasked Hello parses as a non-final text frame and a final continuation")
    func fragmentedHello() {
        let result = parseAll(bytes("01 03 48 65 6c 80 02 6c 6f"), role: .client)
        #expect(result.error == nil)
        #expect(
            result.frames == [
                WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
                WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)),
            ]
        )
    }

    @Test("the RFC's unmasked ping and masked pong parse with their Hello payloads")
    func pingAndPong() {
        let ping = parseAll(bytes("89 05 48 65 6c 6c 6f"), role: .client)
        #expect(ping.frames == [WebSocketFrame(opcode: .ping, payload: Array("Hello".utf8))])
        let pong = parseAll(bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), role: .server)
        #expect(pong.frames == [WebSocketFrame(opcode: .pong, payload: Array("Hello".utf8))])
    }

    @Test("a 256-byte binary frame uses the 16-bit length form 7E 01 00")
    func binary256() throws {
        let payload = (0..<256).map { UInt8(truncatingIfNeeded: $0) }
        let encoded = WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .binary, payload: payload))
        #expect(Array(encoded.prefix(4)) == bytes("82 7e 01 00"))
        #expect(encoded.count == 4 + 256)
        let result = parseAll(encoded, role: .client)
        #expect(result.frames == [WebSocketFrame(opcode: .binary, payload: payload)])
    }

    @Test("a 64 KiB binary frame uses the 64-bit length form 7F 00 00 00 00 00 01 00 00")
    func binary64KiB() throws {
        let payload = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let encoded = WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .binary, payload: payload))
        #expect(Array(encoded.prefix(10)) == bytes("82 7f 00 00 00 00 00 01 00 00"))
        #expect(encoded.count == 10 + 65536)
        let result = parseAll(encoded, role: .client)
        #expect(result.frames == [WebSocketFrame(opcode: .binary, payload: payload)])
    }

    @Test("the encoder reproduces the RFC's unmasked and masked Hello bytes exactly")
    func encodeHello() {
        let frame = WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))
        #expect(WebSocketFrameEncoder.encode(frame) == bytes("81 05 48 65 6c 6c 6f"))
        #expect(WebSocketFrameEncoder.encode(frame, maskingKey: sampleKey) == bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    // MARK: Round trips

    @Test(
        "encoding then parsing returns the same frame, with the minimal header, for boundary lengths",
        arguments: [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)]
    )
    func roundTrip(length: Int, headerLength: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
        let frame = WebSocketFrame(opcode: .binary, payload: payload)

        let unmasked = WebSocketFrameEncoder.encode(frame)
        #expect(unmasked.count == headerLength + length)
        #expect(WebSocketFrameEncoder.headerLength(payloadCount: length, masked: false) == headerLength)
        #expect(parseAll(unmasked, role: .client).frames == [frame])

        let masked = WebSocketFrameEncoder.encode(frame, maskingKey: [1, 2, 3, 250])
        #expect(masked.count == headerLength + 4 + length)
        #expect(WebSocketFrameEncoder.headerLength(payloadCount: length, masked: true) == headerLength + 4)
        #expect(parseAll(masked, role: .server).frames == [frame])
    }

    @Test("flags and opcodes survive a round trip")
    func flagsRoundTrip() {
        let frames = [
            WebSocketFrame(fin: false, rsv1: true, opcode: .text, payload: [1, 2, 3]),
            WebSocketFrame(fin: true, opcode: .continuation, payload: [4]),
            WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]),
            WebSocketFrame(opcode: .pong),
        ]
        var wire: [UInt8] = []
        for frame in frames { WebSocketFrameEncoder.encode(frame, into: &wire) }
        let result = parseAll(wire, role: .client, limits: .init(allowRSV1: true))
        #expect(result.error == nil)
        #expect(result.frames == frames)
    }

    @Test("feeding a stream one byte at a time yields the same frames as feeding it in one chunk")
    func byteByByte() throws {
        let frames = [
            WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
            WebSocketFrame(opcode: .ping, payload: Array("p".utf8)),
            WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)),
            WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0xAB, count: 300)),
            WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0xCD, count: 70_000)),
            WebSocketFrame(opcode: .close, payload: []),
        ]
        var wire: [UInt8] = []
        for (index, frame) in frames.enumerated() {
            WebSocketFrameEncoder.encode(frame, maskingKey: [UInt8(index), 0x55, 0xAA, 0xFF], into: &wire)
        }

        let whole = parseAll(wire, role: .server)
        #expect(whole.error == nil)
        #expect(whole.frames == frames)

        var parser = WebSocketFrameParser(role: .server)
        var pieces: [WebSocketFrame] = []
        for byte in wire {
            parser.append(CollectionOfOne(byte))
            while let frame = try parser.next() { pieces.append(frame) }
        }
        #expect(pieces == frames)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("an incomplete frame returns nil and keeps its bytes until the rest arrives")
    func incomplete() throws {
        let wire = bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58")
        var parser = WebSocketFrameParser(role: .server)
        parser.append(wire.prefix(7))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 7)
        parser.append(wire.dropFirst(7))
        #expect(try parser.next() == WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)))
        #expect(try parser.next() == nil)
    }

    // MARK: Errors

    @Test(
        "each header violation is rejected with the matching error and close code",
        arguments: [
            // Reserved opcodes.
            ("83 00", WebSocketRole.client, WebSocketProtocolError.reservedOpcode(3), UInt16(1002)),
            ("8b 00", .client, .reservedOpcode(11), 1002),
            // Reserved bits without an extension.
            ("a1 00", .client, .reservedBitsSet, 1002),
            ("91 00", .client, .reservedBitsSet, 1002),
            ("c1 00", .client, .reservedBitsSet, 1002),
            // Control frame rules.
            ("09 00", .client, .fragmentedControlFrame, 1002),
            ("89 7e 00 7e", .client, .controlFrameTooLong(126), 1002),
            // Length encodings.
            ("82 7e 00 7d", .client, .nonMinimalLength, 1002),
            ("82 7f 00 00 00 00 00 00 ff ff", .client, .nonMinimalLength, 1002),
            ("82 7f 80 00 00 00 00 00 00 00", .client, .lengthOverflow, 1002),
            // Masking direction.
            ("81 00", .server, .maskMismatch(role: .server), 1002),
            ("81 80 00 00 00 00", .client, .maskMismatch(role: .client), 1002),
            // Size limit, known from the header alone: no payload byte is present.
            ("82 7f 00 00 00 00 00 0f 42 41", .client, .frameTooLarge(length: 1_000_001, limit: 1_000_000), 1009),
        ] as [(String, WebSocketRole, WebSocketProtocolError, UInt16)]
    )
    func headerErrors(hex: String, role: WebSocketRole, expected: WebSocketProtocolError, closeCode: UInt16) {
        let result = parseAll(bytes(hex), role: role)
        #expect(result.frames.isEmpty)
        #expect(result.error == expected)
        #expect(result.error?.closeCode == closeCode)
    }

    @Test("RSV1 is accepted on a data frame once permessage-deflate is negotiated, but not on control or continuation")
    func rsv1Rules() {
        let limits = WebSocketFrameParser.Limits(allowRSV1: true)
        #expect(parseAll(bytes("c1 01 00"), role: .client, limits: limits).frames.first?.rsv1 == true)
        #expect(parseAll(bytes("c9 00"), role: .client, limits: limits).error == .compressionBitOnControlOrContinuationFrame)
        #expect(parseAll(bytes("c0 00"), role: .client, limits: limits).error == .compressionBitOnControlOrContinuationFrame)
        #expect(WebSocketProtocolError.compressionBitOnControlOrContinuationFrame.closeCode == 1002)
    }

    @Test("the frame limit is configurable and a frame exactly at the limit is accepted")
    func customLimit() {
        let limits = WebSocketFrameParser.Limits(maxFrameSize: 3)
        #expect(parseAll(bytes("82 03 01 02 03"), role: .client, limits: limits).frames.count == 1)
        #expect(parseAll(bytes("82 04"), role: .client, limits: limits).error == .frameTooLarge(length: 4, limit: 3))
    }

    @Test("after an error the parser keeps throwing the same error")
    func stickyError() throws {
        var parser = WebSocketFrameParser(role: .client)
        parser.append(bytes("83 00 81 00"))
        #expect(throws: WebSocketProtocolError.reservedOpcode(3)) { try parser.next() }
        #expect(throws: WebSocketProtocolError.reservedOpcode(3)) { try parser.next() }
    }

    // MARK: Masking and buffering

    @Test("masking in pieces with a key offset equals masking at once, for lengths around the 8-byte step")
    func maskPieces() {
        let key: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        for length in 0...20 {
            let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let naive = original.enumerated().map { $0.element ^ key[$0.offset % 4] }

            var whole = original
            WebSocketMask.apply(maskingKey: key, to: &whole)
            #expect(whole == naive, "length \(length)")

            for split in 0...length {
                var pieces = original
                WebSocketMask.apply(maskingKey: key, to: &pieces, in: 0..<split)
                WebSocketMask.apply(maskingKey: key, to: &pieces, in: split..<length, keyOffset: split)
                #expect(pieces == naive, "length \(length) split \(split)")
            }
        }
    }

    @Test("many frames fed in small chunks leave no bytes buffered once all are read")
    func bufferStaysBounded() throws {
        var wire: [UInt8] = []
        for index in 0..<2000 {
            let frame = WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: UInt8(index & 0xFF), count: 37))
            WebSocketFrameEncoder.encode(frame, maskingKey: [9, 8, 7, 6], into: &wire)
        }
        var parser = WebSocketFrameParser(role: .server)
        var count = 0
        var offset = 0
        while offset < wire.count {
            let end = min(offset + 1000, wire.count)
            parser.append(wire[offset..<end])
            offset = end
            while let frame = try parser.next() {
                #expect(frame.payload.count == 37)
                count += 1
            }
            #expect(parser.bufferedByteCount < 43)
        }
        #expect(count == 2000)
        #expect(parser.bufferedByteCount == 0)
    }
}
