import EngineIOCore
import EngineIOTestSupport
import Foundation
import Testing

/// The Swift sample of EngineIOCore.docc/RunLoopContract.md, compiled and run here, and compared with the article
/// line for line so the documentation cannot rot.
@Suite("EngineIOCore documentation sample")
struct CoreDocumentationSampleTests {
    static let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/EngineIOCore/EngineIOCore.docc/RunLoopContract.md")

    @Test("The run-loop contract: a shell in miniature opens a polling session, echoes a message and arms the ping timer")
    func shellInMiniature() throws {
        // sample: shell
        var endpoint = ServerEndpoint(settings: ServerEndpointSettings(options: ServerOptions(pingInterval: 25, pingTimeout: 20)))
        let now = Instant.zero  // a real shell reads its monotonic clock for every input
        var answers: [RequestID: HTTPReply] = [:]
        var timers: [String: Instant] = [:]

        // Runs one event and every effect it leads to, in order; the application's answers go back in as events.
        func run(_ event: ServerEndpointEvent) {
            var events = [event]
            while !events.isEmpty {
                for effect in ServerEndpoint.reduce(&endpoint, Input(at: now, events.removeFirst())) {
                    switch effect {
                    case .respond(let id, let reply):
                        answers[id] = reply  // write the HTTP answer on that request's connection
                    case .authorize(let sid, _):
                        events.append(.verdictReceived(sid: sid, .accept))  // what the connect handler said
                    case .deliver(let sid, let data):
                        events.append(.command(sid: sid, .send(Packet(.message, data))))  // an echo handler
                    case .wake(let sid, let deadline):
                        timers[sid] = deadline  // arm the session's timer, or cancel it when nil
                    default:
                        break  // WebSocket effects, metrics and reports: none in this exchange
                    }
                }
            }
        }

        let polling = [QueryItem("EIO", "4"), QueryItem("transport", "polling")]
        run(.requestReceived(RequestID(1), EngineIORequest(method: "GET", query: polling), freshSID: "abc"))
        let session = polling + [QueryItem("sid", "abc")]
        run(.requestReceived(RequestID(2), EngineIORequest(method: "POST", query: session), freshSID: "unused"))
        run(.bodyReceived(RequestID(2), Array("4hello".utf8)))
        run(.requestReceived(RequestID(3), EngineIORequest(method: "GET", query: session), freshSID: "unused"))

        let open = String(decoding: answers[RequestID(1)]!.body, as: UTF8.self)  // 0{"sid":"abc",...}
        let echo = String(decoding: answers[RequestID(3)]!.body, as: UTF8.self)  // 4hello
        let ping = timers["abc"]  // 25 s after the open packet: when the server pings
        // end sample
        #expect(open.hasPrefix(#"0{"sid":"abc""#))
        #expect(answers[RequestID(2)]?.status == 200 && String(decoding: answers[RequestID(2)]!.body, as: UTF8.self) == "ok")
        #expect(echo == "4hello")
        #expect(ping == Instant(milliseconds: 25_000))
        #expect(try DocumentationSamples.codeBlocks(in: Self.article) == [try DocumentationSamples.sample(named: "shell", in: #filePath)])
    }
}
