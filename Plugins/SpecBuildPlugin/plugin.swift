import Foundation
import PackagePlugin

/// Runs engineio-spec-gen on every build so EngineIOSpec always compiles what Spec/engineio.json says.
///
/// SwiftPM caches this plan: after editing this file, `touch Package.swift` (or clean) for the change to apply.
@main
struct SpecBuildPlugin: BuildToolPlugin {
    /// Must equal `SpecRenderer.swiftFiles`; the generator checks, since a plugin cannot import the renderer.
    static let outputs = [
        "EngineIOSpec/Protocol.swift", "EngineIOSpec/Errors.swift", "EngineIOSpec/Enums.swift", "EngineIOSpec/Options.swift",
    ]

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let spec = context.package.directoryURL.appending(path: "Spec/engineio.json")
        let outputDirectory = context.pluginWorkDirectoryURL
        guard FileManager.default.fileExists(atPath: spec.path(percentEncoded: false)) else {
            Diagnostics.error("SpecBuildPlugin: missing \(spec.path(percentEncoded: false))")
            return []
        }
        var arguments = [
            spec.path(percentEncoded: false), outputDirectory.path(percentEncoded: false), "--swift-only",
            "--spec-name", spec.path(percentEncoded: false),
        ]
        for output in Self.outputs { arguments += ["--expect", output] }
        return [
            .buildCommand(
                displayName: "Generating EngineIOSpec from Spec/engineio.json",
                executable: try context.tool(named: "SpecGenerator").url,
                arguments: arguments,
                inputFiles: [spec],
                outputFiles: Self.outputs.map { outputDirectory.appending(path: $0) }
            )
        ]
    }
}
