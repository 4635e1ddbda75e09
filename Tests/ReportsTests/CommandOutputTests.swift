import Foundation
import Isolation
import TestSupport
import XCTest

/// The real commands' JSON (and the JUnit of a real check) validate against the schemas, on
/// python3 from PATH with small budgets.
final class CommandOutputTests: XCTestCase {
    /// The document a command printed; a failed command fails the test with its stderr.
    func output(_ arguments: [String], allowedExits: Set<Int32> = [0]) throws -> String {
        let outcome = try PyMemCheckProcess.run(arguments)
        let command = "pymemcheck \(arguments.joined(separator: " "))"
        let status = try XCTUnwrap(outcome.exitStatus, "\(command): \(outcome.summary)")
        XCTAssertTrue(allowedExits.contains(status), "\(command): \(outcome.stderr)")
        return outcome.stdout
    }

    func testTargets() throws {
        assertValid(try output(["targets", "--format", "json"]), schema: "targets", "targets")
    }

    func testProbe() throws {
        assertValid(try output(["probe", "--mode", "debug", "--format", "json"]), schema: "probe", "probe debug")
        assertValid(try output(["probe", "--mode", "malloc", "--format", "json"]), schema: "probe", "probe malloc")
    }

    func testCheck() throws {
        let selection = ["check", "--mode", "default", "--mode", "debug", "--clause", "raw.*"]
        assertValid(try output(selection + ["--format", "json"], allowedExits: [0, 1]), schema: "matrix", "check")
        assertValidJUnit(try output(selection + ["--format", "junit"], allowedExits: [0, 1]), "check junit")
    }

    /// --junit writes the JUnit of the same run beside the report it prints: one run for both.
    func testCheckWritesJUnitBesideItsReport() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-\(getpid())-junit.xml")
        defer { try? FileManager.default.removeItem(at: file) }
        let json = try output(
            ["check", "--mode", "default", "--clause", "raw.malloc.*", "--format", "json", "--junit", file.path],
            allowedExits: [0, 1])
        assertValid(json, schema: "matrix", "check json")
        let xml = try String(contentsOf: file, encoding: .utf8)
        assertValidJUnit(xml, "check --junit")
        XCTAssertTrue(xml.contains("raw.malloc.zero-size-distinct"), xml)
        let missing = try PyMemCheckProcess.run([
            "check", "--clause", "raw.malloc.*", "--junit", "/nonexistent/folder/m.xml",
        ])
        XCTAssertEqual(missing.exitStatus, 2, missing.summary)
    }

    /// --verbose reaches the text: every result of the one target mode, after the summary.
    func testCheckVerbose() throws {
        let text = try output(
            ["check", "--mode", "default", "--clause", "raw.*", "--verbose"], allowedExits: [0, 1])
        XCTAssertTrue(text.contains("\nEvery result, per target and mode:\n"), text)
        XCTAssertTrue(text.contains(" raw.malloc.zero-size-distinct\n"), text)
    }

    func testReplay() throws {
        let input = PackagePaths.root.appendingPathComponent("Corpus/fuzz-sequences/calloc-zeroes.bin").path
        assertValid(
            try output(["replay", input, "--mode", "default", "--format", "json"]), schema: "replay", "replay")
    }

    func testCertify() throws {
        let plugin = URL(fileURLWithPath: try SelfExecutable.path()).deletingLastPathComponent()
            .appendingPathComponent("libpymemcheck-counting.so").path
        guard FileManager.default.fileExists(atPath: plugin) else {
            return XCTFail("no example plugin at \(plugin); run 'swift build' first")
        }
        let json = try output(
            [
                "certify", "--plugin", plugin, "--mode", "default", "--fuzz-seconds", "0.2",
                "--format", "json",
            ], allowedExits: [0, 1])
        assertValid(json, schema: "certify", "certify")
    }

    func testBench() throws {
        let json = try output(["bench", "--programs", "20", "--max-ops", "8", "--format", "json"])
        assertValid(json, schema: "bench", "bench")
    }
}
