import Checks
import Foundation
import PyRuntime
import TestSupport
import Vocabulary
import XCTest

/// Every mode on every target found here: started in a child, probed, and checked against what
/// the mode must look like (hooks, layout, allocator name, arenas).
final class AllocatorModeTests: XCTestCase {
    struct Case: Sendable {
        var target: PythonTarget
        var mode: AllocatorMode
    }

    /// pymalloc's arena: 256 KiB up to 3.9, 1 MiB from 3.10 on 64-bit platforms.
    static func expectedArenaSize(_ version: PythonVersion) -> Int {
        version >= PythonVersion(3, 10) ? 1 << 20 : 256 << 10
    }

    func testEveryModeOnEveryTarget() throws {
        let cases = InstalledTargets.discovery.targets.flatMap { target in
            target.supportedModes.map { Case(target: target, mode: $0) }
        }
        XCTAssertFalse(cases.isEmpty)
        let failures = Parallel.map(cases) { item in
            Self.problems(of: item).map { "\(item.target.id) \(item.mode.name): \($0)" }
        }
        XCTAssertEqual(failures.flatMap { $0 }, [])
    }

    func testNamedTargetsTakeEveryMode() throws {
        for spec in ["3.6.15", "3.8.18", "3.11.7", "3.13.0", "3.11d"] {
            let target = try InstalledTargets.target(spec)
            for mode in target.supportedModes {
                XCTAssertEqual(Self.problems(of: Case(target: target, mode: mode)), [], "\(spec) \(mode.name)")
            }
        }
    }

    func testModesATargetCannotRunAreNotApplicableWithAReason() throws {
        let target = try InstalledTargets.target("3.12")
        XCTAssertEqual(
            target.applicability(of: .mimalloc).reason, "mimalloc arrived in CPython 3.13; \(target.id) predates it")
        let outcome = try PyMemCheckProcess.run(["probe", "--python", target.libraryPath, "--mode", "mimalloc"])
        XCTAssertEqual(outcome.exitStatus, 2)
        XCTAssertTrue(outcome.stderr.contains("cannot run mode mimalloc: mimalloc arrived"), outcome.stderr)
    }

    /// What is wrong with one target in one mode; empty when the mode took effect as it must.
    static func problems(of item: Case) -> [String] {
        let target = item.target
        let mode = item.mode
        guard let outcome = try? IsolatedRun.run(.probe, target: target, mode: mode) else {
            return ["could not start the child"]
        }
        guard let report = IsolatedRun.result(ProbeReport.self, from: outcome) else {
            return ["no probe result: \(outcome.summary) \(outcome.stderr.suffix(300))"]
        }
        var problems: [String] = []
        let expectHooks = mode.expectsDebugHooks(debugBuild: target.debugBuild)
        if report.debugHooksOn != expectHooks {
            problems.append("debug hooks \(report.debugHooks), expected \(expectHooks)")
        }
        let name = target.expectedAllocatorName(in: mode)
        if report.modeInEffect != name { problems.append("in effect \(report.modeInEffect), expected \(name)") }
        if target.version >= PythonVersion(3, 7) && report.allocatorName != name {
            problems.append("CPython reports \(report.allocatorName ?? "nothing"), expected \(name)")
        }
        let pymalloc = target.underlyingAllocator(in: mode) == .pymalloc
        let arena = pymalloc ? expectedArenaSize(target.version) : nil
        if report.arenaSize != arena {
            problems.append(
                "arena size \(String(describing: report.arenaSize)), expected \(String(describing: arena))")
        }
        for block in report.blocks {
            let domain = AllocatorDomain(name: block.domain)!
            let unfilled = target.bytesTheHooksLeaveUnfilled(in: domain)
            let layout = block.debugLayout?.matchesDebugLayout(of: target.version, domain: domain, unfilled: unfilled)
            if expectHooks != (layout ?? false) {
                problems.append(
                    "\(block.domain) block of \(block.requested): layout \(String(describing: block.debugLayout))")
            }
        }
        return problems
    }
}
