import Checks
import ClauseCatalogue
import Foundation
import Isolation
import NegativeControls
import PyRuntime
import Results
import Vocabulary

/// The parent side: runs catalogue clauses on targets × modes, one warm worker process per
/// (target, mode), and turns verdicts into matrix results (deviations applied). A worker that
/// crashes or hangs costs the clause it was on, and a fresh worker takes the rest.
public struct ConformanceRunner: Sendable {
    public var catalogue: Catalogue
    /// The folder the catalogue was read from, which workers read too; nil for the built-in one.
    public var catalogueFolder: String?
    /// How many workers run at once.
    public var width: Int
    /// A custom allocator plugin every worker installs (certify).
    public var plugin: String?
    /// Called after each (target, mode) finishes, with how many are done of how many.
    public var progress: (@Sendable (Int, Int, MatrixColumn) -> Void)?

    public init(
        catalogue: Catalogue, catalogueFolder: String?, width: Int = 2,
        progress: (@Sendable (Int, Int, MatrixColumn) -> Void)? = nil
    ) {
        self.catalogue = catalogue
        self.catalogueFolder = catalogueFolder
        self.width = width
        self.progress = progress
    }

    /// `controls`: also run each applicable clause's negative control (Matrix.controls).
    public func run(targets: [PythonTarget], modes: [AllocatorMode], clauses: [Clause], controls: Bool = false)
        -> Matrix
    {
        let start = Date()
        let pairs = targets.flatMap { target in modes.map { (target, $0) } }
        let done = Locked(0)
        let columns = ParallelMap.run(pairs, width: width) { target, mode in
            let column = MatrixColumn(target: target.id, mode: mode.name)
            let results = self.run(target: target, mode: mode, clauses: clauses, controls: controls)
            self.progress?(
                done.withLock {
                    $0 += 1
                    return $0
                }, pairs.count, column)
            return results
        }
        let rows = clauses.map {
            MatrixRow(clause: $0.id, section: catalogue.section(of: $0.id)?.section ?? "", statement: $0.statement)
        }
        return Matrix(
            rows: rows, columns: pairs.map { MatrixColumn(target: $0.0.id, mode: $0.1.name) },
            results: columns.flatMap(\.results), controls: controls ? columns.flatMap(\.controls) : nil,
            seconds: Date().timeIntervalSince(start))
    }

    /// Every clause on one target in one mode (and, with `controls`, each one's control).
    public func run(
        target: PythonTarget, mode: AllocatorMode, clauses: [Clause],
        controls: Bool = false
    ) -> (results: [ClauseResult], controls: [ControlResult]) {
        let column = runColumn(target: target, mode: mode, clauses: clauses, controls: controls)
        return (column.results, column.controls)
    }

    /// One target and mode's results, and why its workers could not run, if they could not.
    public struct Column: Sendable {
        public var results: [ClauseResult]
        public var controls: [ControlResult]
        /// Set when no worker could set up (the target did not start, a plugin crashed while
        /// being installed): every applicable clause then carries the same failure.
        public var failure: WorkerFailure?
    }

    public func runColumn(
        target: PythonTarget, mode: AllocatorMode, clauses: [Clause],
        controls: Bool = false
    ) -> Column {
        var verdicts: [Worker.Item: (CheckVerdict, Double)] = [:]
        var applicable: [String] = []
        for clause in clauses {
            if case .notApplicable(let reason) = clause.applicability(target: target, mode: mode) {
                verdicts[Worker.Item(clause: clause.id, control: false)] = (.notApplicable(reason), 0)
            } else {
                applicable.append(clause.id)
            }
        }
        let items =
            applicable.map { Worker.Item(clause: $0, control: false) }
            + (controls ? applicable.map { Worker.Item(clause: $0, control: true) } : [])
        var failure: WorkerFailure?
        for (item, outcome) in zip(items, pool(target: target, mode: mode).run(items)) {
            verdicts[item] = Self.verdict(outcome, for: item)
            if case .notRun(let reason) = outcome { failure = reason }
        }
        let results = clauses.map { clause in
            let (verdict, seconds) = verdicts[Worker.Item(clause: clause.id, control: false)]!
            return result(clause, target: target, mode: mode, verdict: verdict, seconds: seconds)
        }
        // A control proves a check able to fail where the check runs: not where it exercised nothing.
        let checked = clauses.filter {
            controls && applicable.contains($0.id)
                && verdicts[Worker.Item(clause: $0.id, control: false)]!.0.status != .notApplicable
        }
        let controlResults = checked.map { clause in
            let (verdict, _) = verdicts[Worker.Item(clause: clause.id, control: true)]!
            let planted = result(clause, target: target, mode: mode, verdict: verdict, seconds: 0)
            let violation = ClauseRegistry.control(for: clause.id)?.violation ?? "none"
            return ControlResult(planted: planted, violation: violation)
        }
        return Column(results: results, controls: controlResults, failure: failure)
    }

