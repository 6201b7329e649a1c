@testable import EngineIOCore
import EngineIOSpec
import EngineIOTesting
import Testing

@Suite("Server session properties")
struct ServerSessionPropertyTests {
    @Test("random worlds never break a server session's invariants")
    func invariantsHold() throws {
        var steps = 0
        try Property("server session invariants", ServerSessionSimulation.scenarios()) { scenario in
            steps += try ServerSessionSimulation.run(scenario)
        }.check(cases: 1_000)
        #expect(steps >= 10_000, "only \(steps) steps were explored")
        print("server session simulation: \(steps) steps")
    }

    /// A reducer with a deliberate defect must be caught, and shrunk to a short story.
    func expectCaught(_ name: String, maxActions: Int = 12, _ faulty: @escaping ServerSessionSimulation.Reducer) {
        let property = Property(name, ServerSessionSimulation.scenarios()) { scenario in
            try ServerSessionSimulation.run(scenario, reducer: faulty)
        }
        do {
            try property.check(cases: 3_000, seed: 1)
            Issue.record("the fault \"\(name)\" went unnoticed")
        } catch {
            var source = ChoiceSource(replaying: error.choices)
            let actions = ServerSessionSimulation.scenarios().generate(&source).actions.count
            #expect(actions <= maxActions, "\(name): shrunk only to \(actions) actions: \(error.counterexample)")
            print("caught \"\(name)\": \(error.message)\n    shrunk to \(error.counterexample)")
        }
    }

    @Test("the simulation catches a reducer that delivers a message twice")
    func catchesDuplicateDelivery() {
        expectCaught("deliver twice") { state, input in
            var effects = ServerSession.reduce(&state, input)
            if let index = effects.firstIndex(where: { if case .deliver = $0 { true } else { false } }) {
                effects.insert(effects[index], at: index)
            }
            return effects
        }
    }

    @Test("the simulation catches a reducer that forgets to release the parked poll with 6")
    func catchesDroppedNoop() {
        expectCaught("drop the noop") { state, input in
            ServerSession.reduce(&state, input).filter { $0 != .respond(state.parkedPoll ?? RequestID(0), .payload([.noop])) }
                .filter { if case .respond(_, .payload([.noop])) = $0 { false } else { true } }
        }
    }

    @Test("the simulation catches a reducer that forgets the pong deadline")
    func catchesForgottenPongDeadline() {
        expectCaught("forget the pong deadline") { state, input in
            let effects = ServerSession.reduce(&state, input)
            if case .awaitingPong = state.heartbeat { state.heartbeat = nil }
            return effects
        }
    }

    @Test("the simulation catches a reducer that writes to polling during an upgrade")
    func catchesPollingWriteDuringUpgrade() {
        expectCaught("answer polls with data while upgrading") { state, input in
            if case .pollReceived(let request) = input.event, state.probe?.probed == true, !state.outbound.isEmpty {
                let packets = state.outbound
                state.outbound = []
                state.outboundBytes = 0
                return [.respond(request, .payload(packets))]
            }
            return ServerSession.reduce(&state, input)
        }
    }
}
