import Foundation

/// The outcome of one clause on one target in one mode.
public enum ResultStatus: String, Sendable, Codable, CaseIterable {
    case pass
    case fail
    case notApplicable = "not-applicable"
    /// It failed the way the catalogue records for this target and mode.
    case expectedDeviation = "expected-deviation"
    /// A recorded deviation did not happen: the record is stale, and that is unexpected too.
    case unexpectedPass = "unexpected-pass"

    /// Whether this result makes a run fail (exit 1).
    public var isUnexpected: Bool { self == .fail || self == .unexpectedPass }
}

/// One cell of the matrix. Field names are stable (README, "JSON").
public struct ClauseResult: Sendable, Codable, Equatable {
    public var clause: String
    public var target: String
    public var mode: String
    public var status: ResultStatus
    /// What was seen: the failures, the reason for not-applicable, the recorded deviation.
    public var evidence: [String]
    public var seconds: Double = 0
    /// How many observations the check compared (0 where it did not run).
    public var exercised: Int = 0
    /// For a failure: the one command that runs it again.
    public var reproduce: String? = nil

    public init(
        clause: String, target: String, mode: String, status: ResultStatus, evidence: [String], seconds: Double = 0,
        exercised: Int = 0, reproduce: String? = nil
    ) {
        self.clause = clause
        self.target = target
        self.mode = mode
        self.status = status
        self.evidence = evidence
        self.seconds = seconds
        self.exercised = exercised
        self.reproduce = reproduce
    }
}

/// A column of the matrix: one target in one mode.
public struct MatrixColumn: Sendable, Codable, Hashable {
    public var target: String
    public var mode: String

    public init(target: String, mode: String) {
        self.target = target
        self.mode = mode
    }
}

/// A clause row's identity and the words a reader needs next to it.
public struct MatrixRow: Sendable, Codable, Equatable {
    public var clause: String
    public var section: String
    public var statement: String

    public init(clause: String, section: String, statement: String) {
        self.clause = clause
        self.section = section
        self.statement = statement
    }
}

/// A clause's negative control on one target and mode: the check's result with the
/// violation planted. `proven`: it failed, as it must.
public struct ControlResult: Sendable, Codable, Equatable {
    public var clause: String
    public var target: String
    public var mode: String
    /// The planted violation, in words.
    public var violation: String
    public var proven: Bool
    /// The result under the control (deviations applied): `fail` when proven.
    public var status: ResultStatus
    public var evidence: [String]
}

extension ControlResult {
    /// The control's entry: `planted` is the clause's result with `violation` planted.
    public init(planted: ClauseResult, violation: String) {
        self.init(
            clause: planted.clause, target: planted.target, mode: planted.mode, violation: violation,
            proven: planted.status == .fail, status: planted.status, evidence: planted.evidence)
    }
}

/// Clauses × (target, mode) with every result, and the negative controls where they were run.
public struct Matrix: Sendable, Codable {
    public var rows: [MatrixRow]
    public var columns: [MatrixColumn]
    public var results: [ClauseResult]
    public var controls: [ControlResult]?
    public var seconds: Double

    public init(
        rows: [MatrixRow], columns: [MatrixColumn], results: [ClauseResult], controls: [ControlResult]? = nil,
        seconds: Double
    ) {
        self.rows = rows
        self.columns = columns
        self.results = results
        self.controls = controls
        self.seconds = seconds
    }

    /// Controls run on a clause where it applies whose check did not fail.
    public var unprovenControls: [ControlResult] { (controls ?? []).filter { !$0.proven } }

    public func result(_ clause: String, _ column: MatrixColumn) -> ClauseResult? {
        results.first { $0.clause == clause && $0.target == column.target && $0.mode == column.mode }
    }

    public var unexpected: [ClauseResult] { results.filter(\.status.isUnexpected) }

    /// How many results judged the target (anything but not applicable): with none, the run
    /// shows nothing, neither conformance nor its absence.
    public var judged: Int { results.filter { $0.status != .notApplicable }.count }

    public func counts(target: String? = nil) -> [ResultStatus: Int] {
        var counts: [ResultStatus: Int] = [:]
        for result in results where target == nil || result.target == target { counts[result.status, default: 0] += 1 }
        return counts
    }

    /// Targets in column order, each once.
    public var targets: [String] {
        var seen = Set<String>()
        return columns.map(\.target).filter { seen.insert($0).inserted }
    }
}
