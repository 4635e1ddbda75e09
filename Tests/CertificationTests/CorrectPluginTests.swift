import Foundation
import Isolation
import PyRuntime
import TestSupport
import XCTest

/// Correct plugins, written as their authors would write them, must certify: a refusal of one
/// is a false refusal, the worst defect a certifier can have. The suite is every C file in
/// CorrectPlugins/ (adding a plugin is adding its file) and the conforming examples: a hook
/// that adds a header and passes impossible requests on, a replacement over the C library, a
/// per-thread cache, an arena-backed replacement, a counting wrapper. Here each is certified on
/// the tests' target in its default mode (a minute at most); CI certifies each on every
/// installed target in every mode (.ci/run).
final class CorrectPluginTests: XCTestCase {
    static let folder = PluginTestSupport.package.appendingPathComponent("Tests/CertificationTests/CorrectPlugins")

    /// The suite's plugins, compiled: (name, library path).
    static func suite() throws -> [(String, String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".c") }
        var plugins = try files.sorted().map { file -> (String, String) in
            let name = String(file.dropLast(2))
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return (name, try PluginTestSupport.compilePlugin(source, name: "correct-" + name))
        }
        for example in ["pymemcheck-counting", "pymemcheck-bump"] {
            plugins.append((example, try PluginTestSupport.library(example)))
        }
        return plugins
    }

    /// In shards, so that no test takes a minute: every plugin of the suite is in exactly one.
    func testCorrectPluginsCertifyShard1() throws { try correctPluginsCertify(shard: 0) }
    func testCorrectPluginsCertifyShard2() throws { try correctPluginsCertify(shard: 1) }
    func testCorrectPluginsCertifyShard3() throws { try correctPluginsCertify(shard: 2) }

    func testTheSuiteHasItsPlugins() throws {
        XCTAssertGreaterThanOrEqual(try Self.suite().count, 5, "the suite lost its plugins")
    }

    func correctPluginsCertify(shard: Int) throws {
        let target = try InstalledTargets.selected()
        let plugins = PluginTestSupport.shard(shard, of: 3, try Self.suite())
        XCTAssertFalse(plugins.isEmpty, "shard \(shard + 1) has no plugin")
        let outcomes = PluginTestSupport.parallel(plugins.map(\.1)) { library in
            try? PyMemCheckProcess.run([
                "certify", "--plugin", library, "--python", target.libraryPath,
                "--mode", "default", "--fuzz-seconds", "1",
            ])
        }
        for ((name, _), outcome) in zip(plugins, outcomes) {
            XCTAssertEqual(
                outcome?.exitStatus, 0,
                "\(name) on \(target.id) was refused:\n\(outcome?.stdout.suffix(4000) ?? "did not run")")
            XCTAssertTrue(outcome?.stdout.contains("CERTIFIED:") ?? false, name)
        }
    }
}
