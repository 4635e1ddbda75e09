import ClauseCatalogue
import Executor
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import Reports

/// The parent side of certify: the allocator-contract clauses of the catalogue run by warm
/// workers with the plugin installed, and a certify worker per target and mode for the parts
/// that are not clauses.
public struct Certifier: Sendable {
    public var pluginPath: String
    public var catalogue: Catalogue
    public var catalogueFolder: String
    public var fuzzSeconds: Double
    public var executable: String

    public init(pluginPath: String, catalogue: Catalogue, catalogueFolder: String, fuzzSeconds: Double, executable: String) {
        self.pluginPath = pluginPath
        self.catalogue = catalogue
        self.catalogueFolder = catalogueFolder
        self.fuzzSeconds = fuzzSeconds
        self.executable = executable
    }

    /// The clauses about what an allocator must do (not about CPython's own set-up: which
    /// allocator a mode names, pymalloc's arenas, tracemalloc).
    /// Not the double free: certify's guard layer under the plugin protects a freed block's
    /// pages, so a second free faults there before the hooks can report, with or without a
    /// plugin's part in it.
    public static func isContractClause(_ id: String) -> Bool {
        guard id != "debug.detect.double-free" else { return false }
        return ["raw.", "mem.", "obj.", "debug."].contains { id.hasPrefix($0) }
            || ["setallocator.get-set-round-trip", "setallocator.ctx-passed", "setallocator.arguments-passed-through",
                "setallocator.hook-sees-every-call"].contains(id)
    }

    /// Why a target cannot take a plugin, if it cannot.
    public static func pluginSupport(_ target: PythonTarget) -> String? {
        target.version.dropsAllocatorsSetBeforeInitialisation
            ? "3.7 sets its allocators up again inside Py_InitializeEx, dropping any installed before it; certify needs 3.6 or 3.8+"
            : nil
    }

    public func run(targets: [PythonTarget], modes: [AllocatorMode]) -> Certificate {
        var notApplicable: [String] = []
        var pairs: [(PythonTarget, AllocatorMode)] = []
        for target in targets {
            if let reason = Self.pluginSupport(target) { notApplicable.append("\(target.id): \(reason)"); continue }
            for mode in modes {
                if case .notApplicable(let reason) = target.applicability(of: mode) {
                    notApplicable.append("\(target.id) \(mode.name): \(reason)")
                } else {
                    pairs.append((target, mode))
                }
            }
        }
        var conformance = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 2)
        conformance.workerArguments = ["--plugin", pluginPath]
        let runner = conformance
        let baseline = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 2)
        let clauses = catalogue.clauses.filter { Self.isContractClause($0.id) }
        let results = ParallelMap.run(pairs, width: 2) { target, mode in
            let withPlugin = runner.run(target: target, mode: mode, clauses: clauses).results
            let without = baseline.run(target: target, mode: mode, clauses: clauses).results
            return (Self.judge(withPlugin, against: without), items(target: target, mode: mode))
        }
        return Certificate(plugin: pluginPath, clauses: results.flatMap(\.0), items: results.flatMap(\.1), notApplicable: notApplicable)
    }

    /// Judges the plugin, not the target: a clause counts against the plugin only where its
    /// result with the plugin differs from its result on the same target and mode without it.
    /// A target's recorded deviation is inherited only where the plugin run observed exactly
    /// the recorded observation (the runner's expected-deviation); a clause the target fails by
    /// itself, unrecorded, is reported as the target's, not the plugin's.
    static func judge(_ withPlugin: [ClauseResult], against without: [ClauseResult]) -> [ClauseResult] {
        let baseline = Dictionary(without.map { ($0.clause, $0) }) { first, _ in first }
        return withPlugin.map { result in
            guard let alone = baseline[result.clause] else { return result }
            var judged = result
            switch (result.status, alone.status) {
            case (.fail, .fail):
                judged.status = .expectedDeviation
                judged.evidence.insert("the target fails this clause without the plugin too: the target's own failure, not the plugin's", at: 0)
            case (.unexpectedPass, .expectedDeviation):
                judged.status = .pass
                judged.evidence = ["the plugin holds the clause where the target alone shows its recorded deviation"]
            default:
                break
            }
            return judged
        }
    }

    func items(target: PythonTarget, mode: AllocatorMode) -> [CertifyItem] {
        let arguments = ["certify-worker", "--python", target.libraryPath, "--mode", mode.name, "--plugin", pluginPath,
                         "--fuzz-seconds", String(fuzzSeconds)]
        var items: [CertifyItem]
        do {
            let outcome = try ChildProcess.run(executable: executable, arguments: arguments, environment: IsolatedRun.childEnvironment(),
                                               timeout: 300 + 4 * fuzzSeconds, silenceLimit: 180 + fuzzSeconds)
            items = CertifyProbe.parse(outcome.stdout)
            // A worker that dies after some parts (CPython cannot start with the plugin) loses
            // the rest: that is said, never left out.
            if items.isEmpty || !outcome.exitedCleanly {
                let tail = outcome.stderr.split(separator: "\n").suffix(2).joined(separator: " | ")
                let after = items.isEmpty ? "" : " after \(items.count) part(s)"
                items.append(CertifyItem(part: "certify worker", status: "fail", evidence: ["the worker \(outcome.summary)\(after): \(tail)"]))
            }
        } catch {
            items = [CertifyItem(part: "certify worker", status: "fail", evidence: ["could not start: \(error)"])]
        }
        return items.map { item in
            var item = item
            item.target = target.id
            item.mode = mode.name
            return item
        }
    }
}
