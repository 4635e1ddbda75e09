/// A clause's check: asks the running target and answers with a verdict.
public typealias Check = @Sendable (CheckContext) -> CheckVerdict

/// The answer of one clause on one running target: it held, it did not (with the evidence),
/// or it could not be asked here (with the reason).
public struct CheckVerdict: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pass, fail
        case notApplicable = "not-applicable"
    }

    public var status: Status
    public var evidence: [String]
    /// How many observations the check compared with the documents (results of calls, bytes
    /// read, reports parsed): a pass that compared nothing is no evidence, and is not a pass.
    public var exercised: Int
    /// What the target did instead, in the exact words a recorded deviation uses for it
    /// ("dead 64, kept 22, dead 64"): a deviation is expected only when it is this very one.
    public var observation: String?

    public init(status: Status, evidence: [String], exercised: Int = 0, observation: String? = nil) {
        self.status = status
        self.evidence = evidence
        self.exercised = exercised
        self.observation = observation
    }

    public static func pass(exercised: Int) -> CheckVerdict {
        CheckVerdict(status: .pass, evidence: [], exercised: exercised)
    }
    public static func fail(_ evidence: [String]) -> CheckVerdict { CheckVerdict(status: .fail, evidence: evidence) }
    public static func fail(_ evidence: String) -> CheckVerdict { fail([evidence]) }
    public static func notApplicable(_ reason: String) -> CheckVerdict {
        CheckVerdict(status: .notApplicable, evidence: [reason])
    }

    /// The same verdict, saying what was observed.
    public func observing(_ observation: String?) -> CheckVerdict {
        var copy = self
        copy.observation = observation
        return copy
    }
}

/// Collects what a check compared and what it found wrong. The verdict passes only when
/// something was compared and nothing was wrong; with nothing compared it is not applicable.
public struct Evidence {
    public private(set) var problems: [String] = []
    /// Observations compared: every `expect`, every `add`, and what `exercised` counts.
    public private(set) var compared = 0
    /// Why nothing could be compared, when that happens.
    public var nothingExercised = "the check exercised nothing on this target and mode"

    public init() {}

    /// Records `problem` when `condition` is false; either way one observation was compared.
    public mutating func expect(_ condition: Bool, _ problem: @autoclosure () -> String) {
        compared += 1
        if !condition { problems.append(problem()) }
    }

    public mutating func add(_ problem: String) {
        compared += 1
        problems.append(problem)
    }

    /// Counts observations compared without a problem found (bytes, blocks, calls).
    public mutating func exercised(_ count: Int = 1) { compared += count }

    /// Takes in another collection's problems (prefixed) and its count.
    public mutating func merge(_ other: Evidence, prefix: String = "") {
        compared += other.compared
        for problem in other.problems { problems.append(prefix + problem) }
    }

    public var verdict: CheckVerdict {
        if !problems.isEmpty { return CheckVerdict(status: .fail, evidence: problems, exercised: compared) }
        return compared > 0 ? .pass(exercised: compared) : .notApplicable(nothingExercised)
    }
}

/// A verdict reached before the check proper could run (carried through a Result).
public struct VerdictError: Error {
    public let verdict: CheckVerdict
    public init(_ verdict: CheckVerdict) { self.verdict = verdict }
}
