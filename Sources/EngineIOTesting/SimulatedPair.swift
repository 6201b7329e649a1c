public import EngineIOCore

/// A `ClientSession` and a `ServerEndpoint` connected by a simulated network on virtual time: every message takes a
/// random latency, HTTP requests on separate connections may overtake each other, frames on one WebSocket stay in
/// order (it is one TCP stream), and the network can drop connections or freeze the server.
///
/// The server runs an echo application; the client application sends numbered messages. Tests read what each side
/// saw from the public logs.
public struct SimulatedPair {
    /// How the network behaves.
    public struct Network: Hashable, Sendable {
        /// Latency of each delivery, in milliseconds, drawn uniformly from this range.
        public var latency: ClosedRange<Int>
        /// Chance in a thousand that an HTTP request fails instead of arriving (a dropped connection).
        public var requestFailurePerMille: Int

        public init(latency: ClosedRange<Int> = 1...20, requestFailurePerMille: Int = 0) {
            self.latency = latency
            self.requestFailurePerMille = requestFailurePerMille
        }
    }

    private enum Delivery {
        case toServer(ServerEndpointEvent)
        case toClient(ClientSessionEvent)
        case clientTimer
        case serverTimer(String)
        case clientCommand(ClientCommand)
    }

    private struct Scheduled {
        var time: Int64
        var sequence: Int
        var delivery: Delivery
    }

    public private(set) var client: ClientSession
    public private(set) var server: ServerEndpoint
    public private(set) var now = Instant.zero
    public var network: Network
    /// While true the server neither receives nor sends anything (a frozen process).
    public var serverFrozen = false

    /// Messages the client application received, and what the server application received, in order.
    public private(set) var clientReceived: [PacketData] = []
    public private(set) var serverReceived: [PacketData] = []
    public private(set) var clientNotifications: [ClientNotification] = []
    public private(set) var serverNotifications: [SessionNotification] = []
    public private(set) var connectFailure: ConnectError?
    public private(set) var steps = 0

    private var rng: Xoshiro256
    private var queue: [Scheduled] = []
    private var sequence = 0
    private var nextServerID: UInt64 = 1_000
    private var nextSID = 0
    /// Client request → server request, and the reverse for answers.
    private var requestsToServer: [RequestID: RequestID] = [:]
    private var requestsToClient: [RequestID: RequestID] = [:]
    /// Client WebSocket ↔ server WebSocket.
    private var socketsToServer: [ConnectionID: ConnectionID] = [:]
    private var socketsToClient: [ConnectionID: ConnectionID] = [:]
    /// The last delivery time on each WebSocket direction, so frames never overtake each other.
    private var socketClock: [String: Int64] = [:]
    private var clientWake: Instant?
    private var serverWakes: [String: Instant] = [:]

    public init(client settings: ClientSessionSettings = ClientSessionSettings(), server options: ServerOptions, network: Network = Network(), seed: UInt64) {
        client = ClientSession(settings: settings)
        server = ServerEndpoint(settings: ServerEndpointSettings(options: options))
        self.network = network
        rng = Xoshiro256(seed: seed)
    }

    // MARK: driving

    /// Asks the client to connect, now.
    public mutating func connect() { schedule(at: now.milliseconds, .clientCommand(.connect)) }

    /// Makes the client application send `packet` at `time` (ms).
    public mutating func clientSends(_ packet: Packet, at time: Int64) { schedule(at: time, .clientCommand(.send(packet))) }

    public mutating func clientDisconnects(at time: Int64) { schedule(at: time, .clientCommand(.disconnect)) }

    /// Runs everything due up to `time` (ms), then moves the clock there.
    public mutating func run(until time: Int64) {
        while let next = queue.indices.min(by: { (queue[$0].time, queue[$0].sequence) < (queue[$1].time, queue[$1].sequence) }),
            queue[next].time <= time
        {
            let item = queue.remove(at: next)
            now = Instant(milliseconds: item.time)
            deliver(item.delivery)
        }
        now = Instant(milliseconds: time)
    }

    // MARK: network

    private mutating func schedule(at time: Int64, _ delivery: Delivery) {
        sequence += 1
        queue.append(Scheduled(time: time, sequence: sequence, delivery: delivery))
    }

    private mutating func latency() -> Int64 {
        Int64(network.latency.lowerBound) + Int64(rng.next(upperBound: UInt64(network.latency.count)))
    }

    /// Schedules a frame on a WebSocket direction no earlier than the previous one on it.
    private mutating func scheduleInOrder(_ direction: String, _ delivery: Delivery) {
        let time = max(now.milliseconds + latency(), socketClock[direction] ?? 0)
        socketClock[direction] = time
        schedule(at: time, delivery)
    }

    private mutating func deliver(_ delivery: Delivery) {
        steps += 1
        switch delivery {
        case .clientCommand(let command): applyClient(.command(command))
        case .toClient(let event): applyClient(event)
        case .clientTimer:
            if let wake = clientWake, wake <= now { applyClient(.timerFired) }
        case .toServer(let event):
            guard !serverFrozen else { return }
            applyServer(event)
        case .serverTimer(let sid):
            guard !serverFrozen, let wake = serverWakes[sid], wake <= now else { return }
            applyServer(.timerFired(sid: sid))
        }
    }

