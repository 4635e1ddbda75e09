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
}

extension XCTestCase {
    /// Asserts that `clause` holds on the selected target in every mode it applies to; a
    /// recorded deviation counts as expected. A clause that applies to no mode of this target
    /// is skipped with the reasons.
    func conform(_ clause: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let results = try XCTUnwrap(
            try ConformanceRun.results.get()[clause], "clause \(clause) is not in the catalogue", file: file,
            line: line)
        for result in results where result.status.isUnexpected {
            let evidence = result.evidence.joined(separator: "; ")
            XCTFail(
                "\(clause) [\(result.target) \(result.mode)] \(result.status.rawValue): \(evidence)",
                file: file, line: line)
        }
        if results.allSatisfy({ $0.status == .notApplicable }) {
            let reasons = Set(results.compactMap(\.evidence.first)).sorted().joined(separator: "; ")
            let target = results.first?.target ?? "this target"
            throw XCTSkip(
                "\(clause) does not apply to \(target) in any mode (\(reasons)); "
                    + "choose another target with PYMEMCHECK_PYTHON")
        }
    }
}
