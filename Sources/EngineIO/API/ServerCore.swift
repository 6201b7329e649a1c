import EngineIOCore
import EngineIOWire
import EngineIOPlatform
import Foundation
import Synchronization

/// How a façade runs the application's handlers: on threads (`Server`) or as tasks (`AsyncServer`).
protocol HandlerRunner: Sendable {
    func connect(sid: String, environ: Environ, answer: @escaping @Sendable (ConnectVerdict) -> Void)
    func message(sid: String, data: MessageData)
    /// Runs the disconnect handler, then `done` (also when there is no handler).
    func disconnect(sid: String, reason: DisconnectReason, then done: @escaping @Sendable () -> Void)
    func opened(sid: String)
    func closed(sid: String)
}

/// What both façades share: the engine, the live sessions (transport and python-style session data), and the
/// translation of API calls into reducer inputs.
final class ServerCore: Sendable {
    struct Record {
        var transport: Transport
        var data: [String: any Sendable] = [:]
    }

    let options: ServerOptions
    private let records = Mutex<[String: Record]>([:])
    /// The shards, one per event loop; the first one listens.
    private let engineBox = Mutex<ServerEngine.Group?>(nil)
    private let runnerBox = Mutex<(any HandlerRunner)?>(nil)
    let fallback = Mutex<(@Sendable (HTTPRequest) -> HTTPResponse?)?>(nil)

    init(options: ServerOptions) throws {
        self.options = try options.validated()
    }

    func attach(_ runner: any HandlerRunner) { runnerBox.withLock { $0 = runner } }

    private var runner: (any HandlerRunner)? { runnerBox.withLock { $0 } }

    /// Starts the engine on `host:port` with the Engine.IO path `path`; returns the bound port.
    func listen(host: String, port: Int, path: String, tls: TLSServerContext? = nil) throws -> Int {
        try engine(path: path).start(host: host, port: port, tls: tls)
    }

    /// The first shard, the engine group made and every loop started on first use.
    func engine(path: String) throws -> ServerEngine {
        try group(path: path).shards[0]
    }

    private func group(path: String) throws -> ServerEngine.Group {
        if let group = engineBox.withLock({ $0 }) { return group }
        let delegate = EngineDelegate(
            authorize: { [weak self] sid, environ in self?.authorize(sid: sid, environ: environ) },
            deliver: { [weak self] sid, data in self?.runner?.message(sid: sid, data: MessageData(data)) },
            notify: { [weak self] sid, notification, transport in self?.notified(sid: sid, notification, transport: transport) },
            fallback: { [weak self] request in self?.fallback.withLock { $0 }?(request) })
        let made = ServerEngine.Group()
        let count = options.eventLoops > 0 ? options.eventLoops : max(1, ProcessInfo.processInfo.activeProcessorCount)
        for _ in 0..<count { made.add(try ServerEngine(options: options, path: path, delegate: delegate, group: made)) }
        let group = engineBox.withLock { box -> ServerEngine.Group in
            if let existing = box { return existing }
            box = made
            return made
        }
        for shard in group.shards { shard.startLoop() }
        return group
    }

    /// python's `handle_request`, for requests another HTTP server received.
    func handle(_ request: HTTPRequest, remoteAddress: String, path: String, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        do {
            try engine(path: path).handle(request, remoteAddress: remoteAddress, completion: completion)
        } catch {
            completion(HTTPResponse(head: HTTPResponseHead(status: 500), body: Array("\(error)".utf8)))
        }
    }

    /// The event loop of the shard that owns `sid` (where its reducer runs and its handlers are delivered).
    func loop(for sid: String) -> EventLoop? {
        engineBox.withLock { $0 }.flatMap { $0.shard(for: sid)?.loop }
    }

    func adopt(fd: Int32, remoteAddress: String, initialBytes: [UInt8], path: String) throws {
        try group(path: path).nextShard().adopt(fd: fd, remoteAddress: remoteAddress, initialBytes: initialBytes)
    }

    func stop() {
        let group = engineBox.withLock { box -> ServerEngine.Group? in
            defer { box = nil }
            return box
        }
        for shard in group?.shards ?? [] { shard.stop() }
    }

    private func authorize(sid: String, environ: Environ) {
        guard let runner else { return submit(.verdictReceived(sid: sid, .accept)) }
        runner.connect(sid: sid, environ: environ) { [weak self] verdict in
            self?.submit(.verdictReceived(sid: sid, verdict))
        }
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) { options.logger.emit(level, message(), as: "engineio.server") }

