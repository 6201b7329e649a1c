// engineio-spec-gen: validates Spec/engineio.json and writes the generated Swift (and API.md).
//
//   engineio-spec-gen SPEC OUTDIR [--swift-only] [--module NAME] [--check] [--spec-name NAME] [--expect FILE ...]
//
// --swift-only   write only the Swift sources (what the build plugin compiles)
// --module       write only the Swift sources of that module (NAME/…), for the plugin run on that target
// --check        write nothing; exit 1 listing the files that differ from a fresh rendering
// --spec-name    how diagnostics name the spec (default: SPEC as given)
// --expect       the relative paths the caller declared as outputs; a mismatch means the plugin is out of date
import Foundation
import SpecCodegen

struct Arguments {
    var spec = ""
    var output = ""
    var swiftOnly = false
    var module: String?
    var check = false
    var specName: String?
    var expected: [String] = []

    init(_ arguments: [String]) throws {
        var positional: [String] = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--swift-only": swiftOnly = true
            case "--check": check = true
            case "--module":
                guard let name = iterator.next() else { throw UsageError() }
                module = name
            case "--spec-name":
                guard let name = iterator.next() else { throw UsageError() }
                specName = name
            case "--expect":
                guard let path = iterator.next() else { throw UsageError() }
                expected.append(path)
            default: positional.append(argument)
            }
        }
        guard positional.count == 2 else { throw UsageError() }
        spec = positional[0]
        output = positional[1]
    }
}

struct UsageError: Error {}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

let arguments: Arguments
do {
    arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail("usage: engineio-spec-gen SPEC OUTDIR [--swift-only] [--module NAME] [--check] [--spec-name NAME] [--expect FILE ...]")
}

let specName = arguments.specName ?? arguments.spec
guard let data = FileManager.default.contents(atPath: arguments.spec) else {
    fail("\(specName): error: cannot read the spec")
}
let spec: Spec
do {
    spec = try Spec(json: Array(data), file: specName)
} catch {
    fail("\(specName): error: \(error.path.isEmpty ? "" : error.path + ": ")\(error.message)")
}

var files = SpecRenderer.render(spec)
if arguments.swiftOnly { files.removeAll { !$0.path.hasSuffix(".swift") } }
if let module = arguments.module { files.removeAll { !$0.path.hasPrefix(module + "/") } }
if !arguments.expected.isEmpty, Set(arguments.expected) != Set(files.map(\.path)) {
    fail("engineio-spec-gen: error: the caller declared \(arguments.expected.sorted()) but the renderer writes \(files.map(\.path).sorted()); update Plugins/SpecBuildPlugin")
}

let root = URL(fileURLWithPath: arguments.output, isDirectory: true)
var stale: [String] = []
for file in files {
    let url = root.appendingPathComponent(file.path)
    let current = FileManager.default.contents(atPath: url.path)
    let fresh = Data(file.contents.utf8)
    guard current != fresh else { continue }
    if arguments.check {
        stale.append(file.path)
        continue
    }
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fresh.write(to: url)  // only when changed, so an unchanged spec recompiles nothing
    } catch {
        fail("engineio-spec-gen: error: cannot write \(url.path): \(error)")
    }
}
if !stale.isEmpty {
    fail("\(arguments.output): error: generated files are stale: \(stale.joined(separator: ", ")); run: \(SpecRenderer.regenerateCommand)")
}
