import EngineIOWire
import Foundation
import Testing

/// What an idle connection keeps: the machines give back storage they no longer need, and configurations are shared.
@Suite("Connection memory")
struct ConnectionMemoryTests {
    @Test("an upgraded connection gives its write buffer back once the 101 is written")
    func upgradedConnectionReleasesItsBuffer() throws {
        var connection = HTTPServerConnection(configuration: HTTPServerConnection.Configuration(), acceptedAt: 0)
        let upgrade = HTTPRequest(
            head: HTTPRequestHead(
                method: "GET", target: "/engine.io/?EIO=4&transport=websocket",
                headers: ["Host": "a", "Upgrade": "websocket", "Connection": "Upgrade"]))
        connection.receive(upgrade.serialized() + [0x81], now: 0)
        guard case .request = connection.nextEvent(now: 0) else { throw Failure("no request came out") }
        let leftover = connection.acceptUpgrade(response: HTTPResponseHead(status: 101, headers: ["Upgrade": "websocket"]))
        #expect(leftover == [0x81])
        #expect(connection.output.capacity > 0)
        connection.didWrite(10)
        #expect(connection.output.capacity > 0, "part of the 101 is still waiting")
        connection.didWrite(connection.pendingOutputCount)
        #expect(connection.pendingOutputCount == 0)
        #expect(connection.output.capacity == 0)
    }

    @Test("a keep-alive connection keeps its write buffer between responses")
    func keepAliveConnectionKeepsItsBuffer() throws {
        var connection = HTTPServerConnection(configuration: HTTPServerConnection.Configuration(), acceptedAt: 0)
        connection.receive(HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/", headers: ["Host": "a"])).serialized(), now: 0)
        guard case .request = connection.nextEvent(now: 0) else { throw Failure("no request came out") }
        connection.respond(HTTPResponse(head: HTTPResponseHead(status: 200), body: Array("ok".utf8)), now: 0)
        connection.didWrite(connection.pendingOutputCount)
        #expect(connection.output.capacity > 0)
    }

    @Test("a copy of a shared value changes alone, and compares and hashes by value")
    func sharedValues() throws {
        let original = Shared([1, 2, 3])
        var copy = original
        #expect(copy == original)
        copy.value.append(4)
        #expect(original.value == [1, 2, 3])
        #expect(copy.value == [1, 2, 3, 4])
        #expect(copy != original)
        let rebuilt = Shared([1, 2, 3])
        #expect(rebuilt == original)
        #expect(rebuilt.hashValue == original.hashValue)
        let encoded = try JSONEncoder().encode(original)
        #expect(String(decoding: encoded, as: UTF8.self) == "[1,2,3]", "encoded as the value itself")
        #expect(try JSONDecoder().decode(Shared<[Int]>.self, from: encoded) == original)
    }

    @Test("configurations behave as values: changing a copy leaves the original as it was")
    func configurationsAreValues() {
        let original = HTTPServerConnection.Configuration(limits: HTTPParserLimits(maxBodyBytes: 10), keepAliveTimeout: 7)
        var copy = original
        copy.limits.maxBodyBytes = 20
        copy.keepAliveTimeout = 8
        #expect(original.limits.maxBodyBytes == 10)
        #expect(original.keepAliveTimeout == 7)
        #expect(copy.limits.maxBodyBytes == 20)
        #expect(copy.keepAliveTimeout == 8)
        #expect(copy != original)
        copy.limits.maxBodyBytes = 10
        copy.keepAliveTimeout = 7
        #expect(copy == original)
        var webSocket = WebSocketConnection.Configuration(role: .server, maxMessageSize: 100)
        let before = webSocket
        webSocket.maxMessageSize = 200
        #expect(before.maxMessageSize == 100 && webSocket.maxMessageSize == 200)
    }
}

private struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
