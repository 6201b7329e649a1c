import EngineIOCore
import EngineIOWire
import EngineIOSpec
import EngineIOTesting
import Foundation
import Testing

/// Recorded server traces: JSON lines, the settings first, then each input with the effects it produced. Replaying
/// a trace must reproduce every effect exactly; a change in behaviour shows up as a diff in a readable file.
///
/// To re-record after an intended change: `EIO_RECORD_TRACES=1 swift test --filter TraceReplayTests`.
@Suite("Trace replay")
struct TraceReplayTests {
    struct Entry: Codable, Equatable {
        var input: Input<ServerEndpointEvent>
        var effects: [ServerEndpointEffect]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Traces")
    static let settings = ServerEndpointSettings(options: ServerOptions(pingInterval: 0.3, pingTimeout: 0.2, corsAllowedOrigins: "*"))

    static func request(_ id: UInt64, _ method: String, _ query: String, sid: String = "fresh") -> ServerEndpointEvent {
        let items = query.split(separator: "&").map { pair -> QueryItem in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return QueryItem(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        return .requestReceived(RequestID(id), EngineIORequest(method: method, query: items), freshSID: sid)
    }

    /// The scenarios the traces record, as (time in ms, event) lists.
    static let scenarios: [String: [(Int64, ServerEndpointEvent)]] = [
        "polling-upgrade": [
            (0, request(1, "GET", "EIO=4&transport=polling", sid: "A")),
            (1, .verdictReceived(sid: "A", .accept)),
            (2, request(2, "GET", "EIO=4&transport=polling&sid=A")),
            (3, .webSocketRequested(ConnectionID(3), .webSocketHandshake(query: [QueryItem("EIO", "4"), QueryItem("transport", "websocket"), QueryItem("sid", "A")]), freshSID: "unused")),
            (4, .frameReceived(ConnectionID(3), .text(Array("2probe".utf8)))),
            (5, .command(sid: "A", .send(.message("held")))),
            (6, request(4, "GET", "EIO=4&transport=polling&sid=A")),
            (7, .frameReceived(ConnectionID(3), .text(Array("5".utf8)))),
            (8, .frameReceived(ConnectionID(3), .binary([1, 2, 3]))),
            (300, .timerFired(sid: "A")),
            (310, .frameReceived(ConnectionID(3), .text(Array("3".utf8)))),
            (320, .command(sid: "A", .disconnect)),
        ],
        "ping-timeout": [
            (0, request(1, "GET", "EIO=4&transport=polling", sid: "B")),
            (1, .verdictReceived(sid: "B", .accept)),
            (10, request(2, "GET", "EIO=4&transport=polling&sid=B")),
            (301, .timerFired(sid: "B")),
            (501, .timerFired(sid: "B")),
            (502, request(3, "GET", "EIO=4&transport=polling&sid=B")),
        ],
        "bad-requests": [
            (0, request(1, "GET", "EIO=3&transport=polling")),
            (0, request(2, "PUT", "EIO=4&transport=polling")),
            (0, request(3, "GET", "EIO=4&transport=carrier-pigeon")),
            (0, request(4, "GET", "EIO=4&transport=polling&sid=nobody")),
            (0, .webSocketRequested(ConnectionID(5), EngineIORequest(method: "GET", query: [QueryItem("EIO", "4"), QueryItem("transport", "websocket")], isWebSocketUpgrade: false), freshSID: "C")),
        ],
    ]

    static func record(_ events: [(Int64, ServerEndpointEvent)]) -> [Entry] {
        var endpoint = ServerEndpoint(settings: settings)
        return events.map { time, event in
            let input = Input(at: Instant(milliseconds: time), event)
            return Entry(input: input, effects: ServerEndpoint.reduce(&endpoint, input))
        }
    }

    static func encode(_ entries: [Entry]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var lines = [String(decoding: try encoder.encode(settings), as: UTF8.self)]
        for entry in entries { lines.append(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("recorded traces replay to exactly the recorded effects", arguments: ["polling-upgrade", "ping-timeout", "bad-requests"])
    func replay(name: String) throws {
        let file = Self.folder.appendingPathComponent("\(name).jsonl")
        if ProcessInfo.processInfo.environment["EIO_RECORD_TRACES"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Self.encode(Self.record(Self.scenarios[name] ?? [])).write(to: file, atomically: true, encoding: .utf8)
        }
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        let decoder = JSONDecoder()
        let settings = try decoder.decode(ServerEndpointSettings.self, from: Data(try #require(lines.first).utf8))
        var endpoint = ServerEndpoint(settings: settings)
        for (number, line) in lines.dropFirst().enumerated() {
            let entry = try decoder.decode(Entry.self, from: Data(line.utf8))
            let effects = ServerEndpoint.reduce(&endpoint, entry.input)
            #expect(effects == entry.effects, "\(name).jsonl line \(number + 2): \(entry.input)")
        }
        #expect(lines.count > 2)
    }

    @Test("the same inputs always give the same effects")
    func deterministic() {
        for (_, events) in Self.scenarios { #expect(Self.record(events) == Self.record(events)) }
    }

    /// The shell reduces into one array it empties after each step, and the endpoint collects each session's effects
    /// in a scratch array it keeps between steps: neither may carry anything from one step into the next.
    @Test("reducing into a reused array appends each step's effects and nothing left from earlier steps")
    func reducingIntoAReusedArray() {
        for (name, events) in Self.scenarios {
            let expected = Self.record(events)
            var endpoint = ServerEndpoint(settings: Self.settings)
            var effects: [ServerEndpointEffect] = [.drained]  // what the array holds already stays in front
            for (step, (time, event)) in events.enumerated() {
                ServerEndpoint.reduce(&endpoint, Input(at: Instant(milliseconds: time), event), into: &effects)
                #expect(effects.first == .drained && Array(effects.dropFirst()) == expected[step].effects, "\(name), step \(step)")
                effects.removeSubrange(1...)
            }
        }
    }
}
