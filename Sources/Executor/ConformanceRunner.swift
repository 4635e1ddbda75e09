import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime
import Reports

/// The parent side: runs catalogue clauses on targets × modes, one warm worker process per
/// (target, mode), and turns verdicts into matrix results (deviations applied). A worker that
/// crashes or hangs costs the clause it was on, and a fresh worker takes the rest.
public struct ConformanceRunner: Sendable {
    public var catalogue: Catalogue
    /// The folder the catalogue was read from, which workers read too; nil for the built-in one.
    public var catalogueFolder: String?
    /// How many workers run at once.
    public var width: Int
    /// Added to every worker's arguments (certify: --plugin PATH).
    public var workerArguments: [String] = []
    /// Called after each (target, mode) finishes, with how many are done of how many.
    public var progress: (@Sendable (Int, Int, MatrixColumn) -> Void)?

    public init(catalogue: Catalogue, catalogueFolder: String?, width: Int = 2,
                progress: (@Sendable (Int, Int, MatrixColumn) -> Void)? = nil) {
        self.catalogue = catalogue
        self.catalogueFolder = catalogueFolder
        self.width = width
        self.progress = progress
    }

    /// `controls`: also run each applicable clause's negative control (Matrix.controls).
    public func run(targets: [PythonTarget], modes: [AllocatorMode], clauses: [Clause], controls: Bool = false) -> Matrix {
        let start = Date()
        let pairs = targets.flatMap { target in modes.map { (target, $0) } }
        let done = Counter()
        let columns = ParallelMap.run(pairs, width: width) { target, mode in
            let column = MatrixColumn(target: target.id, mode: mode.name)
            let results = self.run(target: target, mode: mode, clauses: clauses, controls: controls)
            self.progress?(done.increment(), pairs.count, column)
            return results
        }
        let rows = clauses.map { MatrixRow(clause: $0.id, section: catalogue.section(of: $0.id)?.section ?? "", statement: $0.statement) }
        return Matrix(rows: rows, columns: pairs.map { MatrixColumn(target: $0.0.id, mode: $0.1.name) },
                      results: columns.flatMap(\.results), controls: controls ? columns.flatMap(\.controls) : nil,
                      seconds: Date().timeIntervalSince(start))
    }

    /// Every clause on one target in one mode (and, with `controls`, each one's control).
    public func run(target: PythonTarget, mode: AllocatorMode, clauses: [Clause],
                    controls: Bool = false) -> (results: [ClauseResult], controls: [ControlResult]) {
        var verdicts: [String: (CheckVerdict, Double)] = [:]
        for clause in clauses {
            if case .notApplicable(let reason) = clause.applicability(target: target, mode: mode) {
                verdicts[clause.id] = (.notApplicable(reason), 0)
            }
        }
        let applicable = clauses.map(\.id).filter { verdicts[$0] == nil }
        var pending = applicable + (controls ? applicable.map { Worker.controlPrefix + $0 } : [])
        while !pending.isEmpty {
            let answered = runWorker(target: target, mode: mode, ids: pending)
            for (id, verdict) in answered { verdicts[id] = verdict }
            pending.removeAll { verdicts[$0] != nil }
        }
        let results = clauses.map { clause in
            let (verdict, seconds) = verdicts[clause.id]!
            return result(clause, target: target, mode: mode, verdict: verdict, seconds: seconds)
        }
        // A control proves a check able to fail where the check runs: not where it exercised nothing.
        let checked = clauses.filter { controls && applicable.contains($0.id) && verdicts[$0.id]!.0.status != .notApplicable }
        let controlResults = checked.map { clause in
            let (verdict, _) = verdicts[Worker.controlPrefix + clause.id]!
            let planted = result(clause, target: target, mode: mode, verdict: verdict, seconds: 0)
            return ControlResult(clause: clause.id, target: target.id, mode: mode.name,
                                 violation: ClauseControls.control(for: clause.id)?.violation ?? "none",
                                 status: planted.status, evidence: planted.evidence)
        }
        return (results, controlResults)
    }

    /// A worker prints a line as it starts each clause and as it answers: this long without a
    /// line means the check hangs (the slowest checks, with their forked children, take seconds).
    static let silenceLimit: Double = 120

