import EngineIOCore
import EngineIOJSON
import EngineIOSpec
import Testing

@Suite("Open packet")
struct OpenPacketTests {
    @Test("the open packet's JSON has the JavaScript reference's key order")
    func encoding() throws {
        let open = OpenPacket(sid: "abc", upgrades: ["websocket"], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000)
        #expect(
            open.packet
                == Packet(.open, .text(#"{"sid":"abc","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#)))
    }

    @Test("the open packet's text is the serializer's, for plain sids and for sids that need escapes")
    func directTextMatchesTheSerializer() throws {
        let sids = ["abc", "Bu1FNs4k23VfgLNNh1fc", "", "a b/c~", #"quo"te"#, #"back\slash"#, "new\nline", "ünï", "\u{7F}del", "😀"]
        for sid in sids {
            for upgrades in [[], ["websocket"], ["websocket", "webtransport"], [#"we"ird"#]] {
                for (maxPayload, pingInterval) in [(nil, 25_000), (0, 0), (1_000_000, -7), (Int.max, Int.min)] as [(Int?, Int)] {
                    let open = OpenPacket(sid: sid, upgrades: upgrades, pingInterval: pingInterval, pingTimeout: 20_000, maxPayload: maxPayload)
                    #expect(open.packet == Packet(.open, .text(JSONSerializer.string(open.json))), "\(open)")
                    if pingInterval >= 0, maxPayload != Int.max {  // reads back (a sid may not be empty, numbers are bounded)
                        #expect((try? OpenPacket(packet: open.packet)) == (sid.isEmpty ? nil : open))
                    }
                }
            }
        }
    }

    @Test("numbers are read leniently from integers, floats and numeric strings, in any key order")
    func lenientDecoding() throws {
        let open = try OpenPacket(json: #"{"pingTimeout":"20000","maxPayload":1e6,"upgrades":[],"sid":"x","pingInterval":25000.4}"#)
        #expect(open == OpenPacket(sid: "x", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1_000_000))
    }

    @Test("a v3 handshake without maxPayload and with an unknown upgrade is accepted")
    func v3Handshake() throws {
        let open = try OpenPacket(json: #"{"sid":"s","upgrades":["websocket","webtransport"],"pingInterval":25000,"pingTimeout":5000}"#)
        #expect(open.maxPayload == nil)
        #expect(open.upgradeTransports == [.websocket])
    }

    @Test("missing or mistyped fields are named in the error")
    func errors() throws {
        #expect(throws: OpenPacketError.invalidField("sid")) { try OpenPacket(json: #"{"upgrades":[],"pingInterval":1,"pingTimeout":1}"#) }
        #expect(throws: OpenPacketError.invalidField("pingInterval")) { try OpenPacket(json: #"{"sid":"a","pingTimeout":1}"#) }
        #expect(throws: OpenPacketError.invalidField("pingTimeout")) { try OpenPacket(json: #"{"sid":"a","pingInterval":1,"pingTimeout":-5}"#) }
        #expect(throws: OpenPacketError.invalidField("upgrades")) {
            try OpenPacket(json: #"{"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1}"#)
        }
        #expect(throws: OpenPacketError.notJSON) { try OpenPacket(json: "{") }
        #expect(throws: OpenPacketError.notAnObject) { try OpenPacket(json: "[]") }
        #expect(throws: OpenPacketError.notAnOpenPacket) { try OpenPacket(packet: .ping) }
    }
}
