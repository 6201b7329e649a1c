import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory regenerate-spec`: writes the generated Swift and API.md into
/// Generated/, the reviewed copy of what the build plugin compiles.
@main
struct RegenerateSpec: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let root = context.package.directoryURL
        let process = Process()
        process.executableURL = try context.tool(named: "SpecGenerator").url
        process.arguments = [
            root.appending(path: "Spec/engineio.json").path(percentEncoded: false),
            root.appending(path: "Generated").path(percentEncoded: false),
            "--spec-name", "Spec/engineio.json",
        ] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Diagnostics.error("engineio-spec-gen failed with status \(process.terminationStatus)")
            return
        }
        print("Generated/ is up to date with Spec/engineio.json")
    }
}
