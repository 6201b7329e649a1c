import Foundation
import Testing

/// How the documentation tests keep an article's code and a test's code the same: the test holds the sample
/// between `// sample: name` and `// end sample` lines, runs it, and compares it with the article's ```swift block.
package enum DocumentationSamples {
    /// The ```swift blocks of an article, in order.
    package static func codeBlocks(in article: URL) throws -> [String] {
        let text = try String(contentsOf: article, encoding: .utf8)
        return text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    /// The lines between `// sample: name` and `// end sample` in a source file, without their common indentation.
    package static func sample(named name: String, in file: String) throws -> String {
        let source = try String(contentsOfFile: file, encoding: .utf8)
        let after = try #require(source.components(separatedBy: "// sample: \(name)\n").dropFirst().first)
        let lines = after.components(separatedBy: "// end sample")[0].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let indent = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.count >= indent ? String($0.dropFirst(indent)) : "" }.joined(separator: "\n") + "\n"
    }
}
