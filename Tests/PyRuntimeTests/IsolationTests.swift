import Executor
import Foundation
import Isolation
import PyRuntime
import XCTest

/// The isolation primitive: a fresh child of pymemcheck for each scenario, whatever it does.
final class IsolationTests: XCTestCase {
    func testCleanExit() throws {
        let outcome = try IsolatedRun.run(.exitClean, target: nil)
        XCTAssertTrue(outcome.exitedCleanly, outcome.summary)
        XCTAssertEqual(IsolatedRun.result([String: Bool].self, from: outcome), ["ok": true])
    }

    func testAbortIsReportedAsSIGABRT() throws {
        let outcome = try IsolatedRun.run(.abort, target: nil)
        XCTAssertEqual(outcome.signal, SIGABRT, outcome.summary)
        XCTAssertNil(outcome.exitStatus)
        XCTAssertFalse(outcome.stderr.contains("Backtrace"), "children run without the Swift backtracer")
    }

    func testCrashIsReportedAsSIGSEGV() throws {
        let outcome = try IsolatedRun.run(.crash, target: nil)
        XCTAssertEqual(outcome.signal, SIGSEGV, outcome.summary)
    }

    func testHungChildIsKilledAndReported() throws {
        let outcome = try IsolatedRun.run(.hang, target: nil, timeout: 1)
        XCTAssertTrue(outcome.timedOut)
        XCTAssertEqual(outcome.signal, SIGKILL)
        XCTAssertLessThan(outcome.seconds, 10)
        XCTAssertTrue(outcome.summary.hasPrefix("hung"), outcome.summary)
    }

    func testAMissingExecutableIsAnErrorNotATrap() {
        XCTAssertThrowsError(try ChildProcess.run(executable: "/nowhere/pymemcheck", arguments: [], timeout: 5)) {
            error in
            XCTAssertTrue("\(error)".contains("cannot start /nowhere/pymemcheck"), "\(error)")
        }
    }

    func testStandardInputReachesTheChild() throws {
        let outcome = try ChildProcess.run(executable: "/bin/cat", arguments: [], input: "hello\n", timeout: 10)
        XCTAssertEqual(outcome.stdout, "hello\n")
    }

    func testAFatalDebugHookReportIsCaptured() throws {
        let target = try TestSupport.target("3.13")
        let outcome = try IsolatedRun.run(.overflowMem, target: target, mode: .debug)
        XCTAssertEqual(outcome.signal, SIGABRT, outcome.summary)
        XCTAssertTrue(
            outcome.stderr.contains("Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte"), outcome.stderr)
    }

    func testAViolationWithoutHooksGoesUndetected() throws {
        let target = try TestSupport.target("3.13")
        let outcome = try IsolatedRun.run(.crossDomainMemObj, target: target, mode: .pymalloc)
        XCTAssertTrue(outcome.exitedCleanly, outcome.summary)
        XCTAssertTrue(outcome.stdout.contains("\"undetected\""), outcome.stdout)
    }
}
