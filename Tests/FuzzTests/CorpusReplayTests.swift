import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import XCTest

/// The corpus regression: every file under Corpus/ (seeds, compiled seeds, regressions) runs
/// through the fuzz targets' own per-input code on several targets and modes, and conforms.
final class CorpusReplayTests: XCTestCase {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = package.appendingPathComponent("Corpus").path

    /// The targets the corpus is replayed on when they are here: the default python3, the
    /// newest and oldest supported, and Debian's debug build.
    static let specs = [nil, "3.13", "3.6", "3.11d"]
    static let modes = ["default", "pymalloc", "malloc", "debug"]

    func testSeedsAreCompiled() throws {
        XCTAssertEqual(try CorpusCompiler.stale(root: Self.corpus), [], "run `swift run pymemcheck corpus` after editing Corpus/seeds")
    }

    func testCorpusConformsOnEveryTargetAndMode() throws {
        var arguments = ["replay", Self.corpus, "--format", "json"]
        let targets = Self.specs.compactMap { spec in try? TargetSpec.resolve(spec) }
        XCTAssertFalse(targets.isEmpty, "no CPython found")
        for path in Set(targets.map(\.libraryPath)).sorted() { arguments += ["--python", path] }
        for mode in Self.modes { arguments += ["--mode", mode] }
        let outcome = try FuzzTestSupport.pymemcheck(arguments, timeout: 600)
        let results = try JSONDecoder().decode([Replay.Result].self, from: Data(outcome.stdout.utf8))
        XCTAssertGreaterThan(results.count, 0, outcome.stderr)
        for result in results where result.isFailure {
            XCTFail("\(result.target) \(result.mode) \(result.file): \(result.outcome) \(result.detail ?? "") \(result.verdict?.findings.map(\.description) ?? [])")
        }
        XCTAssertEqual(outcome.exitStatus, 0)
    }
}

/// Proof that the oracle finds real bugs: every built-in mutant makes some seed fail.
final class MutantTests: XCTestCase {
    func testEveryMutantIsFoundByTheSeeds() throws {
        let target = try FuzzTestSupport.target("3.13")
        let seeds = ["fuzz-sequences", "fuzz-faults"].map { "\(CorpusReplayTests.corpus)/seeds/\($0)" }
        for mutant in MutantKind.allCases {
            let outcome = try FuzzTestSupport.pymemcheck(["replay"] + seeds + ["--python", target.libraryPath, "--mode", mutant.preferredMode,
                                                                            "--mutant", mutant.rawValue, "--format", "json"])
            let results = try JSONDecoder().decode([Replay.Result].self, from: Data(outcome.stdout.utf8))
            XCTAssertTrue(results.contains(where: \.isFailure), "mutant \(mutant.rawValue) (\(mutant.defect)) went unnoticed in mode \(mutant.preferredMode)")
        }
    }

    func testNoMutantMeansNoFinding() throws {
        let target = try FuzzTestSupport.target("3.13")
        let outcome = try FuzzTestSupport.pymemcheck(["replay", "\(CorpusReplayTests.corpus)/seeds", "--python", target.libraryPath, "--mode", "debug"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout)
    }
}

enum FuzzTestSupport {
    static func target(_ spec: String) throws -> PythonTarget {
        guard let target = try? TargetSpec.resolve(spec) else {
            throw XCTSkip("CPython \(spec) is not installed here; install it to run this test")
        }
        return target
    }

    static func pymemcheck(_ arguments: [String], timeout: Double = 300) throws -> ChildOutcome {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try ChildProcess.run(executable: try SelfExecutable.path(), arguments: arguments, environment: environment, timeout: timeout)
    }
}