    private func notified(sid: String, _ notification: SessionNotification, transport: Transport) {
        switch notification {
        case .opened:
            records.withLock { $0[sid] = Record(transport: transport) }
            log(.info, "\(sid): connected over \(transport.rawValue)")
            runner?.opened(sid: sid)
        case .upgraded:
            records.withLock { $0[sid]?.transport = .websocket }
            log(.info, "\(sid): upgraded to websocket")
        case .closed(let reason):
            log(.info, "\(sid): disconnected (\(reason.rawValue))")
            // As in python, the disconnect handler still finds the session (getSession, sids); it goes afterwards.
            let forget: @Sendable () -> Void = { [weak self] in _ = self?.records.withLock { $0.removeValue(forKey: sid) } }
            if let runner {
                runner.disconnect(sid: sid, reason: reason, then: forget)
                runner.closed(sid: sid)
            } else {
                forget()
            }
        }
    }

    /// Sends an application input to the shard that owns the session it names.
    func submit(_ event: ServerEndpointEvent) {
        guard let group = engineBox.withLock({ $0 }) else { return }
        let sid: String? =
            switch event {
            case .command(let sid, _), .verdictReceived(let sid, _), .timerFired(let sid): sid
            default: nil
            }
        let shard = sid.flatMap { group.shard(for: $0) } ?? group.shards[0]
        if case .shutdownRequested = event {
            for shard in group.shards { shard.submit(event) }
        } else {
            shard.submit(event)
        }
    }

    // MARK: API

    func send(_ sid: String, _ packet: Packet) { submit(.command(sid: sid, .send(packet))) }

    func send(_ sid: String, _ data: MessageData) {
        send(sid, Packet(.message, data.packetData(codec: options.json.codec)))
    }

    func disconnect(_ sid: String?) {
        if let sid {
            submit(.command(sid: sid, .disconnect))
        } else {
            for sid in records.withLock({ Array($0.keys) }) { submit(.command(sid: sid, .disconnect)) }
        }
    }

    func transport(_ sid: String) throws(ServerError) -> Transport {
        guard let record = records.withLock({ $0[sid] }) else { throw .unknownSession(sid) }
        return record.transport
    }

    func getSession(_ sid: String) throws(ServerError) -> [String: any Sendable] {
        guard let record = records.withLock({ $0[sid] }) else { throw .unknownSession(sid) }
        return record.data
    }

    func saveSession(_ sid: String, _ data: [String: any Sendable]) throws(ServerError) {
        let saved = records.withLock { records -> Bool in
            guard records[sid] != nil else { return false }
            records[sid]?.data = data
            return true
        }
        if !saved { throw .unknownSession(sid) }
    }

    var sids: [String] { records.withLock { Array($0.keys) } }
}

/// A started background task; python's handle with `join()`.
public final class BackgroundTask: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.start()
    }

    /// Waits for the task to finish.
    public func join() {
        done.wait()
        done.signal()  // later joins return at once too
    }
}

/// python's queue for `create_queue()`: thread-safe FIFO with blocking `get` and a timeout.
public final class EngineQueue<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    private let available = DispatchSemaphore(value: 0)

    public init() {}

    public func put(_ item: Element) {
        items.withLock { $0.append(item) }
        available.signal()
    }

    /// The oldest item, waiting up to `timeout` seconds (forever when nil); throws `QueueEmpty` on timeout.
    public func get(timeout: Double? = nil) throws(QueueEmpty) -> Element {
        let deadline = timeout.map { DispatchTime.now() + $0 } ?? .distantFuture
        guard available.wait(timeout: deadline) == .success else { throw QueueEmpty() }
        return items.withLock { $0.removeFirst() }
    }
}

/// python's `get_queue_empty_exception()`.
public struct QueueEmpty: Error, Hashable, Sendable {}

/// python's event for `create_event()`.
public final class EngineEvent: Sendable {
    private let flag = Mutex(false)
    private let condition = NSCondition()

    public init() {}

    public func set() {
        condition.lock()
        flag.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }

    public func clear() { flag.withLock { $0 = false } }

    public var isSet: Bool { flag.withLock { $0 } }

    /// Waits until set, or `timeout` seconds; returns whether it is set.
    @discardableResult
    public func wait(timeout: Double? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while !isSet {
            if let deadline {
                if !condition.wait(until: deadline) { return isSet }
            } else {
                condition.wait()
            }
        }
        return true
    }
}

extension LoggerOption {
    /// python's logging rules: `logger=False` reports errors only, `True` informational lines too (on standard
    /// error, under python's logger name), a custom logger gets everything.
    func emit(_ level: LogLevel, _ message: @autoclosure () -> String, as name: String) {
        switch self {
        case .disabled where level >= .error, .enabled where level >= .info:
            FileHandle.standardError.write(Data("\(name) \(level): \(message())\n".utf8))
        case .custom(let sink):
            sink.log(level, message())
        default:
            break
        }
    }
}
