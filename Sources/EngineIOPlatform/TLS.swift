import COpenSSL
import Glibc

/// A TLS failure, with OpenSSL's own words.
public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// The last OpenSSL error (and the certificate check's verdict, when `ssl` failed verification).
    static func last(_ context: String, ssl: OpaquePointer? = nil) -> TLSError {
        var text = [CChar](repeating: 0, count: 256)
        let code = ERR_get_error()
        ERR_error_string_n(code, &text, text.count)
        var message = "\(context): \(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"
        if let ssl {
            let verdict = SSL_get_verify_result(ssl)
            if verdict != X509_V_OK { message += " (\(String(cString: X509_verify_cert_error_string(verdict))))" }
        }
        ERR_clear_error()
        return TLSError(message)
    }
}

/// Client TLS settings: the trusted certificates and whether to check the server at all.
public final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    public let verifies: Bool

    /// Verifies the server's chain against the system's CAs (or only `caFile`'s) unless `verify` is false
    /// (python's `ssl_verify=False`).
    /// `certificateFile`/`keyFile`: a PEM client certificate (chain) and its key, for servers that ask for one.
    public init(verify: Bool = true, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError.last("SSL_CTX_new") }
        self.context = context
        verifies = verify
        _ = copenssl_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        // Partial and moving writes let a non-blocking writer hand over what it has; idle connections free buffers.
        _ = copenssl_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        if verify {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if let caFile {
                guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else { throw TLSError.last("loading \(caFile)") }
            } else {
                guard SSL_CTX_set_default_verify_paths(context) == 1 else { throw TLSError.last("loading the system CA store") }
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if let certificateFile, let keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else { throw TLSError.last("loading \(certificateFile)") }
            guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else { throw TLSError.last("loading \(keyFile)") }
            guard SSL_CTX_check_private_key(context) == 1 else { throw TLSError.last("the client key does not match its certificate") }
        }
    }

    deinit { SSL_CTX_free(context) }
}

/// Server TLS settings: the certificate chain and key that every accepted connection presents.
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer

    /// `certificateFile`: PEM, the server certificate followed by its intermediates; `keyFile`: its PEM private key.
    public init(certificateFile: String, keyFile: String) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.last("SSL_CTX_new") }
        self.context = context
        _ = copenssl_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        // Idle sessions are most of a server's connections: releasing their buffers keeps them cheap.
        _ = copenssl_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else { throw TLSError.last("loading \(certificateFile)") }
        guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else { throw TLSError.last("loading \(keyFile)") }
        guard SSL_CTX_check_private_key(context) == 1 else { throw TLSError.last("the key does not match the certificate") }
    }

    deinit { SSL_CTX_free(context) }
}

/// One TLS connection over a non-blocking socket, either side.
/// Sendable so an accepting thread can hand it to the loop that serves it; only one thread uses it at a time.
public final class TLSConnection: @unchecked Sendable {
    private let ssl: OpaquePointer
    /// Keeps the `SSL_CTX` alive as long as the connection that uses it.
    private let context: AnyObject

    /// What a non-blocking TLS call did.
    public enum Progress: Equatable {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
        case failed(TLSError)
    }

    /// Wraps `fd` (already connected); `hostname` goes out as SNI and, when verifying, must match the certificate.
    public init(context: TLSClientContext, fd: Int32, hostname: String) throws(TLSError) {
        self.context = context
        guard let ssl = SSL_new(context.context) else { throw TLSError.last("SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        let isAddress = hostname.contains(":") || hostname.allSatisfy { $0.isNumber || $0 == "." }
        if !isAddress { _ = copenssl_SSL_set_tlsext_host_name(ssl, hostname) }
        if context.verifies {
            if isAddress {
                let parameters = SSL_get0_param(ssl)
                guard X509_VERIFY_PARAM_set1_ip_asc(parameters, hostname) == 1 else { throw TLSError.last("checking address \(hostname)") }
            } else {
                guard SSL_set1_host(ssl, hostname) == 1 else { throw TLSError.last("checking host \(hostname)") }
            }
        }
        SSL_set_connect_state(ssl)
    }

    /// Wraps an accepted `fd`, server side.
    public init(context: TLSServerContext, acceptedFD fd: Int32) throws(TLSError) {
        self.context = context
        guard let ssl = SSL_new(context.context) else { throw TLSError.last("SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    /// Whether the handshake has finished.
    public var isEstablished: Bool { SSL_is_init_finished(ssl) == 1 }

    deinit { SSL_free(ssl) }

    private func outcome(_ result: Int32, _ what: String) -> Progress {
        if result > 0 { return .done(Int(result)) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: return .closed
        default: return .failed(TLSError.last(what, ssl: ssl))
        }
    }

    /// Advances the handshake; `.done` once it is complete.
    // SSL_get_error reads the thread's error queue, which other connections on this loop thread share: it must be
    // empty before each call, or one connection's failure becomes another's.
    public func handshake() -> Progress {
        ERR_clear_error()
        return outcome(SSL_do_handshake(ssl), "TLS handshake")
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Progress {
        ERR_clear_error()
        return outcome(SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count)), "TLS read")
    }

    public func write(_ bytes: UnsafeRawBufferPointer) -> Progress {
        ERR_clear_error()
        return outcome(SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count)), "TLS write")
    }

    /// Decrypted bytes OpenSSL holds that a read returns without the socket becoming readable again.
    public var hasPendingBytes: Bool { SSL_pending(ssl) > 0 }

    /// Sends the close_notify alert (once, best effort): the TLS way to end our side of the stream.
    public func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }
}
