import EngineIOTesting
import Foundation
import Testing

/// Replays the committed seed corpus (Tests/Fuzz/corpus/<target>/…, which the fuzzers start from) and every input
/// they ever saved (Tests/Fuzz/crashers/<target>/…) through the same invariants.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func savedInputs(in folder: String = "crashers") -> [(target: String, file: URL)] {
        let manager = FileManager.default
        let root = fuzz.appendingPathComponent(folder)
        let folders = (try? manager.contentsOfDirectory(atPath: root.path)) ?? []
        return folders.sorted().flatMap { target in
            let files = (try? manager.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? []
            return files.sorted().map { (target, root.appendingPathComponent(target).appendingPathComponent($0)) }
        }
    }

    @Test("every fuzz target has a committed seed corpus, and every seed keeps its target's invariant")
    func seedCorpusPasses() throws {
        let seeds = Self.savedInputs(in: "corpus")
        #expect(Set(seeds.map(\.target)) == Set(FuzzTargets.all.keys), "targets without seeds, or seeds for no target")
        for (target, file) in seeds {
            let failure = FuzzTargets.run(target, Array(try Data(contentsOf: file)))
            #expect(failure == nil, "\(target)/\(file.lastPathComponent): \(failure ?? "")")
        }
    }

    @Test("every saved fuzz input now keeps its target's invariant")
    func savedInputsPass() throws {
        for (target, file) in Self.savedInputs() {
            #expect(FuzzTargets.all[target] != nil, "\(file.path) is in a folder that names no fuzz target")
            let bytes = Array(try Data(contentsOf: file))
            let failure = FuzzTargets.run(target, bytes)
            #expect(failure == nil, "\(file.lastPathComponent): \(failure ?? "")")
        }
    }

    @Test("every fuzz target accepts the empty input and a few classic troublemakers")
    func targetsSurviveEdgeInputs() {
        let inputs: [[UInt8]] = [[], [0], [0xFF], Array("b".utf8), Array("4\u{1E}".utf8), Array("0:".utf8), [0xC0, 0x80],
                                 Array("GET / HTTP/1.1\r\n\r\n".utf8), [0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]
        for (name, target) in FuzzTargets.all.sorted(by: { $0.key < $1.key }) {
            for input in inputs {
                #expect(target(input) == nil, "\(name) on \(input)")
            }
        }
    }
}