    private mutating func applyClient(_ event: ClientSessionEvent) {
        let effects = ClientSession.reduce(&client, Input(at: now, event))
        for effect in effects {
            switch effect {
            case .sendRequest(let id, let request):
                if network.requestFailurePerMille > 0, rng.next(upperBound: 1000) < UInt64(network.requestFailurePerMille) {
                    schedule(at: now.milliseconds + latency(), .toClient(.requestFailed(id, .reset)))
                    continue
                }
                nextServerID += 1
                let serverID = RequestID(nextServerID)
                requestsToServer[id] = serverID
                requestsToClient[serverID] = id
                nextSID += 1
                let (method, query, body): (String, [QueryItem], [UInt8]?) =
                    switch request {
                    case .handshake: ("GET", [QueryItem("EIO", "4"), QueryItem("transport", "polling")], nil)
                    case .poll(let sid): ("GET", [QueryItem("EIO", "4"), QueryItem("transport", "polling"), QueryItem("sid", sid)], nil)
                    case .post(let sid, let body): ("POST", [QueryItem("EIO", "4"), QueryItem("transport", "polling"), QueryItem("sid", sid)], body)
                    }
                let at = now.milliseconds + latency()
                schedule(at: at, .toServer(.requestReceived(serverID, EngineIORequest(method: method, query: query), freshSID: "sid\(nextSID)")))
                if let body { schedule(at: at, .toServer(.bodyReceived(serverID, body))) }
            case .cancelRequest(let id):
                if let serverID = requestsToServer.removeValue(forKey: id) {
                    requestsToClient[serverID] = nil
                    schedule(at: now.milliseconds + latency(), .toServer(.requestAborted(serverID)))
                }
            case .openWebSocket(let connection, let sid):
                nextServerID += 1
                let serverConnection = ConnectionID(nextServerID)
                socketsToServer[connection] = serverConnection
                socketsToClient[serverConnection] = connection
                nextSID += 1
                var query = [QueryItem("EIO", "4"), QueryItem("transport", "websocket")]
                if let sid { query.append(QueryItem("sid", sid)) }
                scheduleInOrder("c\(connection.rawValue)", .toServer(.webSocketRequested(serverConnection, .webSocketHandshake(query: query), freshSID: "sid\(nextSID)")))
            case .write(let payloads, let connection):
                guard let serverConnection = socketsToServer[connection] else { continue }
                for payload in payloads { scheduleInOrder("c\(connection.rawValue)", .toServer(.frameReceived(serverConnection, payload))) }
            case .closeWebSocket(let connection):
                guard let serverConnection = socketsToServer.removeValue(forKey: connection) else { continue }
                socketsToClient[serverConnection] = nil
                scheduleInOrder("c\(connection.rawValue)", .toServer(.webSocketClosed(serverConnection)))
            case .deliver(let data): clientReceived.append(data)
            case .notify(let notification): clientNotifications.append(notification)
            case .connectFailed(let error): connectFailure = error
            case .wake(let at):
                clientWake = at
                if let at { schedule(at: max(at.milliseconds, now.milliseconds), .clientTimer) }
            case .rejected: break
            }
        }
    }

    private mutating func applyServer(_ event: ServerEndpointEvent) {
        let effects = ServerEndpoint.reduce(&server, Input(at: now, event))
        for effect in effects {
            switch effect {
            case .respond(let id, let reply):
                guard let clientID = requestsToClient.removeValue(forKey: id) else { continue }
                requestsToServer[clientID] = nil
                let binary = reply.headers.contains(HeaderField("Content-Type", "application/octet-stream"))
                schedule(at: now.milliseconds + latency(), .toClient(.responseReceived(clientID, status: reply.status, body: reply.body, binary: binary)))
            case .acceptWebSocket(let connection, _):
                guard let clientConnection = socketsToClient[connection] else { continue }
                scheduleInOrder("s\(connection.rawValue)", .toClient(.webSocketOpened(clientConnection)))
            case .refuseWebSocket(let connection, let reply):
                guard let clientConnection = socketsToClient.removeValue(forKey: connection) else { continue }
                socketsToServer[clientConnection] = nil
                scheduleInOrder("s\(connection.rawValue)", .toClient(.webSocketRefused(clientConnection, status: reply.status, body: reply.body, failure: nil)))
            case .write(let payloads, let connection):
                guard let clientConnection = socketsToClient[connection] else { continue }
                for payload in payloads { scheduleInOrder("s\(connection.rawValue)", .toClient(.frameReceived(clientConnection, payload))) }
            case .closeWebSocket(let connection):
                guard let clientConnection = socketsToClient.removeValue(forKey: connection) else { continue }
                socketsToServer[clientConnection] = nil
                scheduleInOrder("s\(connection.rawValue)", .toClient(.webSocketClosed(clientConnection, failure: nil)))
            case .deliver(let sid, let data):
                serverReceived.append(data)
                schedule(at: now.milliseconds, .toServer(.command(sid: sid, .send(Packet(.message, data)))))  // echo
            case .authorize(let sid, _):
                schedule(at: now.milliseconds, .toServer(.verdictReceived(sid: sid, .accept)))
            case .notify(_, let notification): serverNotifications.append(notification)
            case .wake(let sid, let at):
                serverWakes[sid] = at
                if let at { schedule(at: max(at.milliseconds, now.milliseconds), .serverTimer(sid)) }
            case .rejected, .pauseReading, .resumeReading, .wakeEndpoint, .drained, .report: break  // the pair never drains
            }
        }
    }
}
