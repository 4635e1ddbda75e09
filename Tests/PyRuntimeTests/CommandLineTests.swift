import Foundation
import Isolation
import TestSupport
import XCTest

/// The command line as a user meets it: exit codes and one-line errors, never a trap.
final class CommandLineTests: XCTestCase {
    func testTargetsJSONListsEveryTargetWithStableFields() throws {
        let outcome = try PyMemCheckProcess.run(["targets", "--format", "json"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let targets = try XCTUnwrap(json?["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.count, InstalledTargets.discovery.targets.count)
        let fields: Set<String> = [
            "id", "version", "versionString", "libraryPath", "prefix", "origin", "debugBuild",
            "pymalloc", "mimalloc", "freeThreaded", "supportedModes", "modes",
        ]
        for target in targets { XCTAssertEqual(Set(target.keys), fields) }
        XCTAssertNotNil(json?["rejected"] as? [Any])
    }

    func testProbeTextShowsTheModeInEffect() throws {
        let target = try InstalledTargets.target("3.11")
        let outcome = try PyMemCheckProcess.run(["probe", "--python", target.id, "--mode", "pymalloc_debug"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("in effect:     pymalloc_debug"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("API 'o'"), outcome.stdout)
    }

    func testUnknownModeListsTheValidOnes() throws {
        let outcome = try PyMemCheckProcess.run(["probe", "--mode", "jemalloc"])
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
                "--fuzz-seconds must be a number of seconds of at least 0"
            ),
            (["repro", "x.ops", "--plugin", "mutant:zero-size-null"], "a reproducer needs a plugin shared library"),
            (["bench", "--programs", "0"], "--programs must be a whole number of at least 1"),
        ]
        for (arguments, says) in cases {
            let outcome = try PyMemCheckProcess.run(arguments)
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
        let replay = try PyMemCheckProcess.run(["replay", "--help"])
        XCTAssertEqual(replay.exitStatus, 0, replay.stderr)
        let help = replay.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(help.contains("values: default, malloc, pymalloc, debug, malloc_debug"), help)
        XCTAssertTrue(help.contains("values: fuzz-sequences, fuzz-violations, fuzz-faults"), help)
        XCTAssertTrue(help.contains("zero-size-null, zero-size-same-pointer"), help)
        let check = try PyMemCheckProcess.run(["check", "--help"])
        XCTAssertTrue(check.stdout.contains("values: text, json, junit, markdown,"), check.stdout)
    }

    func testUnknownVersionListsTheTargets() throws {
        let outcome = try PyMemCheckProcess.run(["probe", "--python", "3.42"])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no CPython 3.42 found; targets here:"), outcome.stderr)
    }

    func testPython27LibrarySaysWhy() throws {
        guard let old = InstalledTargets.discovery.rejected.first(where: { $0.path.contains("libpython2.7") }) else {
            throw Requirement.missing(
                "no Python 2.7 library installed to try; install one (pyenv install 2.7.18 with --enable-shared) "
                    + "to check the message for pre-PEP 445 builds")
        }
        let outcome = try PyMemCheckProcess.run(["probe", "--python", old.path])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("no PEP 445 allocator API"), outcome.stderr)
    }

    /// A binary copied away from its package and run from / carries the catalogue: check, certify
    /// and replay give their documented exit codes (0 conforms, 1 a refused plugin).
    func testACopiedBinaryRunsFromAnywhere() throws {
        _ = try InstalledTargets.target("3.13")
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
        let outcome = try PyMemCheckProcess.run(["check", "--catalogue", "/nonexistent", "--python", "3.13"])
        XCTAssertEqual(outcome.exitStatus, 2, outcome.stderr)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasPrefix("pymemcheck: catalogue folder /nonexistent not found"), outcome.stderr)
    }

    static let package = PackageFolder.url

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

    /// A target that cannot run a mode is an entry of the JSON (not text before it), and no
    /// failure: nothing could be judged (exit 2, one line on stderr).
    func testReplayJSONSaysNotApplicableInJSON() throws {
        guard let old = InstalledTargets.discovery.targets.first(where: { !$0.mimalloc }) else {
            throw Requirement.missing(
                "every target here has mimalloc; install a CPython before 3.13 (pyenv install 3.12) "
                    + "to check the not-applicable entry")
        }
        let corpus = Self.package.appendingPathComponent("Corpus/fuzz-sequences").path
        let outcome = try PyMemCheckProcess.run([
            "replay", corpus, "--python", old.libraryPath, "--mode", "mimalloc", "--format", "json",
        ])
        XCTAssertEqual(outcome.exitStatus, 2, outcome.stderr)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let entries = try XCTUnwrap(document?["results"] as? [[String: Any]], outcome.stdout)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["outcome"] as? String, "not-applicable")
        XCTAssertTrue((entries.first?["detail"] as? String ?? "").contains("mimalloc"), "\(entries)")
    }

    // MARK: every error one line, before any work

    /// Runs `arguments` and checks the documented exit code, and for exit 2 one line on stderr
    /// in pymemcheck's words that says `says`.
    func assertEnds(
        _ arguments: [String], exit: Int32, says: String? = nil, timeout: Double = 60,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> ChildOutcome {
        let outcome = try PyMemCheckProcess.run(arguments, timeout: timeout)
        let context = "\(arguments.joined(separator: " ")): \(outcome.summary) \(outcome.stderr)"
        XCTAssertFalse(outcome.timedOut, context, file: file, line: line)
        XCTAssertEqual(outcome.exitStatus, exit, context, file: file, line: line)
        if exit == 2 {
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, context, file: file, line: line)
            XCTAssertTrue(outcome.stderr.hasPrefix("pymemcheck: "), context, file: file, line: line)
            XCTAssertFalse(
                outcome.stderr.contains("error 2"), "Foundation's words: \(context)", file: file, line: line)
        }
        if let says { XCTAssertTrue(outcome.stderr.contains(says), context, file: file, line: line) }
        return outcome
    }

    /// A fresh folder for one test's files, removed after it.
    func scratchFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pymemcheck-\(name.filter(\.isLetter))-\(getpid())"
        ).path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    /// A FIFO, a folder, a device and a huge file, given wherever a command takes a file, are each
    /// refused before anything opens them: a FIFO given as --python or --plugin used to hang
    /// dlopen for ever, and a folder given to explain ended in "error 256".
    func testFilesThatAreNoRegularFilesAreRefusedBeforeUse() throws {
        let folder = try scratchFolder()
        for fifo in ["x.so", "fifo.ops", "python"] { XCTAssertEqual(mkfifo("\(folder)/\(fifo)", 0o644), 0) }
        try FileManager.default.createDirectory(atPath: "\(folder)/dir.ops", withIntermediateDirectories: false)
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(folder)/huge.ops", contents: Data(count: 3 << 20)))
        let cases: [(arguments: [String], says: String)] = [
            (["probe", "--python", "\(folder)/x.so"], "libpython \(folder)/x.so is a FIFO (named pipe), not a file"),
            (["probe", "--python", "\(folder)/python"], "python \(folder)/python is a FIFO (named pipe), not a file"),
            (["certify", "--plugin", "\(folder)/x.so"], "plugin \(folder)/x.so is a FIFO (named pipe), not a file"),
            (["explain", "\(folder)/fifo.ops"], "input \(folder)/fifo.ops is a FIFO (named pipe), not a file"),
            (["replay", "\(folder)/fifo.ops"], "input \(folder)/fifo.ops is a FIFO (named pipe), not a file"),
            (["explain", "\(folder)/dir.ops"], "input \(folder)/dir.ops is a folder, not a file"),
            (["probe", "--python", "\(folder)/dir.ops"], "python \(folder)/dir.ops is a folder, not a file"),
            (["explain", "/dev/zero"], "input /dev/zero is a device, not a file"),
            (["certify", "--plugin", "/dev/null"], "plugin /dev/null is a device, not a file"),
            (["repro", "/dev/zero"], "input /dev/zero is a device, not a file"),
            (["explain", "\(folder)/huge.ops"], "input \(folder)/huge.ops is 3.0 MiB, over the limit of 1.0 MiB"),
            (["replay", "\(folder)/huge.ops"], "input \(folder)/huge.ops is 3.0 MiB, over the limit of 1.0 MiB"),
            (
                ["check", "--catalogue", "\(folder)/huge.ops"],
                "catalogue folder \(folder)/huge.ops is a file, not a folder"
            ),
        ]
        for (arguments, says) in cases { _ = try assertEnds(arguments, exit: 2, says: says, timeout: 30) }
    }

    /// --output is checked before any target runs: a missing folder, a kernel file and a folder
    /// are each one line (not Foundation's "error 512" after the whole run); the unknown target
    /// after it is never reached. /dev/null and /dev/stdout are places a user may write to.
    func testOutputIsCheckedBeforeAnyWork() throws {
        let folder = try scratchFolder()
        let never = ["--python", "3.42"] // an unknown target: its error would come first if it ran first
        let cases: [(arguments: [String], says: String)] = [
            (
                ["check", "--output", "\(folder)/none/matrix.txt"] + never,
                "--output \(folder)/none/matrix.txt cannot be created: the folder \(folder)/none does not exist"
            ),
            (
                ["check", "--output", "/proc/version"] + never,
                "--output /proc/version is a file of the kernel's /proc"
            ),
            (["check", "--output", folder] + never, "--output \(folder) is a folder"),
            (
                ["certify", "--plugin", "mutant:zero-size-null", "--output", "/proc/version"] + never,
                "--output /proc/version is a file of the kernel's /proc"
            ),
            (["repro", "x.ops", "-o", "\(folder)/none/r.c"] + never, "the folder \(folder)/none does not exist"),
        ]
        for (arguments, says) in cases { _ = try assertEnds(arguments, exit: 2, says: says) }
        let quick = ["check", "--python", "3.13", "--mode", "default", "--clause", "raw.calloc.zeroes"]
        _ = try InstalledTargets.target("3.13")
        _ = try assertEnds(quick + ["--output", "/dev/null"], exit: 0)
        let piped = try assertEnds(quick + ["--output", "/dev/stdout"], exit: 0)
        XCTAssertTrue(piped.stdout.hasSuffix("conforms: no unexpected result\n"), piped.stdout)
        let certificate = "\(folder)/certificate.json"
        _ = try assertEnds(
            ["certify", "--plugin", "mutant:zero-size-null", "--python", "3.13", "--mode", "default"]
                + ["--fuzz-seconds", "0", "--format", "json", "--output", certificate], exit: 1)
        let written = try String(contentsOfFile: certificate, encoding: .utf8)
        XCTAssertTrue(written.contains("\"pymemcheck-certificate/1\""), written)
    }

    /// A clause file that is not valid YAML, or not a clause file, is named with its line and
    /// column (the error used to end in "... at " with no place).
    func testBrokenClauseFileNamesItsLineAndColumn() throws {
        let folder = try scratchFolder()
        let broken = "\(folder)/99-broken.yaml"
        let cases: [(yaml: String, says: String)] = [
            (
                "section: x\nnote: [a\nclauses:\n",
                "\(broken):3:8: not a valid clause file: did not find expected"
            ),
            ("section: x\nnote: a\nclauses: 5\n", "\(broken):3:10: not a valid clause file: expected a list"),
            ("section: x\nnote: a\nclauses:\n  - id: a.b\n", "\(broken):4:5: not a valid clause file: missing"),
        ]
        for (yaml, says) in cases {
            try yaml.write(toFile: broken, atomically: true, encoding: .utf8)
            _ = try assertEnds(["check", "--catalogue", folder, "--python", "3.42"], exit: 2, says: says)
        }
    }

    /// Every numeric option is range-checked in its own words, -1 given apart included (the
    /// parser used to read it as an option and say "missing value").
    func testNumericOptionsSayTheirRange() throws {
        let plugin = ["certify", "--plugin", "mutant:zero-size-null"]
        let cases: [(arguments: [String], says: String)] = [
            (["check", "--jobs", "-1"], "--jobs must be a whole number of at least 1 and at most 64, not '-1'"),
            (["check", "--jobs=-1"], "--jobs must be a whole number of at least 1 and at most 64, not '-1'"),
            (["check", "--jobs", "1.5"], "--jobs must be a whole number of at least 1"),
            (["check", "--jobs", "99999999999999999999"], "--jobs must be a whole number of at least 1"),
            (plugin + ["--fuzz-seconds", "nan"], "--fuzz-seconds must be a number of seconds of at least 0"),
            (plugin + ["--fuzz-seconds", "inf"], "--fuzz-seconds must be a number of seconds of at least 0"),
            (plugin + ["--fuzz-seconds", "-1"], "--fuzz-seconds must be a number of seconds of at least 0"),
            (["bench", "--programs", "-3"], "--programs must be a whole number of at least 1 and at most 1000000"),
            (["bench", "--max-ops", "100000"], "--max-ops must be a whole number of at least 1 and at most 1024"),
        ]
        for (arguments, says) in cases {
            let outcome = try assertEnds(arguments, exit: 2, says: says)
            XCTAssertTrue(outcome.stderr.contains("(see 'pymemcheck \(arguments[0]) --help')"), outcome.stderr)
        }
    }

    func testVersionIsPrinted() throws {
        let outcome = try assertEnds(["--version"], exit: 0)
        XCTAssertNotNil(outcome.stdout.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+\n/), outcome.stdout)
    }

