/// Serialises frames to wire bytes (RFC 6455 §5.2), always with the minimal length encoding.
///
/// The encoder does not check the frame against the protocol (a control frame over 125 bytes, RSV bits without an
/// extension): producing valid frames is the sender's job and checking would cost on every message.
public enum WebSocketFrameEncoder {
    /// The number of header bytes a frame with `payloadCount` bytes takes: 2, 4 or 10, plus 4 when masked.
    public static func headerLength(payloadCount: Int, masked: Bool) -> Int {
        let base = payloadCount < 126 ? 2 : (payloadCount <= 0xFFFF ? 4 : 10)
        return masked ? base + 4 : base
    }

    /// Appends `frame` to `output`, masking the payload with `maskingKey` when one is given.
    ///
    /// Clients must mask every frame with a fresh key from a strong random source (RFC 6455 §5.3); servers must not
    /// mask. The key is an input so this module stays free of randomness.
    /// - Precondition: `maskingKey` is `nil` or 4 bytes.
    public static func encode(_ frame: WebSocketFrame, maskingKey: [UInt8]? = nil, into output: inout [UInt8]) {
        encode(
            fin: frame.fin, rsv1: frame.rsv1, rsv2: frame.rsv2, rsv3: frame.rsv3, opcode: frame.opcode,
            payload: frame.payload, maskingKey: maskingKey, into: &output
        )
    }

    /// The wire bytes of `frame`, masked with `maskingKey` when one is given.
    /// - Precondition: `maskingKey` is `nil` or 4 bytes.
    public static func encode(_ frame: WebSocketFrame, maskingKey: [UInt8]? = nil) -> [UInt8] {
        var output: [UInt8] = []
        encode(frame, maskingKey: maskingKey, into: &output)
        return output
    }

    /// Appends a frame built from its parts, so a sender can fragment or frame a slice without copying it into a
    /// `WebSocketFrame` first.
    /// - Precondition: `maskingKey` is `nil` or 4 bytes.
    public static func encode(
        fin: Bool = true,
        rsv1: Bool = false,
        rsv2: Bool = false,
        rsv3: Bool = false,
        opcode: WebSocketOpcode,
        payload: some Collection<UInt8>,
        maskingKey: [UInt8]? = nil,
        into output: inout [UInt8]
    ) {
        precondition(maskingKey == nil || maskingKey?.count == 4, "a WebSocket masking key is 4 bytes")
        let count = payload.count
        output.reserveAppending(headerLength(payloadCount: count, masked: maskingKey != nil) + count)

        var first = opcode.rawValue
        if fin { first |= 0x80 }
        if rsv1 { first |= 0x40 }
        if rsv2 { first |= 0x20 }
        if rsv3 { first |= 0x10 }
        output.append(first)

        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        if count < 126 {
            output.append(maskBit | UInt8(truncatingIfNeeded: count))
        } else if count <= 0xFFFF {
            output.append(maskBit | 126)
            output.append(UInt8(truncatingIfNeeded: count >> 8))
            output.append(UInt8(truncatingIfNeeded: count))
        } else {
            output.append(maskBit | 127)
            let length = UInt64(count)
            for shift in stride(from: 56, through: 0, by: -8) {
                output.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
            }
        }

        guard let maskingKey else {
            output.append(contentsOf: payload)
            return
        }
        output.append(contentsOf: maskingKey)
        let start = output.count
        output.append(contentsOf: payload)
        let key = WebSocketMask.Key(maskingKey)
        output.withUnsafeMutableBytes { raw in
            key.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
    }
}
