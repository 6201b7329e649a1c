/// What the assembler delivers: whole messages and control frames.
public enum WebSocketEvent: Sendable, Equatable, Hashable {
    /// A complete, valid UTF-8 text message.
    case text(String)
    /// A complete binary message.
    case binary([UInt8])
    /// A complete permessage-deflate message (its first frame had RSV1), still compressed.
    ///
    /// `opcode` is `.text` or `.binary`. The shell inflates `payload` (after appending
    /// `PerMessageDeflate.messageTrailer`), checks the inflated size, and for text validates UTF-8 (close code 1007).
    case compressed(opcode: WebSocketOpcode, payload: [UInt8])
    /// A ping; answer with a pong carrying the same payload.
    case ping([UInt8])
    /// A pong.
    case pong([UInt8])
    /// A close frame; `code` is `nil` when the payload was empty. Answer with a close frame if we did not send one.
    case close(code: UInt16?, reason: String)
}

/// Turns frames into messages: joins fragments, validates text incrementally, enforces the message size limit.
///
/// Control frames may arrive between the fragments of a message and are delivered at once. Like the frame parser, the
/// assembler stays failed after its first error.
public struct WebSocketMessageAssembler: Sendable, Equatable {
    private struct PartialMessage: Sendable, Equatable {
        var opcode: WebSocketOpcode
        var compressed: Bool
        var payload: [UInt8]
        var validator: UTF8Validator
    }

    /// The frame parser behind `append` and `next`.
    public private(set) var parser: WebSocketFrameParser
    /// The largest message, summed over its fragments, in bytes. For compressed messages this bounds the compressed
    /// size; the shell must bound the inflated size itself.
    public var maxMessageSize: Int

    private var partial: PartialMessage?
    private var failure: WebSocketProtocolError?

    /// An assembler for `role`, parsing frames with `limits`.
    public init(role: WebSocketRole, limits: WebSocketFrameParser.Limits = .init(), maxMessageSize: Int = 1_000_000) {
        self.parser = WebSocketFrameParser(role: role, limits: limits)
        self.maxMessageSize = maxMessageSize
    }

    /// The bytes held: received and not yet parsed, plus the fragments of the message in progress.
    public var bufferedByteCount: Int { parser.bufferedByteCount + (partial?.payload.count ?? 0) }

    /// Changes the largest frame the parser accepts, for frames not yet begun.
    public mutating func limitFrames(to maxFrameSize: Int) { parser.limits.maxFrameSize = maxFrameSize }

    /// Whether a fragmented message has started and not yet finished.
    public var isMessageInProgress: Bool { partial != nil }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        parser.append(bytes)
    }

    /// The next event from the bytes appended so far, or `nil` when more bytes are needed.
    public mutating func next() throws(WebSocketProtocolError) -> WebSocketEvent? {
        switch try nextAssembled() {
        case .text(let bytes): .text(String(decoding: bytes, as: UTF8.self))  // validated already
        case .other(let event): event
        case nil: nil
        }
    }

    /// What `nextAssembled` returns: a text message as its bytes, already checked to be UTF-8, or any other event.
    enum Assembled {
        case text([UInt8])
        case other(WebSocketEvent)
    }

    /// `next()` for an owner that wants a text message's bytes (`WebSocketConnection`): they are validated in place,
    /// without making a `String` that the owner would turn straight back into bytes (an allocation and two copies
    /// per message).
    mutating func nextAssembled() throws(WebSocketProtocolError) -> Assembled? {
        if let failure { throw failure }
        do throws(WebSocketProtocolError) {
            while let frame = try parser.next() {
                if let event = try assemble(frame) { return event }
            }
            return nil
        } catch {
            failure = error
            throw error
        }
    }

    /// Feeds one frame that was parsed elsewhere; returns an event when it completes one.
    ///
    /// The frame is expected to have passed `WebSocketFrameParser`'s header checks (reserved bits, masking); the
    /// control frame rules are checked again because they decide how the frame is interpreted here.
    public mutating func process(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketEvent? {
        if let failure { throw failure }
        do throws(WebSocketProtocolError) {
            switch try assemble(frame) {
            case .text(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
            case .other(let event): return event
            case nil: return nil
            }
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func assemble(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> Assembled? {
        switch frame.opcode {
        case .ping, .pong, .close:
            if !frame.fin { throw .fragmentedControlFrame }
            if frame.payload.count > 125 { throw .controlFrameTooLong(UInt64(frame.payload.count)) }
            if frame.rsv1 { throw .compressionBitOnControlOrContinuationFrame }
            switch frame.opcode {
            case .ping:
                return .other(.ping(frame.payload))
            case .pong:
                return .other(.pong(frame.payload))
            default:
                let (code, reason) = try WebSocketCloseCode.parseClosePayload(frame.payload)
                return .other(.close(code: code, reason: reason))
            }

        case .text, .binary:
            if partial != nil { throw .expectedContinuation }
            if frame.payload.count > maxMessageSize { throw .messageTooLarge(limit: maxMessageSize) }
            if frame.fin {
                return try complete(
                    opcode: frame.opcode, compressed: frame.rsv1, payload: frame.payload, validated: false
                )
            }
            var validator = UTF8Validator()
            if frame.opcode == .text && !frame.rsv1 && !validator.consume(frame.payload) { throw .invalidUTF8 }
            partial = PartialMessage(
                opcode: frame.opcode, compressed: frame.rsv1, payload: frame.payload, validator: validator
            )
            return nil

        case .continuation:
            guard var message = partial else { throw .unexpectedContinuation }
            if frame.rsv1 { throw .compressionBitOnControlOrContinuationFrame }
            if frame.payload.count > maxMessageSize - message.payload.count {
                throw .messageTooLarge(limit: maxMessageSize)
            }
            // Drop our reference before appending so the buffer is uniquely owned and grows in place.
            partial = nil
            if message.opcode == .text && !message.compressed && !message.validator.consume(frame.payload) {
                throw .invalidUTF8
            }
            message.payload.append(contentsOf: frame.payload)
            if frame.fin {
                if message.opcode == .text && !message.compressed && !message.validator.isComplete {
                    throw .invalidUTF8
                }
                return try complete(
                    opcode: message.opcode, compressed: message.compressed, payload: message.payload, validated: true
                )
            }
            partial = message
            return nil
        }
    }

    private func complete(
        opcode: WebSocketOpcode,
        compressed: Bool,
        payload: [UInt8],
        validated: Bool
    ) throws(WebSocketProtocolError) -> Assembled {
        if compressed { return .other(.compressed(opcode: opcode, payload: payload)) }
        guard opcode == .text else { return .other(.binary(payload)) }
        // An unfragmented message needs no fail-fast: it is checked whole, eight ASCII bytes at a time.
        guard validated || UTF8Validator.isValid(payload) else { throw .invalidUTF8 }
        return .text(payload)
    }
}
