import CZlib

/// The container around a deflate stream.
public enum ZlibFormat: Sendable, Hashable {
    /// RFC 1952 gzip (`Content-Encoding: gzip`).
    case gzip
    /// RFC 1950 zlib (`Content-Encoding: deflate`, which in HTTP means zlib-wrapped).
    case zlib
    /// RFC 1951 raw deflate with the given window (8...15), as permessage-deflate uses it.
    case raw(windowBits: Int)

    var windowBits: Int32 {
        switch self {
        case .gzip: 15 + 16
        case .zlib: 15
        // zlib refuses raw deflate with an 8-bit window; 9 produces streams a 256-byte-window peer can still read.
        case .raw(let bits): -Int32(max(9, min(15, bits)))
        }
    }
}

/// Why zlib refused.
public enum ZlibError: Error, Equatable, Sendable {
    case initialization(Int32)
    case stream(Int32)
    /// The inflated output would exceed the caller's limit (a compression bomb, or just too large).
    case outputLimitExceeded
    /// The input ended before the compressed stream did.
    case truncated
}

/// A deflate compressor. One instance per stream: permessage-deflate with context takeover keeps it across messages.
public final class Deflater {
    private var stream = z_stream()

    public init(format: ZlibFormat, level: Int32 = 6, memoryLevel: Int32 = 8) throws(ZlibError) {
        let status = czlib_deflateInit2(&stream, level, Z_DEFLATED, format.windowBits, memoryLevel, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else { throw ZlibError.initialization(status) }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses a whole body in one go (`Z_FINISH`); the deflater is then reset for the next body.
    public func compress(_ input: [UInt8]) throws(ZlibError) -> [UInt8] {
        defer { deflateReset(&stream) }
        return try run(input, flush: Z_FINISH)
    }

    /// Compresses one message and ends it on a byte boundary (`Z_SYNC_FLUSH`), keeping the window for the next
    /// message. permessage-deflate then drops the trailing `00 00 ff ff`; see `PerMessageDeflate`.
    public func compressMessage(_ input: [UInt8]) throws(ZlibError) -> [UInt8] {
        try run(input, flush: Z_SYNC_FLUSH)
    }

    /// Forgets the window (for `no_context_takeover`).
    public func reset() { deflateReset(&stream) }

    private func run(_ input: [UInt8], flush: Int32) throws(ZlibError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var produced = 0
        var failure: Int32?
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: max(64, output.count))) }
                let status: Int32 = output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress! + produced
                    stream.avail_out = uInt(target.count - produced)
                    let status = deflate(&stream, flush)
                    produced = target.count - Int(stream.avail_out)
                    return status
                }
                if status == Z_STREAM_END { break }
                if status != Z_OK && status != Z_BUF_ERROR {
                    failure = status
                    break
                }
                // Done when zlib consumed everything and had output space left over.
                if stream.avail_in == 0 && stream.avail_out > 0 && flush != Z_FINISH { break }
            }
            stream.next_in = nil
        }
        if let failure { throw ZlibError.stream(failure) }
        output.removeSubrange(produced...)
        return output
    }
}

/// A deflate decompressor with an output limit, so a small hostile input cannot expand without bound.
public final class Inflater {
    private var stream = z_stream()

    public init(format: ZlibFormat) throws(ZlibError) {
        // Inflating raw streams needs the largest window: the peer may use any size up to what was negotiated.
        let bits: Int32 = if case .raw = format { -15 } else { format.windowBits }
        let status = czlib_inflateInit2(&stream, bits)
        guard status == Z_OK else { throw ZlibError.initialization(status) }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates a complete gzip/zlib body; `truncated` if the stream does not end within `input`.
    public func decompress(_ input: [UInt8], limit: Int) throws(ZlibError) -> [UInt8] {
        defer { inflateReset(&stream) }
        let (output, ended) = try run(input, limit: limit)
        guard ended else { throw ZlibError.truncated }
        return output
    }

    /// Inflates one permessage-deflate message (the caller appends `00 00 ff ff`), keeping the window.
    public func decompressMessage(_ input: [UInt8], limit: Int) throws(ZlibError) -> [UInt8] {
        try run(input, limit: limit).output
    }

    /// Forgets the window (for `no_context_takeover`).
    public func reset() { inflateReset(&stream) }

    private func run(_ input: [UInt8], limit: Int) throws(ZlibError) -> (output: [UInt8], ended: Bool) {
        var output = [UInt8](repeating: 0, count: min(limit + 1, max(256, input.count * 4)))
        var produced = 0
        var failure: ZlibError?
        var ended = false
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                if produced == output.count {
                    guard output.count <= limit else {
                        failure = .outputLimitExceeded
                        break
                    }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit + 1 - output.count)))
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress! + produced
                    stream.avail_out = uInt(target.count - produced)
                    let status = inflate(&stream, Z_SYNC_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                    return status
                }
                if status == Z_STREAM_END {
                    ended = true
                    break
                }
                if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && stream.avail_out > 0) {
                    break  // all input used
                }
                if status != Z_OK {
                    failure = .stream(status)
                    break
                }
            }
            stream.next_in = nil
        }
        if let failure { throw failure }
        if produced > limit { throw ZlibError.outputLimitExceeded }
        output.removeSubrange(produced...)
        return (output, ended)
    }
}
