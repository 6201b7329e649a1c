import EngineIOCore
import EngineIOPlatform
import EngineIOWire

/// The client side of one WebSocket: the opening handshake (a random key, the accept value checked), then a pump
/// over the `WebSocketConnection` machine the server uses too (client role: masked frames, pongs, the close
/// handshake, permessage-deflate when offered and agreed). Its deadlines are the session reducer's: it closes a
/// WebSocket whose time is up. Loop-thread only.
final class ClientWebSocket {
    enum Event {
        /// The 101 came; its headers (for the cookies it may set).
        case opened(HTTPHeaders)
        case refused(status: Int?, body: [UInt8], failure: TransportFailure?)
        case message(WebSocketPayload)
        /// The WebSocket ended: closed by the server (`nil`), or broken.
        case closed(TransportFailure?)
        /// What waited to be written has all gone out.
        case drained
    }

    private let socket: ClientSocket
    private let key: String
    private var handshake = HTTPResponseParser()
    private var machine: WebSocketConnection?
    private let configuration: WebSocketConnection.Configuration
    /// The session heard of the end (or asked for it): nothing more is reported.
    private var done = false
    private let onEvent: (Event) -> Void
    private let loop: EventLoop
    private var timer: UInt64?
    /// The close we started: run once the handshake is over (the server's close frame, or the deadline).
    private var closing: (() -> Void)?
    /// The permessage-deflate offer sent, if any.
    private let deflateOffer: WebSocketExtension?

    /// `maxMessage`: the largest message accepted until `limitMessages` says otherwise.
    init(
        loop: EventLoop, address: ServerAddress, tls: TLSClientContext?, hostname: String, tunnel: String?, target: String,
        headers: [(name: String, value: String)], maxMessage: Int, offerDeflate: Bool, onEvent: @escaping (Event) -> Void
    ) throws {
        self.onEvent = onEvent
        self.loop = loop
        configuration = WebSocketConnection.Configuration(role: .client, maxMessageSize: maxMessage, closeTimeout: 1_000)
        key = WebSocketHandshake.key(fromNonce: SecureRandom.bytes(16))
        deflateOffer = offerDeflate ? PerMessageDeflate.clientOffer() : nil
        handshake.expectResponse(toMethod: "GET")
        socket = try ClientSocket(loop: loop, address: address, tls: tls, hostname: hostname, tunnel: tunnel)
        // Weak, and held strongly for the whole call: answering a request can release this object.
        socket.onBytes = { [weak self] bytes in self?.received(bytes) }
        socket.onClose = { [weak self] in self?.ended() }
        socket.onDrained = { [weak self] in self?.onEvent(.drained) }
        var fields = headers + WebSocketHandshake.requestHeaders(key: key)
        if let deflateOffer { fields.append((name: "Sec-WebSocket-Extensions", value: deflateOffer.headerValue)) }
        socket.write(HTTPRequestHead(method: "GET", target: target, headers: HTTPHeaders(fields)).serialized())
    }

    /// Bytes queued for the server and not yet taken by the kernel.
    var pendingOutputCount: Int { socket.pendingOutputCount }

    /// The largest message accepted from now on (the server's `maxPayload`, capped).
    func limitMessages(to bytes: Int) { machine?.limitMessages(to: bytes) }

    deinit {
        if let timer { loop.cancelTimer(timer) }
        socket.onBytes = { _ in }
        socket.onClose = {}
        socket.onDrained = {}
        socket.shutdownNow()
    }

    /// Ends at once, without a word to anyone (the engine is stopping).
    func abort() {
        done = true
        closing = nil
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        socket.onClose = {}
        socket.shutdownNow()
    }

    func send(_ payload: WebSocketPayload) {
        guard machine != nil else { return }
        machine!.send(payload)
        flush()
    }

    /// The closing handshake: our close frame, then the server's (or the machine's close timeout), then the TCP
    /// close; `finished` runs once it is over. The session hears nothing more from this socket.
    func close(finished: @escaping () -> Void) {
        guard machine?.phase == .open, !done else {
            done = true
            socket.shutdownNow()
            return finished()
        }
        done = true
        closing = finished
        machine!.close(now: loop.now)
        flush()
        if let deadline = machine!.deadline {
            timer = loop.schedule(at: deadline) { [weak self] in
                guard let self else { return }
                timer = nil
                machine?.expire(now: loop.now)
                settle()
            }
        }
    }

    /// Hands what the machine queued to the socket.
    private func flush() {
        guard machine != nil, machine!.pendingOutputCount > 0 else { return }
        machine!.withPendingOutput { socket.write($0) }
        machine!.didWrite(machine!.pendingOutputCount)
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        if machine == nil {
            handshake.append(bytes)
            let parsed: HTTPResponse?
            do {
                parsed = try handshake.next()
            } catch {
                done = true
                socket.shutdownNow()
                return onEvent(.refused(status: nil, body: [], failure: .protocolViolation("\(error)")))
            }
            guard let response = parsed else { return }
            let agreed: PerMessageDeflateConfiguration?
            do {
                agreed = try WebSocketHandshake.validateUpgradeResponse(
                    status: response.head.status, key: key, deflateOffer: deflateOffer, header: { response.head.headers.values(for: $0) })
            } catch {
                done = true
                socket.shutdownNow()
                let status = response.head.status == 101 ? nil : response.head.status
                return onEvent(.refused(status: status, body: response.body, failure: status == nil ? .protocolViolation("\(error)") : nil))
            }
            let compressor = agreed.flatMap { ZlibMessageCompressor(configuration: $0, role: .client) }
            machine = WebSocketConnection(configuration: configuration, compressor: compressor, maskingSeed: UInt64.random(in: 0...UInt64.max))
            onEvent(.opened(response.head.headers))
            machine!.receive(handshake.takeBufferedBytes())
        } else {
            machine!.receive(bytes)
        }
        while let event = machine?.nextEvent() {
            guard !done else { continue }
            switch event {
            case .message(let payload): onEvent(.message(payload))
            case .closedByPeer:
                done = true
                onEvent(.closed(nil))
            case .failed(let error):
                done = true
                onEvent(.closed(error.closeCode == WebSocketCloseCode.messageTooBig ? .tooLarge(limit: machine?.configuration.maxMessageSize ?? configuration.maxMessageSize) : .protocolViolation("\(error)")))
            }
        }
        flush()
        settle()
    }

    /// Once the machine is over, the TCP connection ends (and a close we started is reported finished).
    private func settle() {
        guard machine?.phase == .closed else { return }
        socket.shutdownNow()
    }

    private func ended() {
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        if let finished = closing {
            closing = nil
            return finished()
        }
        guard !done else { return }
        done = true
        onEvent(machine != nil ? .closed(socket.failure ?? .closed) : .refused(status: nil, body: [], failure: socket.failure ?? .closed))
    }
}
