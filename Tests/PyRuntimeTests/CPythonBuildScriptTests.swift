import Foundation
import Isolation
import XCTest

/// Fuzz/cpython/build.sh's promises that need no build: one line and exit 2 on bad input, and a
/// finished build reused with its prefix on the last line.
final class CPythonBuildScriptTests: XCTestCase {
    private let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/cpython/build.sh").path

    private func run(_ arguments: [String], cache: String? = nil) throws -> ChildOutcome {
        var environment = ProcessInfo.processInfo.environment
        if let cache { environment["XDG_CACHE_HOME"] = cache }
        return try ChildProcess.run(
            executable: "/bin/bash", arguments: [script] + arguments,
            environment: environment, timeout: 60)
    }

    private func assertOneLineUsageError(_ outcome: ChildOutcome, mentions text: String) {
        XCTAssertEqual(outcome.exitStatus, 2, outcome.summary)
        let lines = outcome.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains(text), outcome.stderr)
    }

    func testAVersionDebianDoesNotShipIsOneLine() throws {
        assertOneLineUsageError(try run(["3.10.0"]), mentions: "3.11.2 (bookworm) or 3.13.5 (trixie)")
        assertOneLineUsageError(try run([]), mentions: "3.11.2 (bookworm) or 3.13.5 (trixie)")
    }

    func testAnUnknownSanitizerIsOneLine() throws {
        assertOneLineUsageError(
            try run(["3.11.2", "--sanitizer", "thread"]), mentions: "fuzzer, address, coverage or none")
    }

    func testAFreeThreadedBuildBefore313IsOneLine() throws {
        assertOneLineUsageError(try run(["3.11.2", "--free-threaded"]), mentions: "needs 3.13 or later")
    }

    func testBuildingWithTheBuildersFlagsNeedsThemAndAFolder() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["CFLAGS"] = nil
        let noFlags = try ChildProcess.run(
            executable: "/bin/bash", arguments: [script, "3.11.2", "--flags-from-environment", "--home", "/tmp/x"],
            environment: environment, timeout: 60)
        assertOneLineUsageError(noFlags, mentions: "set CFLAGS")
        environment["CFLAGS"] = "-O1 -fsanitize=fuzzer-no-link"
        let noFolder = try ChildProcess.run(
            executable: "/bin/bash", arguments: [script, "3.11.2", "--flags-from-environment"],
            environment: environment, timeout: 60)
        assertOneLineUsageError(noFolder, mentions: "needs --home DIR")
    }

    func testAFinishedBuildIsReusedAndItsPrefixIsTheLastLine() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-build-\(UUID())")
        defer { try? FileManager.default.removeItem(at: cache) }
        let prefix = cache.appendingPathComponent("pymemcheck/cpython/3.11.2-cov/prefix")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        try Data("3.11.2 coverage\nbuilt earlier\n".utf8).write(to: prefix.appendingPathComponent(".pymemcheck-built"))
        let outcome = try run(["3.11.2", "--sanitizer", "coverage"], cache: cache.path)
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout.split(separator: "\n").last.map(String.init), prefix.path)
        XCTAssertTrue(outcome.stderr.contains("reusing"), outcome.stderr)
    }
}
