// swift-tools-version: 6.2
//
// swift-engineio: Engine.IO v4 (and v3) server and client.
//
// Layers, bottom to top (nothing imports a layer above it):
//   EngineIOJSON      a small strict JSON value, parser and serializer (the spec generator uses it too)
//   EngineIOWire      pure byte codecs: HTTP/1.1, RFC 6455 frames, base64, SHA-1, UTF-8
//   Spec/engineio.json ─(SpecBuildPlugin runs engineio-spec-gen)─▶ EngineIOSpec   generated vocabulary
//   EngineIOCore      pure Engine.IO: packets, payloads (v3/v4), open packet; session reducers
//   EngineIOPlatform  shells' building blocks over the system: zlib, OpenSSL, epoll
//   EngineIO          the public API: Server, AsyncServer, Client, AsyncClient, apps, on epoll engines that run the
//                     reducers' effects; SpecBuildPlugin adds the initialisers that take every option
//   eio               command-line tool: `eio serve`, `eio connect`
//   EngineIOTesting   public property-test kit and fuzz harnesses
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InferIsolatedConformances"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "swift-engineio",
    products: [
        .library(name: "EngineIOSpec", targets: ["EngineIOSpec"]),
        .library(name: "EngineIOJSON", targets: ["EngineIOJSON"]),
        .library(name: "EngineIOWire", targets: ["EngineIOWire"]),
        .library(name: "EngineIOCore", targets: ["EngineIOCore"]),
        .library(name: "EngineIOPlatform", targets: ["EngineIOPlatform"]),
        .library(name: "EngineIOTesting", targets: ["EngineIOTesting"]),
        .library(name: "EngineIO", targets: ["EngineIO"]),
        .executable(name: "eio", targets: ["eio"]),
        .executable(name: "eio-bench", targets: ["EngineIOBench"]),
        .plugin(name: "RegenerateSpec", targets: ["RegenerateSpec"]),
    ],
    targets: [
        // System libraries and the C shim for what Glibc does not export.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLinux"),

        // Spec → Swift. The renderer is a library so the generator tool and the freshness test share it.
        .target(name: "SpecCodegen", dependencies: ["EngineIOJSON"], swiftSettings: strict),
        .executableTarget(name: "SpecGenerator", dependencies: ["SpecCodegen"], swiftSettings: strict),
        .plugin(name: "SpecBuildPlugin", capability: .buildTool(), dependencies: ["SpecGenerator"]),
        .plugin(
            name: "RegenerateSpec",
            capability: .command(
                intent: .custom(verb: "regenerate-spec", description: "Regenerate Generated/ from Spec/engineio.json"),
                permissions: [.writeToPackageDirectory(reason: "Writes the generated Swift and API.md into Generated/")]
            ),
            dependencies: ["SpecGenerator"]
        ),

        // The library.
        .target(name: "EngineIOSpec", dependencies: ["EngineIOJSON"], swiftSettings: strict, plugins: ["SpecBuildPlugin"]),
        .target(name: "EngineIOJSON", swiftSettings: strict),
        .target(name: "EngineIOWire", swiftSettings: strict),
        .target(name: "EngineIOCore", dependencies: ["EngineIOJSON", "EngineIOSpec", "EngineIOWire"], swiftSettings: strict),
        .target(name: "EngineIOPlatform", dependencies: ["CZlib", "COpenSSL", "CLinux"], swiftSettings: strict),
        .target(
            name: "EngineIO", dependencies: ["EngineIOCore", "EngineIOWire", "EngineIOPlatform", "CLinux"], swiftSettings: strict,
            plugins: ["SpecBuildPlugin"]),
        .executableTarget(name: "eio", dependencies: ["EngineIO", "EngineIOPlatform"], swiftSettings: strict),
        .executableTarget(name: "EngineIOBench", dependencies: ["EngineIO", "EngineIOWire", "EngineIOCore", "EngineIOPlatform", "CLinux"], swiftSettings: strict),
        .target(name: "EngineIOTesting", dependencies: ["EngineIOCore", "EngineIOWire", "EngineIOSpec", "EngineIOJSON"], swiftSettings: strict),

        // Tests.
        .testTarget(name: "SpecCodegenTests", dependencies: ["SpecCodegen", "EngineIOSpec"], swiftSettings: strict),
        .testTarget(name: "EngineIOJSONTests", dependencies: ["EngineIOJSON", "EngineIOTesting"], swiftSettings: strict),
        .testTarget(name: "EngineIOTestingTests", dependencies: ["EngineIOTesting"], swiftSettings: strict),
        .testTarget(name: "EngineIOWireTests", dependencies: ["EngineIOWire", "EngineIOTesting"], swiftSettings: strict),
        .testTarget(name: "EngineIOCoreTests", dependencies: ["EngineIOCore", "EngineIOTesting", "EngineIOTestSupport"], swiftSettings: strict),
        .testTarget(name: "EngineIOPlatformTests", dependencies: ["EngineIOPlatform", "EngineIOTesting", "EngineIOTestSupport"], swiftSettings: strict),
        // What the loopback test targets share: raw test clients, `eio serve` as a process, an echo server.
        .target(
            name: "EngineIOTestSupport", dependencies: ["EngineIO", "EngineIOCore", "EngineIOWire", "EngineIOPlatform", "CLinux"], path: "Tests/EngineIOTestSupport",
            swiftSettings: strict),
        .testTarget(name: "EngineIOServerTests", dependencies: ["EngineIO", "EngineIOCore", "EngineIOTesting", "EngineIOTestSupport"], swiftSettings: strict),
        .testTarget(name: "EngineIOClientTests", dependencies: ["EngineIO", "EngineIOCore", "EngineIOTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
