public import EngineIOCore
import EngineIOPlatform
import Foundation
import Synchronization

/// Why `connect` failed, as python's `ConnectionError` reports it.
public enum ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// "Client is not in a disconnected state".
    case notDisconnected
    /// "No valid transports provided".
    case noValidTransports
    /// The URL is not `http(s)://` or `ws(s)://`.
    case invalidURL(String)
    /// "Unexpected status code N in server response", with the server's body (JSON-decoded when it is JSON).
    case unexpectedStatus(Int, body: JSONValue?)
    /// "Unexpected response from server".
    case unexpectedResponse
    /// "OPEN packet not returned by server".
    case noOpenPacket
    /// "Connection refused by the server" / "Connection error".
    case connectionRefused(String)
    /// TLS refused the server (certificate not trusted, wrong host name), or could not be set up.
    case tls(String)

    public var description: String {
        switch self {
        case .notDisconnected: "Client is not in a disconnected state"
        case .noValidTransports: "No valid transports provided"
        case .invalidURL(let url): "Invalid URL \(url)"
        case .unexpectedStatus(let status, let body):
            "Unexpected status code \(status) in server response" + (body.map { ": \(JSONSerializer.string($0))" } ?? "")
        case .unexpectedResponse: "Unexpected response from server"
        case .noOpenPacket: "OPEN packet not returned by server"
        case .connectionRefused(let detail): "Connection refused by the server (\(detail))"
        case .tls(let detail): "TLS failure: \(detail)"
        }
    }

    init(_ error: ConnectError, detail: String?) {
        switch error {
        case .unexpectedStatus(let status, let body): self = .unexpectedStatus(status, body: try? JSONParser.parse(body))
        case .unexpectedResponse: self = .unexpectedResponse
        case .noOpenPacket: self = .noOpenPacket
        case .unreachable:
            if let detail, detail.hasPrefix("TLS") { self = .tls(detail) } else { self = .connectionRefused(detail ?? "no answer") }
        }
    }
}

/// What both client façades share: one connection's engine, its state, and its handler mailbox.
final class ClientCore: Sendable {
    struct State {
        var engine: ClientEngine?
        var connected = false
        var sid: String?
        var transport: Transport = .polling
        var handshake: OpenPacket?
        var outcome: Result<Void, ClientError>?
        var reason: DisconnectReason?
        /// python's `disconnect(reason=…)`: what the application's own disconnect should report.
        var requestedReason: DisconnectReason?
    }

    let options: ClientOptions
    let state = Mutex(State())
    private let changed = NSCondition()
    /// The handler calls, in the order the connection produced them; the façade's runtime runs them.
    let mailbox = Mailbox<ClientJob>()
    private let runtimeBox = Mutex<(any ClientHandlerRuntime)?>(nil)

    init(options: ClientOptions) throws { self.options = try options.validated() }

    func attach(_ runtime: any ClientHandlerRuntime) { runtimeBox.withLock { $0 = runtime } }

    private func post(_ job: ClientJob) {
        if mailbox.post(job).schedule { runtimeBox.withLock { $0 }?.drain(mailbox) }
    }

