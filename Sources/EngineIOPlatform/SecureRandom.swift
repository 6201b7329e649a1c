import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG: session ids, WebSocket keys and masks.
public enum SecureRandom {
    /// `count` random bytes. Traps if the CSPRNG cannot be seeded, since continuing would hand out guessable sids.
    public static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        precondition(status == 1, "OpenSSL RAND_bytes failed; refusing to generate predictable identifiers")
        return output
    }
}
