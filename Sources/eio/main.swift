// eio: the command-line face of swift-engineio.
//
//   eio serve [--host H] [--port P] [--echo] [--async] [--log] [--metrics] [--static DIR] [server options]
//   eio connect URL [--linger S] [client and connect options]
//   eio --version | --help
//
// The options' flags are generated from Spec/engineio.json (`ServerOptions.commandLineFlags`, …).
import EngineIO
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "serve":
        try ServeCommand(Array(arguments.dropFirst())).run()
    case "connect":
        try ConnectCommand(Array(arguments.dropFirst())).run()
    case "--version", "version":
        announce("eio \(eioVersion) (swift-engineio; Engine.IO protocol 4, and 3 with allowEIO3)")
    case "--help", "-h", "help":
        throw HelpRequested(text: "usage: eio serve [options] | eio connect URL [options] | eio --version\n\n\(ServeCommand.usage)\n\n\(ConnectCommand.usage)")
    default:
        throw UsageError(description: "usage: eio serve [options] | eio connect URL [options]    (--help lists the options)")
    }
} catch let help as HelpRequested {
    announce(help.text)
    exit(0)
} catch {
    FileHandle.standardError.write(Data("eio: \(error)\n".utf8))
    exit(2)
}
