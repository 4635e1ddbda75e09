import ClauseCatalogue
import ClauseRunner
import Foundation
import PyRuntime
import Reports
import Results
import TestSupport
import Vocabulary

/// Runs the whole catalogue once on the selected target (PYMEMCHECK_PYTHON, default python3 on
/// PATH) in every mode, with one warm worker per mode; each conformance test then reads the
/// results of its clause.
enum ConformanceRun {
    static let catalogueFolder = PackageFolder.path("Conformance")

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

/// One clause's results: on the selected target, and where it runs in no mode there, on the
/// other installed targets.
struct ClauseResults {
    var here: [ClauseResult]
    var elsewhere: [ClauseResult]
    var runsHere: Bool { here.contains { $0.status != .notApplicable } }
}

extension ConformanceRun {
    static func results(of clause: String) throws -> ClauseResults {
        guard let here = try results.get()[clause] else {
            throw CatalogueMismatch(description: "clause \(clause) is not in the catalogue's results")
        }
        let runsHere = here.contains { $0.status != .notApplicable }
        return ClauseResults(here: here, elsewhere: runsHere ? [] : try elsewhere.get()[clause] ?? [])
    }

    struct CatalogueMismatch: Error, CustomStringConvertible {
        let description: String
    }
}
