import Foundation
import Glibc
import EngineIOTestSupport
import Testing

/// Three `eio serve` processes behind a real HAProxy and a real nginx, configured from the committed templates in
/// deploy/: python's `Client` and `AsyncClient` and our `eio connect` echo through each proxy over every transport,
/// one backend is SIGKILLed under live sessions, and another is drained by SIGTERM (`--drain-timeout`).
/// Tests/Interop/proxy_check.py does the work (it says what it checks); these tests run it with the interop
/// virtualenv's python and print its figures.
///
/// scripts/setup --interop installs the virtualenv and haproxy, nginx and openssl. As with the python interop tests,
/// a missing piece fails the test (it does not skip it): the script exits 77 when the proxy is not installed, and
/// that is recorded as an issue naming the fix.
extension LoopbackTests {
@Suite("eio serve behind HAProxy and nginx")
struct ProxyTests {
    static let script = packageRoot.appendingPathComponent("Tests/Interop/proxy_check.py").path

    /// The figures of the script's `--json` line that the assertions use; the whole line is printed.
    struct Figures: Decodable {
        var passed: Bool
        var failed: [String]
        var messages_checked: Int
        var duration_seconds: Double
        var error: String?
    }

    @Test func threeEioServeProcessesBehindHAProxyPassEveryClientCheckAndSurviveABackendKill() throws {
        try runProxyCheck(proxy: "haproxy")
    }

    @Test func threeEioServeProcessesBehindNginxPassEveryClientCheckAndSurviveABackendKill() throws {
        try runProxyCheck(proxy: "nginx")
    }

    func runProxyCheck(proxy: String) throws {
        guard FileManager.default.isExecutableFile(atPath: PythonClientInteropTests.python) else {
            throw TestFailure("no \(PythonClientInteropTests.python): run scripts/setup --interop")
        }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: PythonClientInteropTests.python)
        process.arguments = [Self.script, "--eio", EioServeProcess.binary, "--proxy", proxy, "--json"]
        // Progress (a line per check as it happens) goes to a file, so neither pipe can fill while the other is read.
        let progressPath = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-check-\(proxy)-\(getpid()).log").path
        try #require(FileManager.default.createFile(atPath: progressPath, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: progressPath) }
        let progress = try #require(FileHandle(forWritingAtPath: progressPath))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = progress
        try process.run()
        // The script bounds every wait and takes well under a minute; SIGTERM (it cleans up its processes on it)
        // if it is ever stuck.
        let finished = DispatchSemaphore(value: 0)
        let pid = process.processIdentifier
        Thread {
            if finished.wait(timeout: .now() + 300) == .timedOut { kill(pid, SIGTERM) }
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.signal()
        try? progress.close()
        let text = String(decoding: data, as: UTF8.self)
        let status = process.terminationStatus
        let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") })
        // In the test log: the human summary (every check, the kill test's placement and timings), then the figures
        // (the JSON line less its list of checks, which the summary already shows).
        print(text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("{") }.joined(separator: "\n"))
        if let line, var object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] {
            object["checks"] = nil
            if let compact = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                print("proxy_check \(proxy) figures: " + String(decoding: compact, as: UTF8.self))
            }
        }
        if status == 77 {
            Issue.record("\(proxy) is not installed, so this test could not run: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            return
        }
        guard let line, let figures = try? JSONDecoder().decode(Figures.self, from: Data(line.utf8)) else {
            let log = (try? String(contentsOfFile: progressPath, encoding: .utf8)) ?? ""
            throw TestFailure("proxy_check.py --proxy \(proxy) exited \(status) without its JSON figures:\n\(text.suffix(3000))\n\(log.suffix(3000))")
        }
        if status != 0 {
            let log = (try? String(contentsOfFile: progressPath, encoding: .utf8)) ?? ""
            print(log.suffix(6000))
        }
        #expect(status == 0, "proxy_check.py --proxy \(proxy) exited \(status); failed: \(figures.failed.joined(separator: "; "))")
        #expect(figures.passed && figures.failed.isEmpty && figures.error == nil)
        #expect(figures.messages_checked > 2000, "only \(figures.messages_checked) messages were echoed and checked")
    }
}
}
