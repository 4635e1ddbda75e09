/// What became of one replayed input on one target and mode.
public enum ReplayOutcome: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case conforms
    case finding
    /// The input ended the worker.
    case crashed
    /// No worker could start: nothing is known of the input.
    case workerFailed = "worker-failed"
    case unreadable
    /// The target cannot run the mode: no file was run, `detail` says why.
    case notApplicable = "not-applicable"

    /// A finding or a crash: what the input shows of the target (an unreadable input shows nothing).
    public var isFailure: Bool { self != .conforms && self != .notApplicable && self != .unreadable }
    public var description: String { rawValue }
}

/// One replayed input on one target and mode (or a target and mode not run).
public struct ReplayEntry: Sendable, Codable, Equatable {
    public var file: String
    public var fuzzTarget: String
    public var target: String
    public var mode: String
    public var outcome: ReplayOutcome
    public var verdict: Verdict?
    public var detail: String?
    /// The signal that ended the worker on this input (outcome crashed), if one did.
    public var signal: Int32?
    /// With a planted mutant: what in this entry is a detection of its defect.
    public var detectedBy: String?

    public init(
        file: String, fuzzTarget: String, target: String, mode: String, outcome: ReplayOutcome,
        verdict: Verdict? = nil, detail: String? = nil, signal: Int32? = nil, detectedBy: String? = nil
    ) {
        self.file = file
        self.fuzzTarget = fuzzTarget
        self.target = target
        self.mode = mode
        self.outcome = outcome
        self.verdict = verdict
        self.detail = detail
        self.signal = signal
        self.detectedBy = detectedBy
    }
}

/// `pymemcheck replay`: one entry per (file, target, mode), and per target and mode not run.
public struct ReplayDocument: Sendable, Codable, Equatable {

    public var schema = "pymemcheck-replay/1"
    public var results: [ReplayEntry]

    public init(results: [ReplayEntry]) {
        self.results = results
    }

    public var failures: Int { results.filter(\.outcome.isFailure).count }
    /// Inputs that could not be decoded: counted apart, neither conforming nor a finding.
    public var unreadable: Int { results.filter { $0.outcome == .unreadable }.count }
    /// Replays that judged the target: an input that ran, whatever it showed.
    public var judged: Int { results.filter { $0.outcome != .notApplicable && $0.outcome != .unreadable }.count }
}
