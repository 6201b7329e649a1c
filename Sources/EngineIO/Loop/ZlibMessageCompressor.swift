import EngineIOPlatform
import EngineIOWire

/// permessage-deflate over zlib for one WebSocket, with the agreed windows and context takeover.
final class ZlibMessageCompressor: WebSocketMessageCompressor, @unchecked Sendable {
    private let deflater: Deflater
    private let inflater: Inflater
    private let configuration: PerMessageDeflateConfiguration
    private let role: WebSocketRole

    /// `nil` when zlib refuses the configuration; the extension must then not be agreed.
    init?(configuration: PerMessageDeflateConfiguration, role: WebSocketRole) {
        guard let deflater = try? Deflater(format: .raw(windowBits: configuration.compressorWindowBits(for: role))),
            let inflater = try? Inflater(format: .raw(windowBits: configuration.decompressorWindowBits(for: role)))
        else { return nil }
        self.deflater = deflater
        self.inflater = inflater
        self.configuration = configuration
        self.role = role
    }

    func compress(_ message: [UInt8]) throws -> [UInt8] {
        var compressed = try deflater.compressMessage(message)
        if compressed.suffix(4) == PerMessageDeflate.messageTrailer[...] { compressed.removeLast(4) }
        if configuration.resetsCompressor(for: role) { deflater.reset() }
        return compressed
    }

    func decompress(_ payload: [UInt8], limit: Int) throws(WebSocketDecompressionError) -> [UInt8] {
        defer { if configuration.resetsDecompressor(for: role) { inflater.reset() } }
        do {
            return try inflater.decompressMessage(payload + PerMessageDeflate.messageTrailer, limit: limit)
        } catch {
            throw error == .outputLimitExceeded ? .tooLarge : .invalid
        }
    }
}
