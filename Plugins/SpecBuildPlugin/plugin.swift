import Foundation
import PackagePlugin

/// Runs engineio-spec-gen on every build so each target that uses the plugin compiles what Spec/engineio.json says:
/// EngineIOSpec its vocabulary and option structs, EngineIO the initialisers that take every option.
///
/// SwiftPM caches this plan: after editing this file, `touch Package.swift` (or clean) for the change to apply.
@main
struct SpecBuildPlugin: BuildToolPlugin {
    /// Per target, must equal that module's part of `SpecRenderer.swiftFiles`; the generator checks, since a plugin
    /// cannot import the renderer.
    static let outputs = [
        "EngineIOSpec": [
            "EngineIOSpec/Protocol.swift", "EngineIOSpec/Errors.swift", "EngineIOSpec/Enums.swift", "EngineIOSpec/Options.swift",
            "EngineIOSpec/CommandLine.swift",
        ],
        "EngineIO": ["EngineIO/Initializers.swift"],
    ]

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        guard let outputs = Self.outputs[target.name] else {
            Diagnostics.error("SpecBuildPlugin: nothing is generated for target \(target.name)")
            return []
        }
        let spec = context.package.directoryURL.appending(path: "Spec/engineio.json")
        let outputDirectory = context.pluginWorkDirectoryURL
        guard FileManager.default.fileExists(atPath: spec.path(percentEncoded: false)) else {
            Diagnostics.error("SpecBuildPlugin: missing \(spec.path(percentEncoded: false))")
            return []
        }
        var arguments = [
            spec.path(percentEncoded: false), outputDirectory.path(percentEncoded: false), "--swift-only",
            "--module", target.name, "--spec-name", spec.path(percentEncoded: false),
        ]
        for output in outputs { arguments += ["--expect", output] }
        return [
            .buildCommand(
                displayName: "Generating \(target.name) sources from Spec/engineio.json",
                executable: try context.tool(named: "SpecGenerator").url,
                arguments: arguments,
                inputFiles: [spec],
                outputFiles: outputs.map { outputDirectory.appending(path: $0) }
            )
        ]
    }
}
