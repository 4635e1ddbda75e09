import Foundation
import Isolation
import XCTest

/// The command line as a user meets it: exit codes and one-line errors, never a trap.
final class CommandLineTests: XCTestCase {
    func testTargetsJSONListsEveryTargetWithStableFields() throws {
        let outcome = try TestSupport.pymemcheck(["targets", "--format", "json"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let targets = try XCTUnwrap(json?["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.count, TestSupport.discovery.targets.count)
        let fields: Set<String> = ["id", "version", "versionString", "libraryPath", "prefix", "origin", "debugBuild",
                                   "pymalloc", "mimalloc", "supportedModes", "modes"]
        for target in targets { XCTAssertEqual(Set(target.keys), fields) }
        XCTAssertNotNil(json?["rejected"] as? [Any])
    }

    func testProbeTextShowsTheModeInEffect() throws {
        let target = try TestSupport.target("3.11")
        let outcome = try TestSupport.pymemcheck(["probe", "--python", target.id, "--mode", "pymalloc_debug"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("in effect:     pymalloc_debug"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("API 'o'"), outcome.stdout)
    }

    func testUnknownModeListsTheValidOnes() throws {
        let outcome = try TestSupport.pymemcheck(["probe", "--mode", "jemalloc"])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("valid modes: default, malloc"), outcome.stderr)
    }

    func testUnknownVersionListsTheTargets() throws {
        let outcome = try TestSupport.pymemcheck(["probe", "--python", "3.42"])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no CPython 3.42 found; targets here:"), outcome.stderr)
    }

    func testPython27LibrarySaysWhy() throws {
        guard let old = TestSupport.discovery.rejected.first(where: { $0.path.contains("libpython2.7") }) else {
            throw XCTSkip("no Python 2.7 library installed to try; install one (pyenv install 2.7.18 with --enable-shared) to check the message for pre-PEP 445 builds")
        }
        let outcome = try TestSupport.pymemcheck(["probe", "--python", old.path])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no PEP 445 allocator API"), outcome.stderr)
    }

    /// A binary copied away from its package, run from /, finds no catalogue: one line, exit 2.
    func testCheckWithoutACatalogueIsAnEnvironmentError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-alone-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: try SelfExecutable.path(), toPath: folder + "/pymemcheck")
        var environment = ProcessInfo.processInfo.environment.filter { $0.key != "PYMEMCHECK_CATALOGUE" }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let outcome = try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", "cd / && exec '\(folder)/pymemcheck' check"],
                                           environment: environment, timeout: 60)
        XCTAssertEqual(outcome.exitStatus, 2, outcome.stderr)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasPrefix("pymemcheck: no Conformance/ catalogue found"), outcome.stderr)
    }

    /// A target that cannot run a mode is an entry of the JSON (not text before it), and no failure.
    func testReplayJSONSaysNotApplicableInJSON() throws {
        guard let old = TestSupport.discovery.targets.first(where: { !$0.mimalloc }) else {
            throw XCTSkip("every target here has mimalloc; install a CPython before 3.13 (pyenv install 3.12) to check the not-applicable entry")
        }
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/fuzz-sequences").path
        let outcome = try TestSupport.pymemcheck(["replay", corpus, "--python", old.libraryPath, "--mode", "mimalloc", "--format", "json"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let entries = try XCTUnwrap(document?["results"] as? [[String: Any]], outcome.stdout)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["outcome"] as? String, "not-applicable")
        XCTAssertTrue((entries.first?["detail"] as? String ?? "").contains("mimalloc"), "\(entries)")
    }

    func testUnknownFormatIsAUsageError() throws {
        let outcome = try TestSupport.pymemcheck(["targets", "--format", "yaml"])
        XCTAssertEqual(outcome.exitStatus, 2, outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("Fatal error"), outcome.stderr)
    }
}
