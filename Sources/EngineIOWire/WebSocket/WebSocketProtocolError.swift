/// A violation of RFC 6455 (or RFC 7692) by the peer; the connection must be failed with `closeCode`.
///
/// One enum for the frame parser and the message assembler so a shell has a single place that maps a failure to the
/// close frame it sends before dropping the connection (RFC 6455 §7.1.7).
public enum WebSocketProtocolError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The opcode is one of the reserved values 3–7 or 11–15.
    case reservedOpcode(UInt8)
    /// RSV2 or RSV3 is set, or RSV1 without a negotiated permessage-deflate.
    case reservedBitsSet
    /// RSV1 is set on a control or continuation frame; permessage-deflate only marks a message's first frame.
    case compressionBitOnControlOrContinuationFrame
    /// A control frame has FIN clear.
    case fragmentedControlFrame
    /// A control frame carries more than 125 bytes (the length given).
    case controlFrameTooLong(UInt64)
    /// The length uses a longer form than needed (RFC 6455 §5.2 requires the minimal one).
    case nonMinimalLength
    /// A 64-bit length has its most significant bit set.
    case lengthOverflow
    /// A client sent an unmasked frame to us (server), or a server sent a masked frame to us (client).
    case maskMismatch(role: WebSocketRole)
    /// The frame header announces more payload than the frame limit allows.
    case frameTooLarge(length: UInt64, limit: Int)
    /// The message across its fragments exceeds the message limit.
    case messageTooLarge(limit: Int)
    /// A continuation frame arrived while no fragmented message was in progress.
    case unexpectedContinuation
    /// A text or binary frame arrived while a fragmented message was still in progress.
    case expectedContinuation
    /// A text message (or a close reason) is not valid UTF-8.
    case invalidUTF8
    /// A close frame has a 1-byte payload, which cannot hold a status code.
    case invalidClosePayload
    /// A close frame carries a status code that may not be sent on the wire (RFC 6455 §7.4).
    case invalidCloseCode(UInt16)

    /// The status code to close the connection with (RFC 6455 §7.4.1).
    public var closeCode: UInt16 {
        switch self {
        case .invalidUTF8:
            WebSocketCloseCode.invalidPayload
        case .frameTooLarge, .messageTooLarge:
            WebSocketCloseCode.messageTooBig
        case .reservedOpcode, .reservedBitsSet, .compressionBitOnControlOrContinuationFrame, .fragmentedControlFrame,
            .controlFrameTooLong, .nonMinimalLength, .lengthOverflow, .maskMismatch, .unexpectedContinuation,
            .expectedContinuation, .invalidClosePayload, .invalidCloseCode:
            WebSocketCloseCode.protocolError
        }
    }

    /// A short English explanation, suitable for logs and (truncated) as a close reason.
    public var description: String {
        switch self {
        case .reservedOpcode(let opcode): "reserved opcode \(opcode)"
        case .reservedBitsSet: "reserved bits set without a negotiated extension"
        case .compressionBitOnControlOrContinuationFrame: "RSV1 set on a control or continuation frame"
        case .fragmentedControlFrame: "fragmented control frame"
        case .controlFrameTooLong(let length): "control frame payload of \(length) bytes exceeds 125"
        case .nonMinimalLength: "payload length not minimally encoded"
        case .lengthOverflow: "64-bit payload length has its most significant bit set"
        case .maskMismatch(role: .server): "unmasked frame from a client"
        case .maskMismatch(role: .client): "masked frame from a server"
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .messageTooLarge(let limit): "message exceeds the limit of \(limit) bytes"
        case .unexpectedContinuation: "continuation frame without a message in progress"
        case .expectedContinuation: "new data frame while a fragmented message is in progress"
        case .invalidUTF8: "invalid UTF-8 in a text message or close reason"
        case .invalidClosePayload: "close frame payload of 1 byte"
        case .invalidCloseCode(let code): "invalid close code \(code)"
        }
    }
}
