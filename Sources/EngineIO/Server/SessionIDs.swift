import EngineIOPlatform
import EngineIOWire

/// Session ids: 15 random bytes from OpenSSL as URL-safe base64 (20 characters, as python's and JS's).
///
/// Random bytes are drawn 64 sids at a time (one `RAND_bytes` call costs about as much for 960 bytes as for 15, and
/// a call per handshake was a measurable part of it), handed out by one loop only, and wiped once used so no sid can
/// be read back out of the pool.
struct SessionIDs {
    /// The base64url alphabet; with several shards a sid's first character is the shard's index in it.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private var pool: [UInt8] = []
    private var offset = 0

    /// A fresh sid; with `shard`, its first character names that shard.
    mutating func next(shard: Int?) -> String {
        if offset + 15 > pool.count {
            pool = SecureRandom.bytes(15 * 64)
            offset = 0
        }
        defer {
            for index in offset..<offset + 15 { pool[index] = 0 }
            offset += 15
        }
        var sid = Self.encodedBytes(pool[offset..<offset + 15])
        if let shard { sid[0] = Self.alphabet[shard] }
        return String(decoding: sid, as: UTF8.self)
    }

    /// 15 bytes as a sid.
    static func encode(_ random: some Collection<UInt8>) -> String { String(decoding: encodedBytes(random), as: UTF8.self) }

    /// Base64 with `-` and `_` for `+` and `/` (15 bytes need no padding).
    private static func encodedBytes(_ random: some Collection<UInt8>) -> [UInt8] {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(20)
        Base64.encode(random, into: &encoded)
        for index in encoded.indices {
            if encoded[index] == UInt8(ascii: "+") {
                encoded[index] = UInt8(ascii: "-")
            } else if encoded[index] == UInt8(ascii: "/") {
                encoded[index] = UInt8(ascii: "_")
            }
        }
        return encoded
    }
}
