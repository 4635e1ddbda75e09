import ClauseCatalogue
import Executor
import Foundation
import PyRuntime
import Reports
import XCTest

/// Runs the whole catalogue once on the selected target (PYMEMCHECK_PYTHON, default python3 on
/// PATH) in every mode, with one warm worker per mode; each conformance test then reads the
/// results of its clause.
enum ConformanceRun {
    static let catalogueFolder: String = {
        // Tests/ConformanceTests/ConformanceSupport.swift → the package folder.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent("Conformance").path
    }()

    static let catalogue: Result<Catalogue, Error> = Result { try Catalogue.load(from: catalogueFolder) }

    static let target: Result<PythonTarget, Error> = Result { try TargetSpec.fromEnvironment() }

    /// Every clause × every mode of the target, each clause's negative control included,
    /// computed on first use.
    static let matrix: Result<Matrix, Error> = Result {
        let catalogue = try ConformanceRun.catalogue.get()
        let target = try ConformanceRun.target.get()
        let runner = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 3)
        return runner.run(targets: [target], modes: AllocatorMode.allCases, clauses: catalogue.clauses, controls: true)
    }

    static let results: Result<[String: [ClauseResult]], Error> = Result {
        Dictionary(grouping: try matrix.get().results, by: \.clause)
    }

    /// The clauses the selected target runs in no mode (a 3.6-only layout, mimalloc before 3.13,
    /// a debug build's defaults), run on every other CPython installed here, so that a clause is
    /// skipped only where no installed target runs it. Their negative controls run there too.
    static let elsewhereMatrix: Result<Matrix, Error> = Result {
        let catalogue = try ConformanceRun.catalogue.get()
        let selected = try ConformanceRun.target.get()
        let idle = try ConformanceRun.results.get().filter { $0.value.allSatisfy { $0.status == .notApplicable } }
            .keys
        let others = TargetDiscovery.discover().targets.filter { $0.id != selected.id }
        let runner = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 3)
        return runner.run(
            targets: others, modes: AllocatorMode.allCases, clauses: catalogue.clauses.filter { idle.contains($0.id) },
            controls: true)
    }

    static let elsewhere: Result<[String: [ClauseResult]], Error> = Result {
        Dictionary(grouping: try elsewhereMatrix.get().results, by: \.clause)
    }
}

extension XCTestCase {
    /// Asserts that `clause` holds on the selected target in every mode it applies to; a
    /// recorded deviation counts as expected. A clause that applies to no mode of this target is
    /// checked on every other installed target instead, and skipped only when none runs it.
    func conform(_ clause: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let results = try XCTUnwrap(
            try ConformanceRun.results.get()[clause], "clause \(clause) is not in the catalogue", file: file,
            line: line)
        assertExpected(clause, results, file: file, line: line)
        guard results.allSatisfy({ $0.status == .notApplicable }) else { return }
        let elsewhere = try ConformanceRun.elsewhere.get()[clause] ?? []
        assertExpected(clause, elsewhere, file: file, line: line)
        if elsewhere.allSatisfy({ $0.status == .notApplicable }) {
            let reasons = Set((results + elsewhere).compactMap(\.evidence.first)).sorted().joined(separator: "; ")
            throw XCTSkip(
                "\(clause) applies to no CPython installed here in any mode (\(reasons)); "
                    + "install a target it holds for (see its versions in Conformance/) to check it")
        }
    }

    private func assertExpected(_ clause: String, _ results: [ClauseResult], file: StaticString, line: UInt) {
        for result in results where result.status.isUnexpected {
            let evidence = result.evidence.joined(separator: "; ")
            XCTFail(
                "\(clause) [\(result.target) \(result.mode)] \(result.status.rawValue): \(evidence)",
                file: file, line: line)
        }
    }
}