    /// Starts connecting; returns once connected or failed.
    func connect(_ url: String, headers: [String: String], transports: [Transport]?, engineioPath: String) throws(ClientError) {
        let busy = state.withLock { $0.engine != nil }
        if busy { throw .notDisconnected }
        let allowed = (transports ?? [.polling, .websocket])
        guard !allowed.isEmpty else { throw .noValidTransports }
        guard let parsed = ClientURL(url, engineioPath: engineioPath) else { throw .invalidURL(url) }
        var tls: TLSClientContext?
        if parsed.secure {
            do {
                tls = try TLSClientContext(
                    verify: options.sslVerify, caFile: options.caFile ?? options.httpSession?.caFile,
                    certificateFile: options.httpSession?.clientCertificateFile, keyFile: options.httpSession?.clientKeyFile)
            } catch {
                throw .tls(error.description)
            }
        }
        // Through a proxy, every connection goes to the proxy and asks it for a tunnel to the server.
        var tunnel: String?
        var connectTo = (host: parsed.host, port: parsed.port)
        if let proxy = options.httpSession?.proxy {
            guard let proxyURL = ClientURL(proxy, engineioPath: "") else { throw .invalidURL(proxy) }
            tunnel = "\(parsed.host.contains(":") ? "[\(parsed.host)]" : parsed.host):\(parsed.port)"
            connectTo = (proxyURL.host, proxyURL.port)
        }
        let address: ServerAddress
        do {
            address = try ServerAddress.resolve(host: connectTo.host, port: connectTo.port)
        } catch {
            throw .connectionRefused(error.description)
        }
        let delegate = ClientDelegate(
            deliver: { [weak self] data in self?.post(.message(MessageData(data))) },
            notify: { [weak self] notification in
                guard let self else { return }
                switch notification {
                case .opened(let open):
                    self.log(.info, "connected to \(url) as \(open.sid)")
                    self.update {
                        $0.connected = true
                        $0.sid = open.sid
                        $0.handshake = open
                        $0.transport = allowed.first ?? .polling
                        $0.outcome = .success(())
                    }
                    self.post(.connect)
                case .upgraded:
                    self.log(.info, "upgraded to websocket")
                    self.update { $0.transport = .websocket }
                case .closed(let closedReason):
                    let (engine, reason) = self.state.withLock { state -> (ClientEngine?, DisconnectReason) in
                        state.connected = false
                        let reason = closedReason == .clientDisconnect ? state.requestedReason ?? closedReason : closedReason
                        state.reason = reason
                        defer { state.engine = nil }
                        return (state.engine, reason)
                    }
                    self.update { _ in }
                    self.log(.info, "disconnected (\(reason.rawValue))")
                    self.post(.disconnect(reason))
                    // The loop cannot stop itself from inside; a helper thread does it.
                    if let engine { Thread { engine.stop() }.start() }
                }
            },
            connectFailed: { [weak self] error, detail in
                guard let self else { return }
                let engine = self.state.withLock { state -> ClientEngine? in
                    state.outcome = .failure(ClientError(error, detail: detail))
                    defer { state.engine = nil }
                    return state.engine
                }
                self.update { _ in }
                if let engine { Thread { engine.stop() }.start() }
            })
        let engine: ClientEngine
        do {
            engine = try ClientEngine(
                url: parsed, address: address, headers: headers, settings: ClientSessionSettings(transports: allowed, maxPacketsPerPost: options.maxPacketsPerPost),
                options: options, tls: tls, tunnel: tunnel, delegate: delegate)
        } catch {
            throw .connectionRefused("\(error)")
        }
        state.withLock {
            $0 = State()
            $0.engine = engine
        }
        engine.start()
        changed.lock()
        while state.withLock({ $0.outcome }) == nil { changed.wait() }
        changed.unlock()
        if case .failure(let error) = state.withLock({ $0.outcome }) { throw error }
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) { options.logger.emit(level, message(), as: "engineio.client") }

    private func update(_ change: (inout State) -> Void) {
        changed.lock()
        state.withLock { change(&$0) }
        changed.broadcast()
        changed.unlock()
    }

    /// Blocks until the connection ends.
    func wait() {
        changed.lock()
        while state.withLock({ $0.connected }) { changed.wait() }
        changed.unlock()
    }

    func send(_ data: MessageData) {
        state.withLock { $0.engine }?.submit(.command(.send(Packet(.message, data.packetData(codec: options.json.codec)))))
    }

    func disconnect(reason: DisconnectReason?) {
        state.withLock { state in
            state.requestedReason = reason
            return state.engine
        }?.submit(.command(.disconnect))
    }
}

