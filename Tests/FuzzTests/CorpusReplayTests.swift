import AllocatorLayers
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import Results
import TestSupport
import XCTest

@testable import Oracle

/// The corpus regression: every file under Corpus/ (seeds, compiled seeds, regressions) runs
/// through the fuzz targets' own per-input code on several targets and modes, and conforms.
final class CorpusReplayTests: XCTestCase {
    static let package = PackageFolder.url
    static let corpus = package.appendingPathComponent("Corpus").path

    /// The targets the corpus is replayed on when they are here: the default python3, the
    /// newest and oldest supported, and Debian's debug build.
    static let specs = [nil, "3.13", "3.6", "3.11d"]
    static let modes = ["default", "pymalloc", "malloc", "debug"]

    func testSeedsAreCompiled() throws {
        XCTAssertEqual(
            try CorpusCompiler.stale(root: Self.corpus), [],
            "run `swift run pymemcheck corpus` after editing Corpus/seeds")
    }

    func testCorpusConformsOnEveryTargetAndMode() throws {
        var arguments = ["replay", Self.corpus, "--format", "json"]
        // A target that is not here is a skip that names it (a failure under
        // PYMEMCHECK_REQUIRE_TARGETS=1), not a replay on fewer targets that passes.
        let targets = try Self.specs.map { spec in try spec.map(InstalledTargets.target) ?? InstalledTargets.selected()
        }
        for path in Set(targets.map(\.libraryPath)).sorted() { arguments += ["--python", path] }
        for mode in Self.modes { arguments += ["--mode", mode] }
        let outcome = try PyMemCheckProcess.run(arguments, timeout: 600)
        let results = try ReplayJSON.results(outcome.stdout)
        XCTAssertGreaterThan(results.count, 0, outcome.stderr)
        for result in results where result.isFailure {
            let findings = result.verdict?.findings.map(\.description) ?? []
            XCTFail(
                "\(result.target) \(result.mode) \(result.file): \(result.outcome) \(result.detail ?? "") \(findings)")
        }
        XCTAssertEqual(outcome.exitStatus, 0)
    }
}

/// Proof that the oracle finds real bugs: every built-in mutant makes some seed break an
/// invariant its defect breaks (or, for a defect that necessarily crashes, end in its signal).
/// Any other failure — a crash, a worker that did not start, a finding of another invariant —
/// is not a detection.
final class MutantTests: XCTestCase {
    func testEveryMutantIsFoundByTheSeeds() throws {
        let target = try InstalledTargets.target("3.13")
        let seeds = ["fuzz-sequences", "fuzz-faults"].map { "\(CorpusReplayTests.corpus)/seeds/\($0)" }
        for mutant in MutantKind.allCases {
            let outcome = try PyMemCheckProcess.run(
                ["replay"] + seeds + [
                    "--python", target.libraryPath, "--mode", mutant.preferredMode,
                    "--mutant", mutant.rawValue, "--format", "json",
                ])
            let results = try ReplayJSON.results(outcome.stdout)
            // What replay says it detected (MutantKind.detection, tested on known answers
            // below), held against the mutant's declaration: some input detects it, and only
            // by what the mutant declares it breaks.
            let detections = results.compactMap(\.detectedBy)
            XCTAssertFalse(
                detections.isEmpty,
                "mutant \(mutant.rawValue) (\(mutant.defect)) not found in mode \(mutant.preferredMode) "
                    + "by \(Self.declared(mutant)); seen: \(Self.seen(results))")
            let declared = Set(
                mutant.breaks.map { "invariant \($0.rawValue)" }
                    + (mutant.crashSignal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? []))
            for detection in detections {
                XCTAssertTrue(
                    declared.contains(detection), "\(mutant.rawValue): detected by \(detection), not declared")
            }
        }
    }

    static func declared(_ mutant: MutantKind) -> String {
        (mutant.breaks.map(\.rawValue).sorted()
            + (mutant.crashSignal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? [])).joined(separator: ", ")
    }

    static func seen(_ results: [ReplayEntry]) -> String {
        results.filter(\.isFailure).map { result in
            let name = (result.file as NSString).lastPathComponent
            let signal = result.signal.map { "signal \($0) " } ?? ""
            return "\(name): \(result.outcome) \(signal)\(result.invariants.map(\.rawValue))"
        }.joined(separator: "; ")
    }

    /// Only the declared invariants and the declared crash count; a crash of any other
    /// mutant, or a finding of an undeclared invariant, does not.
    func testOnlyDeclaredEvidenceIsADetection() {
        func finding(_ invariant: Invariant, signal: Int32? = nil) -> Finding {
            Finding(opIndex: 0, op: "free raw s0", invariant: invariant, evidence: "", signal: signal)
        }
        XCTAssertEqual(
            MutantKind.reallocLosesPast64.detection(in: [finding(.noLeak), finding(.contentsKept)]),
            "invariant contents-kept")
        XCTAssertNil(MutantKind.reallocLosesPast64.detection(in: [finding(.noLeak)]))
        XCTAssertNil(
            MutantKind.reallocFailureFreesBlock.detection(in: [], signal: SIGSEGV),
            "a crash is no detection of a defect that need not crash")
        XCTAssertNil(MutantKind.reallocZeroFrees.detection(in: [finding(.noCrash, signal: SIGABRT)]))
        XCTAssertEqual(MutantKind.freeNullCrashes.detection(in: [], signal: SIGSEGV), "crash SIGSEGV")
        XCTAssertEqual(MutantKind.freeNullCrashes.detection(in: [finding(.noCrash, signal: SIGSEGV)]), "crash SIGSEGV")
        XCTAssertNil(MutantKind.freeNullCrashes.detection(in: [], signal: SIGABRT), "another signal")
        for mutant in MutantKind.allCases {
            XCTAssertFalse(
                mutant.breaks.isEmpty && mutant.crashSignal == nil, "\(mutant.rawValue) declares nothing it breaks")
        }
    }

    func testNoMutantMeansNoFinding() throws {
        let target = try InstalledTargets.target("3.13")
        let outcome = try PyMemCheckProcess.run([
            "replay", "\(CorpusReplayTests.corpus)/seeds", "--python", target.libraryPath, "--mode", "debug",
        ])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout)
    }
}