    /// One worker over `ids`; returns the answers it gave, plus a failure for the clause it was
    /// on when it died (or for all of them when it could not start).
    private func runWorker(target: PythonTarget, mode: AllocatorMode, ids: [String]) -> [String: (CheckVerdict, Double)] {
        let arguments = ["worker", "--python", target.libraryPath, "--mode", mode.name]
            + (catalogueFolder.map { ["--catalogue", $0] } ?? []) + workerArguments
        let outcome: ChildOutcome
        do {
            outcome = try ChildProcess.run(executable: try SelfExecutable.path(), arguments: arguments,
                                           environment: IsolatedRun.childEnvironment(),
                                           input: ids.joined(separator: "\n") + "\n",
                                           timeout: 60 + 5 * Double(ids.count), silenceLimit: Self.silenceLimit)
        } catch {
            return Dictionary(uniqueKeysWithValues: ids.map { ($0, (charged($0, "could not start a worker: \(error)"), 0)) })
        }
        return WorkerTranscript(outcome: outcome, ids: ids).verdicts
    }

    /// The matrix result of a verdict. A recorded deviation turns a failure into an expected
    /// deviation only when the check observed exactly what the deviation records.
    public func result(_ clause: Clause, target: PythonTarget, mode: AllocatorMode, verdict: CheckVerdict, seconds: Double) -> ClauseResult {
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
                evidence.insert("the catalogue records a deviation here, observed as '\(deviation.observation)'; this run observed \(verdict.observation.map { "'\($0)'" } ?? "something else")", at: 0)
            } else if status == .pass {
                status = .unexpectedPass
                evidence = ["the catalogue records a deviation here (\(deviation.observed)) but the clause held"]
            }
        }
        return ClauseResult(clause: clause.id, target: target.id, mode: mode.name, status: status,
                            evidence: evidence, seconds: seconds, exercised: verdict.exercised)
    }
}

/// What a worker that died or never started costs an item: a clause's check fails; a clause's
/// control is unproven (a dead worker is no evidence that the check can fail).
public func charged(_ item: String, _ text: String) -> CheckVerdict {
    item.hasPrefix(Worker.controlPrefix) ? .notApplicable(text) : .fail(text)
}

/// Reads a worker's stdout: answers, the clause it had started last, or a start-up failure.
struct WorkerTranscript {
    let outcome: ChildOutcome
    let ids: [String]

    var verdicts: [String: (CheckVerdict, Double)] {
        var verdicts: [String: (CheckVerdict, Double)] = [:]
        var current: String?
        for line in outcome.stdout.split(separator: "\n") {
            if line.hasPrefix(Worker.startMarker) {
                current = String(line.dropFirst(Worker.startMarker.count))
            } else if line.hasPrefix(scenarioResultMarker) {
                let json = Data(line.dropFirst(scenarioResultMarker.count).utf8)
                if let answer = try? JSONDecoder().decode(Worker.Answer.self, from: json) {
                    verdicts[answer.clause] = (answer.verdict, answer.seconds)
                    current = nil
                } else if let failure = try? JSONDecoder().decode(Worker.StartupFailure.self, from: json) {
                    return Dictionary(uniqueKeysWithValues: ids.map { ($0, (charged($0, "the target did not start: \(failure.startup)"), 0)) })
                }
            }
        }
        if let current, verdicts[current] == nil {
            verdicts[current] = (charged(current, "the target \(outcome.summary) during this check: \(tail)"), outcome.seconds)
        } else if verdicts.isEmpty {
            // Died before it could start any clause: every one is charged, none is lost silently.
            return Dictionary(uniqueKeysWithValues: ids.map { ($0, (charged($0, "the worker \(outcome.summary) before any check: \(tail)"), 0)) })
        }
        return verdicts
    }

    private var tail: String {
        outcome.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
    }
}

private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { lock.withLock { value += 1; return value } }
}

/// Runs work over items on a few threads, results in input order.
public enum ParallelMap {
    public static func run<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ work: @Sendable @escaping (T) -> R) -> [R] {
        let slots = Slots<R>(count: items.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(width, items.count))) { _ in
            while true {
                let index = next.increment() - 1
                guard index < items.count else { return }
                slots.set(index, work(items[index]))
            }
        }
        return slots.values
    }
}

/// One slot per item; each is written by exactly one worker thread.
private final class Slots<R>: @unchecked Sendable {
    private var storage: [R?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: R) { lock.withLock { storage[index] = value } }
    var values: [R] { storage.map { $0! } }
}
