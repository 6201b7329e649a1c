import Foundation
import Testing

/// Every public declaration of the library's two main modules has a `///` comment: the nearest line above it that
/// is not an attribute must be one.
@Suite("Documentation coverage")
struct DocumentationCoverageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `file:line: declaration` for each public declaration without a doc comment under `folder`.
    static func undocumented(in folder: String) throws -> [String] {
        let base = root.appendingPathComponent(folder)
        let files = try #require(FileManager.default.enumerator(atPath: base.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
        var missing: [String] = []
        for file in files {
            let lines = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
            var previous = ""
            for (number, line) in lines.enumerated() {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                let isDeclaration = trimmed.hasPrefix("public ") || trimmed.hasPrefix("open ") || trimmed.hasPrefix("public(")
                if isDeclaration, !trimmed.hasPrefix("public import ") {
                    if !previous.hasPrefix("///") { missing.append("\(folder)/\(file):\(number + 1): \(trimmed)") }
                }
                if !trimmed.hasPrefix("@") { previous = String(trimmed) }
            }
        }
        return missing
    }

    @Test("every public declaration in EngineIO and EngineIOCore has a doc comment", arguments: ["Sources/EngineIO", "Sources/EngineIOCore"])
    func everyPublicDeclarationIsDocumented(_ folder: String) throws {
        let missing = try Self.undocumented(in: folder)
        #expect(missing.isEmpty, "\(missing.count) undocumented:\n\(missing.prefix(40).joined(separator: "\n"))")
    }
}