    /// A worker prints a line as it starts each set-up step and clause and as it answers: this
    /// long without a line means it hangs (the slowest checks, with their forked children, take
    /// seconds; certify's --hang-limit sets it, for a plugin that hangs while installed).
    public static let defaultSilenceLimit: Double = 120
    public var silenceLimit = Self.defaultSilenceLimit

    public typealias Pool = WorkerPool<Worker.Setup, Worker.Item, Worker.Answer>

    private func pool(target: PythonTarget, mode: AllocatorMode) -> Pool {
        let setup = Worker.Setup(target: target.libraryPath, mode: mode, catalogue: catalogueFolder, plugin: plugin)
        return Pool(
            subcommand: Worker.subcommand, setup: setup, launcher: target.launcher, timeout: { 60 + 5 * Double($0) },
            silenceLimit: silenceLimit)
    }

    /// An item's verdict and seconds. What a worker that died or never started costs an item:
    /// a clause's check fails; a clause's control is unproven (a dead worker is no evidence
    /// that the check can fail).
    public static func verdict(_ outcome: Pool.Outcome, for item: Worker.Item) -> (CheckVerdict, Double) {
        func charged(_ text: String) -> CheckVerdict { item.control ? .notApplicable(text) : .fail(text) }
        switch outcome {
        case .answered(let answer):
            return (answer.verdict, answer.seconds)
        case .charged(let child):
            let tail = WorkerFailure.colonTail(child, lines: 3)
            return (charged("during this check the target \(child.summary)\(tail)"), child.seconds)
        case .notRun(.cannotStart(let error)):
            return (charged("could not start a worker: \(error)"), 0)
        case .notRun(.refused(let error)):
            return (charged("the target did not start: \(error)"), 0)
        case .notRun(.died(let child, let step)):
            let during = step.map { " while \($0)," } ?? ""
            let tail = WorkerFailure.colonTail(child, lines: 3)
            return (charged("the worker \(child.summary)\(during) before any check\(tail)"), 0)
        }
    }

    /// The matrix result of a verdict. A recorded deviation turns a failure into an expected
    /// deviation only when the check observed exactly what the deviation records.
    public func result(
        _ clause: Clause, target: PythonTarget, mode: AllocatorMode, verdict: CheckVerdict, seconds: Double
    ) -> ClauseResult {
        var status: ResultStatus
        var evidence = verdict.evidence
        switch verdict.status {
        case .pass: status = .pass
        case .fail: status = .fail
        case .notApplicable: status = .notApplicable
        }
        if let deviation = clause.deviation(target: target, mode: mode) {
            if status == .fail && verdict.observation == deviation.observation {
                status = .expectedDeviation
                evidence.insert("recorded deviation: \(deviation.observed) (\(deviation.evidence))", at: 0)
            } else if status == .fail {
                evidence.insert(
                    "the catalogue records a deviation here, observed as "
                        + "'\(deviation.observation)'; this run observed "
                        + "\(verdict.observation.map { "'\($0)'" } ?? "something else")", at: 0)
            } else if status == .pass {
                status = .unexpectedPass
                evidence = ["the catalogue records a deviation here (\(deviation.observed)) but the clause held"]
            }
        }
        var result = ClauseResult(
            clause: clause.id, target: target.id, mode: mode.name, status: status, evidence: evidence,
            seconds: seconds, exercised: verdict.exercised)
        if status.isUnexpected {
            result.reproduce = ReproduceCommand.line([
                "check", "--python", ReproduceCommand.python(target), "--mode", mode.name, "--clause", clause.id,
            ])
        }
        return result
    }
}

/// Runs work over items on a few threads, results in input order.
public enum ParallelMap {
    public static func run<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ work: @Sendable @escaping (T) -> R)
        -> [R]
    {
        let slots = Locked([R?](repeating: nil, count: items.count))
        let next = Locked(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(width, items.count))) { _ in
            while true {
                let index = next.withLock {
                    $0 += 1
                    return $0 - 1
                }
                guard index < items.count else { return }
                let result = work(items[index])
                slots.withLock { $0[index] = result }
            }
        }
        return slots.withLock { $0.map { $0! } }
    }
}
