import Foundation
import Isolation
import PyRuntime
import TestSupport
import XCTest

@testable import Certification

/// The plugin's functions from several threads, watched by DRD (ThreadWatch): a plugin that
/// relies on the GIL is certified where the GIL serialises MEM and OBJ (3.11) and refused where
/// interpreters with their own GIL call them at once (3.12+); the mutex, atomic-counter and
/// thread-local variants are certified everywhere; an edge that breaks only as a fresh thread's
/// first call is refused. Every verdict here depends on the code, not on how the threads ran
/// (Benchmarks/concurrency-under-load.sh shows them 5 of 5 with the machine loaded).
final class ThreadWatchTests: XCTestCase {
    static let folder = PluginTestSupport.package.appendingPathComponent("Tests/CertificationTests/ThreadPlugins")

    /// A plugin of ThreadPlugins/ (or any C file), compiled with its own folder on the include
    /// path and with debug information, as DRD names the plugin's lines from it.
    static func compile(_ file: URL) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-threads-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let library = folder.appendingPathComponent("lib\(file.deletingPathExtension().lastPathComponent).so").path
        let include = PluginTestSupport.package.appendingPathComponent("Sources/PluginInterface/include").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
            throw Requirement.missing("no C compiler to build the test plugins: apt-get install gcc")
        }
        let outcome = try ChildProcess.run(
            executable: "/usr/bin/cc",
            arguments: [
                "-shared", "-fPIC", "-O1", "-g", "-Wall", "-Werror", "-I", include, "-I",
                file.deletingLastPathComponent().path, "-o", library, file.path,
            ], timeout: 60)
        // A plugin of ours that does not compile is a failure, not a skip.
        guard outcome.exitedCleanly else {
            throw CompileFailure(description: "\(file.lastPathComponent) does not compile: \(outcome.stderr)")
        }
        return library
    }

    static func plugin(_ name: String) throws -> String { try compile(folder.appendingPathComponent("\(name).c")) }

    /// certify's two thread parts alone, on `targets` in the default mode: its output.
    func certifyThreads(_ library: String, on targets: [String]) throws -> ChildOutcome {
        let pythons = try targets.flatMap { ["--python", try InstalledTargets.target($0).libraryPath] }
        guard ThreadWatch.findInPath("valgrind") != nil else {
            throw Requirement.missing("valgrind is not installed: apt-get install valgrind")
        }
        return try PyMemCheckProcess.run(
            [
                "certify", "--plugin", library, "--mode", "default", "--only", "raw.threads.without-gil", "--only",
                "threads-watched",
            ]
                + pythons)
    }

    /// The status of the watched part on each target, in the order certify printed them.
    func watchedStatuses(_ outcome: ChildOutcome) -> [String] {
        outcome.stdout.split(separator: "\n").filter { $0.contains("watched by DRD [") }.map {
            String($0.split(separator: " ")[0])
        }
    }

    func testAPluginThatReliesOnTheGILIsCertifiedOn311AndRefusedFrom312() throws {
        let outcome = try certifyThreads(try Self.plugin("gil-reliant-cache"), on: ["3.11.7", "3.12.1", "3.13.0"])
        XCTAssertEqual(watchedStatuses(outcome), ["PASS", "FAIL", "FAIL"], outcome.stdout)
        XCTAssertEqual(outcome.exitStatus, 1)
        // The finding names the plugin's own line and the domain it was called as.
        XCTAssertTrue(outcome.stdout.contains("data race: cache_malloc (gil-reliant-cache.c:"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("called as MEM malloc"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("MEM and OBJ under one lock standing for the GIL"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("watch it yourself: valgrind --tool=drd"), outcome.stdout)
    }

    func testTheMutexAtomicAndThreadLocalVariantsAreCertified() throws {
        let plugins = [
            try Self.plugin("mutex-cache"), try PluginTestSupport.library("pymemcheck-counting"),
            try Self.compile(CorrectPluginTests.folder.appendingPathComponent("thread-cache.c")),
        ]
        for library in plugins {
            let outcome = try certifyThreads(library, on: ["3.11.7", "3.13.0"])
            XCTAssertEqual(watchedStatuses(outcome), ["PASS", "PASS"], "\(library):\n\(outcome.stdout)")
            XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout)
        }
    }

    func testAnEdgeThatBreaksOnlyAsAThreadsFirstCallIsRefused() throws {
        let outcome = try certifyThreads(try Self.plugin("first-call-edge"), on: ["3.13.0"])
        XCTAssertEqual(watchedStatuses(outcome), ["FAIL"], outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains("in RAW free(NULL) as a fresh thread's first call"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("SIGSEGV"), outcome.stdout)
    }

    /// The parse of DRD's XML: only errors whose stack reaches the plugin before the driver.
    func testDRDReportKeepsThePluginsOwnAccessesOnly() {
        func frame(_ object: String, _ function: String, _ file: String? = nil) -> String {
            "<frame><obj>\(object)</obj><fn>\(function)</fn>" + (file.map { "<file>\($0)</file><line>7</line>" } ?? "")
                + "</frame>"
        }
        let plugin = "/nowhere/libp.so"
        let xml = """
            <valgrindoutput>
            <error><kind>ConflictingAccess</kind><what>Conflicting store by thread 3 at 0x04a6ddc0 size 8</what>
            <stack>\(frame(plugin, "p_free", "p.c"))\(frame("/d/pymemcheck-threads", "MEM_free"))</stack></error>
            <error><kind>ConflictingAccess</kind><what>Conflicting load by thread 2 at 0x1 size 4</what>
            <stack>\(frame("/usr/lib/valgrind/vgpreload_drd.so", "memset"))\(frame(plugin, "p_calloc"))\(frame(
                "/d/t", "RAW_calloc"))</stack></error>
            <error><kind>ConflictingAccess</kind><what>Conflicting load by thread 2 at 0x2 size 1</what>
            <stack>\(frame("/d/t", "one_round"))\(frame("/d/t", "worker"))</stack></error>
            </valgrindoutput>
            """
        // In the order of the calls (RAW before MEM), not in DRD's, which follows the schedule.
        let reports = DRDReport.parse(xml, plugin: plugin)
        XCTAssertEqual(reports.map(\.place), ["p_calloc", "p_free (p.c:7)"])
        XCTAssertEqual(reports.map(\.calledAs), ["RAW calloc", "MEM free"])
        XCTAssertEqual(reports.map(\.access), ["loads 4 bytes", "stores 8 bytes"])
        XCTAssertFalse(reports[0].description.contains("0x"), "a run's own address is not part of the finding")
    }
}

/// A test fixture of the package's own that does not build.
struct CompileFailure: Error, CustomStringConvertible {
    var description: String
}