    // MARK: one rule for exit codes

    /// The root command's help states the one rule.
    func testHelpStatesTheExitCodes() throws {
        let help = try assertEnds(["--help"], exit: 0).stdout.split(whereSeparator: \.isWhitespace).joined(
            separator: " ")
        XCTAssertTrue(help.contains("0 conforms"), help)
        XCTAssertTrue(help.contains("1 a non-conformance was found"), help)
        XCTAssertTrue(help.contains("2 nothing could be judged"), help)
    }

    /// A target named twice (a series and its release, and its library's path) and a mode given
    /// twice run once.
    func testRepeatedTargetsAndModesRunOnce() throws {
        let target = try InstalledTargets.target("3.12")
        let outcome = try assertEnds(
            [
                "check", "--python", "3.12", "--python", target.id, "--python", target.libraryPath,
                "--mode", "debug", "--mode", "debug", "--clause", "raw.calloc.zeroes", "--format", "json",
            ], exit: 0)
        let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((json?["columns"] as? [Any])?.count, 1, outcome.stdout)
        XCTAssertEqual((json?["results"] as? [Any])?.count, 1, outcome.stdout)
    }

    /// A target that cannot run the mode asked for: check, certify and replay judge nothing, say
    /// so, and exit 2 (check said "conforms" and exited 0; certify exited 1).
    func testNothingJudgedExitsTwoInEveryCommand() throws {
        guard let old = InstalledTargets.discovery.targets.first(where: { !$0.mimalloc }) else {
            throw Requirement.missing(
                "every target here has mimalloc; install a CPython before 3.13 (pyenv install 3.12)")
        }
        let notHere = ["--python", old.libraryPath, "--mode", "mimalloc"]
        let check = try assertEnds(
            ["check", "--clause", "raw.*"] + notHere, exit: 2, says: "nothing could be judged: no clause applies")
        XCTAssertTrue(
            check.stdout.hasSuffix("nothing could be judged: every result is not applicable\n"), check.stdout)
        XCTAssertFalse(check.stdout.contains("conforms"), check.stdout)
        let certify = try assertEnds(
            ["certify", "--plugin", "mutant:zero-size-null"] + notHere, exit: 2,
            says: "nothing could be judged: \(old.id) mimalloc")
        XCTAssertTrue(certify.stdout.contains("NOT CERTIFIED: nothing could be checked"), certify.stdout)
        let input = Self.package.appendingPathComponent("Corpus/fuzz-sequences/calloc-zeroes.bin").path
        _ = try assertEnds(["replay", input] + notHere, exit: 2, says: "nothing could be judged")
    }

    /// An input that does not decode is counted apart as unreadable, not as a finding: exit 2,
    /// unless another input shows a finding (exit 1).
    func testUnreadableReplayInputIsNoFinding() throws {
        _ = try InstalledTargets.target("3.13")
        let folder = try scratchFolder()
        let unreadable = "\(folder)/unreadable.ops"
        try "not an op\n".write(toFile: unreadable, atomically: true, encoding: .utf8)
        let alone = try assertEnds(
            ["replay", unreadable, "--python", "3.13"], exit: 2, says: "1 input(s) unreadable")
        XCTAssertTrue(alone.stdout.hasSuffix("1 replays, 0 with a finding or a crash, 1 unreadable\n"), alone.stdout)
        let finding = Self.package.appendingPathComponent("Corpus/seeds/fuzz-sequences/zero-sizes.ops").path
        let mixed = try assertEnds(
            ["replay", unreadable, finding, "--python", "3.13", "--mutant", "zero-size-null"], exit: 1)
        XCTAssertTrue(mixed.stdout.hasSuffix("2 replays, 1 with a finding or a crash, 1 unreadable\n"), mixed.stdout)
    }
}
