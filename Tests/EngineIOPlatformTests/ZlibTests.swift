import EngineIOPlatform
import EngineIOTesting
import EngineIOTestSupport
import Foundation
import Testing

@Suite("zlib")
struct ZlibTests {
    private let text = Array(String(repeating: "Engine.IO polling payload \u{1E}4hello ", count: 80).utf8)

    @Test("gzip output is read by the gzip tool and gzip's output is read back")
    func gzipInterop() throws {
        let compressed = try Deflater(format: .gzip).compress(text)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        #expect(try run("/bin/gzip", ["-dc"], input: compressed) == text)
        let fromTool = try run("/bin/gzip", ["-c"], input: text)
        #expect(try Inflater(format: .gzip).decompress(fromTool, limit: 1 << 20) == text)
    }

    @Test("zlib-wrapped deflate output is read by python's zlib")
    func zlibInterop() throws {
        let compressed = try Deflater(format: .zlib).compress(text)
        let script = "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"
        #expect(try run("/usr/bin/env", ["python3", "-c", script], input: compressed) == text)
    }

    @Test("permessage-style raw deflate keeps context across messages and python reads the stream")
    func rawDeflateContextTakeover() throws {
        let deflater = try Deflater(format: .raw(windowBits: 15))
        let inflater = try Inflater(format: .raw(windowBits: 15))
        var stream: [UInt8] = []
        var sizes: [Int] = []
        for _ in 0..<2 {
            let message = try deflater.compressMessage(text)
            #expect(Array(message.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
            sizes.append(message.count)
            stream += message
            #expect(try inflater.decompressMessage(message, limit: 1 << 20) == text)
        }
        #expect(sizes[1] < sizes[0], "the second message should reuse the first one's window")
        let script = "import sys, zlib; d = zlib.decompressobj(-15); sys.stdout.buffer.write(d.decompress(sys.stdin.buffer.read()))"
        #expect(try run("/usr/bin/env", ["python3", "-c", script], input: stream) == text + text)
    }

    @Test("inflating past the limit is refused instead of allocating without bound")
    func outputLimit() throws {
        let bomb = try Deflater(format: .gzip).compress([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        #expect(throws: ZlibError.outputLimitExceeded) { try Inflater(format: .gzip).decompress(bomb, limit: 1_000_000) }
    }

    @Test("truncated and corrupt input is a typed error")
    func corruptInput() throws {
        let compressed = try Deflater(format: .gzip).compress(text)
        #expect(throws: ZlibError.truncated) { try Inflater(format: .gzip).decompress(Array(compressed.prefix(20)), limit: 1 << 20) }
        #expect(throws: ZlibError.self) { try Inflater(format: .gzip).decompress([0x1F, 0x8B, 9, 9, 9, 9, 9, 9, 9, 9], limit: 1 << 20) }
    }

    @Test("any bytes survive every format")
    func roundTrip() throws {
        try Property("zlib round trip", Gen.zip(Gen.bytes(maxCount: 300), Gen.int(in: 0...2))) { bytes, format in
            let kind: ZlibFormat = [.gzip, .zlib, .raw(windowBits: 9)][format]
            let compressed = try Deflater(format: kind).compress(bytes)
            try ensureEqual(try Inflater(format: kind).decompressMessage(compressed, limit: 1 << 20), bytes)
        }.check(cases: 1_000)
    }

    @Test("secure random bytes differ between calls and have the requested length")
    func secureRandom() throws {
        let a = SecureRandom.bytes(16), b = SecureRandom.bytes(16)
        #expect(a.count == 16)
        #expect(a != b)
        #expect(SecureRandom.bytes(0) == [])
    }

    private func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Write on another thread so a large output cannot deadlock against a full input pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(output)
    }
}
