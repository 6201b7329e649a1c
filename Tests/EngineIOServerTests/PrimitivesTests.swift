import EngineIO
import Foundation
import EngineIOTestSupport
import Testing

/// python's `create_queue()` and `create_event()`: blocking ones for `Server` and `Client`, suspending ones (like
/// asyncio's) for `AsyncServer` and `AsyncClient`.
@Suite("Queues and events")
struct PrimitivesTests {
    @Test("Server's queue is first in, first out, and an empty get times out with the queue-empty error")
    func blockingQueue() throws {
        let server = try Server()
        let queue = server.createQueue(of: Int.self)
        for number in 1...3 { queue.put(number) }
        #expect(try (0..<3).map { _ in try queue.get() } == [1, 2, 3])
        #expect(throws: server.getQueueEmptyException()) { try queue.get(timeout: 0.05) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { queue.put(4) }
        #expect(try queue.get(timeout: 5) == 4)
    }

    @Test("Server's event wakes its waiters when set, and a wait times out while it is clear")
    func blockingEvent() throws {
        let event = try Server().createEvent()
        #expect(!event.wait(timeout: 0.05))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { event.set() }
        #expect(event.wait(timeout: 5))
        #expect(event.isSet)
        event.clear()
        #expect(!event.isSet)
    }

    @Test("AsyncServer's queue suspends a get until a put, in order, and times out with the queue-empty error")
    func asyncQueue() async throws {
        let server = try AsyncServer()
        let queue = server.createQueue(of: String.self)
        let waiting = Task { try await [queue.get(timeout: 5), queue.get(timeout: 5)] }
        try await Task.sleep(for: .milliseconds(50))
        queue.put("first")
        queue.put("second")
        #expect(try await waiting.value == ["first", "second"])
        await #expect(throws: server.getQueueEmptyException()) { try await queue.get(timeout: 0.05) }
        let cancelled = Task { try await queue.get() }
        cancelled.cancel()
        await #expect(throws: QueueEmpty.self) { try await cancelled.value }
        queue.put("kept")  // nothing cancelled took it
        #expect(try await queue.get(timeout: 1) == "kept")
    }

    @Test("AsyncClient's event resumes its waiters when set, and a wait times out while it is clear")
    func asyncEvent() async throws {
        let event = try AsyncClient().createEvent()
        #expect(await event.wait(timeout: 0.05) == false)
        let waiters = Task { await [event.wait(timeout: 5), event.wait(timeout: 5)] }
        try await Task.sleep(for: .milliseconds(50))
        event.set()
        #expect(await waiters.value == [true, true])
        event.clear()
        #expect(!event.isSet)
        let cancelled = Task { await event.wait() }
        cancelled.cancel()
        #expect(await cancelled.value == false)
    }
}

@Suite("MessageData as python sees it")
struct PythonValueTests {
    @Test("pythonValue decodes JSON unless the data's first character is a digit, as python-engineio's packet decoder does", arguments: [
        ("hello", MessageData.text("hello")),
        (#"{"a":1}"#, .json(.object([JSONMember("a", .integer(1))]))),
        (#""abc""#, .json(.string("abc"))),
        ("true", .json(.bool(true))),
        ("null", .json(.null)),
        (" 5", .json(.integer(5))),
        ("-1", .json(.integer(-1))),
        ("123", .text("123")),
        ("7", .text("7")),
        (#"31["x"]"#, .text(#"31["x"]"#)),
        ("[1,2]", .json(.array([.integer(1), .integer(2)]))),
        ("", .text("")),
    ])
    func pythonValue(_ text: String, _ expected: MessageData) {
        #expect(MessageData.text(text).pythonValue == expected)
    }
}
