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
        let fields: Set<String> = [
            "id", "version", "versionString", "libraryPath", "prefix", "origin", "debugBuild",
            "pymalloc", "mimalloc", "supportedModes", "modes",
        ]
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
        XCTAssertTrue(outcome.stderr.contains("one of: default, malloc, pymalloc, debug"), outcome.stderr)
    }

    /// Every typo in an enumerated option, and every option combination a command refuses, is
    /// the parser's usage error: one line that names the allowed values or says what to give.
    func testTyposAndBadCombinationsAreOneLineUsageErrors() throws {
        let cases: [(arguments: [String], says: String)] = [
            (
                ["check", "--mode", "pymaloc"],
                "'pymaloc' is invalid for '--mode <mode>'. Please provide one of: default,"
            ),
            (["check", "--format", "htm"], "one of 'text', 'json', 'junit', 'markdown' or 'html'"),
            (["targets", "--format", "yaml"], "one of 'text' and 'json'"),
            (
                ["replay", "x.ops", "--fuzz-target", "fuzz-sequence"],
                "one of 'fuzz-sequences', 'fuzz-violations' or 'fuzz-faults'"
            ),
            (["replay", "x.ops", "--mutant", "zero-size"], "one of: zero-size-null, zero-size-same-pointer"),
            (["certify", "--plugin", "mutant:zero-size"], "unknown mutant 'zero-size'; one of: zero-size-null"),
            (["bench", "--mode", "debugg"], "'debugg' is invalid for '--mode <mode>'"),
            (["check", "--all", "--python", "3.13"], "give --all or --python, not both"),
            (
                ["certify", "--plugin", "mutant:zero-size-null", "--all", "--python", "3.13"],
                "give --all or --python, not both"
            ),
            (
                ["certify", "--plugin", "mutant:zero-size-null", "--fuzz-seconds=-1"],
                "--fuzz-seconds must be 0 or more"
            ),
            (["repro", "x.ops", "--plugin", "mutant:zero-size-null"], "a reproducer needs a plugin shared library"),
            (["bench", "--programs", "0"], "--programs must be at least 1"),
        ]
        for (arguments, says) in cases {
            let outcome = try TestSupport.pymemcheck(arguments)
            let context = "\(arguments.joined(separator: " ")): \(outcome.stderr)"
            XCTAssertEqual(outcome.exitStatus, 2, context)
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, context)
            XCTAssertTrue(outcome.stderr.hasPrefix("pymemcheck: "), context)
            XCTAssertTrue(outcome.stderr.contains(says), context)
            XCTAssertTrue(outcome.stderr.contains("(see 'pymemcheck \(arguments[0]) --help')"), context)
        }
    }

    /// --help lists each enumerated option's values.
    func testHelpListsTheValues() throws {
        let replay = try TestSupport.pymemcheck(["replay", "--help"])
        XCTAssertEqual(replay.exitStatus, 0, replay.stderr)
        let help = replay.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(help.contains("values: default, malloc, pymalloc, debug, malloc_debug"), help)
        XCTAssertTrue(help.contains("values: fuzz-sequences, fuzz-violations, fuzz-faults"), help)
        XCTAssertTrue(help.contains("zero-size-null, zero-size-same-pointer"), help)
        let check = try TestSupport.pymemcheck(["check", "--help"])
        XCTAssertTrue(check.stdout.contains("values: text, json, junit, markdown,"), check.stdout)
    }

    func testUnknownVersionListsTheTargets() throws {
        let outcome = try TestSupport.pymemcheck(["probe", "--python", "3.42"])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no CPython 3.42 found; targets here:"), outcome.stderr)
    }

    func testPython27LibrarySaysWhy() throws {
        guard let old = TestSupport.discovery.rejected.first(where: { $0.path.contains("libpython2.7") }) else {
            throw XCTSkip(
                "no Python 2.7 library installed to try; install one (pyenv install 2.7.18 with --enable-shared) "
                    + "to check the message for pre-PEP 445 builds")
        }
        let outcome = try TestSupport.pymemcheck(["probe", "--python", old.path])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no PEP 445 allocator API"), outcome.stderr)
    }

    /// A binary copied away from its package and run from / carries the catalogue: check, certify
    /// and replay give their documented exit codes (0 conforms, 1 a refused plugin).
    func testACopiedBinaryRunsFromAnywhere() throws {
        _ = try TestSupport.target("3.13")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-alone-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Installed under another name: workers are copies of the running binary, whatever its name.
        let installed = folder + "/pymemcheck-installed"
        try FileManager.default.copyItem(atPath: try SelfExecutable.path(), toPath: installed)
        let input = Self.package.appendingPathComponent("Corpus/fuzz-sequences/calloc-zeroes.bin").path
        let runs: [(arguments: [String], exit: Int32)] = [
            (["check", "--python", "3.13", "--quiet"], 0),
            (["certify", "--plugin", "mutant:zero-size-null", "--python", "3.13", "--fuzz-seconds", "0.5"], 1),
            (["replay", input, "--python", "3.13"], 0),
        ]
        for (arguments, exit) in runs {
            let outcome = try runAlone(installed, arguments)
            XCTAssertEqual(outcome.exitStatus, exit, "\(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
    }

    /// The catalogue of a folder a developer names is read instead; a folder without one is one
    /// line and exit 2.
    func testCatalogueFolderWithoutClausesIsAnEnvironmentError() throws {
        let outcome = try TestSupport.pymemcheck(["check", "--catalogue", "/nonexistent", "--python", "3.13"])
        XCTAssertEqual(outcome.exitStatus, 2, outcome.stderr)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.hasPrefix("pymemcheck: cannot read the catalogue folder /nonexistent"),
            outcome.stderr)
    }

    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `executable` from /, with nothing in the environment that points back at the package.
    func runAlone(_ executable: String, _ arguments: [String]) throws -> ChildOutcome {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PYMEMCHECK_CATALOGUE")
        environment.removeValue(forKey: "PYMEMCHECK_EXECUTABLE")
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let command = ([executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try ChildProcess.run(
            executable: "/bin/sh", arguments: ["-c", "cd / && exec \(command)"],
            environment: environment, timeout: 900)
    }

    /// A target that cannot run a mode is an entry of the JSON (not text before it), and no failure.
    func testReplayJSONSaysNotApplicableInJSON() throws {
        guard let old = TestSupport.discovery.targets.first(where: { !$0.mimalloc }) else {
            throw XCTSkip(
                "every target here has mimalloc; install a CPython before 3.13 (pyenv install 3.12) "
                    + "to check the not-applicable entry")
        }
        let corpus = Self.package.appendingPathComponent("Corpus/fuzz-sequences").path
        let outcome = try TestSupport.pymemcheck([
            "replay", corpus, "--python", old.libraryPath, "--mode", "mimalloc", "--format", "json",
        ])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let entries = try XCTUnwrap(document?["results"] as? [[String: Any]], outcome.stdout)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["outcome"] as? String, "not-applicable")
        XCTAssertTrue((entries.first?["detail"] as? String ?? "").contains("mimalloc"), "\(entries)")
    }
}
