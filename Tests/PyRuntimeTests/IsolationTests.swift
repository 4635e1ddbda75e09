import Checks
import Foundation
import Isolation
import PyRuntime
import TestSupport
import Vocabulary
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

    /// A thread's exit, thread-local destructors included, is over when JoinedThreads returns:
    /// a plugin's per-thread cache hands its blocks back under its lock there, and a fork made
    /// while that lock was held left a child waiting for it for ever (a certify run hung so).
    func testJoinedThreadsReturnAfterTheThreadsDestructorsRan() {
        ThreadExit.ended.withLock { $0 = 0 }
        let answers = JoinedThreads.run(
            3, unstarted: { _, reason in "unstarted: \(reason)" },
            { index -> String? in
                pthread_setspecific(ThreadExit.key, UnsafeRawPointer(bitPattern: index + 1))
                return index == 1 ? "answer of 1" : nil
            })
        XCTAssertEqual(answers, [nil, "answer of 1", nil])
        XCTAssertEqual(ThreadExit.ended.withLock { $0 }, 3, "returned before the threads' destructors ran")
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
        let target = try InstalledTargets.target("3.13")
        let outcome = try IsolatedRun.run(.overflowMem, target: target, mode: .debug)
        XCTAssertEqual(outcome.signal, SIGABRT, outcome.summary)
        XCTAssertTrue(
            outcome.stderr.contains("Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte"), outcome.stderr)
    }

    func testAViolationWithoutHooksGoesUndetected() throws {
        let target = try InstalledTargets.target("3.13")
        let outcome = try IsolatedRun.run(.crossDomainMemObj, target: target, mode: .pymalloc)
        XCTAssertTrue(outcome.exitedCleanly, outcome.summary)
        XCTAssertTrue(outcome.stdout.contains("\"undetected\""), outcome.stdout)
    }
}

/// A thread-local destructor that takes its time, as a plugin's does that hands its cache back.
enum ThreadExit {
    static let ended = Locked(0)
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { _ in
            usleep(100_000)
            ThreadExit.ended.withLock { $0 += 1 }
        }
        return key
    }()
}
