import Foundation
import SpecCodegen
import Testing

/// The package root, found from this file's path (Tests/SpecCodegenTests/…).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func loadSpecBytes() throws -> [UInt8] {
    Array(try Data(contentsOf: packageRoot.appendingPathComponent("Spec/engineio.json")))
}

@Suite("Generated/ freshness")
struct GeneratedFreshnessTests {
    @Test("Generated/ holds exactly what the spec renders to")
    func generatedIsFresh() throws {
        let spec = try Spec(json: try loadSpecBytes(), file: "Spec/engineio.json")
        let files = SpecRenderer.render(spec)
        for file in files {
            let url = packageRoot.appendingPathComponent("Generated").appendingPathComponent(file.path)
            let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? "<missing>"
            if committed != file.contents {
                Issue.record(
                    """
                    Generated/\(file.path) is stale. Run: \(SpecRenderer.regenerateCommand)
                    \(firstDifference(committed, file.contents))
                    """)
            }
        }
        let listed = try FileManager.default.subpathsOfDirectory(atPath: packageRoot.appendingPathComponent("Generated").path)
            .filter { !$0.hasSuffix("/") && $0.contains(".") }
        #expect(Set(listed) == Set(files.map(\.path)), "Generated/ has files the spec does not produce")
    }

    @Test("the build plugin declares every Swift file the renderer writes")
    func pluginOutputsMatch() throws {
        let plugin = try String(contentsOf: packageRoot.appendingPathComponent("Plugins/SpecBuildPlugin/plugin.swift"), encoding: .utf8)
        for path in SpecRenderer.swiftFiles { #expect(plugin.contains("\"\(path)\""), "plugin.swift does not declare \(path)") }
    }

    @Test("rendering is deterministic")
    func deterministic() throws {
        let bytes = try loadSpecBytes()
        let first = SpecRenderer.render(try Spec(json: bytes, file: "a"))
        let second = SpecRenderer.render(try Spec(json: bytes, file: "b"))
        #expect(first == second)
    }
}

/// The first differing line of two texts, with both versions, for a readable failure.
func firstDifference(_ old: String, _ new: String) -> String {
    let oldLines = old.split(separator: "\n", omittingEmptySubsequences: false)
    let newLines = new.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(oldLines.count, newLines.count) {
        let a = index < oldLines.count ? String(oldLines[index]) : "<end of file>"
        let b = index < newLines.count ? String(newLines[index]) : "<end of file>"
        if a != b { return "line \(index + 1):\n- committed: \(a)\n+ rendered:  \(b)" }
    }
    return "(identical lines; trailing bytes differ)"
}
