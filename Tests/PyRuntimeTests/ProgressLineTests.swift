import Foundation
import Isolation
import TestSupport
import XCTest

@testable import PyMemCheckCLI

/// The progress line of check, certify, replay and bench: on a terminal only, never with
/// --quiet or TERM=dumb, and never in what a pipe or a file receives.
final class ProgressLineTests: XCTestCase {
    func testShownOnlyOnATerminalThatCanRewriteALine() {
        for terminal in [false, true] {
            for quiet in [false, true] {
                for term in [nil, "", "dumb", "xterm-256color", "screen"] {
                    let expected = terminal && !quiet && (term == "xterm-256color" || term == "screen")
                    let visible = ProgressLine.isVisible(stderrIsTerminal: terminal, quiet: quiet, term: term)
                    XCTAssertEqual(visible, expected, "terminal \(terminal), quiet \(quiet), TERM \(term ?? "unset")")
                }
            }
        }
    }

    /// replay under a pseudo-terminal (script(1)) draws the line and erases it; --quiet and
    /// TERM=dumb draw nothing; a pipe gets nothing either.
    func testReplayDrawsTheLineOnlyOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw Requirement.missing(
                "script(1) is not installed; install util-linux to run replay under a pseudo-terminal")
        }
        let target = try InstalledTargets.target("3.13")
        let input = CommandLineTests.package.appendingPathComponent("Corpus/fuzz-sequences/free-null.bin").path
        let replay = [try SelfExecutable.path(), "replay", input, "--python", target.libraryPath]
        let erase = "\r\u{1B}[K"
        let shown = try underTerminal(replay, term: "xterm")
        // Drawn, then erased before the report.
        XCTAssertTrue(shown.contains(erase + "[0/1] \(target.id) default: 1 input(s)" + erase), shown.debugDescription)
        XCTAssertFalse(try underTerminal(replay + ["--quiet"], term: "xterm").contains(erase))
        XCTAssertFalse(try underTerminal(replay, term: "dumb").contains(erase))
        let piped = try PyMemCheckProcess.run(Array(replay.dropFirst()))
        XCTAssertEqual(piped.exitStatus, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "")
    }

    /// What `command` writes to a pseudo-terminal (stdout and stderr together).
    func underTerminal(_ command: [String], term: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = term
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let line = command.map { "'\($0)'" }.joined(separator: " ")
        let outcome = try ChildProcess.run(
            executable: "/usr/bin/script", arguments: ["-qec", line, "/dev/null"],
            environment: environment, timeout: 300)
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout + outcome.stderr)
        return outcome.stdout
    }
}
