/// A resumable RFC 6455 frame parser: feed it bytes as they arrive, take frames out as they complete.
///
/// Every header rule is checked as soon as the bytes carrying it are present, so a hostile peer is rejected before it
/// can make us buffer a payload: in particular the frame size limit is enforced from the length field, not after the
/// payload has arrived. After an error the parser stays failed and rethrows the same error, because the byte stream
/// has lost its framing and the connection must be closed.
public struct WebSocketFrameParser: Sendable, Equatable {
    /// What the parser accepts beyond the base protocol.
    public struct Limits: Sendable, Equatable, Hashable {
        /// The largest payload a single frame may announce, in bytes.
        public var maxFrameSize: Int
        /// Whether RSV1 may be set, which is true only when permessage-deflate was negotiated (RFC 7692 §6).
        public var allowRSV1: Bool

        /// Limits with a 1 MB frame size and no extension.
        public init(maxFrameSize: Int = 1_000_000, allowRSV1: Bool = false) {
            self.maxFrameSize = maxFrameSize
            self.allowRSV1 = allowRSV1
        }
    }

    /// Our side of the connection; a server requires masked frames, a client unmasked ones.
    public let role: WebSocketRole
    /// The limits in force; may be changed between frames.
    public var limits: Limits

    private var buffer: [UInt8] = []
    /// Bytes before this index belong to frames already returned.
    private var readIndex = 0
    private var failure: WebSocketProtocolError?

    /// Consumed bytes are only moved out of the buffer once there are at least this many, so feeding one byte at a time
    /// does not shift the buffer on every frame.
    private static let compactionThreshold = 4096
    /// An emptied buffer keeps its storage up to this size; beyond it the storage is released so one large frame does
    /// not pin memory for the rest of the connection.
    private static let retainedCapacity = 64 * 1024

    /// A parser for `role` with `limits`.
    public init(role: WebSocketRole, limits: Limits = Limits()) {
        self.role = role
        self.limits = limits
    }

    /// The bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame with its payload unmasked, or `nil` when more bytes are needed.
    public mutating func next() throws(WebSocketProtocolError) -> WebSocketFrame? {
        if let failure { throw failure }
        do throws(WebSocketProtocolError) {
            return try parseFrame()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func parseFrame() throws(WebSocketProtocolError) -> WebSocketFrame? {
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let start = readIndex
        let first = buffer[start]
        let second = buffer[start + 1]

        let fin = first & 0x80 != 0
        let rsv1 = first & 0x40 != 0
        let rsv2 = first & 0x20 != 0
        let rsv3 = first & 0x10 != 0
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            throw .reservedOpcode(first & 0x0F)
        }
        if rsv2 || rsv3 || (rsv1 && !limits.allowRSV1) { throw .reservedBitsSet }
        if rsv1 && (opcode.isControl || opcode == .continuation) {
            throw .compressionBitOnControlOrContinuationFrame
        }
        let masked = second & 0x80 != 0
        if masked != (role == .server) { throw .maskMismatch(role: role) }
        let shortLength = second & 0x7F
        if opcode.isControl {
            if !fin { throw .fragmentedControlFrame }
            if shortLength > 125 { throw .controlFrameTooLong(UInt64(shortLength)) }
        }

        var headerLength = 2
        var length = UInt64(shortLength)
        if shortLength == 126 {
            guard available >= 4 else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
            if length < 126 { throw .nonMinimalLength }
            headerLength = 4
        } else if shortLength == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for offset in 2..<10 {
                length = length << 8 | UInt64(buffer[start + offset])
            }
            if length & (1 << 63) != 0 { throw .lengthOverflow }
            if length <= 0xFFFF { throw .nonMinimalLength }
            headerLength = 10
        }
        if length > UInt64(max(0, limits.maxFrameSize)) {
            throw .frameTooLarge(length: length, limit: limits.maxFrameSize)
        }
        let payloadLength = Int(length)

        let keyStart = start + headerLength
        if masked { headerLength += 4 }
        // Subtracting avoids overflow when a caller sets `maxFrameSize` near `Int.max`.
        guard available >= headerLength, available - headerLength >= payloadLength else { return nil }

        let payloadStart = start + headerLength
        var payload = Array(buffer[payloadStart..<(payloadStart + payloadLength)])
        if masked {
            let key = WebSocketMask.Key(
                buffer[keyStart], buffer[keyStart + 1], buffer[keyStart + 2], buffer[keyStart + 3]
            )
            payload.withUnsafeMutableBytes { key.apply(to: $0) }
        }
        readIndex = payloadStart + payloadLength
        if readIndex == buffer.count { releaseConsumed() }
        return WebSocketFrame(fin: fin, rsv1: rsv1, rsv2: rsv2, rsv3: rsv3, opcode: opcode, payload: payload)
    }

    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            releaseConsumed()
        } else if readIndex >= Self.compactionThreshold && readIndex * 2 >= buffer.count {
            // Shifting at most as many bytes as are dropped keeps the cost amortised O(1) per byte.
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    private mutating func releaseConsumed() {
        buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
        readIndex = 0
    }
}
