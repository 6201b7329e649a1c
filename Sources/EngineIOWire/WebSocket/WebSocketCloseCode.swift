/// Close status codes (RFC 6455 §7.4) and the close frame payload format (§5.5.1).
public enum WebSocketCloseCode {
    /// 1000: the purpose of the connection has been fulfilled.
    public static let normal: UInt16 = 1000
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    public static let goingAway: UInt16 = 1001
    /// 1002: the peer violated the protocol.
    public static let protocolError: UInt16 = 1002
    /// 1003: the endpoint cannot accept this type of data (e.g. binary when it only understands text).
    public static let unsupportedData: UInt16 = 1003
    /// 1005: no code was present. Reported locally only; never sent.
    public static let noStatusReceived: UInt16 = 1005
    /// 1006: the connection dropped without a close frame. Reported locally only; never sent.
    public static let abnormalClosure: UInt16 = 1006
    /// 1007: a message's data is inconsistent with its type (invalid UTF-8 in a text message).
    public static let invalidPayload: UInt16 = 1007
    /// 1008: a message violates the endpoint's policy.
    public static let policyViolation: UInt16 = 1008
    /// 1009: a message is too big to process.
    public static let messageTooBig: UInt16 = 1009
    /// 1010: the client expected an extension the server did not negotiate.
    public static let mandatoryExtension: UInt16 = 1010
    /// 1011: the server hit an unexpected condition.
    public static let internalError: UInt16 = 1011

    /// The largest close reason in bytes: a control frame holds 125 bytes, 2 of which are the code.
    public static let maxReasonLength = 123

    /// Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4.1, §7.4.2 and the IANA registry).
    ///
    /// 1004, 1005, 1006 and 1015 are reserved or local-only; 1012–1014 were registered with IANA after the RFC and are
    /// rejected too, as the RFC's own list is what peers are tested against; 0–999 and 1016–2999 are unassigned, and
    /// 5000 and above are out of range.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }

    /// The payload of a close frame: the code in network byte order followed by `reason` as UTF-8, truncated to
    /// `maxReasonLength` bytes without splitting a code point.
    ///
    /// The code is not checked; send only codes for which `isValidOnWire` is true.
    public static func closeFramePayload(code: UInt16, reason: String = "") -> [UInt8] {
        var payload: [UInt8] = [UInt8(truncatingIfNeeded: code >> 8), UInt8(truncatingIfNeeded: code)]
        var utf8 = Array(reason.utf8)
        if utf8.count > maxReasonLength {
            var end = maxReasonLength
            // `utf8[end]` is the first byte dropped; while it continues a sequence, that sequence would be cut.
            while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
            utf8.removeSubrange(end...)
        }
        payload.append(contentsOf: utf8)
        return payload
    }

    /// Reads a received close frame payload: no code when it is empty, otherwise a valid code and a UTF-8 reason.
    ///
    /// Throws `.invalidClosePayload` for a 1-byte payload, `.invalidCloseCode` for a code that may not be sent, and
    /// `.invalidUTF8` for a reason that is not UTF-8.
    public static func parseClosePayload(
        _ payload: [UInt8]
    ) throws(WebSocketProtocolError) -> (code: UInt16?, reason: String) {
        if payload.isEmpty { return (nil, "") }
        guard payload.count >= 2 else { throw .invalidClosePayload }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard isValidOnWire(code) else { throw .invalidCloseCode(code) }
        guard let reason = UTF8Validator.string(payload[2...]) else { throw .invalidUTF8 }
        return (code, reason)
    }
}
