import AllocatorLayers
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import TestSupport
import XCTest

/// certify on the counter-example, every built-in mutant and plugins named as users name them
/// (the correct plugins: CorrectPluginTests).
final class CertifyTests: XCTestCase {
    func testUnlockedFreeListFailsTheWatchedThreads() throws {
        let target = try InstalledTargets.target("3.13")
        let outcome = try PyMemCheckProcess.run([
            "certify", "--plugin", try PluginTestSupport.library("pymemcheck-unlocked-freelist"),
            "--python", target.libraryPath, "--mode", "default", "--fuzz-seconds", "1",
        ])
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertTrue(outcome.stdout.contains("FAIL plugin functions from 4 threads, watched by DRD"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("data race: unlocked_malloc (unlocked.c:"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("REFUSED:"), outcome.stdout)
    }

    /// Each mutant is refused, and for the defect it plants: some failed part was found by an
    /// invariant the mutant declares it breaks, or, for a defect that necessarily crashes, by
    /// the declared signal. A refusal for anything else (a crash of a defect that need not
    /// crash, another invariant, a worker that did not start) is no proof.
    /// Split in shards (every mutant in exactly one, by its index) so that no test takes a
    /// minute: a new mutant lands in a shard by itself.
    func testMutantsRefusedShard1() throws { try mutantsAreRefused(shard: 0) }
    func testMutantsRefusedShard2() throws { try mutantsAreRefused(shard: 1) }
    func testMutantsRefusedShard3() throws { try mutantsAreRefused(shard: 2) }
    func testMutantsRefusedShard4() throws { try mutantsAreRefused(shard: 3) }
    func testMutantsRefusedShard5() throws { try mutantsAreRefused(shard: 4) }
    func testMutantsRefusedShard6() throws { try mutantsAreRefused(shard: 5) }

    func mutantsAreRefused(shard: Int) throws {
        let target = try InstalledTargets.target("3.13")
        let mutants = PluginTestSupport.shard(shard, of: 6, MutantKind.allCases)
        let outcomes = PluginTestSupport.parallel(mutants) { mutant in
            try? PyMemCheckProcess.run([
                "certify", "--plugin", "mutant:\(mutant.rawValue)", "--python", target.libraryPath,
                "--mode", "default", "--mode", "debug", "--fuzz-seconds", "1", "--format", "json",
            ])
        }
        for (mutant, outcome) in zip(mutants, outcomes) {
            XCTAssertEqual(
                outcome?.exitStatus, 1,
                "mutant \(mutant.rawValue) was not refused: \(outcome?.stdout.suffix(1500) ?? "did not run")")
            let certificate = outcome.flatMap {
                try? JSONDecoder().decode(CertificateItems.self, from: Data($0.stdout.utf8))
            }
            let found = Set((certificate?.items ?? []).filter { $0.status == "fail" }.flatMap(\.detectedBy))
            let declared = Set(mutant.breaks.map(\.rawValue)).union(
                mutant.crashSignal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? [])
            XCTAssertFalse(
                found.isDisjoint(with: declared),
                "mutant \(mutant.rawValue) refused by \(found.sorted()), none of its declared \(declared.sorted())")
        }
    }

    /// The parts of a certificate a test reads.
    struct CertificateItems: Decodable {
        struct Item: Decodable {
            var status: String
            var detectedBy: [String]
        }
        var items: [Item]
    }

    /// A plugin that crashes while being installed is one line per target and mode, naming the
    /// signal and the domain it was installing: not a failed line per contract clause.
    func testAPluginThatCrashesAtInstallIsReportedOnce() throws {
        let target = try InstalledTargets.target("3.13")
        let plugin = try PluginTestSupport.compilePlugin(Self.crashingAtInstall, name: "crashes-at-install")
        let outcome = try PyMemCheckProcess.run([
            "certify", "--plugin", plugin, "--python", target.libraryPath,
            "--mode", "default", "--mode", "debug", "--fuzz-seconds", "1",
        ])
        XCTAssertEqual(outcome.exitStatus, 1, outcome.stdout + outcome.stderr)
        let failures = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL ") }
        let expected = ["default", "debug"].map { "FAIL installing the plugin [\(target.id) \($0)]" }
        XCTAssertEqual(failures.map(String.init), expected, outcome.stdout)
        let evidence = outcome.stdout.split(separator: "\n").filter { $0.contains("while installing") }
        XCTAssertEqual(evidence.count, 2, outcome.stdout)
        for line in evidence {
            XCTAssertTrue(line.contains("terminated by signal 11 (SIGSEGV)"), String(line))
            XCTAssertTrue(line.contains("the MEM domain (its pymemcheck_allocator)"), String(line))
        }
    }

    /// A plugin that hangs while being installed costs the --hang-limit it is given, and is
    /// named as hung in the domain it was installing.
    func testAPluginThatHangsAtInstallCostsTheHangLimit() throws {
        let target = try InstalledTargets.target("3.13")
        let plugin = try PluginTestSupport.compilePlugin(Self.hangingAtInstall, name: "hangs-at-install")
        let outcome = try PyMemCheckProcess.run(
            [
                "certify", "--plugin", plugin, "--python", target.libraryPath, "--mode", "default",
                "--hang-limit", "2", "--fuzz-seconds", "0",
            ], timeout: 60)
        XCTAssertEqual(outcome.exitStatus, 1, outcome.stdout + outcome.stderr)
        XCTAssertLessThan(outcome.seconds, 30, "the hang limit was not applied")
        XCTAssertTrue(outcome.stdout.contains("hung"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("for the OBJ domain (its pymemcheck_allocator)"), outcome.stdout)
    }

    static let hangingAtInstall = """
        #include <unistd.h>
        #include "pymemcheck_plugin.h"
        int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
            (void)previous; (void)hook;
            if (domain == PYMEMCHECK_DOMAIN_OBJ) for (;;) sleep(1);
            return 1;
        }
        """

    /// Leaves RAW alone and dereferences NULL when asked for MEM.
    static let crashingAtInstall = """
        #include "pymemcheck_plugin.h"
        int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
            (void)previous; (void)hook;
            if (domain == PYMEMCHECK_DOMAIN_MEM) { volatile int *nowhere = 0; return *nowhere; }
            return 1;
        }
        """

    /// A plugin named as a user names it: a file in this folder without a slash, a file that
    /// is not a library, and a library without the entry point each get their own line.
    func testPluginsAsUsersNameThem() throws {
        // A folder of its own: beside the executable, dlopen would find a bare name anyway.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pymemcheck-plugin-name-\(getpid())"
        ).path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = "libmyalloc.so"
        try FileManager.default.copyItem(
            atPath: try PluginTestSupport.library("pymemcheck-counting"), toPath: folder + "/" + name)
        let relative = try PluginTestSupport.pymemcheck(
            ["certify", "--plugin", name, "--python", "/nonexistent/python3"], in: folder)
        XCTAssertEqual(relative.exitStatus, 2)
        XCTAssertFalse(
            relative.stderr.contains("plugin"), "a plugin in the current folder was not found: \(relative.stderr)")
        let text = try PyMemCheckProcess.run(["certify", "--plugin", #filePath])
        XCTAssertEqual(text.exitStatus, 2)
        XCTAssertTrue(text.stderr.contains("is not a shared library"), text.stderr)
        let noSymbol = try PyMemCheckProcess.run([
            "certify", "--plugin", try InstalledTargets.target("3.13").libraryPath,
        ])
        XCTAssertEqual(noSymbol.exitStatus, 2)
        XCTAssertTrue(noSymbol.stderr.contains("does not export pymemcheck_allocator"), noSymbol.stderr)
        for outcome in [relative, text, noSymbol] {
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        }
    }

    func testBadPluginPathsAreOneLineErrors() throws {
        let missing = try PyMemCheckProcess.run(["certify", "--plugin", "/nonexistent/plugin.so"])
        XCTAssertEqual(missing.exitStatus, 2)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        let notAPlugin = try PyMemCheckProcess.run([
            "certify", "--plugin",
            try PluginTestSupport.library("pymemcheck-counting").replacingOccurrences(of: "counting", with: "nothing"),
        ])
        XCTAssertEqual(notAPlugin.exitStatus, 2)
        let unknownMutant = try PyMemCheckProcess.run(["certify", "--plugin", "mutant:nonsense"])
        XCTAssertEqual(unknownMutant.exitStatus, 2)
        XCTAssertTrue(unknownMutant.stderr.contains("zero-size-null"), unknownMutant.stderr)
    }
}

enum PluginTestSupport {
    static let package = PackageFolder.url

    static let examples = [
        "pymemcheck-counting": "counting-allocator/counting.c", "pymemcheck-bump": "bump-allocator/bump.c",
        "pymemcheck-unlocked-freelist": "unlocked-freelist-allocator/unlocked.c",
    ]

    /// An example plugin: the one the package built beside the test bundle, or else compiled
    /// here from Examples/ with cc alone (a plugin needs nothing but the header).
    static func library(_ name: String) throws -> String {
        let folder = URL(fileURLWithPath: try SelfExecutable.path()).deletingLastPathComponent()
        let built = folder.appendingPathComponent("lib\(name).so").path
        if FileManager.default.fileExists(atPath: built) { return built }
        guard let source = examples[name] else { return built }
        let text = try String(contentsOf: package.appendingPathComponent("Examples/\(source)"), encoding: .utf8)
        return try compilePlugin(text, name: name)
    }

    /// The same, run from `folder` (through sh: a child process starts in the parent's folder).
    static func pymemcheck(_ arguments: [String], in folder: String) throws -> ChildOutcome {
        let quoted = ([try SelfExecutable.path()] + arguments).map {
            "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try ChildProcess.run(
            executable: "/bin/sh", arguments: ["-c", "cd '\(folder)' && exec " + quoted.joined(separator: " ")],
            environment: environment, timeout: 120)
    }

    /// The items of shard `index` (0-based) of `count`: every item is in exactly one.
    static func shard<T>(_ index: Int, of count: Int, _ items: [T]) -> [T] {
        items.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    static func parallel<T: Sendable, R: Sendable>(_ items: [T], _ work: @escaping @Sendable (T) -> R) -> [R] {
        let results = Results<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { results.set($0, work(items[$0])) }
        return results.values
    }

    /// Compiles a C plugin into a temporary shared library (test fixtures).
    static func compilePlugin(_ source: String, name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-tests-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(name).c")
        let library = folder.appendingPathComponent("lib\(name).so")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let include = package.appendingPathComponent("Sources/PluginInterface/include").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
            throw Requirement.missing("no C compiler to build the test plugins: apt-get install gcc")
        }
        let outcome = try ChildProcess.run(
            executable: "/usr/bin/cc",
            arguments: ["-shared", "-fPIC", "-O1", "-I", include, "-o", library.path, file.path], timeout: 60)
        // A plugin of the package's own that does not compile is a defect of the suite, not a skip.
        guard outcome.exitedCleanly else {
            throw PluginCompileError(description: "\(name).c does not compile: \(outcome.stderr.prefix(600))")
        }
        return library.path
    }
}

struct PluginCompileError: Error, CustomStringConvertible {
    let description: String
}

final class Results<R>: @unchecked Sendable {
    private var storage: [R?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: R) { lock.withLock { storage[index] = value } }
    var values: [R] { lock.withLock { storage.map { $0! } } }
}
