import EngineIOCore
import EngineIOTesting
import Testing

/// The example of EngineIOTesting.docc/PropertyTestingTheServer.md, verbatim, so the documentation cannot rot.
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("the property-testing guide's example compiles and passes")
    func propertyTestingGuide() throws {
        let bursts = Gen.int(in: 1...5).array(maxCount: 20)   // how many messages each POST carries

        try Property("every posted message is delivered once, in order", bursts) { sizes in
            var session = ServerSession.start(sid: "s", settings: ServerSessionSettings(), handshake: .polling(RequestID(0))).0
            _ = ServerSession.reduce(&session, Input(at: .zero, .verdictReceived(.accept)))
            var sent: [String] = [], delivered: [String] = []
            for (index, size) in sizes.enumerated() {
                let messages = (0..<size).map { "m\(sent.count + $0)" }
                sent += messages
                let body = PayloadCodec(version: .v4).encode(messages.map(Packet.message))
                let input = Input(at: Instant(milliseconds: Int64(index)), ServerSessionEvent.postReceived(RequestID(UInt64(index + 1)), body: body, binary: false))
                for case .deliver(.text(let text)) in ServerSession.reduce(&session, input) { delivered.append(text) }
            }
            try ensureEqual(delivered, sent)
        }.check(cases: 500)
    }
}
